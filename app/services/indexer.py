"""The indexer: drains the search outbox into the search engine.

The database is the source of truth. Every change to what is public writes an outbox row
in the same transaction (app/services/outbox.py); this module applies those rows to the
engine with retries and exponential backoff, so a search outage never loses a change:
writes keep succeeding, the backlog grows, and it drains when the engine is back.

``Indexer.run`` is the background task of the server; ``Indexer.rebuild`` backs
``barnratt reindex`` (builds a new index aside and swaps, so search never goes empty).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.time import as_utc, utcnow
from app.models import Example, OutboxEntry
from app.models.example import CONTRACT_FIELDS
from search import SearchBackend, SearchError, build_document

log = logging.getLogger("barnratt.indexer")

# One drainer at a time per database schema (PostgreSQL): every uvicorn worker runs an
# Indexer on the same outbox. Row locks alone (FOR UPDATE SKIP LOCKED) are not enough: two
# workers holding *different* rows of the *same* example can read it at different moments
# and upload in the opposite order, leaving the older text in the engine with both rows
# gone. The rebuild takes the same lock, so no drain applies a change to the index being
# replaced while the rebuild reads the database.
_LOCK_KEY = "hashtext(current_schema() || '.search_outbox')"
_TRY_LOCK = text(f"SELECT pg_try_advisory_xact_lock({_LOCK_KEY})")
_WAIT_LOCK = text(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")


@dataclass(frozen=True)
class DrainResult:
    applied: int = 0
    failed: int = 0
    error: str | None = None


def tag_labels(example: Mapping[str, Any], taxonomy: Any) -> list[str]:
    """The words practitioners search by: every tag's Swedish label ("artikel 12 Barnets
    rätt att uttrycka sina åsikter", sector and target-group names, the organisation type)."""
    if taxonomy is None:
        return []
    labels = [f"artikel {n} {taxonomy.label('article', n, 'sv')}" for n in example.get("articles") or ()]
    labels += [taxonomy.label("sector", s, "sv") for s in example.get("sectors") or ()]
    labels += [taxonomy.label("target_group", t, "sv") for t in example.get("target_groups") or ()]
    if example.get("organisation_type"):
        labels.append(taxonomy.label("organisation_type", example["organisation_type"], "sv"))
    return labels


#: The columns a search document is built from.
DOCUMENT_COLUMNS: tuple[str, ...] = (*CONTRACT_FIELDS, "id", "slug", "published_at")


def _document(row: Mapping[str, Any], *, taxonomy: Any, reuse_count: int) -> dict[str, Any]:
    """The search document of a published example given as its ``DOCUMENT_COLUMNS``."""
    return build_document({
        **row, "published_at": as_utc(row["published_at"]),
        "tag_labels": tag_labels(row, taxonomy), "reuse_count": reuse_count,
    })


def document_for(example: Example, *, taxonomy: Any = None, reuse_count: int = 0) -> dict[str, Any]:
    row = {**example.content(), "id": example.id, "slug": example.slug, "published_at": example.published_at}
    return _document(row, taxonomy=taxonomy, reuse_count=reuse_count)


def documents_for(session: Session, examples: list[Example]) -> list[dict[str, Any]]:
    """Search documents of published examples, with their tag labels and reuse counts."""
    from app.services.reuse import reuse_counts
    from app.services.taxonomy import Taxonomy

    if not examples:
        return []
    taxonomy = Taxonomy.load(session)
    counts = reuse_counts(session, [e.id for e in examples])
    return [document_for(e, taxonomy=taxonomy, reuse_count=counts.get(e.id, 0)) for e in examples]


