"""Highlighting for the embedded engine.

tantivy's SnippetGenerator only knows plain term queries (no fuzzy, prefix or
synonym phrases) and emits <b>, so we mark words ourselves with the same
rules the query used: a document word is marked if it matches a query word
exactly (stem), within that word's typo budget, as a prefix (last word), if
it is a compound containing a matching part, or if it is part of a run of
words equal to a synonym expression.
"""

from __future__ import annotations

from search.compounds import subcompounds
from search.embedded.analysis import WORD_RE, fold, osa_distance, prefix_distance, stem
from search.embedded.textquery import ParsedText, Word
from search.highlight import escape, mark_spans


class Highlighter:
    def __init__(self, parsed: ParsedText) -> None:
        self.words = parsed.words
        self.sequences = {seq for g in parsed.groups for seq in g.synonyms if seq}
        self._memo: dict[str, bool] = {}

    def _word_matches(self, w: Word, token_stem: str, token_fold: str) -> bool:
        if token_stem == w.stemmed:
            return True
        if w.prefix:
            return prefix_distance(w.folded, token_fold, w.typos) <= w.typos
        return bool(w.typos) and osa_distance(token_fold, w.folded, w.typos) <= w.typos

    def _token_matches(self, token: str) -> bool:
        hit = self._memo.get(token)
        if hit is not None:
            return hit
        s, f = stem(token), fold(token)
        hit = any(self._word_matches(w, s, f) for w in self.words)
        if not hit:
            for part in subcompounds(token):
                ps, pf = stem(part), fold(part)
                if any(self._word_matches(w, ps, pf) for w in self.words):
                    hit = True
                    break
        self._memo[token] = hit
        return hit

    def html(self, text: str) -> str:
        if not text:
            return ""
        if not self.words:
            return escape(text)
        tokens = [(m.start(), m.end(), m.group().lower()) for m in WORD_RE.finditer(text)]
        spans = [(a, b) for a, b, t in tokens if self._token_matches(t)]
        if self.sequences:
            stems = [stem(t) for _, _, t in tokens]
            for seq in self.sequences:
                n = len(seq)
                for i in range(len(tokens) - n + 1):
                    if tuple(stems[i : i + n]) == seq:
                        spans.extend((tokens[k][0], tokens[k][1]) for k in range(i, i + n))
        return mark_spans(text, set(spans))
