"""Synonyms of the child-rights field: ONE list, used by both engines.

Each group is a set of interchangeable expressions; searching for any of them
finds documents containing any other (expansion both ways). ``ONE_WAY_SYNONYMS``
expand in one direction only (a broad practitioner's word -> the narrower words
examples use).

* Both engines: ``build_document`` writes every expression of each group a
  document mentions (a run of words with the same stems as the expression)
  into the hidden, lowest-ranked ``synonyms`` field (:func:`synonym_field`).
  A query for any expression, of any length, then matches by ordinary words.
  (Meilisearch's own ``synonyms`` setting expands only 1-3-word query phrases,
  so groups such as LSS/"lagen om stöd och service ..." never matched; it is
  no longer used.)
* The embedded engine also expands at query time (``search.embedded.textquery``)
  for ranking and highlighting: a run of query words equal (after stemming and
  folding) to an expression also matches any other expression as a phrase.

A few common inflections are listed explicitly (e.g. "barnkonsekvensanalyser");
with stemming they are no longer needed, but harmless.
Keep expressions lower-case-insensitive plain text; punctuation such as
"FN:s" or "barn- och" is tokenized like document text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain

from search.stemming import inflected, stem

_WORD_RE = re.compile(r"[^\W_]+")

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("BKA", "barnkonsekvensanalys", "barnkonsekvensanalyser"),
    ("BUP", "barn- och ungdomspsykiatri", "barn- och ungdomspsykiatrin"),
    (
        "barnkonventionen",
        "barnkonvention",
        "barnrättskonventionen",
        "konventionen om barnets rättigheter",
        "FN:s barnkonvention",
        "FN:s konvention om barnets rättigheter",
    ),
    ("LSS", "lagen om stöd och service till vissa funktionshindrade"),
    ("SoL", "socialtjänstlagen"),
    ("BBIC", "barns behov i centrum"),
    ("HVB", "hem för vård eller boende", "HVB-hem"),
    ("SiS", "Statens institutionsstyrelse"),
    ("LVU", "lagen med särskilda bestämmelser om vård av unga"),
    ("SIP", "samordnad individuell plan"),
    ("NPF", "neuropsykiatriska funktionsnedsättningar", "neuropsykiatrisk funktionsnedsättning"),
    ("ANDT", "alkohol, narkotika, doping och tobak"),
    ("ensamkommande barn", "ensamkommande flyktingbarn"),
    ("FN", "Förenta nationerna"),
    ("BRIS", "Barnens rätt i samhället"),
    # Practitioners' words (issue 9): the word a strategist types and the word the
    # examples use for the same thing.
    ("barnfattigdom", "ekonomisk utsatthet", "ekonomiskt utsatta barn", "ekonomiskt utsatta familjer"),
    ("hemlösa barn", "hemlöshet bland barn", "bostadslösa barnfamiljer"),
    ("elevinflytande", "elevernas inflytande"),
    ("barnchecklista", "barnchecklistor", "checklista för barnets bästa", "checklista för barn"),
)

#: One-way expansions: searching for the key also finds documents with any of the
#: values, not the other way round (searching "delaktighet" must not return every
#: example that mentions an elevråd). Keys may be any expression of a group above;
#: every expression of that group then expands to the values too.
ONE_WAY_SYNONYMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("barnfattigdom", ("ekonomiskt bistånd", "försörjningsstöd")),
    ("hemlösa barn", ("vräkning", "vräkningar", "bostadslöshet", "hemlöshet")),
    ("elevinflytande", ("elevråd", "elevrådet", "delaktighet")),
    ("barnchecklista", ("barnkonsekvensanalys", "BKA", "prövning av barnets bästa")),
)


def _group_of(expression: str) -> tuple[str, ...]:
    for group in SYNONYM_GROUPS:
        if any(e.lower() == expression.lower() for e in group):
            return group
    return (expression,)


def one_way_expansions() -> dict[str, list[str]]:
    """Every expression that expands one way -> what it also finds (lower-cased)."""
    out: dict[str, list[str]] = {}
    for key, values in ONE_WAY_SYNONYMS:
        for term in _group_of(key):
            bucket = out.setdefault(term.lower(), [])
            bucket.extend(v.lower() for v in values if v.lower() not in bucket and v.lower() != term.lower())
    return out


def _expression_stems(expression: str) -> tuple[str, ...]:
    return tuple(s for s in (stem(t) for t in _WORD_RE.findall(expression.lower())) if s)


@lru_cache(maxsize=1)
def _expressions() -> dict[str, list[tuple[tuple[str, ...], int]]]:
    """first stem -> [(stems of an expression, index of its group)]."""
    out: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for g, group in enumerate(SYNONYM_GROUPS):
        for expression in group:
            stems = _expression_stems(expression)
            if stems:
                out.setdefault(stems[0], []).append((stems, g))
    return out


def matching_groups(field_stems: Iterable[Sequence[str]]) -> list[int]:
    """Indexes of the synonym groups one of whose expressions occurs (as a run of
    stems) in one of the given fields (each a sequence of word stems)."""
    index = _expressions()
    fields = [stems if isinstance(stems, list) else list(stems) for stems in field_stems]
    # Only the positions of stems that start some expression are looked at, found
    # with set intersection and list.index (C loops): most words start none.
    firsts = index.keys() & set(chain.from_iterable(fields))
    found: set[int] = set()
    for first in firsts:
        candidates = index[first]
        for stems in fields:
            i = -1
            while True:
                try:
                    i = stems.index(first, i + 1)
                except ValueError:
                    break
                for expression, g in candidates:
                    if g not in found and tuple(stems[i : i + len(expression)]) == expression:
                        found.add(g)
    return sorted(found)


def synonym_field(field_stems: Iterable[Sequence[str]]) -> str:
    """The hidden ``synonyms`` document field: every expression of every group the
    document mentions, followed by the stems of their inflected words (so the
    stemmed query words of the Meilisearch engine match them too). Both engines
    search it with the lowest priority; it is what makes a synonym of any length
    match (Meilisearch expands only 1-3-word query phrases itself)."""
    groups = matching_groups(field_stems)
    if not groups:
        return ""
    expressions = [e for g in groups for e in SYNONYM_GROUPS[g]]
    stems = []
    for e in expressions:
        for word in _WORD_RE.findall(e.lower()):
            s = inflected(word)
            if s and s not in stems:
                stems.append(s)
    return " . ".join(expressions) + (" . " + " ".join(stems) if stems else "")


def meilisearch_synonyms() -> dict[str, list[str]]:
    """The groups expanded both ways, as Meilisearch's ``synonyms`` setting.

    Keys are lower-cased (Meilisearch normalises synonyms itself, but lower-case
    keys keep the mapping free of duplicates such as "SoL"/"sol").
    """
    out: dict[str, list[str]] = {}
    for group in SYNONYM_GROUPS:
        lowered = [g.lower() for g in group]
        for term in lowered:
            others = [o for o in lowered if o != term]
            bucket = out.setdefault(term, [])
            bucket.extend(o for o in others if o not in bucket)
    for term, values in one_way_expansions().items():
        bucket = out.setdefault(term, [])
        bucket.extend(v for v in values if v not in bucket)
    return out
