"""What the app asks the search engines: :class:`SearchQuery`.

Semantics (identical for every engine):

* ``text``: every query word must match (Meilisearch ``matchingStrategy: all``;
  see ``search/README.md``). Empty text = browse: all examples that pass the
  filters.
* Facet filters (``articles`` ... ``duration``): values within one filter are
  ORed, different filters are ANDed. An empty list means "no filter".
* ``year_from`` / ``year_to``: the example's active period overlaps the range:
  ``start_year <= year_to`` and ``(end_year, or 9999 if ongoing) >= year_from``.
  Examples without a start year are excluded as soon as ``year_to`` is set.
* ``max_hours`` / ``max_months``: ``effort_hours <= max_hours`` and
  ``duration_months <= max_months``; unknown values are excluded.
* ``reused``: only examples that other organisations reported reusing
  (``reuse_count >= 1``).
* ``ids``: only these example ids (empty = no id filter). Used to ask "which of these
  new publications match this saved search?" of the engine itself.
* ``facets``: facet counts to return. Counts are *disjunctive*: a facet's counts
  apply every active filter except that facet's own.
* ``sort``: ``relevance`` (ties by id; with empty text it means ``newest``),
  ``newest`` (published_at desc), ``effort_asc`` / ``duration_asc``
  (unknown last), ``reuse_desc`` (most reused first); all ties broken by
  ascending id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from search.bands import DURATION_VALUES, EFFORT_VALUES
from search.documents import AGE_GROUPS

FacetName = Literal[
    "article",
    "sector",
    "county",
    "municipality",
    "target_group",
    "age_group",
    "organisation_type",
    "effort",
    "duration",
]
SortName = Literal["relevance", "newest", "effort_asc", "duration_asc", "reuse_desc"]


@dataclass(frozen=True, slots=True)
class FacetSpec:
    name: str  # facet name used in SearchQuery.facets / SearchResult.facets
    query_attr: str  # SearchQuery attribute holding this facet's filter values
    doc_field: str  # field of the built document (search.documents)
    numeric: bool = False  # values are ints (articles)


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("article", "articles", "articles", numeric=True),
    FacetSpec("sector", "sectors", "sectors"),
    FacetSpec("county", "counties", "county_code"),
    FacetSpec("municipality", "municipalities", "municipality_code"),
    FacetSpec("target_group", "target_groups", "target_groups"),
    FacetSpec("age_group", "age_groups", "age_groups"),
    FacetSpec("organisation_type", "organisation_types", "organisation_type"),
    FacetSpec("effort", "effort", "effort"),
    FacetSpec("duration", "duration", "duration"),
)
FACET_BY_NAME: dict[str, FacetSpec] = {f.name: f for f in FACETS}
FACET_NAMES: tuple[str, ...] = tuple(f.name for f in FACETS)
SORTS: tuple[str, ...] = ("relevance", "newest", "effort_asc", "duration_asc", "reuse_desc")

MAX_TEXT_LENGTH = 500
_WORD_RE = re.compile(r"[^\W_]+")
MAX_PAGE = 1000  # deep paging beyond page*per_page = 100k is not supported
MAX_VALUES = 50  # selected values per facet filter (municipalities: 300)
MAX_IDS = 1000  # ids of one id filter

Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
CountyCode = Annotated[str, StringConstraints(pattern=r"^\d{2}$")]
MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
Article = Annotated[int, Field(ge=1, le=54)]
Year = Annotated[int, Field(ge=1900, le=2200)]
EffortBand = Literal["<40", "40-200", "200-1000", ">1000"]
DurationBand = Literal["<3", "3-12", ">12", "ongoing"]
AgeGroup = Literal["0-5", "6-12", "13-17", "18-24"]

assert set(EffortBand.__args__) == set(EFFORT_VALUES)  # type: ignore[attr-defined]
assert set(DurationBand.__args__) == set(DURATION_VALUES)  # type: ignore[attr-defined]
assert set(AgeGroup.__args__) == set(AGE_GROUPS)  # type: ignore[attr-defined]


class SearchQuery(BaseModel):
    """A search request (immutable). See the module docstring for semantics."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH)] = ""
    articles: Annotated[list[Article], Field(max_length=54)] = []
    sectors: Annotated[list[Slug], Field(max_length=MAX_VALUES)] = []
    counties: Annotated[list[CountyCode], Field(max_length=MAX_VALUES)] = []
    municipalities: Annotated[list[MunicipalityCode], Field(max_length=300)] = []
    target_groups: Annotated[list[Slug], Field(max_length=MAX_VALUES)] = []
    age_groups: list[AgeGroup] = []
    organisation_types: Annotated[list[Slug], Field(max_length=MAX_VALUES)] = []
    effort: list[EffortBand] = []
    duration: list[DurationBand] = []
    year_from: Year | None = None
    year_to: Year | None = None
    max_hours: Annotated[int, Field(ge=0)] | None = None
    max_months: Annotated[int, Field(ge=0)] | None = None
    reused: bool = False
    ids: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=MAX_IDS)] = []
    facets: list[FacetName] = []
    sort: SortName = "relevance"
    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 20

    @field_validator(
        "articles",
        "sectors",
        "counties",
        "municipalities",
        "target_groups",
        "age_groups",
        "organisation_types",
        "effort",
        "duration",
        "ids",
        "facets",
    )
    @classmethod
    def _dedupe(cls, v: list) -> list:
        return list(dict.fromkeys(v))

    # -- helpers used by the engines -------------------------------------

    def filter_values(self, facet: str) -> list:
        """Selected values of one facet filter (empty = not filtered)."""
        return list(getattr(self, FACET_BY_NAME[facet].query_attr))

    def active_facet_filters(self) -> dict[str, list]:
        """{facet name: selected values} for every non-empty facet filter."""
        return {f.name: v for f in FACETS if (v := getattr(self, f.query_attr))}

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def has_text(self) -> bool:
        """True if ``text`` contains at least one word (punctuation alone is no text)."""
        return _WORD_RE.search(self.text) is not None

    @property
    def effective_sort(self) -> str:
        """``relevance`` without text means ``newest`` (nothing to rank on)."""
        if self.sort == "relevance" and not self.has_text:
            return "newest"
        return self.sort