def iter_documents(session: Session, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """The search document of every published example, in id order (the full reindex:
    plain rows in batches, no ORM objects)."""
    from app.services.examples import iter_published_rows
    from app.services.reuse import reuse_counts
    from app.services.taxonomy import Taxonomy

    taxonomy = Taxonomy.load(session)
    for rows in iter_published_rows(session, DOCUMENT_COLUMNS, batch=batch):
        counts = reuse_counts(session, [row["id"] for row in rows])
        for row in rows:
            yield _document(row, taxonomy=taxonomy, reuse_count=counts.get(row["id"], 0))


class Indexer:
    def __init__(
        self,
        engine: Engine,
        backend: SearchBackend,
        *,
        batch_size: int = 200,
        base_backoff: float = 1.0,
        max_backoff: float = 300.0,
        idle_interval: float = 1.0,
        check_interval: float = 60.0,
        on_indexed: Callable[[list[int]], Any] | None = None,
    ) -> None:
        self.engine = engine
        self.backend = backend
        self.batch_size = batch_size
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.idle_interval = idle_interval
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self.wakeup = asyncio.Event()
        self.last_error: str | None = None
        # Called with the ids of published examples once the engine holds them (after the
        # outbox rows are gone): the immediate saved-search alerts hang here.
        self.on_indexed = on_indexed

    # -- draining ---------------------------------------------------------------------
    def drain_once(self) -> DrainResult:
        """Apply one batch of due outbox rows. Rows are deleted only after the engine
        accepted them; on failure they stay, with a later ``available_at``."""
        with self._lock, Session(self.engine, expire_on_commit=False) as session:
            postgres = session.get_bind().dialect.name == "postgresql"
            if postgres and not session.execute(_TRY_LOCK).scalar():
                session.commit()
                return DrainResult()  # another worker is draining (or rebuilding)
            now = utcnow()
            stmt = (
                select(OutboxEntry)
                .where(OutboxEntry.available_at <= now)
                .order_by(OutboxEntry.id)
                .limit(self.batch_size)
            )
            if postgres:
                stmt = stmt.with_for_update(skip_locked=True)
            rows = session.exec(stmt).all()
            if not rows:
                session.commit()
                return DrainResult()
            example_ids = sorted({row.example_id for row in rows})
            examples = {
                e.id: e for e in session.exec(select(Example).where(Example.id.in_(example_ids))).all()
            }
            docs = documents_for(session, [examples[i] for i in example_ids
                                           if i in examples and examples[i].status == "published"])
            gone = [i for i in example_ids if i not in examples or examples[i].status != "published"]
            try:
                if docs:
                    self.backend.upsert(docs)
                if gone:
                    self.backend.delete(gone)
            except SearchError as exc:
                message = f"{type(exc).__name__}: {exc}"[:2000]
                for row in rows:
                    row.attempts += 1
                    delay = min(self.max_backoff, self.base_backoff * 2 ** min(row.attempts - 1, 20))
                    row.available_at = now + timedelta(seconds=delay)
                    row.last_error = message
                    session.add(row)
                session.commit()
                if self.last_error != message:
                    log.warning("search engine refused %d outbox row(s): %s", len(rows), message)
                self.last_error = message
                return DrainResult(failed=len(rows), error=message)
            session.exec(delete(OutboxEntry).where(OutboxEntry.id.in_([row.id for row in rows])))
            session.commit()
            if self.last_error:
                log.info("search engine accepts writes again")
            self.last_error = None
        if docs and self.on_indexed is not None:
            try:
                self.on_indexed([int(doc["id"]) for doc in docs])
            except Exception:  # noqa: BLE001 - alerts must never stop the indexer
                log.exception("after-index hook failed")
        return DrainResult(applied=len(rows))

    def drain(self, *, max_batches: int = 1000) -> DrainResult:
        """Drain everything that is due now (used by the CLI and tests)."""
        applied = failed = 0
        for _ in range(max_batches):
            result = self.drain_once()
            applied += result.applied
            failed += result.failed
            if result.error:
                return DrainResult(applied, failed, result.error)
            if not result.applied:
                break
        return DrainResult(applied, failed)

    def retry_now(self) -> None:
        """Make every waiting row due at once (after an operator fixed the engine)."""
        with Session(self.engine) as session:
            session.exec(update(OutboxEntry).values(available_at=utcnow()))
            session.commit()

    # -- status -----------------------------------------------------------------------
    def backlog(self) -> dict[str, Any]:
        with Session(self.engine) as session:
            count, oldest = session.exec(
                select(func.count(OutboxEntry.id), func.min(OutboxEntry.created_at))
            ).one()
        oldest = as_utc(oldest)
        return {
            "pending": count,
            "oldest_age_seconds": int((utcnow() - oldest).total_seconds()) if oldest else 0,
            "last_error": self.last_error,
        }

    def readiness(self) -> dict[str, Any]:
        health = self.backend.health()
        return {"ok": health.ok, "engine": health.engine, "detail": health.detail, "backlog": self.backlog()}

    # -- full rebuild -----------------------------------------------------------------
    def rebuild(self) -> int:
        """Index every published example into a new index and swap it in. Outbox rows
        written before the rebuild started are covered by it and removed; rows written
        during it stay and are applied afterwards.

        PostgreSQL: the drain lock is held throughout, so no drain runs meanwhile. SQLite has
        no such lock across processes (`barnratt reindex` runs beside the server): a change committed
        after the high-water read may still be drained into the old index by another
        process and missed by this rebuild's snapshot (known, not yet fixed)."""
        with Session(self.engine) as session:
            if session.get_bind().dialect.name == "postgresql":
                # Hold the drain lock until the covered rows are gone: rows written meanwhile
                # wait and are applied to the new index, never to the one being replaced.
                session.execute(_WAIT_LOCK)
                high_water = session.exec(select(func.max(OutboxEntry.id))).one() or 0
                count = self.backend.rebuild(iter_documents(session))
                session.exec(delete(OutboxEntry).where(OutboxEntry.id <= high_water))
                session.commit()
                return count
            high_water = session.exec(select(func.max(OutboxEntry.id))).one() or 0
            count = self.backend.rebuild(iter_documents(session))
        with Session(self.engine) as session:
            session.exec(delete(OutboxEntry).where(OutboxEntry.id <= high_water))
            session.commit()
        return count

    def reconcile(self) -> str:
        """Self-healing: recreate a missing index, and rebuild from the database when the
        engine holds a different number of examples than are published while nothing is
        queued (an index lost, restored from an old copy, or wiped by hand)."""
        from app.services.examples import count_published

        if not self.backend.health().ok:
            try:
                self.backend.configure()
            except SearchError:
                return "unavailable"
            if not self.backend.health().ok:
                return "unavailable"
        if self.backlog()["pending"]:
            return "draining"
        with Session(self.engine) as session:
            published = count_published(session)
        try:
            indexed = self.backend.count()
        except SearchError:
            return "unavailable"
        if indexed == published:
            return "ok"
        log.warning("search holds %d examples, database %d: rebuilding", indexed, published)
        self.rebuild()
        return "rebuilt"

    # -- background task --------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Drain continuously until ``stop`` is set; reconcile every ``check_interval``.
        Runs the blocking work in a thread."""
        loop = asyncio.get_running_loop()
        next_check = loop.time() + self.check_interval
        while not stop.is_set():
            try:
                if loop.time() >= next_check:
                    next_check = loop.time() + self.check_interval
                    await asyncio.to_thread(self.reconcile)
                result = await asyncio.to_thread(self.drain_once)
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                log.exception("indexer pass failed")
                result = DrainResult(error="internal")
            if result.applied and not result.error:
                continue  # more may be waiting
            self.wakeup.clear()
            try:
                await asyncio.wait_for(self.wakeup.wait(), timeout=self.idle_interval)
            except TimeoutError:
                pass
