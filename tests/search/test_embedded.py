"""Embedded-engine specifics: real outages, multi-process layout, real stemming."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from search import SearchError, SearchQuery, SearchUnavailable, get_backend
from search.documents import build_document
from search.embedded.backend import EmbeddedBackend
from tests.search.conftest import hit_ids, run
from tests.search.fixture_examples import BY_SLUG, EXAMPLES, docs, ids

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def backend(tmp_path: Path) -> EmbeddedBackend:
    b = get_backend("embedded", data_dir=tmp_path, index_name="examples")
    b.configure()
    b.upsert(docs())
    yield b
    b.close()


def _assert_unavailable(b: EmbeddedBackend) -> None:
    health = b.health()
    assert health.ok is False and health.detail
    with pytest.raises(SearchUnavailable):
        b.search(SearchQuery(text="barn"))
    with pytest.raises(SearchUnavailable):
        b.search(SearchQuery())
    with pytest.raises(SearchUnavailable):
        b.upsert(docs()[:1])
    with pytest.raises(SearchUnavailable):
        b.delete([1])
    with pytest.raises(SearchUnavailable):
        b.count()


def test_outage_directory_moved_away_and_back(backend: EmbeddedBackend):
    root = backend.store.root
    away = root.with_name(root.name + "-moved-away")
    os.rename(root, away)
    try:
        _assert_unavailable(backend)
    finally:
        os.rename(away, root)
    assert backend.health().ok
    assert run(backend, per_page=100).total == len(EXAMPLES)
    ex = dict(BY_SLUG["lss-fritid"], title="Parasport efter avbrottet")
    backend.upsert([build_document(ex)])
    assert set(hit_ids(run(backend, text="parasport"))) == {ex["id"]}


def test_outage_index_files_unreadable(backend: EmbeddedBackend):
    generation = backend.store.current_generation()
    hidden = generation.with_name(generation.name + "-hidden")
    os.rename(generation, hidden)  # pointer still there, index directory gone
    try:
        _assert_unavailable(backend)
    finally:
        os.rename(hidden, generation)
    assert backend.count() == len(EXAMPLES)


def test_outage_directory_deleted_then_rebuilt(backend: EmbeddedBackend):
    shutil.rmtree(backend.store.root)
    _assert_unavailable(backend)
    backend.configure()  # start-up path: a fresh, empty index
    assert backend.health().ok and backend.count() == 0
    assert backend.rebuild(docs()) == len(EXAMPLES)
    assert run(backend, text="kolonilott").total == 2


def test_rebuild_switches_generation_and_removes_the_old(backend: EmbeddedBackend):
    old = backend.store.current_generation()
    backend.rebuild(docs())
    new = backend.store.current_generation()
    assert new != old and new.exists() and not old.exists()
    assert [p.name for p in backend.store.root.iterdir() if p.is_dir()] == [new.name]


def test_second_instance_sees_writes_and_switches(tmp_path: Path, backend: EmbeddedBackend):
    """Two backend objects on one data dir behave like two processes."""
    other = get_backend("embedded", data_dir=tmp_path, index_name="examples")
    try:
        assert other.count() == len(EXAMPLES)
        backend.delete([BY_SLUG["kolonilott-familjer"]["id"]])
        assert other.count() == len(EXAMPLES) - 1  # commit picked up via meta.json
        backend.rebuild(docs()[:3])
        assert other.count() == 3  # generation switch picked up via CURRENT
        assert run(other, per_page=100).total == 3
    finally:
        other.close()


def test_writes_from_elsewhere_fail_during_rebuild(tmp_path: Path, backend: EmbeddedBackend):
    """While a rebuild runs, other writers get SearchUnavailable (the outbox retries
    them later, against the new index) instead of writing into the old index."""
    other = EmbeddedBackend(tmp_path, "examples", lock_timeout_s=0.2)
    started, release = threading.Event(), threading.Event()

    def slow_docs():
        yield from docs()
        started.set()
        release.wait(10)

    t = threading.Thread(target=backend.rebuild, args=(slow_docs(),))
    t.start()
    try:
        assert started.wait(10)
        with pytest.raises(SearchUnavailable, match="locked"):
            other.upsert(docs()[:1])
        assert other.search(SearchQuery()).total == len(EXAMPLES)  # reads are unaffected
    finally:
        release.set()
        t.join()
        other.close()
    other2 = EmbeddedBackend(tmp_path, "examples")
    other2.upsert(docs()[:1])  # and work again afterwards
    assert other2.count() == len(EXAMPLES)
    other2.close()


def test_search_in_another_process(tmp_path: Path, backend: EmbeddedBackend):
    code = (
        "import sys; from pathlib import Path; from search import get_backend, SearchQuery;"
        "b = get_backend('embedded', data_dir=Path(sys.argv[1]));"
        "print(b.search(SearchQuery(text='kolonilott')).total, b.count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["2", str(len(EXAMPLES))]


def test_real_stemming_beyond_typos(backend: EmbeddedBackend):
    # "skolor" is 2 edits from "skola": only stemming connects them
    assert ids("digital-trygghet") <= set(hit_ids(run(backend, text="skolor i", per_page=100)))
    # inflected forms anywhere in the query, not only the last word
    assert ids("vrakning-malmo") <= set(hit_ids(run(backend, text="vräkningen barnfamiljer")))
    assert ids("bup-mentorer") <= set(hit_ids(run(backend, text="mentorerna unga")))


def test_schema_change_starts_an_empty_generation(tmp_path: Path, backend: EmbeddedBackend, monkeypatch):
    from search.embedded import store

    monkeypatch.setattr(store, "SCHEMA_VERSION", 999)
    backend.configure()
    assert backend.count() == 0 and backend.health().ok
    assert backend.store.current_generation().name.startswith("v999-")


def test_invalid_documents_are_rejected(backend: EmbeddedBackend):
    with pytest.raises(SearchError):
        backend.upsert([{"title": "no id"}])
    assert backend.count() == len(EXAMPLES)


def test_closed_backend_refuses(backend: EmbeddedBackend):
    backend.close()
    with pytest.raises(SearchError):
        backend.search(SearchQuery())
    assert backend.health().ok is False
