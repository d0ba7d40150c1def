"""The embedded search engine: an on-disk tantivy index inside the app process.

Concurrency model
-----------------
* Reads: any number of threads (tantivy releases the GIL while searching).
  Before every operation the backend stat()s the generation pointer and the
  live generation's ``meta.json``: a switch by ``rebuild`` (in any process)
  re-opens the index, a commit by another process reloads the reader, and a
  missing directory raises :class:`SearchUnavailable` instead of quietly
  serving stale memory-mapped data.
* Writes: serialised per process by a lock; across processes by tantivy's own
  writer lock file. A writer is opened per write operation (and closed after
  it), so several processes (web workers, outbox worker, CLI) can share one
  index. Waiting for another process's writer longer than ``lock_timeout_s``
  raises :class:`SearchUnavailable` (the outbox retries).
* ``rebuild`` holds the old generation's writer lock for its whole duration,
  so upserts from other processes fail (and are retried by the outbox into the
  new generation) instead of being lost in the old one; upserts from this
  process simply wait for the rebuild to finish.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import tantivy
from tantivy import Order

from search.base import Document, Health, SearchError, SearchUnavailable
from search.embedded.facets import build_decoder, facet_jobs, merge
from search.embedded.highlight import Highlighter
from search.embedded.querybuilder import QueryBuilder
from search.embedded.schema import (
    SORT_FIELDS,
    build_schema,
    register_tokenizers,
    to_tantivy,
)
from search.embedded.store import IndexStore
from search.embedded.textquery import parse_text
from search.query import SearchQuery
from search.result import Hit, SearchResult

log = logging.getLogger(__name__)

WRITER_HEAP = 64_000_000
REBUILD_HEAP = 256_000_000
REBUILD_THREADS = 2


@dataclass(slots=True)
class _Live:
    """The opened live generation."""

    generation: Path
    index: tantivy.Index
    pointer_sig: tuple[int, int]
    meta_sig: tuple[int, int, int]
    # facet code -> (facet, value), for the index state ``decoder_sig``
    decoder: dict[int, tuple[str, str]] = field(default_factory=dict)
    undecodable: frozenset[str] = frozenset()  # facets with a code collision
    decoder_sig: tuple[int, int, int] | None = None


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _facet_pool() -> ThreadPoolExecutor:
    """Threads that count facets while the calling thread ranks the hits
    (tantivy releases the GIL, so one request can use two cores)."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="search-facets")
    return _pool


def _is_lock_busy(exc: Exception) -> bool:
    return "LockBusy" in str(exc)


