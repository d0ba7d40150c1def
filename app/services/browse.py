"""One search, computed once: the data behind the search page (``/``, full page or HTMX
fragment) and the API (``/api/v1/examples``).

``search_examples`` runs the engine query, reads the hits' rows from the database and
returns a ``SearchPage``: the API's ``{total, page, per_page, items, facets}`` plus what the
page needs besides (active filters, pagination, suggestions when nothing matched).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import datetime
from typing import Any

import nh3
from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session

from app.core.errors import AppError
from app.core.i18n import gettext
from app.core.time import as_utc
from app.models import DemoContent, Example, ReuseReport
from app.models.content import SUMMARY_FIELDS
from app.services.labels import FACET_TITLES, RANGE_TITLES, _l
from app.services.search_params import SearchParams
from app.services.serializers import permalink
from app.services.taxonomy import Taxonomy
from search import FACET_NAMES, SearchBackend, SearchError, SearchResult
from search.query import MAX_PAGE

ITEM_FIELDS: tuple[str, ...] = SUMMARY_FIELDS


class SearchUnavailableError(AppError):
    def __init__(self) -> None:
        super().__init__(
            message="Sökningen är inte tillgänglig just nu. Försök igen om en stund.",
            status=503,
            code="search_unavailable",
            headers={"Retry-After": "30", "Cache-Control": "no-store"},
        )


def iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def safe_highlight(html: str) -> str:
    """The engines escape document text and add only <mark>; sanitising again here means
    no engine bug can ever put markup from an example on a page."""
    return nh3.clean(html, tags={"mark"}, attributes={})


def search_item(row: Mapping[str, Any], *, base_url: str, title_html: str | None = None,
                summary_html: str | None = None, reuse_count: int = 0, demo: bool = False) -> dict[str, Any]:
    """One result as the API lists it (and the result card shows it), from the example's
    ``id``, ``slug``, ``published_at`` and ``ITEM_FIELDS``."""
    return {
        "id": row["id"],
        "slug": row["slug"],
        "url": permalink(base_url, row["id"]),
        **{name: row[name] for name in ITEM_FIELDS},
        "published_at": iso(row["published_at"]),
        "reuse_count": reuse_count,
        "demo": demo,
        "highlight": {
            "title": safe_highlight(title_html) if title_html is not None else html.escape(row["title"]),
            "summary": safe_highlight(summary_html) if summary_html is not None else html.escape(row["summary"]),
        },
    }


def run_engine(backend: SearchBackend, query) -> SearchResult:
    try:
        return backend.search(query)
    except SearchError as exc:
        raise SearchUnavailableError() from exc


@lru_cache(maxsize=1)
def _item_rows_statement():
    """Built once (``ids`` is an expanding parameter): building the statement cost more
    than running it."""
    e, r, d = Example.__table__, ReuseReport.__table__, DemoContent.__table__
    reuse = (
        sa_select(func.count(func.distinct(func.lower(r.c.organisation_name))))
        .where(r.c.example_id == e.c.id, r.c.status == "published")
        .scalar_subquery()
    )
    demo = sa_select(d.c.example_id).where(d.c.example_id == e.c.id).exists()
    columns = [e.c[name] for name in dict.fromkeys(["id", "slug", "published_at", *ITEM_FIELDS])]
    return (
        sa_select(*columns, reuse.label("_reuse_count"), demo.label("_demo"))
        .where(e.c.id.in_(bindparam("ids", expanding=True)), e.c.status == "published")
    )


def _item_rows(session: Session, ids: list[int]) -> dict[int, Mapping[str, Any]]:
    """The listed columns of the published examples ``ids`` with their reuse counts
    (``reuse.reuse_counts``) and demo flags, in one query."""
    return {row["id"]: row for row in session.execute(_item_rows_statement(), {"ids": ids}).mappings()}


def load_items(session: Session, result: SearchResult, *, base_url: str) -> list[dict[str, Any]]:
    ids = [hit.id for hit in result.hits]
    if not ids:
        return []
    rows = _item_rows(session, ids)
    return [
        search_item(rows[hit.id], base_url=base_url, title_html=hit.title_html, summary_html=hit.summary_html,
                    reuse_count=int(rows[hit.id]["_reuse_count"] or 0), demo=bool(rows[hit.id]["_demo"]))
        for hit in result.hits
        if hit.id in rows
    ]


def build_facets(result: SearchResult, params: SearchParams, taxonomy: Taxonomy, lang: str) -> dict[str, list[dict]]:
    """``{name: [{value, label, count, selected}]}``: values with results and every selected
    value (count 0 when nothing matches it), in the vocabulary's display order."""
    facets: dict[str, list[dict]] = {}
    for name in FACET_NAMES:
        counts = {fc.value: fc.count for fc in result.facets.get(name, [])}
        selected = set(params.values(name))
        values = sorted(set(counts) | selected, key=lambda v: (taxonomy.position(name, v), str(v)))
        facets[name] = [
            {"value": v, "label": taxonomy.label(name, v, lang), "count": counts.get(v, 0), "selected": v in selected}
            for v in values
        ]
    return facets


@dataclass
class Chip:
    """An active filter, removable by following ``url``."""

    name: str
    value: Any
    label: str
    url: str


@dataclass
class Suggestion:
    label: str
    url: str
    count: int


