"""Highlighting for the embedded engine.

tantivy's SnippetGenerator only knows plain term queries (no fuzzy, prefix or
synonym phrases) and emits <b>, so we mark words ourselves with the same
rules the query used: a document word is marked if it matches a query word
exactly (stem), within that word's typo budget, as a prefix (last word), if
it is a compound containing a matching part, or if it is part of a run of
words equal to a synonym expression.
"""

from __future__ import annotations

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

    def _matching(self, tokens: set[str]) -> set[str]:
        """The subset of (lower-cased) tokens that match the query."""
        hits = {t for t in tokens if stem(t) in self.exact}
        rest = tokens - hits
        if self.fuzzy and rest:
            hits |= {t for t in rest if self._approx(fold(t))}
            rest -= hits
        for t in rest:  # compounds containing a matching part
            for part in subcompounds(t):
                if stem(part) in self.exact or (self.fuzzy and self._approx(fold(part))):
                    hits.add(t)
                    break
        return hits

    def _approx(self, token: str) -> bool:
        """Typo / prefix match of a folded document word against any query word."""
        n = len(token)
        for w in self.fuzzy:
            q, k = w.folded, w.typos
            if w.prefix:
                if token.startswith(q):
                    return True
                if k == 0 or n < len(q) - k:
                    continue
            elif abs(n - len(q)) > k:
                continue
            # cheap lower bound: each distinct query letter missing from the
            # token costs an edit (and, for whole words, vice versa)
            ql, tl = _letters(q), _letters(token)
            if len(ql - tl) > k or (not w.prefix and len(tl - ql) > k):
                continue
            if _within(q, token, k, w.prefix):
                return True
        return False

    def page(self, texts: list[str]) -> list[str]:
        """HTML of each text: escaped, matches wrapped in <mark>."""
        if not self.words:
            return [escape(t) for t in texts]
        tokenized = [[(m.start(), m.end(), m.group().lower()) for m in WORD_RE.finditer(t)] for t in texts]
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


@lru_cache(maxsize=100_000)
def _within(query: str, token: str, typos: int, prefix: bool) -> bool:
    return bounded_distance(query, token, typos, prefix=prefix) <= typos


@lru_cache(maxsize=100_000)
def _letters(word: str) -> frozenset[str]:
    return frozenset(word)
