"""The search parameters, parsed once for the search page (``/``) and the API
(``/api/v1/examples``): the same names, the same rules, the same errors.

Every filter value is checked against the reference data and handed to the engine as a
typed value in a ``search.SearchQuery`` field, never as query syntax. A bad value raises
``InputError`` naming the parameter (422 in the API; a message on the page).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from app.core.errors import FieldError, InputError
from app.services.taxonomy import Taxonomy
from search import FACET_NAMES, SORTS, SearchQuery
from search.query import MAX_PAGE, MAX_TEXT_LENGTH

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_VALUES = 60  # values of one repeatable parameter
MAX_NUMBER = 10_000_000
YEAR_MIN, YEAR_MAX = 1900, 2200

# Facet name -> the SearchQuery field holding its filter values.
FACET_QUERY_FIELD: dict[str, str] = {
    "article": "articles",
    "sector": "sectors",
    "county": "counties",
    "municipality": "municipalities",
    "target_group": "target_groups",
    "age_group": "age_groups",
    "organisation_type": "organisation_types",
    "effort": "effort",
    "duration": "duration",
}
RANGE_NAMES: tuple[str, ...] = ("max_hours", "max_months", "year_from", "year_to")


@dataclass(frozen=True)
class ParamDoc:
    name: str
    schema: dict[str, Any]
    description: str
    repeatable: bool = False


# One description per parameter: OpenAPI (``openapi_parameters``) and docs/api.md.
PARAMETERS: tuple[ParamDoc, ...] = (
    ParamDoc("q", {"type": "string", "maxLength": MAX_TEXT_LENGTH},
             "Free text (Swedish-aware: stemming, typo tolerance, synonyms). At most 500 characters."),
    ParamDoc("article", {"type": "integer", "minimum": 1, "maximum": 54},
             "Article of the UN Convention on the Rights of the Child (1–54).", True),
    ParamDoc("sector", {"type": "string"}, "Sector slug (see /api/v1/taxonomies).", True),
    ParamDoc("county", {"type": "string", "pattern": r"^\d{2}$"}, "County code, e.g. 24.", True),
    ParamDoc("municipality", {"type": "string", "pattern": r"^\d{4}$"}, "Municipality code, e.g. 2480.", True),
    ParamDoc("target_group", {"type": "string"}, "Target group slug.", True),
    ParamDoc("age_group", {"type": "string", "enum": ["0-5", "6-12", "13-17", "18-24"]}, "Age group.", True),
    ParamDoc("organisation_type", {"type": "string"}, "Organisation type (kommun, region, ...).", True),
    ParamDoc("effort", {"type": "string", "enum": ["<40", "40-200", "200-1000", ">1000"]},
             "Effort band in hours.", True),
    ParamDoc("duration", {"type": "string", "enum": ["<3", "3-12", ">12", "ongoing"]},
             "Duration band in months, or ongoing.", True),
    ParamDoc("max_hours", {"type": "integer", "minimum": 0}, "At most this many hours of effort."),
    ParamDoc("max_months", {"type": "integer", "minimum": 0}, "At most this many months long."),
    ParamDoc("year_from", {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
             "Active in or after this year."),
    ParamDoc("year_to", {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
             "Active in or before this year."),
    ParamDoc("reused", {"type": "boolean", "default": False},
             "Only examples that other organisations have reported reusing (reviewed reuse reports)."),
    ParamDoc("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"},
             "relevance (newest when there is no text), newest, effort_asc, duration_asc or reuse_desc "
             "(most reused first)."),
    ParamDoc("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page number."),
    ParamDoc("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
             "Results per page."),
)
PARAM_NAMES = frozenset(p.name for p in PARAMETERS)


def openapi_parameters() -> list[dict[str, Any]]:
    out = []
    for p in PARAMETERS:
        schema = {"type": "array", "items": p.schema} if p.repeatable else p.schema
        entry: dict[str, Any] = {
            "name": p.name, "in": "query", "required": False, "schema": schema,
            "description": p.description + (" Repeatable: values of one parameter combine with OR." if p.repeatable else ""),
        }
        if p.repeatable:
            entry.update(style="form", explode=True)
        out.append(entry)
    return out


@dataclass(frozen=True)
class SearchParams:
    """A validated search request (the state of the search page, as its URL says)."""

    q: str = ""
    filters: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # facet -> values
    max_hours: int | None = None
    max_months: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    reused: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def values(self, facet: str) -> tuple[Any, ...]:
        return self.filters.get(facet, ())

    def ranges(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RANGE_NAMES if getattr(self, name) is not None}

    @property
    def has_filters(self) -> bool:
        return any(self.filters.values()) or bool(self.ranges()) or self.reused

    @property
    def has_text(self) -> bool:
        return bool(self.q.strip())

    def to_query(self, *, facets: Iterable[str] = FACET_NAMES, **changes: Any) -> SearchQuery:
        data: dict[str, Any] = {
            "text": self.q,
            **{FACET_QUERY_FIELD[f]: list(v) for f, v in self.filters.items() if v},
            **self.ranges(),
            "reused": self.reused,
            "facets": list(facets),
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
        }
        data.update(changes)
        return SearchQuery(**data)

    # -- URLs of other states (chips, pagination, suggestions) -----------------------
    def query_items(self) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        if self.q:
            items.append(("q", self.q))
        for facet in FACET_NAMES:
            items.extend((facet, str(v)) for v in self.values(facet))
        items.extend((name, str(value)) for name, value in self.ranges().items())
        if self.reused:
            items.append(("reused", "1"))
        if self.sort != "relevance":
            items.append(("sort", self.sort))
        if self.per_page != DEFAULT_PER_PAGE:
            items.append(("per_page", str(self.per_page)))
        if self.page != 1:
            items.append(("page", str(self.page)))
        return items

    def query_string(self) -> str:
        return urlencode(self.query_items())

    def url(self, path: str = "/") -> str:
        qs = self.query_string()
        return f"{path}?{qs}" if qs else path

    def with_page(self, page: int) -> "SearchParams":
        return replace(self, page=page)

    def without(self, name: str, value: Any = None) -> "SearchParams":
        """This state without one filter value (or a whole filter), back on page 1."""
        if name == "q":
            return replace(self, q="", page=1)
        if name in RANGE_NAMES:
            return replace(self, page=1, **{name: None})
        if name == "reused":
            return replace(self, reused=False, page=1)
        filters = dict(self.filters)
        if value is None:
            filters.pop(name, None)
        else:
            filters[name] = tuple(v for v in filters.get(name, ()) if v != value)
        return replace(self, filters={k: v for k, v in filters.items() if v}, page=1)

    def without_filters(self) -> "SearchParams":
        return replace(self, filters={}, max_hours=None, max_months=None, year_from=None, year_to=None,
                       reused=False, page=1)

    def with_filter(self, name: str, value: Any) -> "SearchParams":
        """This state with one more facet value, back on page 1."""
        values = self.values(name)
        if value in values:
            return replace(self, page=1)
        return replace(self, filters={**self.filters, name: (*values, value)}, page=1)


def _int(name: str, raw: str, errors: list[FieldError], lo: int | None, hi: int | None) -> int | None:
    try:
        value = int(raw, 10)
    except ValueError:
        errors.append(FieldError(name, f"'{raw[:40]}' is not a whole number"))
        return None
    if lo is not None and value < lo:
        errors.append(FieldError(name, f"must be at least {lo}"))
        return None
    if hi is not None and value > hi:
        errors.append(FieldError(name, f"must be at most {hi}"))
        return None
    return value


def parse_search_params(items: Iterable[tuple[str, str]], taxonomy: Taxonomy) -> SearchParams:
    """Parse query parameters (repeatable ones may occur many times; empty values count
    as absent, as a plain HTML form sends them). Raises InputError naming every bad one."""
    given: dict[str, list[str]] = {}
    for key, raw in items:
        if key in PARAM_NAMES:
            given.setdefault(key, []).append(raw.strip() if key != "q" else raw)
    errors: list[FieldError] = []
    scalars: dict[str, str] = {}
    for name, raws in given.items():
        if name in FACET_QUERY_FIELD:
            continue
        present = [r for r in raws if r.strip()]
        if len(present) > 1:
            errors.append(FieldError(name, "must be given at most once"))
        elif present:
            scalars[name] = present[0]

    q = scalars.get("q", "")
    if len(q) > MAX_TEXT_LENGTH:
        errors.append(FieldError("q", f"must be at most {MAX_TEXT_LENGTH} characters"))
        q = ""
    q = " ".join(q.split())

    filters: dict[str, tuple[Any, ...]] = {}
    for facet in FACET_NAMES:
        raws = [r for r in given.get(facet, []) if r]
        if not raws:
            continue
        if len(raws) > MAX_VALUES:
            errors.append(FieldError(facet, f"at most {MAX_VALUES} values"))
            continue
        values: list[Any] = []
        for raw in raws:
            if facet == "article":
                number = _int("article", raw, errors, 1, 54)
                if number is None:
                    continue
                if not taxonomy.knows("article", number):
                    errors.append(FieldError("article", f"unknown article {number}"))
                    continue
                value: Any = number
            else:
                value = raw
                if not taxonomy.knows(facet, value):
                    errors.append(FieldError(facet, f"unknown value '{raw[:60]}'"))
                    continue
            if value not in values:
                values.append(value)
        if values:
            filters[facet] = tuple(values)

    ranges: dict[str, int | None] = {}
    for name, (lo, hi) in {
        "max_hours": (0, MAX_NUMBER), "max_months": (0, MAX_NUMBER),
        "year_from": (YEAR_MIN, YEAR_MAX), "year_to": (YEAR_MIN, YEAR_MAX),
    }.items():
        ranges[name] = _int(name, scalars[name], errors, lo, hi) if name in scalars else None
    if ranges["year_from"] is not None and ranges["year_to"] is not None and ranges["year_to"] < ranges["year_from"]:
        errors.append(FieldError("year_to", "must not be before year_from"))

    reused = False
    if "reused" in scalars:
        flag = scalars["reused"].lower()
        if flag in ("1", "true", "yes", "on"):
            reused = True
        elif flag not in ("0", "false", "no", "off"):
            errors.append(FieldError("reused", "must be true or false (1 or 0)"))
    sort = scalars.get("sort", "relevance")
    if sort not in SORTS:
        errors.append(FieldError("sort", f"must be one of {', '.join(SORTS)}"))
        sort = "relevance"
    page = _int("page", scalars["page"], errors, 1, MAX_PAGE) if "page" in scalars else 1
    per_page = (
        _int("per_page", scalars["per_page"], errors, 1, MAX_PER_PAGE) if "per_page" in scalars else DEFAULT_PER_PAGE
    )
    if errors:
        raise InputError(errors, message="Ogiltiga sökparametrar")
    return SearchParams(
        q=q, filters=filters, sort=sort, reused=reused, page=page or 1, per_page=per_page or DEFAULT_PER_PAGE, **ranges
    )
