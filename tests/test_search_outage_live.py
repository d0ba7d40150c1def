"""Breaking the index while the server runs never loses a published example.

A real uvicorn server with the demo content; the index directory is really taken away
(renamed, or deleted), examples are published meanwhile, and after recovery every published
example is searchable again.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import httpx
import pytest

from search import SearchQuery, get_backend
from tests.factories import example_payload
from tests.live import LiveServer

NEW_TITLES = ["Ungdomsråd om kollektivtrafiken", "Trygghetsvandring med mellanstadiet", "Sommarlovskort i glesbygd"]


def ready(server) -> dict:
    return httpx.get(server.url + "/readyz", timeout=5).json()


def wait_for(predicate, timeout=45.0, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def published_count(server) -> int:
    out = server.cli("export").stdout
    return sum(1 for line in out.splitlines() if line.strip())


def indexed(server) -> tuple[int, set[str]]:
    backend = get_backend("embedded", data_dir=server.data_dir)
    try:
        result = backend.search(SearchQuery(per_page=100))
        titles = set()
        for title in NEW_TITLES:
            if backend.search(SearchQuery(text=title.split()[0].lower())).total:
                titles.add(title)
        return result.total, titles
    finally:
        backend.close()


def publish_new(server, tmp_path) -> None:
    path = tmp_path / "new.jsonl"
    path.write_text(
        "".join(json.dumps(example_payload(title=t), ensure_ascii=False) + "\n" for t in NEW_TITLES),
        encoding="utf-8",
    )
    server.cli("import", str(path), "--publish")


@pytest.fixture
def server(tmp_path_factory, request):
    check = request.param
    live = LiveServer(
        tmp_path_factory.mktemp("outage"),
        env={"BARNRATT_INDEX_RETRY_SECONDS": "0.2", "BARNRATT_INDEX_CHECK_SECONDS": str(check)},
    ).start()
    yield live
    live.stop()


@pytest.mark.parametrize("server", [600], indirect=True)
def test_index_taken_away_and_restored(server, tmp_path):
    wait_for(lambda: ready(server)["status"] == "ok")
    root = get_backend("embedded", data_dir=server.data_dir).store.root
    away = root.with_name("examples-away")
    os.rename(root, away)
    try:
        status = wait_for(lambda: (r := ready(server))["checks"]["search"]["ok"] is False and r)
        assert status["status"] == "unavailable"
        publish_new(server, tmp_path)  # writes succeed while search is down
        backlog = wait_for(lambda: ready(server)["checks"]["search"]["backlog"]["pending"] >= 3 and ready(server))
        assert backlog["checks"]["database"]["ok"] is True
    finally:
        os.rename(away, root)
    wait_for(lambda: (r := ready(server))["status"] == "ok" and r["checks"]["search"]["backlog"]["pending"] == 0)
    total, titles = indexed(server)
    assert total == published_count(server) >= 55
    assert titles == set(NEW_TITLES)


@pytest.mark.parametrize("server", [1], indirect=True)
def test_index_deleted_is_rebuilt_from_the_database(server, tmp_path):
    wait_for(lambda: ready(server)["status"] == "ok")
    root = get_backend("embedded", data_dir=server.data_dir).store.root
    shutil.rmtree(root)
    publish_new(server, tmp_path)
    wait_for(lambda: (r := ready(server))["status"] == "ok" and r["checks"]["search"]["backlog"]["pending"] == 0
             and indexed(server)[0] == published_count(server))
    total, titles = indexed(server)
    assert total >= 55 and titles == set(NEW_TITLES)
