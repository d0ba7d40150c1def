"""Engine-independent pieces: documents, bands, compounds, synonyms, query model,
Meilisearch filter/settings building and highlight rendering."""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from search import SearchQuery, build_document
from search.bands import (
    DURATION_BANDS,
    EFFORT_BANDS,
    band_label,
    duration_band,
    effort_band,
)
from search.compounds import split_compound, subcompounds
from search.documents import MARKDOWN_FIELDS, OPEN_END_YEAR, UNKNOWN_SORT, markdown_to_text
from search.highlight import mark_spans, markers_to_html
from search.meili.filters import build_filter, quote
from search.meili.settings import (
    FILTERABLE_ATTRIBUTES,
    SEARCHABLE_ATTRIBUTES,
    index_settings,
    meili_one_way_synonyms,
)
from search.synonyms import SYNONYM_GROUPS, meilisearch_synonyms
from tests.search.fixture_examples import BY_SLUG


@pytest.mark.parametrize(
    ("hours", "band"),
    [(None, None), (0, "<40"), (39, "<40"), (40, "40-200"), (199, "40-200"), (200, "200-1000"),
     (1000, "200-1000"), (1001, ">1000")],
)
def test_effort_band(hours, band):
    assert effort_band(hours) == band


@pytest.mark.parametrize(
    ("months", "ongoing", "band"),
    [(None, False, None), (2, False, "<3"), (3, False, "3-12"), (12, False, "3-12"), (13, False, ">12"),
     (None, True, "ongoing"), (40, True, "ongoing")],
)
def test_duration_band(months, ongoing, band):
    assert duration_band(months, ongoing=ongoing) == band


def test_band_labels_exist_in_both_languages():
    for kind, bands in (("effort", EFFORT_BANDS), ("duration", DURATION_BANDS)):
        for b in bands:
            assert band_label(kind, b.value, "sv") == b.label_sv and b.label_sv
            assert band_label(kind, b.value, "en") == b.label_en and b.label_en


def test_build_document():
    ex = BY_SLUG["vrakning-malmo"]
    doc = build_document(ex)
    assert doc["id"] == ex["id"] and doc["slug"] == ex["slug"]
    assert doc["effort"] == ">1000" and doc["duration"] == "ongoing"
    assert doc["active_until"] == OPEN_END_YEAR and doc["duration_sort"] == UNKNOWN_SORT
    assert doc["effort_sort"] == 1500
    assert doc["published_at"] == "2024-03-01T09:00:00Z"
    assert doc["published_ts"] == int(datetime(2024, 3, 1, 9, tzinfo=timezone.utc).timestamp())
    assert "**" not in doc["background"] and "https://" not in doc["method"]
    assert "hyresvärdar" in doc["method"]
    assert "fattigdom" in doc["compound_parts"].split()


def test_build_document_normalises_input():
    ex = dict(BY_SLUG["bka-skolan"], county_code=3, municipality_code="380", articles=[12, 3, 12],
              published_at=datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=1))))
    doc = build_document(ex)
    assert doc["county_code"] == "03" and doc["municipality_code"] == "0380"
    assert doc["articles"] == [3, 12]
    assert doc["published_at"] == "2024-01-01T11:00:00Z"
    with pytest.raises(ValueError):
        build_document(dict(ex, articles=[55]))
    with pytest.raises(ValueError):
        build_document(dict(ex, age_groups=["3-4"]))


def test_markdown_to_text():
    md = "# Rubrik\n\n- **fet** och _kursiv_ [länk](https://x.se/a) ![bild](b.png)\n<em>html</em> https://y.se\n"
    text = markdown_to_text(md)
    assert "Rubrik" in text and "fet och kursiv länk bild" in text and "html" in text
    assert not any(s in text for s in ("#", "*", "_", "https", "<em>", "("))


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("barnkonsekvensanalyser", ("barn", "konsekvens", "analyser")),
        ("fritidsgårdarna", ("fritids", "gårdarna")),
        ("ungdomsrådet", ("ungdoms", "rådet")),
        ("barnfattigdom", ("barn", "fattigdom")),
        ("barnen", None),
        ("kortare", None),
        ("lagom", None),
        ("rättigheter", None),
    ],
)
def test_split_compound(word, parts):
    assert split_compound(word) == parts


