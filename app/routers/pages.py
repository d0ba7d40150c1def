"""The public site: search, example pages, about, statistics, feed, oEmbed and embeds.

Each page's data comes from one service call (``app/services``); this module only picks
the representation: a full page, an HTMX fragment (``render(..., block=...)``) or JSON.
"""

from __future__ import annotations

import html
from dataclasses import replace
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel import select

from app.core.errors import AppError, FieldError, InputError, NotFound
from app.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext
from app.core.time import as_utc, utcnow
from app.models import Example
from app.services.browse import REUSED_TITLE, SearchPage, run_engine, search_examples
from app.services.demo import (
    DEMO_LIST_NOTICE,
    DEMO_NOTICE,
    ILLUSTRATIVE,
    demo_ids,
    is_demo,
)
from app.services.example_tools import example_tools
from app.services.example_view import (
    api_url,
    example_tags,
    json_ld,
    load_published,
    parse_id,
    related_examples,
    sections,
)
from app.services.labels import (
    FACET_TITLES,
    SORT_TITLES,
    _l,
    criteria_for_display,
    quality_profile,
)
from app.services.rereview import review_date
from app.services.reuse import OUTCOME_LABELS, county_map_rows
from app.services.reuse import summary as reuse_summary
from app.services.search_params import (
    DEFAULT_PER_PAGE,
    SearchParams,
    parse_search_params,
)
from app.services.serializers import permalink
from app.services.statistics import coverage
from app.services.taxonomy import Taxonomy, taxonomy_for
from app.web.auth import OptionalUser
from app.web.deps import SessionDep, base_url
from app.web.templating import add_global, is_htmx, render, templates_for
from search import FACET_NAMES

router = APIRouter(include_in_schema=False)


