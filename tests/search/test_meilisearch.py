"""Meilisearch-engine specifics.

The unreachable-server tests run everywhere (a closed local port: no server at
all, nothing faked). The rest need a real server (see tests/meili.py).
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from search import SearchError, SearchQuery, SearchUnavailable, get_backend
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
