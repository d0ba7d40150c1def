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
def emb(tmp_path: Path) -> EmbeddedBackend:
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


def test_outage_directory_moved_away_and_back(emb: EmbeddedBackend):
    root = emb.store.root
    away = root.with_name(root.name + "-moved-away")
    os.rename(root, away)
    try:
        _assert_unavailable(emb)
    finally:
        os.rename(away, root)
    assert emb.health().ok
    assert run(emb, per_page=100).total == len(EXAMPLES)
    ex = dict(BY_SLUG["lss-fritid"], title="Parasport efter avbrottet")
    emb.upsert([build_document(ex)])
    assert set(hit_ids(run(emb, text="parasport"))) == {ex["id"]}


def test_outage_index_files_unreadable(emb: EmbeddedBackend):
    generation = emb.store.current_generation()
    hidden = generation.with_name(generation.name + "-hidden")
    os.rename(generation, hidden)  # pointer still there, index directory gone
    try:
        _assert_unavailable(emb)
    finally:
        os.rename(hidden, generation)
    assert emb.count() == len(EXAMPLES)


def test_outage_directory_deleted_then_rebuilt(emb: EmbeddedBackend):
    shutil.rmtree(emb.store.root)
    _assert_unavailable(emb)
    emb.configure()  # start-up path: a fresh, empty index
    assert emb.health().ok and emb.count() == 0
    assert emb.rebuild(docs()) == len(EXAMPLES)
    assert run(emb, text="kolonilott").total == 2


def test_rebuild_switches_generation_and_removes_the_old(emb: EmbeddedBackend):
    old = emb.store.current_generation()
    emb.rebuild(docs())
    new = emb.store.current_generation()
    assert new != old and new.exists() and not old.exists()
    assert [p.name for p in emb.store.root.iterdir() if p.is_dir()] == [new.name]


def test_second_instance_sees_writes_and_switches(tmp_path: Path, emb: EmbeddedBackend):
    """Two backend objects on one data dir behave like two processes."""
    other = get_backend("embedded", data_dir=tmp_path, index_name="examples")
    try:
        assert other.count() == len(EXAMPLES)
        emb.delete([BY_SLUG["kolonilott-familjer"]["id"]])
        assert other.count() == len(EXAMPLES) - 1  # commit picked up via meta.json
        emb.rebuild(docs()[:3])
        assert other.count() == 3  # generation switch picked up via CURRENT
        assert run(other, per_page=100).total == 3
    finally:
        other.close()


def test_writes_from_elsewhere_fail_during_rebuild(tmp_path: Path, emb: EmbeddedBackend):
    """While a rebuild runs, other writers get SearchUnavailable (the outbox retries
    them later, against the new index) instead of writing into the old index."""
    other = EmbeddedBackend(tmp_path, "examples", lock_timeout_s=0.2)
    started, release = threading.Event(), threading.Event()

    def slow_docs():
        yield from docs()
        started.set()
        release.wait(10)

    t = threading.Thread(target=emb.rebuild, args=(slow_docs(),))
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


def test_search_in_another_process(tmp_path: Path, emb: EmbeddedBackend):
    code = (
        "import sys; from pathlib import Path; from search import get_backend, SearchQuery;"
        "b = get_backend('embedded', data_dir=Path(sys.argv[1]));"
        "print(b.search(SearchQuery(text='kolonilott')).total, b.count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["2", str(len(EXAMPLES))]


def test_real_stemming_beyond_typos(emb: EmbeddedBackend):
    # "skolor" is 2 edits from "skola": only stemming connects them
    assert ids("digital-trygghet") <= set(hit_ids(run(emb, text="skolor i", per_page=100)))
    # inflected forms anywhere in the query, not only the last word
    assert ids("vrakning-malmo") <= set(hit_ids(run(emb, text="vräkningen barnfamiljer")))
    assert ids("bup-mentorer") <= set(hit_ids(run(emb, text="mentorerna unga")))


def test_schema_change_starts_an_empty_generation(tmp_path: Path, emb: EmbeddedBackend, monkeypatch):
    from search.embedded import store

    monkeypatch.setattr(store, "SCHEMA_VERSION", 999)
    emb.configure()
    assert emb.count() == 0 and emb.health().ok
    assert emb.store.current_generation().name.startswith("v999-")


def test_invalid_documents_are_rejected(emb: EmbeddedBackend):
    with pytest.raises(SearchError):
        emb.upsert([{"title": "no id"}])
    assert emb.count() == len(EXAMPLES)


def test_closed_backend_refuses(emb: EmbeddedBackend):
    emb.close()
    with pytest.raises(SearchError):
        emb.search(SearchQuery())
    assert emb.health().ok is False


@pytest.mark.parametrize("typed", ["v", "vr", "vräk", "kolonil", "kolonol", "mentr", "barnkons", "ungdomsr", "fritidsgå"])
def test_prefix_index_matches_like_a_prefix_automaton(emb: EmbeddedBackend, typed: str):
    """The prefix field is an optimisation: it must select exactly the documents
    a typo-tolerant prefix automaton over all words selects."""
    from tantivy import Query

    from search.embedded.textquery import parse_text

    word = parse_text(typed).words[-1]
    assert word.prefix
    searcher = emb._acquire().index.searcher()
    automaton = Query.fuzzy_term_query(emb.schema, "all_raw", word.folded, distance=word.typos, prefix=True)
    fast = emb.qb.approximate(word)

    def ids(q):
        return sorted(searcher.fast_field_values("id", [a for _s, a in searcher.search(q, 100).hits]))

    assert ids(fast) == ids(automaton) and ids(fast)