class EmbeddedBackend:
    kind = "embedded"
    #: count facets on other threads while ranking (see _facet_pool)
    parallel_facets = True

    def __init__(self, data_dir: Path, index_name: str = "examples", *, lock_timeout_s: float = 5.0) -> None:
        if not index_name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"invalid index name {index_name!r}")
        self.store = IndexStore(Path(data_dir) / "search" / index_name)
        self.schema = build_schema()
        self.qb = QueryBuilder(self.schema)
        self.lock_timeout_s = lock_timeout_s
        self._live: _Live | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False

    # -- lifecycle -------------------------------------------------------

    def configure(self) -> None:
        with self._write_lock:
            self._check_open()
            self.store.root.mkdir(parents=True, exist_ok=True)
            try:
                generation = self.store.current_generation()
                usable = (
                    self.store.is_current_version(generation)
                    and (generation / "meta.json").exists()
                )
            except SearchUnavailable:
                generation, usable = None, False
            if not usable:
                if generation is not None:
                    log.warning("search index %s is unusable or outdated; starting an empty one "
                                "(run a rebuild)", generation)
                generation = self.store.new_generation()
                index = tantivy.Index(self.schema, path=str(generation), reuse=False)
                del index
                self.store.switch(generation)
            self.store.remove_stale(keep=generation)
            self._acquire()

    def close(self) -> None:
        self._closed = True
        self._live = None

    def _check_open(self) -> None:
        if self._closed:
            raise SearchError("search backend is closed")

    # -- opening / freshness ---------------------------------------------

    def _open(self, pointer_sig: tuple[int, int]) -> _Live:
        generation = self.store.current_generation()
        try:
            index = tantivy.Index.open(str(generation))
        except (ValueError, OSError) as exc:
            raise SearchUnavailable(f"cannot open search index {generation}: {exc}") from exc
        register_tokenizers(index)
        index.config_reader("manual")
        return _Live(generation, index, pointer_sig, self._meta_sig(generation))

    @staticmethod
    def _meta_sig(generation: Path) -> tuple[int, int, int]:
        try:
            st = (generation / "meta.json").stat()
        except OSError as exc:
            raise SearchUnavailable(
                f"search index is not available ({generation}: {exc.strerror})"
            ) from exc
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _acquire(self) -> _Live:
        """The live generation, re-opened/reloaded if it changed on disk."""
        self._check_open()
        for _attempt in range(3):
            pointer_sig = self.store.pointer_signature()
            live = self._live
            if live is None or live.pointer_sig != pointer_sig:
                with self._open_lock:
                    live = self._live
                    if live is None or live.pointer_sig != pointer_sig:
                        live = self._live = self._open(pointer_sig)
            try:
                meta_sig = self._meta_sig(live.generation)
            except SearchUnavailable:
                # A rebuild may have switched and removed this generation
                # between our two stat() calls: look at the pointer again.
                if self.store.pointer_signature() != pointer_sig:
                    continue
                raise
            if meta_sig != live.meta_sig:
                with self._open_lock:
                    if meta_sig != live.meta_sig:
                        try:
                            live.index.reload()
                        except ValueError as exc:
                            raise SearchUnavailable(f"cannot reload search index: {exc}") from exc
                        live.meta_sig = meta_sig
            return live
        raise SearchUnavailable("search index is being switched repeatedly; try again")

    def _writer(self, index: tantivy.Index, heap: int = WRITER_HEAP, threads: int = 1) -> tantivy.IndexWriter:
        deadline = time.monotonic() + self.lock_timeout_s
        while True:
            try:
                return index.writer(heap_size=heap, num_threads=threads)
            except ValueError as exc:
                if not _is_lock_busy(exc):
                    raise SearchUnavailable(f"cannot open search index for writing: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise SearchUnavailable(
                        "search index is locked by another writer (rebuild in progress?)"
                    ) from exc
                time.sleep(0.05)

    def _write(self, apply) -> None:
        with self._write_lock:
            live = self._acquire()
            writer = self._writer(live.index)
            try:
                apply(writer)
                writer.commit()
            except ValueError as exc:
                try:
                    writer.rollback()
                except ValueError:
                    pass
                # re-check availability to report the most useful error
                self._meta_sig(live.generation)
                raise SearchError(f"search index write failed: {exc}") from exc
            finally:
                try:
                    writer.wait_merging_threads()
                except ValueError as exc:
                    log.warning("search index merge failed: %s", exc)
            try:
                live.index.reload()
            except ValueError as exc:
                raise SearchUnavailable(f"cannot reload search index: {exc}") from exc
            live.meta_sig = self._meta_sig(live.generation)

    # -- writes ----------------------------------------------------------

    def upsert(self, docs: Iterable[Document]) -> None:
        try:
            prepared = [(int(d["id"]), to_tantivy(d)) for d in docs]
        except (KeyError, TypeError, ValueError) as exc:
            raise SearchError(f"invalid search document: {exc}") from exc
        if not prepared:
            self._acquire()  # still report unavailability
            return

        def apply(writer: tantivy.IndexWriter) -> None:
            for doc_id, doc in prepared:
                writer.delete_documents_by_term("id", doc_id)
                writer.add_document(doc)

        self._write(apply)

    def delete(self, ids: Iterable[int]) -> None:
        id_list = [int(i) for i in ids]
        if not id_list:
            self._acquire()
            return

        def apply(writer: tantivy.IndexWriter) -> None:
            for doc_id in id_list:
                writer.delete_documents_by_term("id", doc_id)

        self._write(apply)

    def rebuild(self, docs: Iterable[Document]) -> int:
        with self._write_lock:
            self._check_open()
            self.store.root.mkdir(parents=True, exist_ok=True)
            try:
                old = self._acquire()
            except SearchUnavailable:
                old = None
            # Block other processes' writes to the old generation (see module doc).
            old_writer = self._writer(old.index) if old is not None else None
            generation = self.store.new_generation()
            try:
                index = tantivy.Index(self.schema, path=str(generation), reuse=False)
                register_tokenizers(index)
                writer = index.writer(heap_size=REBUILD_HEAP, num_threads=REBUILD_THREADS)
                n = 0
                try:
                    for doc in docs:
                        writer.add_document(to_tantivy(doc))
                        n += 1
                    writer.commit()
                finally:
                    writer.wait_merging_threads()
                del index
                self.store.switch(generation)
                self._acquire()
            except BaseException as exc:
                self.store.remove(generation)
                if isinstance(exc, (KeyError, TypeError, ValueError)):
                    raise SearchError(f"search index rebuild failed: {exc}") from exc
                raise
            finally:
                if old_writer is not None:
                    old_writer.wait_merging_threads()  # releases the lock
            if old is not None and old.generation != generation:
                self.store.remove(old.generation)
            return n

    # -- reads -----------------------------------------------------------

    def count(self) -> int:
        return self._acquire().index.searcher().num_docs

    def health(self) -> Health:
        try:
            live = self._acquire()
            n = live.index.searcher().num_docs
            return Health(ok=True, engine=self.kind, detail=f"{n} documents in {live.generation.name}")
        except Exception as exc:  # noqa: BLE001 - health never raises
            return Health(ok=False, engine=self.kind, detail=str(exc) or type(exc).__name__)

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        live = self._acquire()
        searcher = live.index.searcher()
        try:
            result = self._search(live, searcher, query)
        except ValueError as exc:
            self._meta_sig(live.generation)  # SearchUnavailable if the directory vanished
            raise SearchError(f"search failed: {exc}") from exc
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResult(total=result[0], hits=result[1], facets=result[2], took_ms=took_ms)

    def _search(self, live: _Live, searcher: tantivy.Searcher, q: SearchQuery):
        parsed = parse_text(q.text)
        jobs = facet_jobs(
            self.qb,
            searcher,
            q,
            lambda: self.qb.text_match(parsed) if parsed else None,
            lambda: self._decoder(live, searcher),
        )
        futures = [_facet_pool().submit(job) for job in jobs] if self.parallel_facets else []
        text_match = self.qb.text_match(parsed) if parsed else None
        filters = self.qb.filters(q)
        sort = "relevance" if (q.sort == "relevance" and parsed) else (
            "newest" if q.sort == "relevance" else q.sort
        )

        if sort == "relevance":
            # Ties keep tantivy's index order: stable, so pages never overlap.
            res = searcher.search(
                self.qb.ranked(parsed, filters), limit=q.per_page, count=True, offset=q.offset
            )
            total = res.count
            page = [(float(score), addr) for score, addr in res.hits]
        else:
            res = searcher.search(
                self.qb.matching(text_match, filters),
                limit=q.per_page,
                count=True,
                order_by_field=SORT_FIELDS[sort],
                offset=q.offset,
                order=Order.Desc if sort in ("newest", "reuse_desc") else Order.Asc,
            )
            total = res.count
            page = [(None, addr) for _key, addr in res.hits]

        highlighter = Highlighter(parsed)
        stored = [searcher.doc(addr) for _score, addr in page]
        texts: list[str] = []
        for doc in stored:
            texts += [doc.get_first("title") or "", doc.get_first("summary") or ""]
        html = highlighter.page(texts)
        hits = [
            Hit(
                id=doc.get_first("id"),
                slug=doc.get_first("slug") or "",
                title_html=html[2 * i],
                summary_html=html[2 * i + 1],
                score=score,
            )
            for i, ((score, _addr), doc) in enumerate(zip(page, stored, strict=True))
        ]
        if futures:
            facets = merge(q, [f.result() for f in futures])
        else:
            facets = merge(q, [job() for job in jobs])
        return total, hits, facets

    def _decoder(self, live: _Live, searcher: tantivy.Searcher):
        """facet code -> (facet, value) for the current index state (cached)."""
        if live.decoder_sig != live.meta_sig:
            sig = live.meta_sig
            live.decoder, live.undecodable = build_decoder(searcher)
            live.decoder_sig = sig
        return live.decoder, live.undecodable
