"""Meilisearch-engine specifics.

The unreachable-server tests run everywhere (a closed local port: no server at
all, nothing faked). The rest need a real server (see tests/meili.py).
"""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from pathlib import Path

import httpx

import pytest

from search import SearchError, SearchQuery, SearchUnavailable, get_backend
from tests import meili
from tests.search.conftest import _drop, _make, meili_server
from tests.search.fixture_examples import EXAMPLES, docs


@pytest.fixture
def server():
    return meili_server()


needs_server = pytest.mark.usefixtures("server")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_is_unavailable(tmp_path: Path):
    backend = get_backend(
        "meilisearch", data_dir=tmp_path, meili_url=f"http://127.0.0.1:{_closed_port()}", index_name="x"
    )
    try:
        health = backend.health()
        assert health.ok is False and health.engine == "meilisearch" and health.detail
        for call in (
            backend.configure,
            backend.count,
            lambda: backend.search(SearchQuery(text="barn", facets=["sector"], sectors=["skola"])),
            lambda: backend.upsert(docs()[:1]),
            lambda: backend.delete([1]),
            lambda: backend.rebuild(docs()),
        ):
            with pytest.raises(SearchUnavailable):
                call()
    finally:
        backend.close()


def test_factory_requires_url(tmp_path: Path):
    with pytest.raises(ValueError):
        get_backend("meilisearch", data_dir=tmp_path)
    with pytest.raises(ValueError):
        get_backend("solr", data_dir=tmp_path)


@needs_server
def test_missing_index_is_an_outage(tmp_path: Path):
    backend = _make("meilisearch", tmp_path, "outage")
    try:
        backend.configure()
        backend.upsert(docs())
        task = backend.client.index(backend.index_name).delete()
        backend.client.wait_for_task(task.task_uid, timeout_in_ms=60_000)
        assert backend.health().ok is False
        with pytest.raises(SearchUnavailable):
            backend.search(SearchQuery(text="barn"))
        with pytest.raises(SearchUnavailable):
            backend.upsert(docs()[:1])  # must not auto-create a settings-less index
        with pytest.raises(SearchUnavailable):
            backend.count()
        backend.configure()
        backend.upsert(docs())
        assert backend.health().ok and backend.count() == len(EXAMPLES)
    finally:
        _drop(backend)


@needs_server
def test_writes_refused_while_a_rebuild_runs(tmp_path: Path):
    backend = _make("meilisearch", tmp_path, "guard")
    try:
        backend.configure()
        backend.upsert(docs())
        tmp = f"{backend.index_name}_tmp_{int(time.time() * 1000)}"
        backend.client.create_index(tmp, primary_key="id", timeout_in_ms=60_000)
        with pytest.raises(SearchUnavailable, match="rebuild in progress"):
            backend.upsert(docs()[:1])
        with pytest.raises(SearchUnavailable):
            backend.delete([1])
        assert backend.search(SearchQuery()).total == len(EXAMPLES)  # reads are unaffected
        task = backend.client.index(tmp).delete()
        backend.client.wait_for_task(task.task_uid, timeout_in_ms=60_000)
        backend.upsert(docs()[:1])
    finally:
        _drop(backend)


@needs_server
def test_failed_task_raises(tmp_path: Path):
    backend = _make("meilisearch", tmp_path, "badtask")
    try:
        backend.configure()
        with pytest.raises(SearchError):
            backend.upsert([{"id": "not a valid id!"}])  # rejected by Meilisearch: task fails
    finally:
        _drop(backend)


# --------------------------------------------------------------------------- defects found by reading


def _raw(backend, method, path, **kw):
    response = backend.http.request(method, path, **kw)
    response.raise_for_status()
    return response.json() if response.content else None


