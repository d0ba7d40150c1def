"""Two indexers (two uvicorn workers) on one PostgreSQL outbox never leave an older text
in the engine.

Row locks alone let the second worker take a newer row of the same example while the
first is still uploading the older text, and the older upload lands last. The drain lock
makes the second worker stand aside until the first has finished.
"""

from __future__ import annotations

import json
import threading

import pytest
from sqlmodel import Session, select

from app.core.db import make_engine
from app.core.migrate import upgrade_to_head
from app.models import Example, OutboxEntry
from app.services.indexer import Indexer
from app.services.outbox import enqueue
from app.services.reference import load_reference_data
from app.services.transfer import import_examples, parse_file
from search import SearchQuery, get_backend
from tests.conftest import skip_without_pg
from tests.factories import example_payload


class HeldBackend:
    """The real embedded engine; the first upload waits until the test lets it go."""

    def __init__(self, backend):
        self.backend = backend
        self.inside = threading.Event()
        self.release = threading.Event()
        self.held = False

    def upsert(self, docs):
        docs = list(docs)
        if not self.held:
            self.held = True
            self.inside.set()
            assert self.release.wait(60), "the test never released the first upload"
        self.backend.upsert(docs)

    def __getattr__(self, name):
        return getattr(self.backend, name)


@pytest.fixture
def pg_engine(fresh_db):
    skip_without_pg()
    engine = make_engine(fresh_db.url("postgresql"))
    upgrade_to_head(engine)
    with Session(engine) as session:
        load_reference_data(session)
        session.commit()
    yield engine
    engine.dispose()


def found(backend, text):
    return [hit.id for hit in backend.search(SearchQuery(text=text, per_page=50)).hits]


def test_second_worker_waits_while_first_uploads_older_text(pg_engine, tmp_path):
    backend = get_backend("embedded", data_dir=tmp_path)
    backend.configure()
    held = HeldBackend(backend)
    first = Indexer(pg_engine, held)      # worker 1
    second = Indexer(pg_engine, backend)  # worker 2 (its own process: its own thread lock)

    line = json.dumps(example_payload(title="Läxhjälp i Kvarnbo"), ensure_ascii=False) + "\n"
    with Session(pg_engine) as session:
        [example] = import_examples(session, parse_file("x.jsonl", line), actor_label="test")
        session.commit()
        eid = example.id

    worker = threading.Thread(target=first.drain_once)
    worker.start()
    try:
        assert held.inside.wait(60)  # worker 1 has read the first text and is uploading it
        with Session(pg_engine) as session:  # a revision is published meanwhile
            example = session.get(Example, eid)
            example.title = "Läxhjälp i Sjöbacka"
            session.add(example)
            enqueue(session, example_id=eid)
            session.commit()
        # Worker 2 must not apply the newer row before worker 1's older upload is done.
        assert second.drain_once().applied == 0
    finally:
        held.release.set()
        worker.join(60)
    assert second.drain().applied == 1
    with Session(pg_engine) as session:
        assert session.exec(select(OutboxEntry)).all() == []
    assert found(backend, "Sjöbacka") == [eid]
    assert found(backend, "Kvarnbo") == []
    backend.close()


class HeldRebuild(HeldBackend):
    """The real engine; the rebuild waits (having built the new index aside) until released."""

    def rebuild(self, docs):
        docs = list(docs)  # the rebuild has read the database
        self.inside.set()
        assert self.release.wait(60), "the test never released the rebuild"
        return self.backend.rebuild(docs)


def test_change_during_rebuild_is_not_drained_into_the_replaced_index(pg_engine, tmp_path):
    backend = get_backend("embedded", data_dir=tmp_path)
    backend.configure()
    held = HeldRebuild(backend)
    rebuilding = Indexer(pg_engine, held)  # `barnratt reindex`, or a worker's reconcile
    worker = Indexer(pg_engine, backend)   # a uvicorn worker's indexer
    line = json.dumps(example_payload(title="Läxhjälp i Kvarnbo"), ensure_ascii=False) + "\n"
    with Session(pg_engine) as session:
        [example] = import_examples(session, parse_file("x.jsonl", line), actor_label="test")
        session.commit()
        eid = example.id

    thread = threading.Thread(target=rebuilding.rebuild)
    thread.start()
    try:
        assert held.inside.wait(60)  # the rebuild has read the old title
        with Session(pg_engine) as session:
            example = session.get(Example, eid)
            example.title = "Läxhjälp i Sjöbacka"
            session.add(example)
            enqueue(session, example_id=eid)
            session.commit()
        assert worker.drain_once().applied == 0  # not applied to the index about to be replaced
    finally:
        held.release.set()
        thread.join(60)
    with Session(pg_engine) as session:  # the row written during the rebuild stays ...
        assert len(session.exec(select(OutboxEntry)).all()) == 1
    assert worker.drain().applied == 1  # ... and reaches the new index
    assert found(backend, "Sjöbacka") == [eid]
    assert found(backend, "Kvarnbo") == []
    backend.close()