def lang_url(request: Request, lang: str) -> str:
    """The current page in another language (the switch keeps the search state)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(items)}"


def _thousands(separator: str):
    def fmt(value: int | None) -> str:
        return "" if value is None else f"{value:,}".replace(",", separator)
    return fmt


add_global("lang_url", lang_url)
for _code in LANGUAGES:
    templates_for(_code).env.filters["thousands"] = _thousands("\u00a0" if _code == "sv" else ",")

FEED_SIZE = 50
FACET_VISIBLE = 6  # values shown before a long facet collapses
EMBED_WIDTH, EMBED_HEIGHT = 480, 320


def _lang(request: Request) -> str:
    return getattr(request.state, "lang", "sv")


def _base(request: Request) -> str:
    return base_url(request)


def _common(request: Request, taxonomy: Taxonomy | None = None, **extra: Any) -> dict[str, Any]:
    lang = _lang(request)
    return {
        "base_url": _base(request),
        "taxonomy": taxonomy,
        "facet_titles": {k: gettext(lang, v) for k, v in FACET_TITLES.items()},
        **extra,
    }


def _demo_list_notice(items: list[dict[str, Any]], lang: str) -> dict[str, str]:
    """The demo banner for a list that shows demo content (Swedish first)."""
    if not any(item.get("demo") for item in items):
        return {}
    return {"demo_notice": gettext(lang, DEMO_LIST_NOTICE), "demo_notice_sv": gettext(DEFAULT_LANGUAGE, DEMO_LIST_NOTICE)}


def _demo_notice(session, example: Example, lang: str) -> dict[str, Any]:
    if not is_demo(session, example.id):
        return {"demo": False}
    return {"demo": True, "demo_notice": gettext(lang, DEMO_NOTICE), "demo_notice_sv": gettext(DEFAULT_LANGUAGE, DEMO_NOTICE)}


# -- search --------------------------------------------------------------------------------
@router.api_route("/", methods=["GET", "HEAD"])
def search_page(request: Request, session: SessionDep) -> Response:
    taxonomy = taxonomy_for(request.app.state, session)
    lang = _lang(request)
    error: InputError | None = None
    try:
        params = parse_search_params(request.query_params.multi_items(), taxonomy)
    except InputError as exc:
        error, params = exc, SearchParams()
    page: SearchPage | None = None
    unavailable = False
    try:
        page = search_examples(session, request.app.state.search, taxonomy, params, lang=lang,
                               base_url=_base(request), suggest=error is None)
    except AppError as exc:
        if exc.status != 503:
            raise
        unavailable = True
    context = _common(
        request, taxonomy,
        nav="search", params=params, page=page, error=error, unavailable=unavailable,
        facet_names=FACET_NAMES, facet_visible=FACET_VISIBLE,
        sort_titles={k: gettext(lang, v) for k, v in SORT_TITLES.items()},
        is_htmx=is_htmx(request),
        json_url=params.url("/api/v1/examples"),
        **_demo_list_notice(page.items if page else [], lang),
    )
    status = 422 if error else (503 if unavailable else 200)
    return render(request, "search.html", context, block="results", status_code=status)


# -- example --------------------------------------------------------------------------------
def _example_or_404(session, raw_id: str) -> Example:
    number = parse_id(raw_id)
    if number is None:
        raise NotFound("Exemplet finns inte")
    return load_published(session, number)


@router.api_route("/exempel/{example_id}", methods=["GET", "HEAD"])
def example_page(example_id: str, request: Request, session: SessionDep, user: OptionalUser) -> Response:
    example = _example_or_404(session, example_id)
    taxonomy = taxonomy_for(request.app.state, session)
    lang = _lang(request)
    base = _base(request)
    url = permalink(base, example.id)
    context = _common(
        request, taxonomy,
        example=example,
        sections=sections(example, lang),
        tags=example_tags(example, taxonomy, lang),
        quality=quality_profile(example.quality, lang),
        related=related_examples(session, request.app.state.search, example, base_url=base),
        permalink=url,
        api_url=api_url(base, example.id),
        oembed_url=f"{base}/oembed?" + urlencode({"url": url}),
        json_ld=json_ld(example, taxonomy, base_url=base, lang=lang),
        published_at=as_utc(example.published_at),
        updated_at=as_utc(example.updated_at),
        reuse=reuse_summary(session, example_id=example.id, lang=lang,
                            county_names={c: t.label(lang) for c, t in taxonomy.terms("county").items()}),
        outcome_labels={k: gettext(lang, v) for k, v in OUTCOME_LABELS.items()},
        county_map=county_map_rows(taxonomy, lang),
        **_demo_notice(session, example, lang),
        review=review_date(session, example=example, settings=request.app.state.settings),
        **example_tools(session, example, user, upload_limit=request.app.state.settings.UPLOAD_MAX_BYTES),
    )
    return render(request, "example.html", context)


@router.api_route("/exempel/{example_id}/embed", methods=["GET", "HEAD"])
def example_embed(example_id: str, request: Request, session: SessionDep) -> Response:
    example = _example_or_404(session, example_id)
    taxonomy = taxonomy_for(request.app.state, session)
    context = _common(request, taxonomy, example=example, permalink=permalink(_base(request), example.id),
                      api_url=api_url(_base(request), example.id),
                      **_demo_notice(session, example, _lang(request)))
    return render(
        request, "embed.html", context,
        headers={"Content-Security-Policy": "frame-ancestors *", "Cache-Control": "public, max-age=300"},
    )


@router.api_route("/exempel/{example_id}/{slug}", methods=["GET", "HEAD"])
def example_with_slug(example_id: str, slug: str, request: Request, session: SessionDep) -> Response:
    example = _example_or_404(session, example_id)
    target = f"/exempel/{example.id}"
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(target, status_code=301)


# -- about, statistics ------------------------------------------------------------------------
@router.api_route("/om", methods=["GET", "HEAD"])
def about(request: Request, session: SessionDep) -> Response:
    taxonomy = taxonomy_for(request.app.state, session)
    # The stored criteria (titles and guidance edited by the admin); the fallback before migration 0002.
    from app.services.criteria import list_criteria

    stored = list_criteria(session, lang=_lang(request))
    return render(request, "about.html", _common(request, taxonomy, nav="about",
                                                 criteria=stored or criteria_for_display(_lang(request))))


@router.api_route("/statistik", methods=["GET", "HEAD"])
def statistics_page(request: Request, session: SessionDep) -> Response:
    taxonomy = taxonomy_for(request.app.state, session)
    data = coverage(session, taxonomy, lang=_lang(request))
    return render(request, "statistics.html", _common(request, taxonomy, nav="stats", coverage=data))


# -- feed and oEmbed --------------------------------------------------------------------------
ATOM = "http://www.w3.org/2005/Atom"


def _xml_text(value: str | None) -> str:
    """Text safe for XML 1.0 (control characters dropped)."""
    return "".join(ch for ch in (value or "") if ch in "\t\n\r" or ord(ch) >= 0x20)


def _feed_rows(request: Request, session, taxonomy: Taxonomy) -> tuple[list[Example], SearchParams]:
    """The newest published examples, or — with the search parameters of /api/v1/examples —
    the newest of those matching (found by the search engine itself)."""
    params = parse_search_params(request.query_params.multi_items(), taxonomy)
    if not (params.has_text or params.has_filters):
        rows = session.exec(
            select(Example).where(Example.status == "published")
            .order_by(Example.published_at.desc(), Example.id.desc()).limit(FEED_SIZE)
        ).all()
        return list(rows), params
    query = replace(params, sort="newest", page=1, per_page=FEED_SIZE).to_query(facets=[])
    ids = [hit.id for hit in run_engine(request.app.state.search, query).hits]
    found = {e.id: e for e in session.exec(
        select(Example).where(Example.id.in_(ids), Example.status == "published")).all()} if ids else {}
    return [found[i] for i in ids if i in found], params


@router.api_route("/feed.atom", methods=["GET", "HEAD"])
def feed(request: Request, session: SessionDep) -> Response:
    lang = _lang(request)
    base = _base(request)
    taxonomy = taxonomy_for(request.app.state, session)
    rows, params = _feed_rows(request, session, taxonomy)
    demo = demo_ids(session, [r.id for r in rows])
    self_url = f"{base}{params.url('/feed.atom')}"
    ET.register_namespace("", ATOM)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})
        if text is not None:
            element.text = _xml_text(text)
        return element

    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    sub(root, "id", self_url)
    sub(root, "title", gettext(lang, _l("Barnrättsbanken: newest examples")))
    sub(root, "subtitle", gettext(lang, _l("Worked examples of child-rights work in Swedish municipalities and regions.")))
    updated = max((as_utc(r.updated_at) for r in rows), default=utcnow())
    sub(root, "updated", updated.isoformat())
    sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(root, "link", rel="alternate", type="text/html", href=f"{base}{params.url('/')}")
    sub(root, "generator", "Barnrättsbanken")
    for row in rows:
        url = permalink(base, row.id)
        entry = sub(root, "entry")
        entry.set("{http://www.w3.org/XML/1998/namespace}lang", "sv")  # the examples are in Swedish
        sub(entry, "id", url)
        sub(entry, "title", row.title)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "link", rel="related", type="application/json", href=api_url(base, row.id))
        sub(entry, "published", as_utc(row.published_at).isoformat())
        sub(entry, "updated", as_utc(row.updated_at).isoformat())
        author = sub(entry, "author")
        demo_prefix = "[Demo] " if row.id in demo else ""
        sub(author, "name", row.organisation_name + (f" ({gettext('sv', ILLUSTRATIVE)})" if demo_prefix else ""))
        sub(entry, "summary", demo_prefix + row.summary, type="text")
        if demo_prefix:
            sub(entry, "category", term="demo", label=_xml_text(gettext(lang, DEMO_NOTICE)))
        for number in row.articles:
            sub(entry, "category", term=f"article-{number}",
                label=_xml_text(f"{number}. {taxonomy.label('article', number, lang)}"))
        for slug in row.sectors:
            sub(entry, "category", term=slug, label=_xml_text(taxonomy.label("sector", slug, lang)))
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(
        body,
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Vary": "Accept-Language, Cookie",
                 "Last-Modified": format_datetime(updated, usegmt=True)},
    )


def _oembed_id(url: str, base: str) -> int | None:
    parts = urlsplit(url.strip())
    ours = urlsplit(base)
    if parts.scheme not in ("http", "https") or parts.netloc != ours.netloc:
        return None
    path = parts.path
    prefix = (ours.path.rstrip("/") or "") + "/exempel/"
    if not path.startswith(prefix):
        return None
    segments = path[len(prefix):].strip("/").split("/")
    return parse_id(segments[0]) if segments and 1 <= len(segments) <= 2 else None


LIST_HEIGHT = 480


def _oembed_search(url: str, base: str) -> list[tuple[str, str]] | None:
    """The query of a search URL on this site (the search page or an embedded list)."""
    parts = urlsplit(url.strip())
    ours = urlsplit(base)
    if parts.scheme not in ("http", "https") or parts.netloc != ours.netloc:
        return None
    root = ours.path.rstrip("/")
    if parts.path not in (root + "/", root or "/", root + "/embed/list"):
        return None
    return parse_qsl(parts.query, keep_blank_values=False)


def _oembed_list(request: Request, session, items: list[tuple[str, str]], base: str, width: int,
                 height: int) -> JSONResponse:
    taxonomy = taxonomy_for(request.app.state, session)
    params = parse_search_params(items, taxonomy)
    title = _list_title(params, taxonomy, _lang(request))
    src = f"{base}{params.url('/embed/list')}"
    iframe = (
        f'<iframe src="{html.escape(src, quote=True)}" width="{width}" height="{height}" '
        f'title="{html.escape(title, quote=True)}" loading="lazy" '
        f'style="border:1px solid #c9c9d1;border-radius:6px;max-width:100%"></iframe>'
    )
    body = {"version": "1.0", "type": "rich", "title": title, "provider_name": "Barnrättsbanken",
            "provider_url": base + "/", "cache_age": 600, "html": iframe, "width": width, "height": height}
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=600"})


def _list_title(params: SearchParams, taxonomy: Taxonomy, lang: str) -> str:
    """A short description of a filtered search: "Barnrättsbanken: barnfattigdom, Skola"."""
    parts = [params.q] if params.q else []
    for facet in FACET_NAMES:
        for value in params.values(facet):
            label = taxonomy.label(facet, value, lang)
            parts.append(f"{gettext(lang, _l('Article'))} {value}" if facet == "article" else label)
    if params.reused:
        parts.append(gettext(lang, REUSED_TITLE))
    name = gettext(lang, _l("Barnrättsbanken"))
    return f"{name}: {', '.join(parts)}" if parts else gettext(lang, _l("Barnrättsbanken: newest examples"))


@router.api_route("/embed/list", methods=["GET", "HEAD"])
def embed_list(request: Request, session: SessionDep) -> Response:
    """An embeddable, accessible list of the examples a search finds (for partners'
    pages, e.g. SKR's page on child poverty): the same parameters as /api/v1/examples."""
    taxonomy = taxonomy_for(request.app.state, session)
    lang = _lang(request)
    items = request.query_params.multi_items()
    if not any(k == "per_page" for k, _v in items):
        items = [*items, ("per_page", str(EMBED_LIST_SIZE))]
    params = parse_search_params(items, taxonomy)
    base = _base(request)
    page = search_examples(session, request.app.state.search, taxonomy, params, lang=lang, base_url=base)
    search_url = f"{base}{replace(params, per_page=DEFAULT_PER_PAGE).url('/')}"
    context = _common(request, taxonomy, page=page, params=params, title=_list_title(params, taxonomy, lang),
                      search_url=search_url, feed_url=f"{base}{params.url('/feed.atom')}",
                      **_demo_list_notice(page.items, lang))
    return render(request, "embed_list.html", context,
                  headers={"Content-Security-Policy": "frame-ancestors *", "Cache-Control": "public, max-age=300"})


EMBED_LIST_SIZE = 10


@router.api_route("/oembed", methods=["GET", "HEAD"])
def oembed(request: Request, session: SessionDep) -> Response:
    """oEmbed (https://oembed.com), JSON, type ``rich``: an iframe of the embed card."""
    base = _base(request)
    url = request.query_params.get("url")
    if not url:
        raise InputError([FieldError("url", "is required")])
    fmt = request.query_params.get("format", "json")
    if fmt != "json":
        raise AppError(message="Only format=json is supported", status=501, code="not_implemented")
    errors = []
    sizes = {}
    for name, default in (("maxwidth", EMBED_WIDTH), ("maxheight", EMBED_HEIGHT)):
        raw = request.query_params.get(name, "")
        if raw and (not raw.isdigit() or not 1 <= int(raw) <= 10_000):
            errors.append(FieldError(name, "must be a whole number from 1 to 10000"))
        sizes[name] = min(default, int(raw)) if raw.isdigit() and int(raw) >= 1 else default
    if errors:
        raise InputError(errors)
    number = _oembed_id(url, base)
    width, height = sizes["maxwidth"], sizes["maxheight"]
    if number is None:
        search = _oembed_search(url, base)
        if search is None:
            raise NotFound("Adressen är inte ett exempel eller en sökning på Barnrättsbanken")
        return _oembed_list(request, session, search, base, width, max(height, LIST_HEIGHT) if not
                            request.query_params.get("maxheight") else height)
    example = load_published(session, number)
    title = html.escape(example.title, quote=True)
    iframe = (
        f'<iframe src="{base}/exempel/{example.id}/embed" width="{width}" height="{height}" '
        f'title="{title}" loading="lazy" style="border:1px solid #c9c9d1;border-radius:6px;max-width:100%">'
        f"</iframe>"
    )
    body = {
        "version": "1.0",
        "type": "rich",
        "title": example.title,
        "author_name": example.organisation_name,
        "provider_name": "Barnrättsbanken",
        "provider_url": base + "/",
        "cache_age": 3600,
        "html": iframe,
        "width": width,
        "height": height,
    }
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=3600"})
