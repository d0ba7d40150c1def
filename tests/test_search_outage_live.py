"""Breaking the index while the server runs never loses a published example.

A real uvicorn server with the demo content, on each engine. Embedded: the index directory
is really taken away (renamed, or deleted). Meilisearch (a server of the test's own; the app
uses a scoped key created for it): the server is really stopped, or the index deleted.
Examples are published meanwhile, and after recovery every published example is searchable.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import httpx
import pytest

from search import SearchQuery, get_backend
from search.meili.keys import create_app_key
from tests import meili
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


class Engine:
    """The search engine under a live server: the backend the test reads it with,
    the app's environment, and ways to break it for real."""

    def __init__(self, kind: str, tmp_path):
        self.kind = kind
        self.meili = None
        self.env: dict[str, str] = {}
        if kind == "meilisearch":
            binary = meili.executable()
            if binary is None:
                pytest.skip("needs a Meilisearch binary (BARNRATT_MEILI_BIN or meilisearch on PATH)")
            self.meili = meili.MeiliServer.launch(binary)
            key = create_app_key(self.meili.url, self.meili.master_key, "examples")
            self.env = {"BARNRATT_SEARCH_BACKEND": "meilisearch", "BARNRATT_MEILI_URL": self.meili.url,
                        "BARNRATT_MEILI_API_KEY": key}

    def backend(self, server):
        if self.meili:
            return get_backend("meilisearch", data_dir=server.data_dir, meili_url=self.meili.url,
                               meili_api_key=self.meili.master_key)
        return get_backend("embedded", data_dir=server.data_dir)

    def take_away(self, server):
        if self.meili:
            self.meili.stop()
            return
        root = get_backend("embedded", data_dir=server.data_dir).store.root
        os.rename(root, root.with_name("examples-away"))

    def restore(self, server):
        if self.meili:
            self.meili.start()
            return
        root = get_backend("embedded", data_dir=server.data_dir).store.root
        os.rename(root.with_name("examples-away"), root)

    def delete_index(self, server):
        if self.meili:
            backend = self.backend(server)
            task = backend.client.index("examples").delete()
            backend.client.wait_for_task(task.task_uid, timeout_in_ms=60_000)
            backend.close()
            return
        shutil.rmtree(get_backend("embedded", data_dir=server.data_dir).store.root)

    def close(self):
        if self.meili:
            self.meili.stop(remove=True)


def indexed(server) -> tuple[int, set[str]]:
    backend = server.search.backend(server)
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


@pytest.fixture(params=["embedded", "meilisearch"])
def search_kind(request):
    return request.param


@pytest.fixture
def server(tmp_path_factory, request, search_kind):
    check = request.param
    engine = Engine(search_kind, tmp_path_factory.mktemp("engine"))
    live = LiveServer(
        tmp_path_factory.mktemp("outage"),
        env={"BARNRATT_INDEX_RETRY_SECONDS": "0.2", "BARNRATT_INDEX_CHECK_SECONDS": str(check), **engine.env},
    )
    live.search = engine
    try:
        live.start()
        yield live
    finally:
        live.stop()
        engine.close()


@pytest.mark.parametrize("server", [600], indirect=True)
def test_index_taken_away_and_restored(server, tmp_path):
    wait_for(lambda: ready(server)["status"] == "ok")
    server.search.take_away(server)
    try:
        status = wait_for(lambda: (r := ready(server))["checks"]["search"]["ok"] is False and r)
        assert status["status"] == "unavailable"
        publish_new(server, tmp_path)  # writes succeed while search is down
        backlog = wait_for(lambda: ready(server)["checks"]["search"]["backlog"]["pending"] >= 3 and ready(server))
        assert backlog["checks"]["database"]["ok"] is True
    finally:
        server.search.restore(server)
    wait_for(lambda: (r := ready(server))["status"] == "ok" and r["checks"]["search"]["backlog"]["pending"] == 0)
    total, titles = indexed(server)
    assert total == published_count(server) >= 55
    assert titles == set(NEW_TITLES)


@pytest.mark.parametrize("server", [1], indirect=True)
def test_index_deleted_is_rebuilt_from_the_database(server, tmp_path):
    wait_for(lambda: ready(server)["status"] == "ok")
    server.search.delete_index(server)
    publish_new(server, tmp_path)
    wait_for(lambda: (r := ready(server))["status"] == "ok" and r["checks"]["search"]["backlog"]["pending"] == 0
             and indexed(server)[0] == published_count(server))
    total, titles = indexed(server)
    assert total >= 55 and titles == set(NEW_TITLES)