def test_subcompounds_exclude_the_whole_word():
    subs = subcompounds("barnkonsekvensanalys")
    assert set(subs) == {"barn", "konsekvens", "analys", "barnkonsekvens", "konsekvensanalys"}


def test_synonyms_expand_both_ways():
    syn = meilisearch_synonyms()
    for group in SYNONYM_GROUPS:
        for a in group:
            for b in group:
                if a.lower() != b.lower():
                    assert b.lower() in syn[a.lower()]
    assert "barnkonsekvensanalys" in syn["bka"] and "bka" in syn["barnkonsekvensanalys"]


def test_query_validation():
    q = SearchQuery(articles=[3, 3, 12], facets=["sector", "sector"])
    assert q.articles == [3, 12] and q.facets == ["sector"]
    assert q.offset == 0 and SearchQuery(page=3, per_page=10).offset == 20
    for bad in ({"articles": [0]}, {"articles": [55]}, {"counties": ["1"]}, {"municipalities": ["abc"]},
                {"age_groups": ["1-2"]}, {"effort": ["huge"]}, {"facets": ["colour"]}, {"sort": "random"},
                {"page": 0}, {"per_page": 101}, {"max_hours": -1}, {"unknown": 1},
                {"sectors": [f"s{i}" for i in range(51)]}):
        with pytest.raises(ValidationError):
            SearchQuery(**bad)
    assert SearchQuery(text="  ?! ").effective_sort == "newest"
    assert SearchQuery(text="barn").effective_sort == "relevance"


def test_meili_filter_quoting():
    assert quote('a"b\\c') == '"a\\"b\\\\c"'
    q = SearchQuery(sectors=['x" OR 1=1'], articles=[3], year_from=2019, year_to=2020, max_hours=5,
                    max_months=6)
    f = build_filter(q)
    assert f == [
        "articles IN [3]",
        'sectors IN ["x\\" OR 1=1"]',
        "start_year <= 2020",
        "active_until >= 2019",
        "effort_hours <= 5",
        "duration_months <= 6",
    ]
    assert build_filter(q, exclude_facet="sector")[0] == "articles IN [3]"
    assert build_filter(SearchQuery()) is None


def test_meili_settings_come_from_one_place():
    s = index_settings()
    assert s.searchable_attributes == SEARCHABLE_ATTRIBUTES and SEARCHABLE_ATTRIBUTES[0] == "title"
    assert set(s.filterable_attributes) == set(FILTERABLE_ATTRIBUTES)
    # Two-way synonyms and stems are document fields (search.documents); only the one-way
    # expansions are Meilisearch synonyms.
    assert s.synonyms == meili_one_way_synonyms() and "barnfattigdom" in s.synonyms
    assert SEARCHABLE_ATTRIBUTES[-3:] == ["stems", "compound_parts", "synonyms"]
    assert s.typo_tolerance.min_word_size_for_typos.one_typo == 5
    assert s.typo_tolerance.min_word_size_for_typos.two_typos == 9
    assert s.ranking_rules[0] == "sort" and s.ranking_rules[-1] == "id:asc"


def test_mark_spans_escapes():
    text = 'a <b>"x"</b> & y'
    out = mark_spans(text, [(3, 4), (15, 16)])
    assert out == 'a &lt;<mark>b</mark>&gt;&quot;x&quot;&lt;/b&gt; &amp; <mark>y</mark>'


