"""Highlighting for the embedded engine.

tantivy's SnippetGenerator only knows plain term queries (no fuzzy, prefix or
synonym phrases) and emits <b>, so we mark words ourselves with the same
rules the query used: a document word is marked if it matches a query word
exactly (stem), within that word's typo budget, as a prefix (last word), if
it is a compound containing a matching part, or if it is part of a run of
words equal to a synonym expression.
"""

from __future__ import annotations

import re
from functools import lru_cache

from search.compounds import subcompounds
from search.embedded.analysis import WORD_RE, bounded_distance, fold, stem
from search.embedded.textquery import ParsedText
from search.highlight import escape, mark_spans


class Highlighter:
    """Marks the words of a page of fragments (titles and summaries of the hits)."""

    def __init__(self, parsed: ParsedText) -> None:
        self.words = parsed.words
        self.exact = frozenset(w.stemmed for w in self.words)
        self.fuzzy = tuple(w for w in self.words if w.prefix or w.typos)
        self.sequences = {seq for g in parsed.groups for seq in g.synonyms if seq}
        # a compound can only contain a matching part if it contains the part's
        # stem (or, for the prefix word, the typed prefix) as a substring
        needles = {w.stemmed for w in self.words} | {w.folded for w in self.words if w.prefix}
        self._needle_re = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))

    def _matching(self, tokens: set[str]) -> set[str]:
        """The subset of (lower-cased) tokens that match the query."""
        hits = {t for t in tokens if stem(t) in self.exact}
        folded = {t: fold(t) for t in tokens - hits}
        if self.fuzzy and folded:
            hits |= self._approx(folded)
        # compounds with a matching part (exact stem or prefix; typo'd parts are not marked)
        search = self._needle_re.search
        for t, f in folded.items():
            if t in hits or not search(f):
                continue
            for part in subcompounds(t):
                pf = fold(part)
                if stem(part) in self.exact or any(w.prefix and pf.startswith(w.folded) for w in self.fuzzy):
                    hits.add(t)
                    break
        return hits

    def _approx(self, folded: dict[str, str]) -> set[str]:
        """Tokens within a query word's typo budget (or prefix match, last word)."""
        hits: set[str] = set()
        by_length: dict[int, list[tuple[str, str]]] = {}
        for t, f in folded.items():
            by_length.setdefault(len(f), []).append((t, f))
        for w in self.fuzzy:
            q, k, n = w.folded, w.typos, len(w.folded)
            lengths = range(max(1, n - k), max(by_length, default=0) + 1) if w.prefix else range(n - k, n + k + 1)
            letters = _letters(q)
            for length in lengths:
                for t, f in by_length.get(length, ()):
                    if t in hits:
                        continue
                    if w.prefix and f.startswith(q):
                        hits.add(t)
                        continue
                    if k == 0:
                        continue
                    # each distinct query letter missing from the token costs an edit
                    # (and, for whole words, vice versa)
                    tl = _letters(f)
                    if len(letters - tl) > k or (not w.prefix and len(tl - letters) > k):
                        continue
                    if _within(q, f, k, w.prefix):
                        hits.add(t)
        return hits

    def page(self, texts: list[str]) -> list[str]:
        """HTML of each text: escaped, matches wrapped in <mark>."""
        if not self.words:
            return [escape(t) for t in texts]
        tokenized = [_tokens(t) for t in texts]
        hits = self._matching({tok for toks in tokenized for _a, _b, tok in toks})
        out = []
        for text, toks in zip(texts, tokenized, strict=True):
            spans = {(a, b) for a, b, tok in toks if tok in hits}
            if self.sequences:
                stems = [stem(tok) for _a, _b, tok in toks]
                for seq in self.sequences:
                    n = len(seq)
                    for i in range(len(toks) - n + 1):
                        if tuple(stems[i : i + n]) == seq:
                            spans.update((toks[k][0], toks[k][1]) for k in range(i, i + n))
            out.append(mark_spans(text, spans))
        return out

    def html(self, text: str) -> str:
        return self.page([text])[0]


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-cased word) of every word in ``text``."""
    lowered = text.lower()
    if len(lowered) == len(text):  # offsets carry over (always, for Swedish)
        return [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(lowered)]
    return [(m.start(), m.end(), m.group().lower()) for m in WORD_RE.finditer(text)]


@lru_cache(maxsize=100_000)
def _within(query: str, token: str, typos: int, prefix: bool) -> bool:
    return bounded_distance(query, token, typos, prefix=prefix) <= typos


@lru_cache(maxsize=100_000)
def _letters(word: str) -> frozenset[str]:
    return frozenset(word)
