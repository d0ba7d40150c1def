"""The outbox keeps search in sync with the database, through real engine outages."""

from __future__ import annotations

import json
import os
import shutil

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
from tests import meili
from tests.factories import example_payload

TITLES = ["Barnråd i Umeå", "Fritidskort för alla", "Vräkningsförebyggande arbete", "Läxhjälp på biblioteket"]


class EmbeddedSearch:
    """The embedded engine; an outage = its index directory really taken away."""

    kind = "embedded"

    def __init__(self, tmp_path):
        self.backend = get_backend("embedded", data_dir=tmp_path)
        self.root = self.backend.store.root
        self.away = self.root.with_name(self.root.name + "-away")

    def take_away(self):
        os.rename(self.root, self.away)

    def restore(self):
        os.rename(self.away, self.root)

    def destroy_index(self):
        shutil.rmtree(self.root)

    def close(self):
        self.backend.close()


class MeiliSearch:
    """Meilisearch on a server of the test's own; an outage = the server really stopped."""

    kind = "meilisearch"

    def __init__(self, tmp_path):
        binary = meili.executable()
        if binary is None:
            pytest.skip("needs a Meilisearch binary (BARNRATT_MEILI_BIN or meilisearch on PATH): "
                        "the test stops and restarts its server")
        self.server = meili.MeiliServer.launch(binary)
        self.backend = get_backend("meilisearch", data_dir=tmp_path, meili_url=self.server.url,
                                   meili_api_key=self.server.master_key)

    def take_away(self):
        self.server.stop()

    def restore(self):
        self.server.start()

    def destroy_index(self):
        task = self.backend.client.index(self.backend.index_name).delete()
        self.backend.client.wait_for_task(task.task_uid, timeout_in_ms=60_000)

    def close(self):
        self.backend.close()
        self.server.stop(remove=True)


@pytest.fixture(params=["embedded", "meilisearch"])
def world(request, backend, fresh_db, tmp_path):
    engine = make_engine(fresh_db.url(backend))
    upgrade_to_head(engine)
    with Session(engine) as session:
        load_reference_data(session)
        session.commit()
    search = (EmbeddedSearch if request.param == "embedded" else MeiliSearch)(tmp_path)
    search.backend.configure()
    indexer = Indexer(engine, search.backend, base_backoff=0.01, max_backoff=0.05)
    yield engine, search, indexer
    search.close()
    engine.dispose()


def publish(engine, *titles):
    text = "".join(json.dumps(example_payload(title=t), ensure_ascii=False) + "\n" for t in titles)
    with Session(engine) as session:
        created = import_examples(session, parse_file("x.jsonl", text), actor_label="test")
        session.commit()
        return [e.id for e in created]


def found(search, text=""):
    return {hit.id for hit in search.backend.search(SearchQuery(text=text, per_page=100)).hits}


def pending(engine):
    with Session(engine) as session:
        return session.exec(select(OutboxEntry)).all()


def test_publish_reaches_search_through_the_outbox(world):
    engine, search, indexer = world
    ids = publish(engine, *TITLES)
    assert found(search) == set()  # nothing is indexed inside the write transaction
    assert len(pending(engine)) == len(TITLES)
    result = indexer.drain()
    assert result.applied == len(TITLES) and result.error is None
    assert found(search) == set(ids)
    assert found(search, "fritidskort") == {ids[1]}
    assert pending(engine) == []


def test_withdrawal_removes_from_search(world):
    engine, search, indexer = world
    ids = publish(engine, *TITLES)
    indexer.drain()
    with Session(engine) as session:
        example = session.get(Example, ids[0])
        example.status = "withdrawn"
        session.add(example)
        enqueue(session, example_id=example.id)
        session.commit()
    indexer.drain()
    assert found(search) == set(ids[1:])


def test_engine_outage_loses_nothing(world):
    engine, search, indexer = world
    first = publish(engine, TITLES[0])
    indexer.drain()
    search.take_away()  # the index is really gone from where the engine looks
    try:
        later = publish(engine, *TITLES[1:])  # writes still succeed
        result = indexer.drain()
        assert result.error and "Unavailable" in result.error
        rows = pending(engine)
        assert len(rows) == 3 and all(r.attempts == 1 and r.last_error for r in rows)
        status = indexer.readiness()
        assert status["ok"] is False and status["backlog"]["pending"] == 3
    finally:
        search.restore()
    indexer.retry_now()
    assert indexer.drain().applied == 3
    assert found(search) == set(first + later)
    assert indexer.readiness()["ok"] is True and indexer.backlog()["pending"] == 0


def test_lost_index_is_recreated_and_rebuilt_from_the_database(world):
    engine, search, indexer = world
    ids = publish(engine, *TITLES)
    indexer.drain()
    search.destroy_index()
    assert indexer.reconcile() == "rebuilt"
    assert found(search) == set(ids)
    assert indexer.reconcile() == "ok"


def test_rebuild_covers_queued_rows_and_swaps(world):
    engine, search, indexer = world
    ids = publish(engine, *TITLES)
    assert indexer.rebuild() == len(TITLES)
    assert pending(engine) == []
    assert found(search) == set(ids)
