"""A plain-Python model of the filter/facet/sort semantics of SearchQuery.

Expected results in the contract tests are computed with this model from the
fixture documents, independently of either engine.
"""

from __future__ import annotations

from collections import Counter

from search.query import FACETS, SearchQuery


def _values(doc: dict, field: str) -> list:
    v = doc.get(field)
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def passes(doc: dict, q: SearchQuery, *, exclude_facet: str | None = None) -> bool:
    for spec in FACETS:
        if spec.name == exclude_facet:
            continue
        selected = getattr(q, spec.query_attr)
        if selected and not set(_values(doc, spec.doc_field)) & set(selected):
            return False
    end = doc["end_year"] if doc["end_year"] is not None else 9999
    if q.year_to is not None and (doc["start_year"] is None or doc["start_year"] > q.year_to):
        return False
    if q.year_from is not None and end < q.year_from:
        return False
    if q.max_hours is not None and (doc["effort_hours"] is None or doc["effort_hours"] > q.max_hours):
        return False
    if q.ids and doc["id"] not in q.ids:
        return False
    if q.max_months is not None and (
        doc["duration_months"] is None or doc["duration_months"] > q.max_months
    ):
        return False
    if q.reused and doc["reuse_count"] < 1:
        return False
    return True


def filtered_ids(docs: list[dict], q: SearchQuery, within: set[int] | None = None) -> set[int]:
    return {d["id"] for d in docs if passes(d, q) and (within is None or d["id"] in within)}


def facet_counts(docs: list[dict], q: SearchQuery, within: set[int] | None = None) -> dict[str, dict]:
    """Disjunctive counts: each facet ignores only its own filter."""
    out: dict[str, dict] = {}
    for name in q.facets:
        spec = next(f for f in FACETS if f.name == name)
        c: Counter = Counter()
        for d in docs:
            if within is not None and d["id"] not in within:
                continue
            if passes(d, q, exclude_facet=name):
                c.update(set(_values(d, spec.doc_field)))
        out[name] = dict(c)
    return out


def sort_key(sort: str):
    return {
        "newest": lambda d: (-d["published_ts"], d["id"]),
        "effort_asc": lambda d: (d["effort_sort"], d["id"]),
        "duration_asc": lambda d: (d["duration_sort"], d["id"]),
        "reuse_desc": lambda d: (-d["reuse_count"], d["id"]),
    }[sort]


def ordered_ids(docs: list[dict], q: SearchQuery) -> list[int]:
    sort = q.effective_sort
    return [d["id"] for d in sorted((d for d in docs if passes(d, q)), key=sort_key(sort))]
