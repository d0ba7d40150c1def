"""Embedded-engine specifics: real outages, multi-process layout, real stemming."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from search import FACET_NAMES, SearchError, SearchQuery, SearchUnavailable, get_backend
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


def test_index_forms_are_the_analysed_text():
    """all_raw / prefix get their tokens per distinct word (analysis.index_forms):
    exactly the tokens analysing the whole text gives."""
    from search.compounds import WORD_RE
    from search.embedded.analysis import build_fold_analyzer, build_prefix_analyzer, index_forms
    from tests.search.test_units import TRICKY_TEXTS

    fold, prefix = build_fold_analyzer(), build_prefix_analyzer()
    texts = TRICKY_TEXTS + [
        "\n".join(str(v) for v in d.values() if isinstance(v, str)) for d in docs()
    ]
    for text in texts:
        lowered = text.lower()
        folded, prefixes = index_forms(lowered)
        assert set(folded.split()) == set(fold.analyze(lowered)), text
        assert set(prefixes.split()) == {p for w in set(WORD_RE.findall(lowered)) for p in prefix.analyze(w)}, text
        assert index_forms(lowered) == (folded, prefixes)  # cached: the same


def test_index_form_tokens_never_contain_whitespace():
    """index_forms joins tokens with spaces (split again by the whitespace
    tokenizer): no letter or digit may fold into anything with whitespace.
    Lower-casing and ASCII folding work character by character, so checking
    each character is enough."""
    import sys

    import tantivy

    chars = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isalnum()]
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
    for i in range(0, len(chars), 5000):
        chunk = chars[i : i + 5000]
        (out,) = analyzer.analyze("\x00".join(chunk))
        mapped = out.split("\x00")
        assert len(mapped) == len(chunk)
        assert not [c for c, m in zip(chunk, mapped, strict=True) if any(x.isspace() for x in m)]


def test_totals_and_facet_counts_equal_a_brute_force_count(tmp_path: Path):
    """Index (all_raw/prefix forms, facet codes) and aggregations against a plain
    count over the documents: every word matches by stem in a searchable field,
    within its typo budget, or (last word) as a typo-tolerant prefix of a
    folded word; synonym runs also match as a phrase of stems in one field.

    Typo-tolerant prefixes: a word that fits the prefix index (with its typo
    budget) matches when some prefix of a folded word is within the budget;
    a longer one is matched by tantivy's prefix automaton (here over the bare
    vocabulary), which does not accept a word whose prefix is within the budget
    only by dropping the query's last letters ("ungdomsrad" vs "ungdomsdiskr...")."""
    import random
    from functools import lru_cache

    import tantivy

    from search.embedded.analysis import PREFIX_MAX

    from bench.synthetic import Generator
    from search.documents import MARKDOWN_FIELDS
    from search.embedded.analysis import bounded_distance, build_fold_analyzer, build_text_analyzer
    from search.embedded.textquery import parse_text
    from tests.search import reference

    corpus = [build_document(e) for e in Generator(seed=11).examples(250)]
    corpus += [dict(d, id=d["id"] + 100_000) for d in docs()]
    backend = get_backend("embedded", data_dir=tmp_path, index_name="brute")
    backend.configure()
    backend.rebuild(iter(corpus))

    text_an, fold_an = build_text_analyzer(), build_fold_analyzer()
    model = {}
    for d in corpus:
        # The same fields as search.embedded.schema.to_tantivy indexes.
        body = "\n".join([*(d[f] for f in MARKDOWN_FIELDS), d["organisation_name"], d.get("tag_labels") or ""])
        parts = "\n".join(filter(None, (d.get("compound_parts"), d.get("synonyms"))))
        fields = [d["title"], d["summary"], body, parts]
        stems = [text_an.analyze(f) for f in fields]
        model[d["id"]] = (stems, {s for f in stems for s in f}, {t for f in fields for t in fold_an.analyze(f)})
    vocabulary = sorted({t for _stems, _set, folded in model.values() for t in folded})
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("n", fast=True)
    sb.add_text_field("w", tokenizer_name="raw", index_option="basic")
    words_schema = sb.build()
    words_index = tantivy.Index(words_schema)
    writer = words_index.writer(15_000_000, 1)
    for n, t in enumerate(vocabulary):
        writer.add_document(tantivy.Document(n=n, w=t))
    writer.commit()
    writer.wait_merging_threads()
    words_index.reload()
    words_searcher = words_index.searcher()

    @lru_cache(maxsize=None)
    def approx(q: str, k: int, prefix: bool) -> frozenset[str]:
        if prefix and k == 0:
            return frozenset(t for t in vocabulary if t.startswith(q))
        if prefix and len(q) + k > PREFIX_MAX:
            automaton = tantivy.Query.fuzzy_term_query(
                words_schema, "w", q, distance=k, transposition_cost_one=True, prefix=True
            )
            addrs = [a for _s, a in words_searcher.search(automaton, len(vocabulary)).hits]
            return frozenset(vocabulary[n] for n in words_searcher.fast_field_values("n", addrs))
        return frozenset(
            t for t in vocabulary
            if (len(t) >= len(q) - k if prefix else abs(len(t) - len(q)) <= k)
            and bounded_distance(q, t, k, prefix=prefix) <= k
        )

    def phrase(stems: list[list[str]], seq: tuple[str, ...]) -> bool:
        n = len(seq)
        return any(tuple(f[i : i + n]) == seq for f in stems for i in range(len(f) - n + 1))

    def matches(doc_id: int, parsed) -> bool:
        stems, stem_set, folded = model[doc_id]
        for g in parsed.groups:
            words_ok = all(
                w.stemmed in stem_set or ((w.typos or w.prefix) and folded & approx(w.folded, w.typos, w.prefix))
                for w in g.words
            )
            if not words_ok and not any(phrase(stems, seq) for seq in g.synonyms):
                return False
        return True

    qgen = Generator(seed=11)
    qgen.rng = random.Random(12)
    queries = [qgen.query() for _ in range(40)]
    queries += [q.model_copy(update={"page": 1}) for q in queries[:10]]
    queries += [
        SearchQuery(text=t, facets=list(FACET_NAMES))
        for t in ("barn", "vräk", "barnfattigdom", "fattigdom", "konsekvensanalys", "mentpr", "bup",
                  "barn- och ungdomspsykiatri", "skol", "elev", "ungdomsråd", "s", "familjehe")
    ]
    queries += [SearchQuery(facets=list(FACET_NAMES), sectors=["skola", "socialtjanst"], counties=["01"])]
    checked = 0
    for q in queries:
        parsed = parse_text(q.text)
        within = {i for i in model if matches(i, parsed)} if parsed else None
        res = backend.search(q)
        assert res.total == len(reference.filtered_ids(corpus, q, within)), q
        expected = reference.facet_counts(corpus, q, within)
        for name in q.facets:
            assert {fc.value: fc.count for fc in res.facets[name]} == expected[name], (q, name)
        checked += res.total > 0
    assert checked >= len(queries) // 3  # the queries do find things
    backend.close()
