"""Build tantivy queries programmatically from a SearchQuery.

Nothing the user typed or selected is ever parsed as query syntax: text words
become term / fuzzy / phrase queries over analysed tokens, filter values
become term-set and range queries.

Matching vs ranking
-------------------
``match`` decides *which* documents hit (used for hits, total and facet
counts; on the catch-all fields): every group must match; a word matches by
stem (``all``), or its surface form within its typo budget or — last word —
as a typo-tolerant prefix (``all_raw``); a synonym group also matches any
other expression of its synonym group (phrase on ``all``).

``score`` only orders them (optional clauses). It emulates Meilisearch's
ranking rules typo > attribute > exactness with constant-score tiers per
word, summed over words, plus a tiny BM25 component as a tie-breaker:

    exact (stem) in title/summary/body/compound parts   20.5 + 3/2/1/0
    prefix without typo, in title / elsewhere           20.0 + 3/1
    one typo, in title / elsewhere                      10.0 + 3/0
    two typos, in title / elsewhere                      1.0 + 3/0
"""

from __future__ import annotations

from collections.abc import Sequence

import tantivy
from tantivy import FieldType, Occur, Query

from search.embedded.schema import ALL_FIELD, ALL_RAW_FIELD, FACET_FIELDS, RANKED_FIELDS, TITLE_RAW_FIELD
from search.embedded.textquery import Group, ParsedText, Word
from search.query import SearchQuery

EXACT, PREFIX, TYPO1, TYPO2 = 20.5, 20.0, 10.0, 1.0
BM25_SCALE = 0.002
BM25_FIELD_BOOST = {"title": 3.0, "summary": 2.0, "body": 1.0}


def _should(queries: Sequence[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])


def _must(queries: Sequence[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Must, q) for q in queries])


class QueryBuilder:
    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema

    # -- text ------------------------------------------------------------

    def _term(self, field: str, token: str) -> Query:
        return Query.term_query(self.schema, field, token)

    def _fuzzy(self, field: str, text: str, distance: int, prefix: bool) -> Query:
        return Query.fuzzy_term_query(
            self.schema, field, text, distance=distance, transposition_cost_one=True, prefix=prefix
        )

    def _sequence(self, field: str, tokens: tuple[str, ...]) -> Query:
        if len(tokens) == 1:
            return self._term(field, tokens[0])
        return Query.phrase_query(self.schema, field, list(tokens))

    def word_match(self, w: Word) -> Query:
        alts = [self._term(ALL_FIELD, w.stemmed)]
        if w.typos or w.prefix:
            alts.append(self._fuzzy(ALL_RAW_FIELD, w.folded, w.typos, prefix=w.prefix))
        return _should(alts)

    def group_match(self, g: Group) -> Query:
        alts = [_must([self.word_match(w) for w in g.words])]
        alts += [self._sequence(ALL_FIELD, seq) for seq in g.synonyms]
        return _should(alts)

    def word_score(self, w: Word) -> Query:
        alts: list[Query] = []
        for field, rank in RANKED_FIELDS:
            alts.append(Query.const_score_query(self._term(field, w.stemmed), EXACT + rank))
        tiers = [(0, PREFIX)] if w.prefix else []
        tiers += [(d, tier) for d, tier in ((1, TYPO1), (2, TYPO2)) if w.typos >= d]
        for distance, tier in tiers:
            for field, rank in ((TITLE_RAW_FIELD, 3.0), (ALL_RAW_FIELD, 1.0 if distance == 0 else 0.0)):
                fuzzy = self._fuzzy(field, w.folded, distance, prefix=w.prefix)
                alts.append(Query.const_score_query(fuzzy, tier + rank))
        return Query.disjunction_max_query(alts)

    def group_score(self, g: Group) -> Query:
        alts = [_should([self.word_score(w) for w in g.words])]
        n = len(g.words)
        for seq in g.synonyms:
            for field, rank in RANKED_FIELDS:
                alts.append(Query.const_score_query(self._sequence(field, seq), n * (EXACT + rank)))
        return alts[0] if len(alts) == 1 else Query.disjunction_max_query(alts)

    def bm25(self, parsed: ParsedText) -> Query:
        clauses = [
            Query.boost_query(self._term(field, w.stemmed), boost)
            for w in parsed.words
            for field, boost in BM25_FIELD_BOOST.items()
        ]
        return Query.boost_query(_should(clauses), BM25_SCALE)

    def text_match(self, parsed: ParsedText) -> Query:
        return _must([self.group_match(g) for g in parsed.groups])

    def text_score(self, parsed: ParsedText) -> Query:
        return _should([*(self.group_score(g) for g in parsed.groups), self.bm25(parsed)])

    # -- filters ---------------------------------------------------------

    def facet_filter(self, facet: str, values: Sequence[object]) -> Query:
        return Query.term_set_query(self.schema, FACET_FIELDS[facet], [str(v) for v in values])

    def _int_range(self, field: str, lower: int | None = None, upper: int | None = None) -> Query:
        return Query.range_query(
            self.schema, field, FieldType.Integer, lower_bound=lower, upper_bound=upper
        )

    def other_filters(self, q: SearchQuery) -> list[Query]:
        """Filters that are not facets (always applied, also to facet counts)."""
        out: list[Query] = []
        if q.year_to is not None:
            out.append(self._int_range("start_year", upper=q.year_to))
        if q.year_from is not None:
            out.append(self._int_range("active_until", lower=q.year_from))
        if q.max_hours is not None:
            out.append(self._int_range("effort_hours", upper=q.max_hours))
        if q.max_months is not None:
            out.append(self._int_range("duration_months", upper=q.max_months))
        return out

    def filters(self, q: SearchQuery, *, exclude_facet: str | None = None) -> list[Query]:
        out = self.other_filters(q)
        for facet, values in q.active_facet_filters().items():
            if facet != exclude_facet:
                out.append(self.facet_filter(facet, values))
        return out

    # -- whole queries ---------------------------------------------------

    def matching(self, text_match: Query | None, filters: Sequence[Query]) -> Query:
        """Unscored query selecting the hits (for counts / aggregations)."""
        required = ([text_match] if text_match is not None else []) + list(filters)
        if not required:
            return Query.all_query()
        return _must(required)

    def ranked(self, text_match: Query, text_score: Query, filters: Sequence[Query]) -> Query:
        """Same hits as ``matching``; scored by ``text_score`` only."""
        clauses = [(Occur.Must, Query.const_score_query(text_match, 0.0))]
        clauses += [(Occur.Must, Query.const_score_query(f, 0.0)) for f in filters]
        clauses.append((Occur.Should, text_score))
        return Query.boolean_query(clauses)
