"""SearchQuery -> Meilisearch filter expressions.

Filter values are data: strings are always double-quoted with ``\\`` and ``"``
escaped (Meilisearch >= 1.4 filter syntax), numbers are formatted from
validated ints. Field names are constants of this package, never user input.
The array form is used: outer list = AND, each entry one condition.
"""

from __future__ import annotations

from collections.abc import Iterable

from search.query import FACET_BY_NAME, SearchQuery


def quote(value: str) -> str:
    """A Meilisearch filter string literal for ``value``."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def in_clause(field: str, values: Iterable[object], numeric: bool) -> str:
    rendered = [str(int(v)) if numeric else quote(str(v)) for v in values]  # type: ignore[call-overload]
    return f"{field} IN [{', '.join(rendered)}]"


def build_filter(q: SearchQuery, *, exclude_facet: str | None = None) -> list[str] | None:
    clauses: list[str] = []
    for facet, values in q.active_facet_filters().items():
        if facet == exclude_facet:
            continue
        spec = FACET_BY_NAME[facet]
        clauses.append(in_clause(spec.doc_field, values, spec.numeric))
    if q.year_to is not None:
        clauses.append(f"start_year <= {int(q.year_to)}")
    if q.year_from is not None:
        clauses.append(f"active_until >= {int(q.year_from)}")
    if q.max_hours is not None:
        clauses.append(f"effort_hours <= {int(q.max_hours)}")
    if q.max_months is not None:
        clauses.append(f"duration_months <= {int(q.max_months)}")
    if q.reused:
        clauses.append("reuse_count >= 1")
    if q.ids:
        clauses.append(in_clause("id", q.ids, numeric=True))
    return clauses or None
