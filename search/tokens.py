"""Per-token analysis of lower-cased text, computed once per distinct token.

Words never span whitespace, so a lower-cased text is split on whitespace (fast,
in C) and every distinct whitespace-separated *token* is analysed once, ever:
its words (``compounds.find_words``), their stems, the stems of its inflected
words, and which of its words are compounds. A document is then mapped through
these tables with ``map``/``chain`` (C loops), never word by word in Python.
That is what makes rebuilding 100,000 documents affordable: a corpus repeats its
vocabulary, so after the first few hundred documents almost every token is a hit.

``build_document`` gets the engine-neutral fields from here (``stems``,
``compound_parts``, the stem sequences ``synonyms`` is matched on).

The tables are replaced together (never cleared) when full, so a caller that
holds a :class:`Tables` never sees an entry vanish; an entry's ``words`` is
written last, so another thread never sees half an entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import NamedTuple

from search.compounds import find_words, subcompounds
from search.stemming import fold_map, stem_map

_LIMIT = 500_000


class Tables(NamedTuple):
    """token -> per-word analysis (tuples, in the token's word order)."""

    words: dict[str, tuple[str, ...]]
    stems: dict[str, tuple[str, ...]]  # stem of each word ('' when the analysis drops it)
    inflected: dict[str, tuple[str, ...]]  # stems that differ from their folded word
    compounds: dict[str, tuple[str, ...]]  # words that split into known parts


def _empty() -> Tables:
    return Tables({}, {}, {}, {})


_tables = _empty()


def tables_for(tokens: Iterable[str]) -> Tables:
    """Tables that hold an entry for every token of ``tokens`` (a set is cheapest)."""
    global _tables
    tables = _tables
    wanted = tokens if isinstance(tokens, (set, frozenset)) else set(tokens)
    missing = wanted.difference(tables.words)  # looks tokens up in the dict (never iterates it)
    if not missing:
        return tables
    if len(tables.words) + len(missing) > _LIMIT:
        tables = _tables = _empty()
        missing = wanted
    words_of = {token: tuple(find_words(token)) for token in missing}
    every_word = set(chain.from_iterable(words_of.values()))
    stem_of, fold_of = stem_map(every_word), fold_map(every_word)
    for token, words in words_of.items():
        stems = tuple(map(stem_of.__getitem__, words))
        tables.stems[token] = stems
        tables.inflected[token] = tuple(s for w, s in zip(words, stems) if s and s != fold_of[w])
        tables.compounds[token] = tuple(w for w in words if subcompounds(w if w.islower() else w.lower()))
        tables.words[token] = words  # last: the membership key
    return tables


def tokens(text: str) -> list[str]:
    """The whitespace-separated tokens of ``text`` lower-cased."""
    return text.lower().split()


def stem_sequence(tables: Tables, toks: Iterable[str]) -> list[str]:
    """The stem of every word of ``toks`` in order ('' for dropped words)."""
    return list(chain.from_iterable(map(tables.stems.__getitem__, toks)))
