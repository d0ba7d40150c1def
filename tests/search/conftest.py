"""Engines under test: embedded always; Meilisearch only against a real server.

The server comes from ``tests/meili.py`` (``BARNRATT_TEST_MEILI_URL``, or a
``meilisearch`` binary it starts); without one the Meilisearch half skips.
Every index created gets a name unique to this test run and is deleted afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from search import SearchBackend, SearchQuery, SearchResult, get_backend
from tests import meili
from tests.search.fixture_examples import docs

RUN_ID = uuid.uuid4().hex[:10]

ENGINES = ["embedded", "meilisearch"]


def meili_server() -> meili.MeiliServer:
    """The real server, or skip this test (see tests/meili.py)."""
    server = meili.server()
    if server is None:
        pytest.skip(meili.SKIP_REASON)
    return server


def _drop(backend: SearchBackend) -> None:
    """Remove everything a backend created on a Meilisearch server."""
    if backend.kind != "meilisearch":
        backend.close()
        return
    client = backend.client  # type: ignore[attr-defined]
    name = backend.index_name  # type: ignore[attr-defined]
    for info in client.get_raw_indexes(limit=1000) or []:
        if info.uid == name or info.uid.startswith(f"{name}_tmp_"):
            task = client.index(info.uid).delete()
            client.wait_for_task(task.task_uid, timeout_in_ms=60_000)
    backend.close()


def _make(engine: str, data_dir: Path, name: str) -> SearchBackend:
    if engine == "embedded":
        return get_backend("embedded", data_dir=data_dir, index_name=name)
    server = meili_server()
    return get_backend(
        "meilisearch",
        data_dir=data_dir,
        meili_url=server.url,
        meili_api_key=server.master_key,
        index_name=f"barnratt_test_{RUN_ID}_{name}",
    )


@pytest.fixture(scope="session", params=ENGINES)
def search_engine(request: pytest.FixtureRequest) -> str:
    """The engine under test (named so as not to clash with the app's ``engine``)."""
    if request.param == "meilisearch":
        meili_server()
    return request.param


@pytest.fixture(scope="module")
def loaded(search_engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchBackend]:
    """A backend holding the fixture documents; tests must not modify it."""
    backend = _make(search_engine, tmp_path_factory.mktemp("search"), f"ro_{uuid.uuid4().hex[:6]}")
    backend.configure()
    backend.upsert(docs())
    yield backend
    _drop(backend)


@pytest.fixture
def make_fresh(search_engine: str, tmp_path: Path) -> Iterator[Callable[[], SearchBackend]]:
    """Factory of fresh backends (with the fixture documents) that tests may modify."""
    created: list[SearchBackend] = []

    def factory() -> SearchBackend:
        backend = _make(search_engine, tmp_path / f"b{len(created)}", f"rw_{uuid.uuid4().hex[:6]}")
        created.append(backend)
        backend.configure()
        backend.upsert(docs())
        return backend

    yield factory
    for backend in created:
        _drop(backend)


@pytest.fixture
def fresh(make_fresh: Callable[[], SearchBackend]) -> SearchBackend:
    return make_fresh()


def run(backend: SearchBackend, **kwargs) -> SearchResult:
    return backend.search(SearchQuery(**kwargs))


def hit_ids(result: SearchResult) -> list[int]:
    return [h.id for h in result.hits]
