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

import gzip
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx2
from meilisearch_python_sdk import Client
from meilisearch_python_sdk.errors import MeilisearchApiError, MeilisearchError
from meilisearch_python_sdk.models.search import SearchParams
from meilisearch_python_sdk.models.task import TaskInfo

from search.base import Document, Health, SearchError, SearchUnavailable
from search.highlight import mark_spans, markers_to_html, spans_from_markers
from search.meili.filters import build_filter
from search.meili.querytext import _WORD_RE, meili_query, query_stems
from search.stemming import stem
from search.meili.settings import DISPLAYED_ATTRIBUTES, index_settings
from search.query import FACET_BY_NAME, SearchQuery
from search.result import FacetCount, Hit, SearchResult, sort_facet_counts

log = logging.getLogger(__name__)

T = TypeVar("T")

PRE_TAG = "\u27e6\u27e6mark\u27e7\u27e7"  # ⟦⟦mark⟧⟧
POST_TAG = "\u27e6\u27e6/mark\u27e7\u27e7"  # ⟦⟦/mark⟧⟧
#: Uncompressed bytes of NDJSON per upload request (Meilisearch's default
#: payload limit is 100 MB; a 413 halves the batch anyway).
MAX_BATCH_BYTES = 8 * 1024 * 1024
TMP_INFIX = "_tmp_"
#: A temporary rebuild index untouched (its own ``updatedAt``) for this long, with no
#: task waiting for it, is a crashed rebuild's leftover and no longer blocks writes.
STALE_REBUILD = timedelta(minutes=15)
#: Task errors that mean "the engine cannot do it right now" (retry later).
_TRANSIENT_ERROR_TYPES = {"internal", "system"}
_TRANSIENT_CODES = {"index_not_found"}

SORT_SPECS: dict[str, list[str]] = {
    "newest": ["published_ts:desc", "id:asc"],
    "effort_asc": ["effort_sort:asc", "id:asc"],
    "duration_asc": ["duration_sort:asc", "id:asc"],
    "reuse_desc": ["reuse_count:desc", "id:asc"],
}


class _PayloadTooLarge(SearchError):
    """HTTP 413 for one upload (internal: the batch is split and sent again)."""


def _byte_batches(docs: Iterable[Document], max_bytes: int) -> Iterator[list[bytes]]:
    """Documents as NDJSON lines, grouped into batches of at most ``max_bytes``
    (a single larger document forms a batch of its own)."""
    batch: list[bytes] = []
    size = 0
    for d in docs:
        if "id" not in d:
            raise SearchError("invalid search document: missing id")
        line = json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        if batch and size + len(line) > max_bytes:
            yield batch
            batch, size = [], 0
        batch.append(line)
        size += len(line)
    if batch:
        yield batch


