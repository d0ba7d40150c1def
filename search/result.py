"""What the engines answer: :class:`SearchResult`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Hit(BaseModel):
    """One search hit.

    ``title_html`` / ``summary_html`` are safe to insert into HTML as-is: all
    document text is HTML-escaped and the only markup is ``<mark>…</mark>``
    around matched words. ``score`` is the engine's relevance score (higher is
    better, comparable only within one engine and one query); it is None when
    the results are not sorted by relevance.
    """

    model_config = ConfigDict(frozen=True)

    id: int
    slug: str
    title_html: str
    summary_html: str
    score: float | None = None


class FacetCount(BaseModel):
    """One facet value; ``value`` is an int for ``article``, a str otherwise."""

    model_config = ConfigDict(frozen=True)

    value: int | str
    count: int


class SearchResult(BaseModel):
    """Result page. ``facets`` holds the requested facets only, values with a
    count > 0, ordered by count desc then value asc. ``took_ms`` is the time
    spent inside the backend (engine work incl. any HTTP round trips)."""

    model_config = ConfigDict(frozen=True)

    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    took_ms: float


def sort_facet_counts(counts: dict, numeric: bool) -> list[FacetCount]:
    """Shared ordering for facet values: count desc, then value asc."""
    items = [((int(k) if numeric else str(k)), int(c)) for k, c in counts.items() if c > 0]
    items.sort(key=lambda kv: (-kv[1], kv[0]))
    return [FacetCount(value=k, count=c) for k, c in items]
