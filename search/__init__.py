"""Barnrättsbanken search: one narrow interface, two engines.

Public API (see search/README.md)::

    from search import (SearchQuery, SearchResult, Hit, FacetCount, Health,
                        SearchBackend, SearchError, SearchUnavailable,
                        build_document, get_backend, FACET_NAMES, SORTS)
"""

from search.base import Health, SearchBackend, SearchError, SearchUnavailable
from search.documents import build_document
from search.factory import get_backend
from search.query import FACET_NAMES, FACETS, SORTS, SearchQuery
from search.result import FacetCount, Hit, SearchResult

__all__ = [
    "FACETS",
    "FACET_NAMES",
    "SORTS",
    "FacetCount",
    "Health",
    "Hit",
    "SearchBackend",
    "SearchError",
    "SearchQuery",
    "SearchResult",
    "SearchUnavailable",
    "build_document",
    "get_backend",
]
