"""Text analysis for the embedded engine (tantivy).

Two analyzers, applied to documents and query words alike:

``sv``       simple tokenizer (split on non-alphanumerics) -> drop tokens > 60
             bytes -> lowercase -> Swedish Snowball stemmer x3 -> ASCII folding.
             Used for exact (stem) matching and ranking.
``sv_fold``  the same without stemming. Typo tolerance and prefix search run
             against these surface forms, as in Meilisearch: comparing a typo'd
             word with a stem fails when the stem is much shorter than the word
             ("mentpr" is 1 typo from "mentor" but 2 from its stem "ment").

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

import re
import threading

import tantivy

TEXT_ANALYZER = "sv"  # stemmed: exact/stem matching and ranking
FOLD_ANALYZER = "sv_fold"  # unstemmed: typo and prefix matching (like Meilisearch)
STEM_PASSES = 3
WORD_RE = re.compile(r"[^\W_]+")  # same notion of a token as tantivy's simple tokenizer

_local = threading.local()
_CACHE_LIMIT = 200_000
_stem_cache: dict[str, str] = {}
_fold_cache: dict[str, str] = {}


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


def _analyzers() -> tuple[tantivy.TextAnalyzer, tantivy.TextAnalyzer]:
    pair = getattr(_local, "pair", None)
    if pair is None:
        pair = _local.pair = (build_text_analyzer(), build_fold_analyzer())
    return pair


def stem(word: str) -> str:
    """Indexed form of one word (lowercased, stemmed, folded); '' if dropped."""
    hit = _stem_cache.get(word)
    if hit is None:
        tokens = _analyzers()[0].analyze(word)
        hit = tokens[0] if tokens else ""
        if len(_stem_cache) > _CACHE_LIMIT:
            _stem_cache.clear()
        _stem_cache[word] = hit
    return hit


def fold(word: str) -> str:
    """Lowercased, diacritics-folded form of one word (not stemmed)."""
    hit = _fold_cache.get(word)
    if hit is None:
        tokens = _analyzers()[1].analyze(word)
        hit = "".join(tokens)
        if len(_fold_cache) > _CACHE_LIMIT:
            _fold_cache.clear()
        _fold_cache[word] = hit
    return hit


def typo_budget(length: int) -> int:
    """Meilisearch's defaults: 1 typo from 5 characters, 2 from 9."""
    if length >= 9:
        return 2
    if length >= 5:
        return 1
    return 0


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (transposition = 1), capped at limit+1."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        row_min = cur[0]
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cost = 0 if ca == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            row_min = min(row_min, v)
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[lb], limit + 1)


def prefix_distance(query: str, term: str, limit: int) -> int:
    """Smallest OSA distance between ``query`` and any prefix of ``term``."""
    if term.startswith(query):
        return 0
    if limit == 0:
        return 1
    best = limit + 1
    lo = max(0, len(query) - limit)
    hi = min(len(term), len(query) + limit)
    for k in range(lo, hi + 1):
        d = osa_distance(query, term[:k], limit)
        if d < best:
            best = d
            if best == 0:
                break
    return best
