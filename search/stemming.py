"""Swedish stemming shared by document building and the Meilisearch query side.

The same analysis as the embedded engine's ``sv`` analyzer
(``search/embedded/analysis.py``): tantivy's simple tokenizer, lowercase,
Snowball Swedish applied :data:`STEM_PASSES` times, ASCII folding. A unit
test keeps the two identical.

Meilisearch does not stem, so ``build_document`` writes the stems of a
document's words into its ``stems`` field, and the Meilisearch engine sends
stems for inflected query words (``search.meili.querytext``): "insatser",
"insatsen" and "insats" all become "ins", "skolor"/"skola" "skol",
"barnen"/"barn" "barn".
"""

from __future__ import annotations

import threading

import tantivy

STEM_PASSES = 3

_local = threading.local()
_cache: dict[str, str] = {}
_fold_cache: dict[str, str] = {}
_CACHE_LIMIT = 200_000


def _analyzers() -> tuple[tantivy.TextAnalyzer, tantivy.TextAnalyzer]:
    pair = getattr(_local, "pair", None)
    if pair is None:
        stem_builder = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(60))
            .filter(tantivy.Filter.lowercase())
        )
        for _ in range(STEM_PASSES):
            stem_builder = stem_builder.filter(tantivy.Filter.stemmer("swedish"))
        fold = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(60))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build()
        )
        pair = _local.pair = (stem_builder.filter(tantivy.Filter.ascii_fold()).build(), fold)
    return pair


def stem(word: str) -> str:
    """Stem of one word: lowercased, stemmed, diacritics folded ('' if dropped)."""
    hit = _cache.get(word)
    if hit is None:
        tokens = _analyzers()[0].analyze(word)
        hit = tokens[0] if tokens else ""
        if len(_cache) > _CACHE_LIMIT:
            _cache.clear()
        _cache[word] = hit
    return hit


def fold(word: str) -> str:
    """One word lowercased and diacritics folded, not stemmed."""
    hit = _fold_cache.get(word)
    if hit is None:
        hit = "".join(_analyzers()[1].analyze(word))
        if len(_fold_cache) > _CACHE_LIMIT:
            _fold_cache.clear()
        _fold_cache[word] = hit
    return hit


def inflected(word: str) -> str | None:
    """The stem of ``word`` if it differs from the word itself (folded), else None."""
    s = stem(word)
    return s if s and s != fold(word) else None