def test_markers_to_html():
    pre, post = "[[", "]]"
    assert markers_to_html("<s>[[x]]</s> & [[y]]", pre, post) == "&lt;s&gt;<mark>x</mark>&lt;/s&gt; &amp; <mark>y</mark>"
    # unbalanced or injected markers never yield anything but <mark> pairs
    out = markers_to_html("]] [[a <i>", pre, post)
    assert out.count("<mark>") == out.count("</mark>") == 1
    assert html.unescape(out.replace("<mark>", "").replace("</mark>", "")) == " a <i>"


# Fast paths of document building must give exactly what the plain formulations give.
TRICKY_TEXTS = [
    "",
    "barn",
    "Barnkonsekvensanalyser, fritidsgårdarna och ungdomsrådet!",
    "snake_case_ord och barn_fattigdom__ samt _ungdomsråd_",
    "  leading space\n- list item\n1. numbered\n10) paren\n> quote\n+ plus",
    "-not a list\n-also not\n1.no space",
    "[länk](https://x.se) <b>tag</b> *fet* ~sträck~ `kod` #rubrik !bild http://a https://b",
    "straße Ærø naïve ĳssel ǅemal ΟΔΟΣ Ὀδυσσεύς İstanbul Σίσυφος",
    "a\u030a decomposed e\u0301 and 12\u00bd ² ⑴ ١٢٣ 数字 한국어 ﬁnal",
    "barnkonsekvensanalysbarnkonsekvensanalys " * 3,
    "x" * 70 + " barnfattigdom " + "å" * 40,
    "tab\tseparated\u00a0nbsp\u2003emspace\u3000ideographic\rcarriage",
    "ungdoms-rådet barn/familj skol.elev fritids,gård",
]


def test_find_words_is_word_re_findall():
    from search.compounds import WORD_RE, find_words

    for text in TRICKY_TEXTS + [t.lower() for t in TRICKY_TEXTS]:
        assert find_words(text) == WORD_RE.findall(text), text


def test_quick_markdown_check_is_the_syntax_regex():
    from search.documents import _MD_SYNTAX, _has_markdown_syntax

    pieces = TRICKY_TEXTS + ["- x", " -x", "\n- x", "1) x", "12. x", "a\n 2. b", ">x", "plain prose.", "a!b", "1.5 ton"]
    for text in pieces + [a + b for a in pieces for b in ("", "\n", "\n- y", " - y")]:
        assert _has_markdown_syntax(text) == (_MD_SYNTAX.search(text) is not None), repr(text)


def test_stems_pinned_for_both_engines():
    """search.stemming is the embedded engine's analysis; these stems are what both engines
    match inflections by (Meilisearch through the documents' ``stems`` field)."""
    from search.stemming import inflected, stem

    assert {w: stem(w) for w in ("insatser", "insats", "insatsen", "skolor", "skola", "barnen", "barn")} == {
        "insatser": "ins", "insats": "ins", "insatsen": "ins", "skolor": "skol", "skola": "skol",
        "barnen": "barn", "barn": "barn"}
    assert inflected("barnen") == "barn" and inflected("barn") is None
    assert stem("vräkningar") == stem("vrakningar")  # folded


def test_documents_carry_stems_of_inflected_words():
    doc = build_document(BY_SLUG["korttidsvistelse"])
    stems = doc["stems"].split()
    assert "ins" in stems  # "Insatsen"
    assert "barn" not in stems  # "Barn" is its own stem: the word itself matches
    assert len(stems) == len(set(stems))


def test_documents_carry_synonym_forms_of_any_length():
    lss = build_document(BY_SLUG["korttidsvistelse"])["synonyms"]  # says the long form only
    assert "LSS" in lss and "lagen om stöd och service till vissa funktionshindrade" in lss
    hvb = build_document(BY_SLUG["losning-boende"])["synonyms"]  # says "HVB" only
    assert "hem för vård eller boende" in hvb
    assert build_document(BY_SLUG["kolonilott-familjer"])["synonyms"] == ""


