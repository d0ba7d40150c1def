"""Per-token analysis of lower-cased text, computed once per distinct token.

Words never span whitespace, so a lower-cased text is split on whitespace (fast,
in C) and every distinct whitespace-separated *token* is analysed once, ever:
its words (``compounds.find_words``), their stems, the stems of its inflected
words, and which of its words are compounds. A document is then mapped through
these tables with ``map``/``chain`` (C loops), never word by word in Python.
That is what makes rebuilding 100,000 documents affordable: a corpus repeats its
vocabulary, so after the first few hundred documents almost every token is a hit.

``build_document`` gets the engine-neutral fields from here (``stems``,
``compound_parts``, ``synonyms``: :func:`derived_fields`), the embedded engine
its ``all_raw``/``prefix`` token sets (:func:`document_forms`).

Two implementations of the same definitions:

* the compiled ``barnratt_native.TextMap`` (``search/native/``, Rust, built by
  ``make install``): it remembers each token's analysis and assembles a
  document's fields from it, deduplicating as it goes. The analysis itself stays
  here, in Python (:func:`_add_tokens`): the native side is told every unknown
  token's words, stems, folds, prefixes and compound parts once, and never
  analyses anything itself.
* the pure-Python tables below, used when the extension is not installed (a
  plain ``pip install .``) and as the reference the tests compare it with.

The tables are replaced together (never cleared) when full, so a caller that
holds a :class:`Tables` never sees an entry vanish; an entry's ``words`` is
written last, so another thread never sees half an entry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from typing import Any, NamedTuple

from search.compounds import find_words, subcompounds
from search.stemming import fold_map, stem_map

try:
    import barnratt_native
except ImportError:  # pragma: no cover - `make install` builds it; a plain pip install may not
    barnratt_native = None

_LIMIT = 500_000
#: Stands in a pre-stemmed text (:func:`stemmed_text`) for a word the stemming analysis
#: drops (longer than 60 bytes), so every later word keeps its position (phrase
#: queries); no query term is ever "\x01".
DROPPED = "\x01"
#: Whether documents are assembled by the compiled TextMap (else by the Python tables).
NATIVE = barnratt_native is not None


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
        tables.compounds[token] = tuple(w for w in words if _subcompounds(w))
        tables.words[token] = words  # last: the membership key
    return tables


def stem_sequence(tables: Tables, toks: Iterable[str]) -> list[str]:
    """The stem of every word of ``toks`` in order ('' for dropped words)."""
    return list(chain.from_iterable(map(tables.stems.__getitem__, toks)))


def _subcompounds(word: str) -> tuple[str, ...]:
    return subcompounds(word if word.islower() else word.lower())


# -- the engine-neutral derived fields --------------------------------------------------

def derived_fields(fields: Sequence[str], org: str, *, native: bool | None = None) -> tuple[str, str, str]:
    """``(compound_parts, stems, synonyms)`` of a document whose ranked text fields
    (title, summary, body fields) are ``fields`` and whose organisation name is
    ``org``, all lower-cased (see ``search.documents``)."""
    if NATIVE if native is None else native:
        fields = list(fields)
        return _settled(lambda textmap: textmap.document(fields, org), _add_tokens)
    return _derived_fields_python(fields, org)


def _derived_fields_python(fields: Sequence[str], org: str) -> tuple[str, str, str]:
    from search.synonyms import synonym_field

    field_tokens = [f.split() for f in fields]
    org_tokens = org.split()
    tables = tables_for(set(chain(*field_tokens, org_tokens)))
    compounds = sorted(set(chain.from_iterable(map(tables.compounds.__getitem__, chain(*field_tokens)))))
    parts = list(dict.fromkeys(chain.from_iterable(map(_subcompounds, compounds))))
    part_tables = tables_for(set(parts))  # a part is one (lower-case) word
    stems = " ".join(dict.fromkeys(chain(
        chain.from_iterable(map(tables.inflected.__getitem__, chain(*field_tokens, org_tokens))),
        chain.from_iterable(map(part_tables.inflected.__getitem__, parts)),
    )))
    synonyms = synonym_field([stem_sequence(tables, toks) for toks in (*field_tokens, org_tokens)])
    return " ".join(parts), stems, synonyms


def document_forms(texts: Sequence[str], *, native: bool | None = None) -> tuple[str, str]:
    """The embedded engine's ``all_raw`` and ``prefix`` values of a document whose
    searchable texts, lower-cased, are ``texts`` (``analysis.index_forms``): token
    sets (the same tokens may repeat; tantivy indexes these fields without
    frequencies)."""
    if NATIVE if native is None else native:
        texts = list(texts)
        return _settled(lambda textmap: textmap.index_forms(texts), _add_tokens)
    from search.embedded.analysis import index_forms

    return index_forms("\n".join(texts))


def stemmed_text(texts: Sequence[str], *, native: bool | None = None) -> str:
    """``texts`` (original case) as the embedded engine's stemming analysis (``sv``)
    tokenizes them: the stem of every word, in order, space-separated, with
    :data:`DROPPED` for a word it drops; for a field that splits on whitespace only.
    Tokens are looked up before lower-casing, as tantivy does: lower-casing can
    split a word ("İ" becomes "i" and a combining dot)."""
    if NATIVE if native is None else native:
        texts = list(texts)
        (text,) = _settled(lambda textmap: textmap.stemmed_text(texts), _add_cased)
        return text
    return " ".join(_stems_or_dropped(find_words("\n".join(texts))))


def _add_cased(textmap: Any, tokens: Iterable[str]) -> None:
    for token in tokens:
        textmap.add_cased(token, _stems_or_dropped(find_words(token)))


def _stems_or_dropped(words: Sequence[str]) -> list[str]:
    stem_of = stem_map(set(words))
    return [stem_of[w] or DROPPED for w in words]


# -- the compiled TextMap -------------------------------------------------------------------

_native: Any = None
_native_lock = threading.Lock()


def _textmap() -> Any:
    global _native
    if _native is None:
        with _native_lock:
            if _native is None:
                _native = barnratt_native.TextMap(*_synonym_config(), limit=2 * _LIMIT)
    return _native


def _settled(call: Callable[[Any], tuple], add: Callable[[Any, list[str]], None]) -> tuple:
    """``call(textmap)`` until it knows every token: a TextMap answer is ``(missing,
    *results)``; the tokens it did not know are analysed with ``add`` and the call
    repeated (sub-compounds can make a second round necessary)."""
    textmap = _textmap()
    for _ in range(8):
        missing, *results = call(textmap)
        if missing is None:
            return tuple(results)
        add(textmap, missing)
    raise RuntimeError("token tables did not settle")  # pragma: no cover - would be a bug


def _synonym_config() -> tuple[list[tuple[list[str], int]], list[list[tuple[str, list[str]]]]]:
    """The synonym groups as ``search.synonyms.synonym_field`` matches and writes them:
    every expression's stems with its group, and per group its expressions with the
    inflected stems of their words."""
    from search.stemming import inflected
    from search.synonyms import _WORD_RE, SYNONYM_GROUPS, _expressions

    expressions = [(list(stems), g) for entries in _expressions().values() for stems, g in entries]
    groups = [
        [(e, [s for w in _WORD_RE.findall(e.lower()) if (s := inflected(w))]) for e in group]
        for group in SYNONYM_GROUPS
    ]
    return expressions, groups


def _add_tokens(textmap: Any, tokens: Iterable[str]) -> None:
    """Analyse ``tokens`` (and the sub-compounds of their compounds, which are looked
    up as tokens too) and tell ``textmap``: the same analysis the Python tables hold."""
    from search.embedded.analysis import word_forms

    todo = set(tokens)
    while todo:
        words_of = {token: tuple(find_words(token)) for token in todo}
        every_word = set(chain.from_iterable(words_of.values()))
        stem_of, fold_of = stem_map(every_word), fold_map(every_word)
        parts_seen: set[str] = set()
        for token, words in words_of.items():
            stems = [stem_of[w] for w in words]
            compounds = [(w, list(parts)) for w in words if (parts := _subcompounds(w))]
            for _w, parts in compounds:
                parts_seen.update(parts)
            folds, prefixes = word_forms(words)
            inflected = [s for w, s in zip(words, stems) if s and s != fold_of[w]]
            stemmed = " ".join([s or DROPPED for s in stems])
            textmap.add(token, stems, inflected, compounds, folds, prefixes, stemmed)
        todo = {p for p in parts_seen if p not in textmap}
