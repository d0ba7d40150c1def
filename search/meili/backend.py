"""The Meilisearch engine, via meilisearch-python-sdk's synchronous ``Client``.

* Every write waits for its Meilisearch task and raises :class:`SearchError`
  unless the task *succeeded* (so "upsert returned" means "searchable").
* Connection problems, timeouts, 5xx answers and a missing index raise
  :class:`SearchUnavailable`; other API errors raise :class:`SearchError`.
* Disjunctive facets: one multi-search request = the hits query (with the
  facets that have no active filter) + one ``hitsPerPage: 0`` query per
  requested facet that has an active filter, run without that filter.
* ``rebuild`` fills ``<index>_tmp_<ms>``, swaps it with the live index
  (atomic in Meilisearch) and deletes the old one. While a rebuild's temporary
  index exists, ``upsert``/``delete`` raise :class:`SearchUnavailable`, so the
  app's outbox retries them against the new index instead of writing into the
  old one (which the swap would throw away). They also refuse to write into a
  missing index (Meilisearch would auto-create one without our settings).
* Highlighting: Meilisearch returns raw (unescaped) text with our unusual
  markers around matches; we escape everything and turn only the markers into
  ``<mark>`` (``search.highlight.markers_to_html``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any, TypeVar

import httpx2
from meilisearch_python_sdk import Client
from meilisearch_python_sdk.errors import MeilisearchApiError, MeilisearchError
from meilisearch_python_sdk.models.search import SearchParams
from meilisearch_python_sdk.models.task import TaskInfo

from search.base import Document, Health, SearchError, SearchUnavailable
from search.highlight import escape, markers_to_html
from search.meili.filters import build_filter
from search.meili.querytext import meili_query
from search.meili.settings import DISPLAYED_ATTRIBUTES, index_settings
from search.query import FACET_BY_NAME, SearchQuery
from search.result import FacetCount, Hit, SearchResult, sort_facet_counts

log = logging.getLogger(__name__)

T = TypeVar("T")

PRE_TAG = "\u27e6\u27e6mark\u27e7\u27e7"  # ⟦⟦mark⟧⟧
POST_TAG = "\u27e6\u27e6/mark\u27e7\u27e7"  # ⟦⟦/mark⟧⟧
BATCH_SIZE = 5000
TMP_INFIX = "_tmp_"
STALE_REBUILD = timedelta(hours=6)  # older temporary indexes are crash leftovers

SORT_SPECS: dict[str, list[str]] = {
    "newest": ["published_ts:desc", "id:asc"],
    "effort_asc": ["effort_sort:asc", "id:asc"],
    "duration_asc": ["duration_sort:asc", "id:asc"],
}


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _translate(exc: BaseException, what: str) -> BaseException:
    """Our exception for an SDK/transport exception (others are returned unchanged)."""
    if isinstance(exc, MeilisearchApiError):
        if exc.status_code >= 500 or "index_not_found" in exc.code:
            return SearchUnavailable(f"Meilisearch {what}: {exc}")
        return SearchError(f"Meilisearch {what}: {exc}")
    if isinstance(exc, httpx2.HTTPStatusError):  # non-JSON error page, e.g. from a proxy
        return SearchUnavailable(f"Meilisearch {what}: HTTP {exc.response.status_code}")
    if isinstance(exc, (MeilisearchError, httpx2.HTTPError, OSError)):
        # communication errors, task timeouts, read timeouts, refused connections
        return SearchUnavailable(f"Meilisearch {what}: {exc}")
    return exc


def _map_errors(fn: Callable[[], T], what: str) -> T:
    """Run an SDK call, translating its exceptions into ours."""
    try:
        return fn()
    except (MeilisearchError, httpx2.HTTPError, OSError) as exc:
        raise _translate(exc, what) from exc


class MeilisearchBackend:
    kind = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        index_name: str = "examples",
        *,
        timeout_s: int = 10,
        task_timeout_ms: int = 120_000,
    ) -> None:
        self.url = url
        self.index_name = index_name
        self.task_timeout_ms = task_timeout_ms
        self.client = Client(url, api_key, timeout=timeout_s)

    # -- helpers ---------------------------------------------------------

    def _wait(self, task: TaskInfo, what: str) -> None:
        result = _map_errors(
            lambda: self.client.wait_for_task(
                task.task_uid, timeout_in_ms=self.task_timeout_ms, raise_for_status=False
            ),
            f"waiting for task {task.task_uid} ({what})",
        )
        if result.status != "succeeded":
            raise SearchError(
                f"Meilisearch task {task.task_uid} ({what}) {result.status}: {result.error}"
            )

    def _exists(self, uid: str) -> bool:
        try:
            self.client.get_index(uid)
        except MeilisearchApiError as exc:
            if "index_not_found" in exc.code:
                return False
            raise _translate(exc, f"get index {uid}") from exc
        except (MeilisearchError, httpx2.HTTPError, OSError) as exc:
            raise _translate(exc, f"get index {uid}") from exc
        return True

    def _create(self, uid: str) -> None:
        # Index.create waits for the creation task, then fetches the index:
        # an index that could not be created surfaces as index_not_found.
        _map_errors(
            lambda: self.client.create_index(uid, primary_key="id", timeout_in_ms=self.task_timeout_ms),
            f"create index {uid}",
        )

    def _apply_settings(self, uid: str) -> None:
        index = self.client.index(uid)
        task = _map_errors(lambda: index.update_settings(index_settings()), f"update settings of {uid}")
        self._wait(task, f"update settings of {uid}")

    def _delete_index(self, uid: str) -> None:
        task = _map_errors(lambda: self.client.index(uid).delete(), f"delete index {uid}")
        self._wait(task, f"delete index {uid}")

    def _tmp_indexes(self) -> list[tuple[str, datetime]]:
        prefix = f"{self.index_name}{TMP_INFIX}"
        infos = _map_errors(lambda: self.client.get_raw_indexes(limit=1000), "list indexes") or []
        return [(i.uid, i.created_at) for i in infos if i.uid.startswith(prefix)]

    def _writable(self) -> None:
        """Raise SearchUnavailable unless documents may be written now: the index
        must exist (Meilisearch would silently create a settings-less one) and
        no rebuild may be running (its swap would discard the write)."""
        infos = _map_errors(lambda: self.client.get_raw_indexes(limit=1000), "list indexes") or []
        uids = {i.uid for i in infos}
        if self.index_name not in uids and not (len(infos) >= 1000 and self._exists(self.index_name)):
            raise SearchUnavailable(f"search index {self.index_name} does not exist (run configure or rebuild)")
        now = datetime.now(UTC)
        prefix = f"{self.index_name}{TMP_INFIX}"
        for info in infos:
            if info.uid.startswith(prefix):
                created = info.created_at if info.created_at.tzinfo else info.created_at.replace(tzinfo=UTC)
                if now - created < STALE_REBUILD:
                    raise SearchUnavailable(f"search index rebuild in progress ({info.uid}); retry later")

    # -- lifecycle -------------------------------------------------------

    def configure(self) -> None:
        if not self._exists(self.index_name):
            self._create(self.index_name)
        self._apply_settings(self.index_name)
        now = datetime.now(UTC)
        for uid, created in self._tmp_indexes():
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            if now - created >= STALE_REBUILD:
                log.warning("removing stale temporary search index %s", uid)
                self._delete_index(uid)

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001
            pass

    # -- writes ----------------------------------------------------------

    def upsert(self, docs: Iterable[Document]) -> None:
        payload = [dict(d) for d in docs]
        for d in payload:
            if "id" not in d:
                raise SearchError("invalid search document: missing id")
        self._writable()
        index = self.client.index(self.index_name)
        for batch in _batches(payload, BATCH_SIZE):
            task = _map_errors(lambda b=batch: index.add_documents(b, primary_key="id"), "add documents")
            self._wait(task, "add documents")

    def delete(self, ids: Iterable[int]) -> None:
        id_list = [str(int(i)) for i in ids]
        self._writable()
        if not id_list:
            return
        index = self.client.index(self.index_name)
        task = _map_errors(lambda: index.delete_documents(id_list), "delete documents")
        self._wait(task, "delete documents")

    def rebuild(self, docs: Iterable[Document]) -> int:
        tmp = f"{self.index_name}{TMP_INFIX}{int(time.time() * 1000)}"
        self._create(tmp)
        try:
            self._apply_settings(tmp)
            index = self.client.index(tmp)
            n = 0
            for batch in _batches((dict(d) for d in docs), BATCH_SIZE):
                task = _map_errors(lambda b=batch: index.add_documents(b, primary_key="id"), "add documents")
                self._wait(task, f"add documents to {tmp}")
                n += len(batch)
            if not self._exists(self.index_name):
                self._create(self.index_name)
                self._apply_settings(self.index_name)
            task = _map_errors(
                lambda: self.client.swap_indexes([(self.index_name, tmp)]), "swap indexes"
            )
            self._wait(task, f"swap {self.index_name} <-> {tmp}")
        except BaseException:
            try:
                self._delete_index(tmp)
            except SearchError as exc:
                log.warning("could not remove temporary index %s: %s", tmp, exc)
            raise
        self._delete_index(tmp)  # now holds the previous documents
        return n

    # -- reads -----------------------------------------------------------

    def count(self) -> int:
        index = self.client.index(self.index_name)
        stats = _map_errors(index.get_stats, "index stats")
        return int(stats.number_of_documents)

    def health(self) -> Health:
        try:
            status = _map_errors(self.client.health, "health").status
            if status != "available":
                return Health(ok=False, engine=self.kind, detail=f"Meilisearch status: {status}")
            if not self._exists(self.index_name):
                return Health(ok=False, engine=self.kind, detail=f"index {self.index_name} missing")
            return Health(ok=True, engine=self.kind, detail=f"{self.count()} documents in {self.index_name}")
        except Exception as exc:  # noqa: BLE001 - health never raises
            return Health(ok=False, engine=self.kind, detail=str(exc) or type(exc).__name__)

    def _params(self, q: SearchQuery, **kwargs: Any) -> SearchParams:
        return SearchParams(
            index_uid=self.index_name,
            query=meili_query(q.text),
            matching_strategy="all",
            **kwargs,
        )

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        active = query.active_facet_filters()
        plain = [f for f in query.facets if f not in active]
        disjunctive = [f for f in query.facets if f in active]
        sort = query.effective_sort
        main = self._params(
            query,
            filter=build_filter(query),
            facets=[FACET_BY_NAME[f].doc_field for f in plain] or None,
            attributes_to_retrieve=DISPLAYED_ATTRIBUTES,
            attributes_to_highlight=["title", "summary"],
            highlight_pre_tag=PRE_TAG,
            highlight_post_tag=POST_TAG,
            sort=SORT_SPECS.get(sort),
            page=query.page,
            hits_per_page=query.per_page,
            show_ranking_score=(sort == "relevance"),
        )
        facet_queries = [
            self._params(
                query,
                filter=build_filter(query, exclude_facet=f),
                facets=[FACET_BY_NAME[f].doc_field],
                attributes_to_retrieve=["id"],
                page=1,
                hits_per_page=0,
            )
            for f in disjunctive
        ]
        results = _map_errors(lambda: self.client.multi_search([main, *facet_queries]), "search")
        first = results[0]

        hits = []
        for raw in first.hits:
            formatted = raw.get("_formatted") or {}
            hits.append(
                Hit(
                    id=int(raw["id"]),
                    slug=str(raw.get("slug") or ""),
                    title_html=self._html(formatted.get("title"), raw.get("title")),
                    summary_html=self._html(formatted.get("summary"), raw.get("summary")),
                    score=float(raw["_rankingScore"]) if sort == "relevance" and "_rankingScore" in raw else None,
                )
            )

        facets: dict[str, list[FacetCount]] = {}
        dist = first.facet_distribution or {}
        for f in plain:
            facets[f] = sort_facet_counts(dist.get(FACET_BY_NAME[f].doc_field, {}), FACET_BY_NAME[f].numeric)
        for f, res in zip(disjunctive, results[1:], strict=True):
            d = (res.facet_distribution or {}).get(FACET_BY_NAME[f].doc_field, {})
            facets[f] = sort_facet_counts(d, FACET_BY_NAME[f].numeric)
        total = first.total_hits if first.total_hits is not None else (first.estimated_total_hits or 0)
        return SearchResult(
            total=int(total),
            hits=hits,
            facets={f: facets[f] for f in query.facets},
            took_ms=(time.perf_counter() - started) * 1000,
        )

    @staticmethod
    def _html(formatted: Any, raw: Any) -> str:
        if isinstance(formatted, str):
            return markers_to_html(formatted, PRE_TAG, POST_TAG)
        return escape(str(raw or ""))