@pytest.mark.parametrize(
    ("text", "q"),
    [
        ("", None),
        (' "- ', None),
        ("vräk", "vräk"),  # the last word is a prefix ...
        ("vräk ", "vräk "),  # ... unless the text ends with a separator
        ("insatser", "ins "),  # inflected: its stem, never as a prefix
        ("insats lagen", "ins lag "),
        ('"kolonilott grönsaker"', "kolonilot gronsak "),  # no phrase
        ("barn -mentpr", "barn mentpr"),  # no exclusion
        ("a b c d e f g h i j k", "a b c d e f g h i j "),  # 10 words, no prefix past them
    ],
)
def test_meili_query_text(text, q):
    from search.meili.querytext import meili_query

    assert meili_query(text) == q


def test_spans_from_markers_and_merge():
    from search.highlight import merge_spans, spans_from_markers

    assert spans_from_markers("a [b] c [d] e", "[", "]") == ("a b c d e", [(2, 3), (6, 7)])
    assert spans_from_markers("x[y", "[", "]") == ("xy", [(1, 2)])
    assert merge_spans([(5, 8), (0, 2), (2, 3), (6, 9)]) == [(0, 3), (5, 9)]


def test_meili_uploads_are_batched_by_bytes():
    from search.meili.backend import _byte_batches

    docs = [{"id": i, "text": "x" * 100} for i in range(50)]
    batches = list(_byte_batches(docs, 1000))
    assert [len(b) for b in batches] == [8] * 6 + [2]
    assert all(sum(map(len, b)) <= 1000 for b in batches)
    assert list(_byte_batches([{"id": 1, "text": "x" * 5000}], 1000)) != []  # alone, not dropped
    with pytest.raises(Exception, match="missing id"):
        list(_byte_batches([{"title": "no id"}], 1000))


def test_meili_error_classes():
    from search import SearchError, SearchUnavailable
    from search.meili.backend import _api_error, _PayloadTooLarge

    assert type(_api_error(400, {"code": "invalid_index_uid", "type": "invalid_request"}, "x")) is SearchError
    assert isinstance(_api_error(404, {"code": "index_not_found"}, "x"), SearchUnavailable)
    assert isinstance(_api_error(500, {"code": "internal", "type": "internal"}, "x"), SearchUnavailable)
    assert isinstance(_api_error(502, None, "x"), SearchUnavailable)  # a proxy's page
    assert isinstance(_api_error(413, {"code": "payload_too_large"}, "x"), _PayloadTooLarge)


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_documents_equal_the_word_by_word_formulas(native, monkeypatch):
    """build_document maps tokens through cached tables (search.tokens: the compiled
    TextMap, or the Python tables without it); the fields equal the plain
    word-by-word definitions."""
    import search.tokens

    monkeypatch.setattr(search.tokens, "NATIVE", native)
    from search.compounds import MIN_WORD_LENGTH, WORD_RE, compound_parts_text
    from search.stemming import inflected, stem
    from search.synonyms import synonym_field

    examples = list(BY_SLUG.values()) + [
        {**next(iter(BY_SLUG.values())), "title": t, "summary": t[::-1], "method": t} for t in TRICKY_TEXTS
    ]
    for example in examples:
        doc = build_document(example)
        texts = [doc["title"], doc["summary"], *(doc[f] for f in MARKDOWN_FIELDS)]
        lowered = " ".join(texts).lower()
        parts = compound_parts_text(sorted({w for w in WORD_RE.findall(lowered) if len(w) >= MIN_WORD_LENGTH}))
        assert doc["compound_parts"] == parts
        field_words = [WORD_RE.findall(t.lower()) for t in texts]
        org_words = WORD_RE.findall(doc["organisation_name"].lower())
        every = [w for ws in field_words for w in ws] + org_words + WORD_RE.findall(parts)
        assert doc["stems"] == " ".join(dict.fromkeys(s for w in every if (s := inflected(w))))
        assert doc["synonyms"] == synonym_field([[stem(w) for w in ws] for ws in (*field_words, org_words)])