def _wait_raw(backend, uid, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = _raw(backend, "GET", f"tasks/{uid}")
        if task["status"] in ("succeeded", "failed", "canceled"):
            return task
        time.sleep(0.05)
    raise AssertionError(f"task {uid} did not finish")


def _bulk(n, start=100_000):
    base = docs()[0]
    return [{**base, "id": start + i, "slug": f"bulk-{i}"} for i in range(n)]


class Blocker:
    """Keeps the server's (single, in-order) task queue busy with a big real indexing
    job on an index of its own, so tasks enqueued meanwhile stay enqueued."""

    def __init__(self, backend, n=40_000):
        self.backend = backend
        self.uid = f"{backend.index_name}_blocker"
        lines = "\n".join(
            '{"id": %d, "text": "barn %d skola %d insats %d"}' % (i, i, i * 7, i * 13) for i in range(n)
        )
        self.task = _raw(
            backend, "POST", f"indexes/{self.uid}/documents",
            params={"primaryKey": "id"}, content=lines.encode(), headers={"Content-Type": "application/x-ndjson"},
        )["taskUid"]

    def close(self):
        _wait_raw(self.backend, self.task, timeout=300)
        _wait_raw(self.backend, _raw(self.backend, "DELETE", f"indexes/{self.uid}")["taskUid"])


def _cancel_enqueued(backend, index_uid, timeout=10):
    """Cancel the first task that shows up enqueued for ``index_uid``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = _raw(backend, "GET", "tasks", params={"indexUids": index_uid, "statuses": "enqueued"})
        if page["results"]:
            uid = page["results"][0]["uid"]
            _raw(backend, "POST", "tasks/cancel", params={"uids": str(uid)})
            return uid
        time.sleep(0.01)
    raise AssertionError("no enqueued task to cancel")


@needs_server
def test_canceled_write_is_unavailable_at_once(tmp_path: Path):
    backend = _make("meilisearch", tmp_path, "cancel")
    backend.task_timeout_ms = 120_000
    try:
        backend.configure()
        blocker = Blocker(backend)
        try:
            errors: list[BaseException] = []

            def write():
                try:
                    backend.upsert(docs()[:1])
                except BaseException as exc:  # noqa: BLE001
                    errors.append(exc)

            import threading

            started = time.monotonic()
            thread = threading.Thread(target=write)
            thread.start()
            _cancel_enqueued(backend, backend.index_name)
            thread.join(timeout=60)
            assert not thread.is_alive(), "a canceled task must not be waited for until the task timeout"
            assert time.monotonic() - started < 30
            assert len(errors) == 1 and isinstance(errors[0], SearchUnavailable), errors
            assert "cancel" in str(errors[0])
        finally:
            blocker.close()
        backend.upsert(docs()[:1])  # the outbox's retry succeeds
        assert backend.count() == 1
    finally:
        _drop(backend)


@needs_server
def test_canceled_index_creation_is_unavailable_at_once(tmp_path: Path):
    backend = _make("meilisearch", tmp_path, "cancelcreate")
    try:
        blocker = Blocker(backend)
        try:
            errors: list[BaseException] = []
            import threading

            thread = threading.Thread(target=lambda: errors.extend(_capture(backend.configure)))
            thread.start()
            _cancel_enqueued(backend, backend.index_name)
            thread.join(timeout=60)
            assert not thread.is_alive()
            assert len(errors) == 1 and isinstance(errors[0], SearchUnavailable), errors
        finally:
            blocker.close()
        backend.configure()
        assert backend.health().ok
    finally:
        _drop(backend)


def _capture(fn):
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001
        return [exc]
    return []


@needs_server
def test_invalid_index_is_a_search_error_not_an_outage(tmp_path: Path):
    server = meili_server()
    backend = get_backend(
        "meilisearch", data_dir=tmp_path, meili_url=server.url, meili_api_key=server.master_key,
        index_name="not a valid uid!",
    )
    try:
        with pytest.raises(SearchError) as info:
            backend.configure()
        assert not isinstance(info.value, SearchUnavailable)
    finally:
        backend.close()


@needs_server
def test_stale_tmp_index_is_judged_by_its_own_update_time(tmp_path: Path):
    backend = _make("meilisearch", tmp_path, "stale")
    try:
        backend.configure()
        backend.upsert(docs())
        # a crashed rebuild's leftover: named "now" (as a fresh one would be), untouched since
        tmp = f"{backend.index_name}_tmp_{int(time.time() * 1000)}"
        _wait_raw(backend, _raw(backend, "POST", "indexes", json={"uid": tmp, "primaryKey": "id"})["taskUid"])
        with pytest.raises(SearchUnavailable, match="rebuild in progress"):
            backend.upsert(docs()[:1])  # fresh: a rebuild may be running
        from search.meili import backend as meili_backend

        old = meili_backend.STALE_REBUILD
        meili_backend.STALE_REBUILD = timedelta(seconds=2)
        try:
            # created long ago (in STALE_REBUILD terms) but still being written: running
            time.sleep(1.5)
            _wait_raw(backend, _raw(backend, "POST", f"indexes/{tmp}/documents", json=docs()[:1])["taskUid"])
            time.sleep(1.0)
            with pytest.raises(SearchUnavailable, match="rebuild in progress"):
                backend.upsert(docs()[:1])
            time.sleep(2.5)
            backend.upsert(docs()[:1])  # untouched for longer than STALE_REBUILD: a leftover
            backend.configure()  # ... which configure removes
            assert tmp not in {i["uid"] for i in _raw(backend, "GET", "indexes", params={"limit": 1000})["results"]}
        finally:
            meili_backend.STALE_REBUILD = old
    finally:
        _drop(backend)


def _scoped_key(backend, actions, pattern):
    server = meili_server()
    response = httpx.post(
        server.url + "/keys",
        headers={"Authorization": f"Bearer {server.master_key}"},
        json={"actions": actions, "indexes": [pattern], "expiresAt": None, "description": "barnratt test"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["key"]


@needs_server
def test_rebuild_never_raises_after_the_swap_succeeded(tmp_path: Path):
    """Deleting the old index after the swap fails (the app's key may not delete
    indexes): the rebuild has succeeded all the same, and the leftover old index
    does not block writes."""
    admin = _make("meilisearch", tmp_path, "swapok")
    try:
        admin.configure()
        admin.upsert(docs())
        server = meili_server()
        actions = ["search", "documents.*", "indexes.create", "indexes.get", "indexes.swap",
                   "settings.*", "tasks.get", "stats.get"]
        key = _scoped_key(admin, actions, f"{admin.index_name}*")
        app = get_backend("meilisearch", data_dir=tmp_path, meili_url=server.url, meili_api_key=key,
                          index_name=admin.index_name)
        try:
            subset = docs()[:5]
            assert app.rebuild(subset) == 5
            assert app.count() == 5
            leftovers = [i["uid"] for i in _raw(admin, "GET", "indexes", params={"limit": 1000})["results"]
                         if i["uid"].startswith(f"{admin.index_name}_tmp_")]
            assert len(leftovers) == 1  # the old index, which this key may not delete
            app.upsert(docs()[5:6])  # not blocked by the leftover
            assert app.count() == 6
        finally:
            app.close()
    finally:
        _drop(admin)


@needs_server
def test_uploads_are_batched_by_bytes_and_a_413_splits_them(tmp_path: Path):
    """A server with a small payload limit answers 413 to a big batch: the batch is
    split until it fits, and a single document over the limit is a SearchError (no loop)."""
    binary = meili.executable()
    if binary is None:
        pytest.skip("needs a Meilisearch binary to start a server with a small payload limit")
    small = meili.MeiliServer.launch(binary, extra_args=["--http-payload-size-limit", "20KB"])
    try:
        backend = get_backend("meilisearch", data_dir=tmp_path, meili_url=small.url,
                              meili_api_key=small.master_key, index_name="bytes")
        backend.max_batch_bytes = 1_000_000  # far above the server's limit: forces 413s
        try:
            backend.configure()
            bulk = _bulk(400)
            backend.upsert(bulk)
            assert backend.count() == 400
            assert backend.rebuild(iter(bulk[:300])) == 300 and backend.count() == 300
            huge = {**bulk[0], "id": 7, "background": "barn " * 20_000}
            started = time.monotonic()
            with pytest.raises(SearchError) as info:
                backend.upsert([huge])
            assert not isinstance(info.value, SearchUnavailable)
            assert time.monotonic() - started < 30
        finally:
            backend.close()
    finally:
        small.stop(remove=True)


@needs_server
def test_a_write_racing_a_rebuild_is_never_lost(tmp_path: Path):
    """The outbox's situation: a change is committed to the database, then written
    to search; a rebuild reads the database after creating its temporary index.
    Upserts race several rebuilds: every upsert that returned is in the final
    index; the refused ones are retried afterwards, as the outbox does."""
    import threading

    backend = _make("meilisearch", tmp_path, "race")
    try:
        backend.configure()
        base = docs() + _bulk(3000)
        backend.upsert(base)
        committed: list[dict] = []  # "the database": changes committed before their upsert
        accepted: list[int] = []
        refused: list[int] = []
        stop = threading.Event()

        def database():  # what the rebuild reads, once it starts reading
            yield from base
            yield from list(committed)

        def writer():
            next_id = 500_000
            while not stop.is_set():
                doc = {**base[0], "id": next_id, "slug": f"w-{next_id}"}
                committed.append(doc)
                try:
                    backend.upsert([doc])
                    accepted.append(next_id)
                except SearchUnavailable:
                    refused.append(next_id)
                next_id += 1

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            for _ in range(3):
                backend.rebuild(database())
        finally:
            stop.set()
            thread.join()
        assert accepted and refused, (len(accepted), len(refused))
        present = {
            h.id for page in range(1, 200)
            for h in backend.search(SearchQuery(per_page=100, page=page, sort="newest")).hits
        }
        lost = [i for i in accepted if i not in present]
        assert not lost, f"{len(lost)} acknowledged writes lost: {lost[:10]}"
        backend.upsert([{**base[0], "id": i, "slug": f"w-{i}"} for i in refused])
        assert backend.count() == len(base) + len(accepted) + len(refused)
    finally:
        _drop(backend)
