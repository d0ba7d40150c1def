"""The search backend interface every engine implements.

Why synchronous: the default engine (embedded tantivy) is CPU-bound and
in-process, so an async facade would only hide a blocking call; tantivy
releases the GIL while searching, so running ``backend.search`` in FastAPI's
threadpool (a plain ``def`` endpoint, or ``await run_in_threadpool(...)``)
uses both cores. The Meilisearch engine uses the SDK's *sync* ``Client``
(httpx under the hood, thread-safe connection pool) so both engines have the
same shape; the outbox worker and CLI rebuild are synchronous code anyway.
One shape means one set of call sites and one contract test suite.

Errors: every method except ``health()`` may raise :class:`SearchError`;
:class:`SearchUnavailable` (a subclass) means the engine cannot be reached or
its index is missing/unreadable right now — retry later (the app's outbox
relies on ``upsert``/``delete`` raising it). ``health()`` never raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from search.query import SearchQuery
from search.result import SearchResult


class SearchError(Exception):
    """A search engine operation failed (bad configuration, engine error...)."""


class SearchUnavailable(SearchError):
    """The engine or its index is unavailable right now; retrying later may succeed."""


class Health(BaseModel):
    model_config = ConfigDict(frozen=True)

    ok: bool
    engine: str
    detail: str


Document = Mapping[str, Any]  # output of search.documents.build_document


@runtime_checkable
class SearchBackend(Protocol):
    """Narrow interface to a search engine (see module docstring)."""

    kind: str

    def configure(self) -> None:
        """Create the index if missing and apply settings/schema. Idempotent."""

    def upsert(self, docs: Iterable[Document]) -> None:
        """Insert or replace documents (by ``id``); visible to search on return."""

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by id (unknown ids are ignored); visible on return."""

    def search(self, query: SearchQuery) -> SearchResult:
        """Run one search."""

    def count(self) -> int:
        """Number of documents in the index."""

    def health(self) -> Health:
        """Cheap liveness check of engine + index. Never raises."""

    def rebuild(self, docs: Iterable[Document]) -> int:
        """Index ``docs`` into a new index aside, then switch to it atomically.

        Searches running meanwhile see the complete old index until the switch
        and the complete new one after it. Returns the number of documents."""

    def close(self) -> None:
        """Release resources (idempotent)."""