def _parse_time(value: str | None) -> datetime | None:
    """Meilisearch's RFC 3339 timestamps (nanoseconds) as aware datetimes."""
    if not value:
        return None
    value = re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _api_error(status: int, body: Any, what: str) -> SearchError:
    """Our exception for an HTTP error answer of Meilisearch."""
    if not isinstance(body, dict):  # not Meilisearch speaking, e.g. a proxy's error page
        return SearchUnavailable(f"Meilisearch {what}: HTTP {status}")
    code, kind, message = body.get("code") or "", body.get("type") or "", body.get("message") or ""
    text = f"Meilisearch {what}: HTTP {status} {code}: {message}"
    if status == 413 or code == "payload_too_large":
        return _PayloadTooLarge(text)
    if status >= 500 or code in _TRANSIENT_CODES or kind in _TRANSIENT_ERROR_TYPES or status == 429:
        return SearchUnavailable(text)
    return SearchError(text)


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
        timeout_s: float = 10,
        write_timeout_s: float = 120,
        task_timeout_ms: int = 300_000,
        max_batch_bytes: int = MAX_BATCH_BYTES,
    ) -> None:
        self.url = url
        self.index_name = index_name
        self.task_timeout_ms = task_timeout_ms
        self.write_timeout = httpx2.Timeout(write_timeout_s, connect=min(timeout_s, write_timeout_s))
        self.max_batch_bytes = max_batch_bytes
        self.client = Client(url, api_key, timeout=timeout_s)
        self.http = self.client.http_client  # the SDK's httpx2 client (base URL, key, pool)

    # -- raw requests (writes and tasks: our batching, timeouts and errors) ----------

    def _request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: httpx2.Timeout | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {"params": params, "headers": headers}
        if timeout is not None:
            kwargs["timeout"] = timeout
        if json_body is not None:
            kwargs["content"] = json.dumps(json_body).encode("utf-8")
            kwargs["headers"] = {"Content-Type": "application/json", **(headers or {})}
        elif content is not None:
            kwargs["content"] = content
        try:
            response = self.http.request(method, path, **kwargs)
        except (httpx2.HTTPError, OSError) as exc:
            raise SearchUnavailable(f"Meilisearch {what}: {type(exc).__name__}: {exc}") from exc
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        if response.status_code >= 400:
            raise _api_error(response.status_code, body, what)
        return body

    def _wait_uid(self, uid: int, what: str) -> dict[str, Any]:
        """Wait for a task to finish. Succeeded: its JSON. Canceled or failed for a
        transient reason: SearchUnavailable (retry later); failed otherwise:
        SearchError; not finished in time: SearchUnavailable."""
        deadline = time.monotonic() + self.task_timeout_ms / 1000
        delay = 0.01
        while True:
            task = self._request("GET", f"tasks/{uid}", f"task {uid} ({what})")
            status = task.get("status")
            if status == "succeeded":
                return task
            if status == "canceled":
                raise SearchUnavailable(f"Meilisearch task {uid} ({what}) was canceled; retry later")
            if status == "failed":
                error = task.get("error") or {}
                text = f"Meilisearch task {uid} ({what}) failed: {error.get('code')}: {error.get('message')}"
                if error.get("code") in _TRANSIENT_CODES or error.get("type") in _TRANSIENT_ERROR_TYPES:
                    raise SearchUnavailable(text)
                raise SearchError(text)
            if time.monotonic() >= deadline:
                raise SearchUnavailable(
                    f"Meilisearch task {uid} ({what}) not finished after {self.task_timeout_ms} ms ({status})"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _enqueue_and_wait(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        info = self._request(method, path, what, **kwargs)
        return self._wait_uid(int(info["taskUid"]), what)

    # -- helpers ---------------------------------------------------------

    def _wait(self, task: TaskInfo, what: str) -> None:
        self._wait_uid(task.task_uid, what)

    def _exists(self, uid: str) -> bool:
        try:
            self._request("GET", f"indexes/{uid}", f"get index {uid}")
        except SearchUnavailable as exc:
            if "index_not_found" in str(exc):
                return False
            raise
        return True

    def _create(self, uid: str) -> None:
        """Create an index; one that already exists is fine (another process made
        it). A creation that fails raises SearchError (e.g. an invalid uid), or
        SearchUnavailable when the engine could not do it right now."""
        try:
            self._enqueue_and_wait("POST", "indexes", f"create index {uid}", json_body={"uid": uid, "primaryKey": "id"})
        except SearchError as exc:
            if "index_already_exists" not in str(exc) or isinstance(exc, SearchUnavailable):
                raise

    def _apply_settings(self, uid: str) -> None:
        index = self.client.index(uid)
        task = _map_errors(lambda: index.update_settings(index_settings()), f"update settings of {uid}")
        self._wait(task, f"update settings of {uid}")

    def _delete_index(self, uid: str) -> None:
        try:
            self._enqueue_and_wait("DELETE", f"indexes/{uid}", f"delete index {uid}")
        except SearchUnavailable as exc:
            if "index_not_found" not in str(exc):
                raise

    def _indexes(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self._request("GET", "indexes", "list indexes", params={"limit": 1000, "offset": offset})
            out.extend(page.get("results") or [])
            offset += 1000
            if offset >= int(page.get("total") or 0):
                return out

    def _latest_task_uid(self) -> int:
        page = self._request("GET", "tasks", "list tasks", params={"limit": 1})
        results = page.get("results") or []
        return int(results[0]["uid"]) if results else -1

    def _rebuild_tasks(self, params: dict[str, Any], newer_than: int = -1) -> Iterator[dict[str, Any]]:
        """Index-creation and swap tasks that concern this index's rebuilds, newest first."""
        prefix = f"{self.index_name}{TMP_INFIX}"
        query = {"types": "indexCreation,indexSwap", "limit": 100, **params}
        while True:
            page = self._request("GET", "tasks", "list tasks", params=query)
            for task in page.get("results") or []:
                if int(task["uid"]) <= newer_than:
                    return
                if task["type"] == "indexCreation" and str(task.get("indexUid") or "").startswith(prefix):
                    yield task
                elif task["type"] == "indexSwap":
                    swaps = (task.get("details") or {}).get("swaps") or []
                    if any(self.index_name in (sw.get("indexes") or []) for sw in swaps):
                        yield task
            nxt = page.get("next")
            if nxt is None:
                return
            query["from"] = nxt

    def _tmp_state(self, info: dict[str, Any], now: datetime, live: dict[str, Any] | None) -> str:
        """"running", "stale" (a crashed rebuild's leftover) or "swapped" (the old
        index a finished rebuild has yet to delete) for a temporary index.

        A rebuild creates its temporary index after the live one exists, so a
        ``_tmp_`` index created *before* the live index is an old index a swap
        moved there. (Swap tasks are invisible to an index-scoped key: Meilisearch
        lists them under no index.)"""
        uid = info["uid"]
        created, live_created = _parse_time(info.get("createdAt")), _parse_time((live or {}).get("createdAt"))
        if created is not None and live_created is not None and created < live_created:
            return "swapped"
        last = self._request("GET", "tasks", f"tasks of {uid}", params={"indexUids": uid, "limit": 1})
        results = last.get("results") or []
        if results and results[0]["type"] in ("indexSwap", "indexDeletion") and results[0]["status"] != "failed":
            return "swapped"
        pending = self._request(
            "GET", "tasks", f"tasks of {uid}",
            params={"indexUids": uid, "statuses": "enqueued,processing", "limit": 1},
        )
        if pending.get("results"):
            return "running"
        updated = _parse_time(info.get("updatedAt")) or _parse_time(info.get("createdAt"))
        if updated is not None and now - updated < STALE_REBUILD:
            return "running"
        return "stale"

    def _writable(self) -> int:
        """Raise SearchUnavailable unless documents may be written now: the index
        must exist (Meilisearch would silently create a settings-less one) and no
        rebuild may be running (its swap would discard the write). Returns the
        newest task uid seen *before* looking, for :meth:`_check_not_raced`."""
        seen = self._latest_task_uid()
        # a rebuild whose temporary index is still being created is not listed yet
        if next(self._rebuild_tasks({"statuses": "enqueued,processing"}), None) is not None:
            raise SearchUnavailable("search index rebuild in progress (starting); retry later")
        infos = self._indexes()
        live = next((i for i in infos if i["uid"] == self.index_name), None)
        if live is None:
            raise SearchUnavailable(f"search index {self.index_name} does not exist (run configure or rebuild)")
        now = datetime.now(UTC)
        prefix = f"{self.index_name}{TMP_INFIX}"
        for info in infos:
            if info["uid"].startswith(prefix) and self._tmp_state(info, now, live) == "running":
                raise SearchUnavailable(f"search index rebuild in progress ({info['uid']}); retry later")
        return seen

    def _check_not_raced(self, seen: int) -> None:
        """After a write: if a rebuild started between :meth:`_writable` and the
        write (a temporary index created, or a swap, after ``seen``), the write may
        have gone into the index the swap throws away. Raise SearchUnavailable so
        the outbox applies it again (writes are idempotent) once the rebuild is done."""
        for task in self._rebuild_tasks({}, newer_than=seen):
            if task.get("status") != "failed":
                raise SearchUnavailable(
                    f"search index rebuild started during the write (task {task['uid']}); retry later"
                )

    # -- lifecycle -------------------------------------------------------

    def configure(self) -> None:
        if not self._exists(self.index_name):
            self._create(self.index_name)
        self._apply_settings(self.index_name)
        now = datetime.now(UTC)
        prefix = f"{self.index_name}{TMP_INFIX}"
        infos = self._indexes()
        live = next((i for i in infos if i["uid"] == self.index_name), None)
        for info in infos:
            if info["uid"].startswith(prefix) and self._tmp_state(info, now, live) != "running":
                log.warning("removing leftover temporary search index %s", info["uid"])
                self._delete_index(info["uid"])

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001
            pass

    # -- writes ----------------------------------------------------------

    def _upload(self, uid: str, lines: list[bytes]) -> None:
        """Send one batch (gzip NDJSON, write timeout) and wait for its task. A 413
        splits the batch in two (a single document too large is a SearchError); a
        timeout raises SearchUnavailable: nothing loops."""
        body = gzip.compress(b"".join(lines), compresslevel=5)
        try:
            self._enqueue_and_wait(
                "POST", f"indexes/{uid}/documents", f"add documents to {uid}",
                params={"primaryKey": "id"},
                content=body,
                headers={"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"},
                timeout=self.write_timeout,
            )
        except _PayloadTooLarge as exc:
            if len(lines) == 1:
                raise SearchError(f"search document too large for Meilisearch: {exc}") from exc
            half = len(lines) // 2
            self._upload(uid, lines[:half])
            self._upload(uid, lines[half:])

    def upsert(self, docs: Iterable[Document]) -> None:
        batches = list(_byte_batches(docs, self.max_batch_bytes))  # validate before writing
        seen = self._writable()
        for lines in batches:
            self._upload(self.index_name, lines)
        if batches:
            self._check_not_raced(seen)

    def delete(self, ids: Iterable[int]) -> None:
        id_list = [int(i) for i in ids]
        seen = self._writable()
        if not id_list:
            return
        for start in range(0, len(id_list), 10_000):
            self._enqueue_and_wait(
                "POST", f"indexes/{self.index_name}/documents/delete-batch", "delete documents",
                json_body=id_list[start : start + 10_000], timeout=self.write_timeout,
            )
        self._check_not_raced(seen)

    def _swap(self, tmp: str) -> None:
        what = f"swap {self.index_name} <-> {tmp}"
        tmp_created = self._request("GET", f"indexes/{tmp}", f"get index {tmp}").get("createdAt")
        info = self._request("POST", "swap-indexes", what, json_body=[{"indexes": [self.index_name, tmp]}])
        try:
            self._wait_uid(int(info["taskUid"]), what)
            return
        except SearchError as exc:
            if "task_not_found" not in str(exc):
                raise
        # An index-scoped key cannot see swap tasks (Meilisearch lists them under no
        # index): the swap is done when the live name holds the temporary index.
        deadline = time.monotonic() + self.task_timeout_ms / 1000
        while self._request("GET", f"indexes/{self.index_name}", what).get("createdAt") != tmp_created:
            if time.monotonic() >= deadline:
                raise SearchUnavailable(f"Meilisearch {what}: not done after {self.task_timeout_ms} ms")
            time.sleep(0.05)

    def rebuild(self, docs: Iterable[Document]) -> int:
        # The live index first: a temporary index is always younger than it (_tmp_state).
        if not self._exists(self.index_name):
            self._create(self.index_name)
            self._apply_settings(self.index_name)
        tmp = f"{self.index_name}{TMP_INFIX}{int(time.time() * 1000)}"
        self._create(tmp)
        try:
            self._apply_settings(tmp)
            n = 0
            for lines in _byte_batches(docs, self.max_batch_bytes):
                self._upload(tmp, lines)
                n += len(lines)
            self._swap(tmp)
        except BaseException:
            try:
                self._delete_index(tmp)
            except SearchError as exc:
                log.warning("could not remove temporary index %s: %s", tmp, exc)
            raise
        # The swap succeeded: the rebuild is done whatever happens now. The old
        # index (now named tmp) no longer blocks writes (_tmp_state: "swapped").
        try:
            self._delete_index(tmp)
        except Exception as exc:  # noqa: BLE001
            log.warning("rebuild done, but the old index %s could not be removed: %s", tmp, exc)
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

        stems = query_stems(query.text)
        hits = []
        for raw in first.hits:
            formatted = raw.get("_formatted") or {}
            hits.append(
                Hit(
                    id=int(raw["id"]),
                    slug=str(raw.get("slug") or ""),
                    title_html=self._html(formatted.get("title"), raw.get("title"), stems),
                    summary_html=self._html(formatted.get("summary"), raw.get("summary"), stems),
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
    def _html(formatted: Any, raw: Any, stems: frozenset[str] = frozenset()) -> str:
        """Meilisearch's marks, plus the words that matched only by their stem
        (the ``stems`` field: Meilisearch cannot mark them in the text)."""
        text = str(raw or "")
        matched: set[str] = set()
        if isinstance(formatted, str):
            plain, spans = spans_from_markers(formatted, PRE_TAG, POST_TAG)
            if plain != text:  # not the same text (cropped?): trust Meilisearch's version
                return markers_to_html(formatted, PRE_TAG, POST_TAG)
            # the words Meilisearch marked (its marks can end inside punctuation: "script>")
            for m in _WORD_RE.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in spans):
                    matched.add(m.group().lower())
        if not matched and not stems:
            return mark_spans(text, [])
        # every occurrence of those words, whole, as the embedded engine marks them
        return mark_spans(text, [
            (m.start(), m.end()) for m in _WORD_RE.finditer(text)
            if m.group().lower() in matched or (stems and stem(m.group()) in stems)
        ])
