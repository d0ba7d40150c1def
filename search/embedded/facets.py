"""Disjunctive facet counting for the embedded engine.

A request needs one tantivy aggregation for the facets without an active
filter (counted on the hits themselves: all at once over the ``facet_codes``
column when there are several) plus one per requested facet that has an
active filter (counted with every filter except its own). The jobs are
independent, so the backend runs them concurrently with the ranking.
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


def facet_jobs(
    qb: QueryBuilder,
    searcher: tantivy.Searcher,
    q: SearchQuery,
    text_match_factory: Callable[[], tantivy.Query | None],
    decoder: Callable[[], tuple[Decoder, frozenset[str]]],
) -> list[Callable[[], Counts]]:
    """Independent jobs; merging their results gives counts for ``q.facets``."""
    active = q.active_facet_filters()
    jobs: list[Callable[[], Counts]] = []

    plain = [n for n in q.facets if n not in active]
    if plain:

        def plain_job() -> Counts:
            request: dict[str, Any] = {}
            codes, undecodable = decoder()
            coded = [n for n in plain if n not in undecodable]
            if len(coded) < MIN_FACETS_FOR_CODES:
                coded = []
            else:
                request["_codes"] = {
                    "terms": {"field": FACET_CODES_FIELD, "size": CODES_SIZE, "segment_size": CODES_SIZE}
                }
            for name in plain:
                if name not in coded:
                    request[name] = _terms(name)
            aggs = searcher.aggregate(qb.matching(text_match_factory(), qb.filters(q)), request)
            counts: Counts = {name: ({} if name in coded else _read(aggs, name)) for name in plain}
            wanted = set(coded)
            for key, n in _read(aggs, "_codes").items():
                decoded = codes.get(int(key))
                if decoded is not None and decoded[0] in wanted:
                    counts[decoded[0]][decoded[1]] = n
            return counts

        jobs.append(plain_job)

    for name in q.facets:
        if name in active:

            def own_filter_job(name: str = name) -> Counts:
                query = qb.matching(text_match_factory(), qb.filters(q, exclude_facet=name))
                return {name: _read(searcher.aggregate(query, {name: _terms(name)}), name)}

            jobs.append(own_filter_job)
    return jobs


def merge(q: SearchQuery, results: list[Counts]) -> dict[str, list[FacetCount]]:
    counts: Counts = {}
    for part in results:
        counts.update(part)
    return {n: sort_facet_counts(counts.get(n, {}), FACET_BY_NAME[n].numeric) for n in q.facets}
