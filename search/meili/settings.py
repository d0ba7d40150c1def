"""THE Meilisearch index settings (the only place they are defined).

Mirrors the embedded engine's behaviour:

* searchable attributes in rank order: title first, compound parts last;
* typo tolerance: 1 typo from 5 characters, 2 from 9 (Meilisearch defaults,
  stated explicitly so they cannot drift);
* no stemming and no synonym setting in Meilisearch: the documents carry
  ``stems`` and ``synonyms`` fields (``search.documents``) and the query text is
  stemmed by us (``search.meili.querytext``); both rank below the text;
* ranking rules: ``sort`` first so an explicit sort (newest, effort, duration)
  really orders the hits; without a sort it is a no-op and the default
  relevance rules apply; ``id:asc`` breaks remaining ties like the embedded
  engine does;
* facets: every facet value is counted (municipalities: 290 values);
* pagination: exhaustive totals up to 100 000 hits (= MAX_PAGE x 100).
"""

from __future__ import annotations

from meilisearch_python_sdk.models.settings import (
    Faceting,
    MeilisearchSettings,
    MinWordSizeForTypos,
    Pagination,
    TypoTolerance,
)

from search.documents import MARKDOWN_FIELDS
from search.query import FACETS, MAX_PAGE
from search.meili.querytext import meili_query
from search.synonyms import one_way_expansions

SEARCHABLE_ATTRIBUTES: list[str] = [
    "title",
    "summary",
    *MARKDOWN_FIELDS,
    "organisation_name",
    "tag_labels",
    "stems",
    "compound_parts",
    "synonyms",
]
RANGE_ATTRIBUTES: list[str] = ["start_year", "active_until", "effort_hours", "duration_months", "reuse_count"]
FILTERABLE_ATTRIBUTES: list[str] = [f.doc_field for f in FACETS] + RANGE_ATTRIBUTES + ["id"]
SORTABLE_ATTRIBUTES: list[str] = ["published_ts", "effort_sort", "duration_sort", "reuse_count", "id"]
DISPLAYED_ATTRIBUTES: list[str] = ["id", "slug", "title", "summary"]
RANKING_RULES: list[str] = [
    "sort",
    "words",
    "typo",
    "proximity",
    "attribute",
    "exactness",
    "id:asc",
]
MAX_VALUES_PER_FACET = 1000
MAX_TOTAL_HITS = MAX_PAGE * 100


def meili_one_way_synonyms() -> dict[str, list[str]]:
    """The one-way expansions as Meilisearch synonyms, keyed both by the words as typed
    and as the query reaches Meilisearch (inflected words sent as their stems)."""
    out: dict[str, list[str]] = {}
    for key, values in one_way_expansions().items():
        for form in {key, (meili_query(key) or key).strip()}:
            bucket = out.setdefault(form, [])
            bucket.extend(v for v in values if v not in bucket)
    return out


def index_settings() -> MeilisearchSettings:
    return MeilisearchSettings(
        searchable_attributes=SEARCHABLE_ATTRIBUTES,
        filterable_attributes=FILTERABLE_ATTRIBUTES,
        sortable_attributes=SORTABLE_ATTRIBUTES,
        displayed_attributes=DISPLAYED_ATTRIBUTES,
        ranking_rules=RANKING_RULES,
        # Two-way groups live in the documents' hidden ``synonyms`` field; only the one-way
        # expansions (a query word that also finds other words) are Meilisearch synonyms.
        synonyms=meili_one_way_synonyms(),
        stop_words=[],
        typo_tolerance=TypoTolerance(
            enabled=True,
            min_word_size_for_typos=MinWordSizeForTypos(one_typo=5, two_typos=9),
        ),
        faceting=Faceting(max_values_per_facet=MAX_VALUES_PER_FACET, sort_facet_values_by={"*": "count"}),
        pagination=Pagination(max_total_hits=MAX_TOTAL_HITS),
    )
