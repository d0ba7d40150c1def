"""Text analysis for the embedded engine (tantivy).

Two analyzers, applied to documents and query words alike:

``sv``       simple tokenizer (split on non-alphanumerics) -> drop tokens > 60
             bytes -> lowercase -> Swedish Snowball stemmer x3 -> ASCII folding.
             Used for exact (stem) matching and ranking.
``sv_fold``  the same without stemming. Typo tolerance and prefix search run
             against these surface forms, as in Meilisearch: comparing a typo'd
             word with a stem fails when the stem is much shorter than the word
             ("mentpr" is 1 typo from "mentor" but 2 from its stem "ment").
``sv_prefix`` every prefix (1..8 characters) of each distinct word of a
             document, folded: a Meilisearch-style prefix index. "vräk" is then
             one posting list instead of the union of every word starting with
             it, which is what makes short prefixes of common words affordable.
``sv_forms`` splits on whitespace only: for fields whose tokens are computed
             here, once per distinct word (:func:`index_forms`), not by tantivy.

Indexing speed: the ``all_raw`` and ``prefix`` fields only need the *set* of a
document's folded words and word prefixes (they are matched by fuzzy and term
queries, which score constantly, never by phrase). :func:`index_forms` gives
each set as one space-separated string, from a cache of each word's ``sv_fold``
and ``sv_prefix`` tokens: the same terms as analysing the text, for a fraction
of the work (a document repeats its words, and a corpus its vocabulary).

* Stemming runs before folding because the Swedish stemmer knows å/ä/ö.
* The stemmer is applied three times: Snowball Swedish is a light stemmer that
  stems base forms further than their plurals ("analys" -> "analy" but
  "analyser" -> "analys"; "insats" -> "insat" but "insatser" -> "insats").
  Re-applying it until (in practice) a fixpoint maps such paradigms to one
  stem. Cost: slightly more conflation (e.g. "kurator"/"kurs" -> "kur").
* Folding makes "vrakning" equal "vräkning" (å ä ö é ü ... are folded).

The tantivy analyzers are not shareable across threads, so each thread gets
its own (``threading.local``); results are memoised in plain dicts (dict reads
and writes are atomic under the GIL).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import tantivy

from search.compounds import WORD_RE, find_words  # WORD_RE: the same notion of a word as tantivy's simple tokenizer

TEXT_ANALYZER = "sv"  # stemmed: exact/stem matching and ranking
FOLD_ANALYZER = "sv_fold"  # unstemmed: typo and prefix matching (like Meilisearch)
PREFIX_ANALYZER = "sv_prefix"  # word prefixes ("edge n-grams"), one field value per word
FORMS_ANALYZER = "sv_forms"  # tokens computed by index_forms(), space-separated
PREFIX_MAX = 8  # longest indexed prefix
STEM_PASSES = 3

_local = threading.local()
_CACHE_LIMIT = 200_000


def build_text_analyzer() -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
    )
    for _ in range(STEM_PASSES):
        builder = builder.filter(tantivy.Filter.stemmer("swedish"))
    return builder.filter(tantivy.Filter.ascii_fold()).build()


def build_fold_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def build_prefix_analyzer() -> tantivy.TextAnalyzer:
    """Prefixes of length 1..PREFIX_MAX of one word, lower-cased and folded."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(1, PREFIX_MAX, prefix_only=True))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def build_forms_analyzer() -> tantivy.TextAnalyzer:
    """Whitespace-separated tokens, indexed as they are (see :func:`index_forms`)."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def _analyzers() -> tuple[tantivy.TextAnalyzer, tantivy.TextAnalyzer]:
    pair = getattr(_local, "pair", None)
    if pair is None:
        pair = _local.pair = (build_text_analyzer(), build_fold_analyzer())
    return pair


def _prefix_analyzer() -> tantivy.TextAnalyzer:
    analyzer = getattr(_local, "prefix", None)
    if analyzer is None:
        analyzer = _local.prefix = build_prefix_analyzer()
    return analyzer


#: whitespace-separated token of a lower-cased text -> the sv_fold tokens and
#: the sv_prefix tokens of its words (space-separated); replaced, not cleared,
#: when full, so a reader never sees an entry vanish mid-call
_forms: tuple[dict[str, str], dict[str, str]] = ({}, {})
_FORMS_LIMIT = 500_000


def index_forms(text: str) -> tuple[str, str]:
    """The ``all_raw`` and ``prefix`` values of a document whose searchable
    text, lower-cased, is ``text``: the ``sv_fold`` tokens of its words and the
    ``sv_prefix`` tokens of each distinct word, space-separated (``sv_forms``
    splits them again).

    The words are ``WORD_RE.findall(text)``, found per distinct
    whitespace-separated token (words never span whitespace; a corpus repeats
    its tokens, so each is analysed once). Analysing word by word gives the
    same tokens as analysing the text, and no token contains whitespace
    (checked for every alphanumeric character in the tests). Tokens may repeat
    (words share prefixes): deduplicating costs more than tantivy saves, and
    these fields are indexed without frequencies or positions and only ever
    scored constantly."""
    global _forms
    folds, prefixes = _forms
    tokens = set(text.split())
    missing = tokens.difference(folds)  # looks tokens up in the dict ("- folds.keys()" would iterate it)
    if missing:
        if len(folds) + len(missing) > _FORMS_LIMIT:
            folds, prefixes = _forms = ({}, {})
            missing = tokens
        for token in missing:
            fold_tokens, prefix_tokens = word_forms(find_words(token))
            prefixes[token] = " ".join(prefix_tokens)
            folds[token] = " ".join(fold_tokens)
    return " ".join(map(folds.__getitem__, tokens)), " ".join(map(prefixes.__getitem__, tokens))


def word_forms(words: Iterable[str]) -> tuple[list[str], list[str]]:
    """The ``sv_fold`` tokens and the ``sv_prefix`` tokens of ``words`` (in order)."""
    fold_analyzer, prefix_analyzer = _analyzers()[1], _prefix_analyzer()
    folds: list[str] = []
    prefixes: list[str] = []
    for w in words:
        folds += fold_analyzer.analyze(w)
        prefixes += prefix_analyzer.analyze(w)
    return folds, prefixes


#: word -> its ``sv`` token ('' if dropped), word -> its ``sv_fold`` form; each
#: replaced (never cleared) when full, so a caller holding one never sees an
#: entry vanish
_caches: list[dict[str, str]] = [{}, {}]
_STEM, _FOLD = 0, 1


def _filled(which: int, words: Iterable[str]) -> dict[str, str]:
    """Cache ``which``, holding an entry for every word of ``words``: per distinct
    word the analyzer runs once, ever; callers then map their word sequences
    through the returned dict at C speed."""
    cache = _caches[which]
    wanted = words if isinstance(words, (set, frozenset)) else set(words)
    missing = wanted.difference(cache)  # looks each word up in the dict (never iterates it)
    if missing:
        if len(cache) + len(missing) > _CACHE_LIMIT:
            cache = _caches[which] = {}
            missing = wanted
        analyze = _analyzers()[which].analyze
        for word in missing:
            tokens = analyze(word)
            cache[word] = (tokens[0] if tokens else "") if which == _STEM else "".join(tokens)
    return cache


def stem_map(words: Iterable[str]) -> dict[str, str]:
    """A mapping that holds the stem (see :func:`stem`) of every word of ``words``."""
    return _filled(_STEM, words)


def fold_map(words: Iterable[str]) -> dict[str, str]:
    """A mapping that holds the folded form (see :func:`fold`) of every word of ``words``."""
    return _filled(_FOLD, words)


def stem(word: str) -> str:
    """Indexed form of one word (lowercased, stemmed, folded); '' if dropped."""
    hit = _caches[_STEM].get(word)
    return hit if hit is not None else stem_map((word,))[word]


def fold(word: str) -> str:
    """Lowercased, diacritics-folded form of one word (not stemmed)."""
    hit = _caches[_FOLD].get(word)
    return hit if hit is not None else fold_map((word,))[word]


def typo_budget(length: int) -> int:
    """Meilisearch's defaults: 1 typo from 5 characters, 2 from 9."""
    if length >= 9:
        return 2
    if length >= 5:
        return 1
    return 0


