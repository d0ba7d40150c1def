"""The public site: search, example pages, about, statistics, feed, oEmbed and embeds.

Each page's data comes from one service call (``app/services``); this module only picks
the representation: a full page, an HTMX fragment (``render(..., block=...)``) or JSON.
"""

from __future__ import annotations

import html
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel import select

from app.core.errors import AppError, FieldError, InputError, NotFound
from app.core.i18n import LANGUAGES, gettext
from app.core.time import as_utc, utcnow
from app.models import Example
from app.services.browse import SearchPage, search_examples
from app.services.example_view import (
    api_url,
    example_tags,
    json_ld,
    load_published,
    parse_id,
    related_examples,
    sections,
)
from app.services.example_tools import example_tools
from app.services.labels import (
    FACET_TITLES,
    SORT_TITLES,
    _l,
    criteria_for_display,
    quality_profile,
)
from app.services.search_params import SearchParams, parse_search_params
from app.services.serializers import permalink
from app.services.statistics import coverage
from app.services.taxonomy import Taxonomy, taxonomy_for
from app.web.auth import OptionalUser
from app.web.deps import SessionDep
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
    return request.app.state.settings.BASE_URL.rstrip("/")


def _common(request: Request, taxonomy: Taxonomy | None = None, **extra: Any) -> dict[str, Any]:
    lang = _lang(request)
    return {
        "base_url": _base(request),
        "taxonomy": taxonomy,
        "facet_titles": {k: gettext(lang, v) for k, v in FACET_TITLES.items()},
        **extra,
    }


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
        **example_tools(session, example, user, upload_limit=request.app.state.settings.UPLOAD_MAX_BYTES),
    )
    return render(request, "example.html", context)


@router.api_route("/exempel/{example_id}/embed", methods=["GET", "HEAD"])
def example_embed(example_id: str, request: Request, session: SessionDep) -> Response:
    example = _example_or_404(session, example_id)
    taxonomy = taxonomy_for(request.app.state, session)
    context = _common(request, taxonomy, example=example, permalink=permalink(_base(request), example.id),
                      api_url=api_url(_base(request), example.id))
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


@router.api_route("/feed.atom", methods=["GET", "HEAD"])
def feed(request: Request, session: SessionDep) -> Response:
    lang = _lang(request)
    base = _base(request)
    taxonomy = taxonomy_for(request.app.state, session)
    rows = session.exec(
        select(Example).where(Example.status == "published")
        .order_by(Example.published_at.desc(), Example.id.desc()).limit(FEED_SIZE)
    ).all()
    ET.register_namespace("", ATOM)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})
        if text is not None:
            element.text = _xml_text(text)
        return element

    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    sub(root, "id", f"{base}/feed.atom")
    sub(root, "title", gettext(lang, _l("Barnrättsbanken: newest examples")))
    sub(root, "subtitle", gettext(lang, _l("Worked examples of child-rights work in Swedish municipalities and regions.")))
    updated = max((as_utc(r.updated_at) for r in rows), default=utcnow())
    sub(root, "updated", updated.isoformat())
    sub(root, "link", rel="self", type="application/atom+xml", href=f"{base}/feed.atom")
    sub(root, "link", rel="alternate", type="text/html", href=f"{base}/")
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
        sub(author, "name", row.organisation_name)
        sub(entry, "summary", row.summary, type="text")
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
    if number is None:
        raise NotFound("Adressen är inte ett exempel på Barnrättsbanken")
    example = load_published(session, number)
    width, height = sizes["maxwidth"], sizes["maxheight"]
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