@dataclass
class SearchPage:
    params: SearchParams
    total: int
    items: list[dict[str, Any]]
    facets: dict[str, list[dict]]
    took_ms: float
    chips: list[Chip] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    nearest: list[dict[str, Any]] = field(default_factory=list)
    article_filters: list[Suggestion] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.params.page

    @property
    def per_page(self) -> int:
        return self.params.per_page

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, math.ceil(self.total / self.per_page)))

    def page_url(self, page: int, path: str = "/") -> str:
        return self.params.with_page(page).url(path)

    def page_window(self, width: int = 2) -> list[int | None]:
        """Page numbers to link, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
        last, current = self.pages, self.page
        shown = sorted({1, last, *range(max(1, current - width), min(last, current + width) + 1)})
        out: list[int | None] = []
        for number in shown:
            if out and out[-1] is not None and number - out[-1] > 1:
                out.append(None)
            out.append(number)
        return out

    def as_api(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "items": self.items,
            "facets": self.facets,
        }


def active_chips(params: SearchParams, taxonomy: Taxonomy, lang: str, path: str = "/") -> list[Chip]:
    chips = []
    for name in FACET_NAMES:
        title = gettext(lang, FACET_TITLES[name])
        for value in params.values(name):
            label = taxonomy.label(name, value, lang)
            if name == "article":
                label = f"{value}. {label}"
            chips.append(Chip(name, value, f"{title}: {label}", params.without(name, value).url(path)))
    for name, value in params.ranges().items():
        chips.append(Chip(name, value, gettext(lang, RANGE_TITLES[name]).format(n=value), params.without(name).url(path)))
    if params.reused:
        chips.append(Chip("reused", True, gettext(lang, REUSED_TITLE), params.without("reused").url(path)))
    return chips


REUSED_TITLE = _l("Reused by other organisations")
_ARTICLE_WORDS = re.compile(r"\b(?:artikel|artiklarna|artiklar|article|art\.?)\s*(\d{1,2})\b", re.IGNORECASE)


def article_suggestions(params: SearchParams, taxonomy: Taxonomy, lang: str, path: str = "/") -> list[Suggestion]:
    """"artikel 12" typed as text: offer article 12 as a filter (the words taken out of the
    text), so practitioners who think in article numbers land on the tagged examples."""
    out: list[Suggestion] = []
    for match in _ARTICLE_WORDS.finditer(params.q):
        number = int(match.group(1))
        if not taxonomy.knows("article", number) or number in params.values("article"):
            continue
        rest = " ".join(_ARTICLE_WORDS.sub(" ", params.q).split())
        target = replace(params.with_filter("article", number), q=rest)
        label = gettext(lang, _l("Filter by article {number}: {title}")).format(
            number=number, title=taxonomy.label("article", number, lang))
        out.append(Suggestion(label, target.url(path), 0))
    return out


def search_examples(
    session: Session,
    backend: SearchBackend,
    taxonomy: Taxonomy,
    params: SearchParams,
    *,
    lang: str,
    base_url: str,
    suggest: bool = False,
    path: str = "/",
) -> SearchPage:
    """Run the search and build the page's data (the one result builder of site and API)."""
    result = run_engine(backend, params.to_query())
    page = SearchPage(
        params=params,
        total=result.total,
        items=load_items(session, result, base_url=base_url),
        facets=build_facets(result, params, taxonomy, lang),
        took_ms=result.took_ms,
        chips=active_chips(params, taxonomy, lang, path),
        article_filters=article_suggestions(params, taxonomy, lang, path),
    )
    if suggest and result.total == 0:
        add_suggestions(page, session, backend, lang=lang, base_url=base_url, path=path)
    return page


def _count(backend: SearchBackend, params: SearchParams) -> int:
    return run_engine(backend, params.to_query(facets=[], page=1, per_page=1)).total


def add_suggestions(page: SearchPage, session: Session, backend: SearchBackend, *,
                    lang: str, base_url: str, path: str = "/") -> None:
    """Nothing matched: offer to drop filters (with the number of results each gives) and
    show the nearest matches (the same words without filters, or single words)."""
    params = page.params
    if params.has_filters:
        for name in [*[f for f in FACET_NAMES if params.values(f)], *params.ranges(),
                     *(["reused"] if params.reused else [])]:
            wider = params.without(name)
            count = _count(backend, wider)
            if count:
                if name == "reused":
                    label = gettext(lang, _l("Without “{name}”")).format(name=gettext(lang, REUSED_TITLE))
                elif name in FACET_TITLES:
                    label = gettext(lang, _l("Without the filter “{name}”")).format(
                        name=gettext(lang, FACET_TITLES[name]))
                else:
                    label = gettext(lang, _l("Without “{name}”")).format(
                        name=gettext(lang, RANGE_TITLES[name]).format(n=getattr(params, name)))
                page.suggestions.append(Suggestion(label, wider.url(path), count))
        cleared = params.without_filters()
        count = _count(backend, cleared)
        if count:
            page.suggestions.append(Suggestion(gettext(lang, _l("Without any filters")), cleared.url(path), count))
    candidates: list[SearchParams] = []
    if params.has_text:
        base = params.without_filters()
        if params.has_filters:
            candidates.append(base)
        words = sorted({w for w in params.q.split() if len(w) >= 3}, key=len, reverse=True)
        if len(words) > 1:
            candidates.extend(SearchParams(q=w) for w in words[:4])
    else:
        candidates.append(params.without_filters())
    seen: set[int] = set()
    for candidate in candidates:
        result = run_engine(backend, candidate.to_query(facets=[], page=1, per_page=3, sort="relevance"))
        for item in load_items(session, result, base_url=base_url):
            if item["id"] not in seen and len(page.nearest) < 3:
                seen.add(item["id"])
                page.nearest.append(item)
        if len(page.nearest) >= 3:
            break