def bounded_distance(query: str, term: str, limit: int, *, prefix: bool = False) -> int:
    """Optimal-string-alignment distance (a transposition costs 1) between
    ``query`` and ``term`` — or, with ``prefix``, between ``query`` and the
    closest prefix of ``term`` — capped at ``limit + 1``.

    Banded dynamic programming: only cells within ``limit`` of the diagonal
    are computed, so the cost is O(len(query) * limit)."""
    if prefix:
        if term.startswith(query):
            return 0
    elif query == term:
        return 0
    if limit == 0:
        return 1
    lq, lt = len(query), len(term)
    if not prefix and abs(lq - lt) > limit:
        return limit + 1
    if prefix and lt < lq - limit:
        return limit + 1
    big = limit + 1
    # rows over query characters, columns over term characters (0..lt)
    prev2: list[int] | None = None
    prev = [j if j <= limit else big for j in range(lt + 1)]
    for i in range(1, lq + 1):
        qc = query[i - 1]
        lo, hi = max(1, i - limit), min(lt, i + limit)
        cur = [big] * (lt + 1)
        cur[0] = i if i <= limit else big
        row_min = cur[0]
        for j in range(lo, hi + 1):
            tc = term[j - 1]
            v = prev[j - 1] + (qc != tc)
            if prev[j] + 1 < v:
                v = prev[j] + 1
            if cur[j - 1] + 1 < v:
                v = cur[j - 1] + 1
            if prev2 is not None and j > 1 and qc == term[j - 2] and query[i - 2] == tc and prev2[j - 2] + 1 < v:
                v = prev2[j - 2] + 1
            cur[j] = v if v < big else big
            if cur[j] < row_min:
                row_min = cur[j]
        if row_min > limit:
            return big
        prev2, prev = prev, cur
    if prefix:
        return min(min(prev), big)
    return min(prev[lt], big)