def test_the_compiled_textmap_is_installed():
    """`make install` builds search/native (barnratt_native): documents are assembled by it."""
    import search.tokens

    assert search.tokens.NATIVE, "barnratt_native missing: run `make install` (pip install ./search/native)"


def _varied_examples(n: int) -> list[dict]:
    from bench.synthetic import Generator

    base = next(iter(BY_SLUG.values()))
    tricky = [{**base, "title": t, "summary": t[::-1], "method": t, "organisation_name": t[:20]} for t in TRICKY_TEXTS]
    synonyms = [{**base, "summary": " och ".join(g), "results": g[-1].upper()} for g in SYNONYM_GROUPS]
    return list(BY_SLUG.values()) + tricky + synonyms + list(Generator(seed=11).examples(n))


def _compare_implementations(examples: list[dict]) -> int:
    from search.tokens import derived_fields, document_forms

    compared = 0
    for example in examples:
        doc = build_document(example)
        fields = [doc["title"].lower(), doc["summary"].lower(), *(doc[f].lower() for f in MARKDOWN_FIELDS)]
        org = doc["organisation_name"].lower()
        assert derived_fields(fields, org, native=True) == derived_fields(fields, org, native=False), doc["title"]
        texts = [*fields, org, doc["compound_parts"], doc["synonyms"]]
        native, python = document_forms(texts, native=True), document_forms(texts, native=False)
        for n, p in zip(native, python, strict=True):
            assert set(n.split()) == set(p.split()), doc["title"]
        compared += 1
    return compared


def test_native_and_python_documents_are_equal():
    """The compiled TextMap and the Python tables give the same fields for fixtures, tricky
    texts (Unicode whitespace, final sigma, decomposed letters, 70-letter words), every
    synonym group and 400 synthetic examples full of compounds."""
    examples = _varied_examples(400)
    assert _compare_implementations(examples) == len(examples)
    assert any(build_document(e)["synonyms"] for e in examples)
    assert any(build_document(e)["compound_parts"] for e in examples)


def test_native_tables_start_afresh_when_full(monkeypatch):
    """A TextMap past its limit drops its tables and re-learns tokens: results are unchanged."""
    import barnratt_native

    import search.tokens

    small = barnratt_native.TextMap(*search.tokens._synonym_config(), limit=50)
    monkeypatch.setattr(search.tokens, "_native", small)
    examples = _varied_examples(60)
    assert _compare_implementations(examples) == len(examples)
    assert 0 < len(small) < 5000  # bounded: restarted many times over these examples


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_stemmed_text_is_the_stemming_analysis_with_positions(native):
    """body and parts reach tantivy pre-stemmed (search.tokens.stemmed_text): the same
    tokens as the ``sv`` analysis of the text, and a placeholder for each word that
    analysis drops, so every later word keeps its position (phrase queries)."""
    import tantivy

    from search.embedded.analysis import build_text_analyzer
    from search.tokens import DROPPED, stemmed_text

    stemming = build_text_analyzer()
    words = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).build()
    texts = TRICKY_TEXTS + [" ".join(str(v) for v in ex.values() if isinstance(v, str)) for ex in _varied_examples(50)]
    for text in texts:
        tokens = stemmed_text([text], native=native).split()
        assert [t for t in tokens if t != DROPPED] == stemming.analyze(text), text
        assert len(tokens) == len(words.analyze(text)), text
        halves = [text[: len(text) // 2], text[len(text) // 2 :]]  # texts join as if by whitespace
        assert stemmed_text(halves, native=native).split() == stemmed_text(["\n".join(halves)], native=native).split()
    assert stemmed_text(["x" * 70 + " barn"], native=native).split() == [DROPPED, "barn"]
