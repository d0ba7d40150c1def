"""Disjunctive facet counting for the embedded engine.

A request needs the counts of the facets without an active filter (on the
hits themselves: all at once over the ``facet_codes`` column when there are
several) and of each requested facet that has an active filter (with every
filter except its own). All of them come from one tantivy aggregation over the
documents matching the text (and the non-facet filters), with tantivy filter
aggregations (query strings of quoted facet terms) applying the facet filters:
the expensive text match is evaluated once for all facets, not once per
filtered facet. The backend runs it concurrently with the ranking.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tantivy

from search.embedded.querybuilder import QueryBuilder
from search.embedded.schema import FACET_CODES_FIELD, FACET_FIELDS, facet_code
from search.query import FACET_BY_NAME, SearchQuery
from search.result import FacetCount, sort_facet_counts

FACET_SIZE = 1000  # > number of distinct values of any facet (municipalities: 290)
CODES_SIZE = 10_000  # > number of distinct (facet, value) pairs
MIN_FACETS_FOR_CODES = 3  # below this, per-facet columns are cheaper

Counts = dict[str, dict[str, int]]
Decoder = dict[int, tuple[str, str]]


def build_decoder(searcher: tantivy.Searcher) -> tuple[Decoder, frozenset[str]]:
    """facet code -> (facet, value), from the facet fields' term dictionaries;
    plus the facets whose codes collide (those are counted per column)."""
    decoder: Decoder = {}
    bad: set[str] = set()
    for name, tfield in FACET_FIELDS.items():
        for value, _doc_freq in searcher.terms_with_prefix(tfield, ""):
            code = facet_code(name, value)
            if decoder.setdefault(code, (name, value)) != (name, value):
                bad.add(name)
    return decoder, frozenset(bad)


def _terms(name: str) -> dict[str, Any]:
    return {"terms": {"field": FACET_FIELDS[name], "size": FACET_SIZE, "segment_size": FACET_SIZE}}


def _read(aggs: dict[str, Any], name: str) -> dict[Any, int]:
    return {b["key"]: b["doc_count"] for b in aggs.get(name, {}).get("buckets", [])}


def quote(value: str) -> str:
    """A value as a quoted term of tantivy's query language (raw fields: the
    whole value is one term; backslash and double quote are escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_string(active: dict[str, list], facets: list[str]) -> str:
    """``facets``' active filters as one query string (for a filter aggregation):
    OR within a facet, AND across facets."""
    return " AND ".join(
        "(" + " OR ".join(f"{FACET_FIELDS[name]}:{quote(str(v))}" for v in active[name]) + ")"
        for name in facets
    )


def facet_jobs(
    qb: QueryBuilder,
    searcher: tantivy.Searcher,
    q: SearchQuery,
    text_match_factory: Callable[[], tantivy.Query | None],
    decoder: Callable[[], tuple[Decoder, frozenset[str]]],
) -> list[Callable[[], Counts]]:
    """Jobs whose merged results are the counts for ``q.facets`` (one job: a
    single aggregation, so the text match is evaluated once for all facets).

    The aggregation runs over the documents matching the text and the
    non-facet filters. Facets without an active filter are counted inside a
    filter aggregation holding every active facet filter (all at once over the
    ``facet_codes`` column when there are several); each requested facet with
    an active filter inside one holding all the *other* facet filters."""
    if not q.facets:
        return []
    active = q.active_facet_filters()

    def job() -> Counts:
        codes, undecodable = decoder()
        plain = [n for n in q.facets if n not in active]
        coded = [n for n in plain if n not in undecodable]
        if len(coded) < MIN_FACETS_FOR_CODES:
            coded = []
        inner: dict[str, Any] = {}
        if coded:
            inner["_codes"] = {"terms": {"field": FACET_CODES_FIELD, "size": CODES_SIZE, "segment_size": CODES_SIZE}}
        for name in plain:
            if name not in coded:
                inner[name] = _terms(name)
        request: dict[str, Any] = {}
        if plain:
            if active:
                request["_plain"] = {"filter": filter_string(active, list(active)), "aggs": inner}
            else:
                request.update(inner)
        for name in q.facets:
            if name in active:
                others = [n for n in active if n != name]
                own = {name: _terms(name)}
                request[f"_own_{name}"] = {"filter": filter_string(active, others), "aggs": own} if others else own[name]
        aggs = searcher.aggregate(qb.matching(text_match_factory(), qb.other_filters(q)), request)
        plain_aggs = aggs.get("_plain", {}) if active else aggs
        counts: Counts = {name: ({} if name in coded else _read(plain_aggs, name)) for name in plain}
        wanted = set(coded)
        for key, n in _read(plain_aggs, "_codes").items():
            decoded = codes.get(int(key))
            if decoded is not None and decoded[0] in wanted:
                counts[decoded[0]][decoded[1]] = n
        for name in q.facets:
            if name in active:
                own_aggs = aggs.get(f"_own_{name}", {})
                counts[name] = _read(own_aggs, name) if len(active) > 1 else _read(aggs, f"_own_{name}")
        return counts

    return [job]


def merge(q: SearchQuery, results: list[Counts]) -> dict[str, list[FacetCount]]:
    counts: Counts = {}
    for part in results:
        counts.update(part)
    return {n: sort_facet_counts(counts.get(n, {}), FACET_BY_NAME[n].numeric) for n in q.facets}
