"""Swedish compound splitting for the child-rights vocabulary.

Swedish writes compounds as one word ("barnkonsekvensanalys",
"fritidsgårdar", "ungdomsrådet"), so a user searching for "fattigdom" or
"konsekvensanalys" expects to find "barnfattigdom" and
"barnkonsekvensanalyser". Neither Meilisearch nor tantivy splits compounds, so
we do it once, at document-build time, for both engines:

* :func:`split_compound` decomposes a word into parts from :data:`PARTS`
  (dictionary-based, fewest parts wins), allowing the linking "s"
  ("barnrätt-s-perspektiv") after any non-final part and an inflection suffix
  after the final part ("...analys-er", "...råd-et").
* :func:`subcompounds` returns every contiguous run of parts *shorter than the
  whole word*, in its surface form: "barnkonsekvensanalyser" gives "barn",
  "konsekvens", "analyser", "barnkonsekvens", "konsekvensanalyser".
* ``build_document`` puts these into the ``compound_parts`` field, which both
  engines search with the lowest attribute priority.

Query side needs nothing: "konsekvensanalys" is then an ordinary word of the
``compound_parts`` field (stemming and typo tolerance apply as usual).

Only words that decompose *completely* into at least two known parts are
split, which keeps false splits rare ("barnen", "kortare", "lagom" stay whole).
Extend :data:`PARTS` when editors notice a missing common part; a rebuild is
needed for existing documents to pick it up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

#: Common parts of child-rights compounds (lower case, with diacritics).
#: Variants with a linking vowel ("familje", "förskole") or a stem form
#: ("skol", "hälso") are listed explicitly.
PARTS: frozenset[str] = frozenset(
    """
    barn ungdom elev skol skola förskol förskola förskole gymnasie
    fritid gård hem familj familje förälder föräldra
    rätt rättighet konsekvens analys delaktighet inflytande fattigdom
    vräkning förebyggande kort råd placerade placering social tjänst
    hälsa hälso vård psykiatri ohälsa våld mobbning trygghet boende stöd
    insats plan arbete grupp program mottagning samtal verksamhet kommun
    region lag perspektiv ombud konvention kultur idrott lov sommar läger
    jobb mentor läx hjälp bibliotek fält assistent kurator central hus lots
    språk asyl flykting integration pappa mamma bostad ekonomi bidrag skuld
    budget givning lek plats park dialog enkät forum panel fullmäktige nämnd
    beslut utredning utredare handläggare ärende strategi kris jour telefon
    chatt nätverk team coach ledare förening kompis trafik miljö klimat
    natur sport fotboll musik dans teater konst läsning läs mat morgon kväll
    föräldraskap ombudsman ombudsmann
    helg lovaktivitet aktivitet projekt metod modell guide skydd
    barnahus socialsekreterare polis domstol sjukvård tandvård vaccination
    bostads hyres skulder försörjning inkomst arbetslöshet
    """.split()
)

#: Inflection suffixes allowed after the final part.
SUFFIXES: tuple[str, ...] = (
    "", "s", "n", "t", "a", "e", "en", "et", "er", "ar", "or", "na", "ns", "ts",
    "ens", "ets", "ers", "ars", "ors", "erna", "arna", "orna", "ernas", "arnas",
    "ornas", "ena", "ande", "ning", "ningen", "ningar",
)

#: Linking morphemes allowed after a non-final part.
LINKERS: tuple[str, ...] = ("", "s")

MIN_WORD_LENGTH = 6
_MAX_PART = max(len(p) for p in PARTS)
_MIN_PART = min(len(p) for p in PARTS)


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...] | None:
    """Surface segments of a compound, or None if it is not one.

    >>> split_compound("barnkonsekvensanalyser")
    ('barn', 'konsekvens', 'analyser')
    >>> split_compound("fritidsgårdar")
    ('fritids', 'gårdar')
    >>> split_compound("barnen") is None
    True
    """
    w = word.lower()
    n = len(w)
    if n < MIN_WORD_LENGTH or not w.isalpha():
        return None
    memo: dict[int, tuple[str, ...] | None] = {}

    def best(i: int) -> tuple[str, ...] | None:
        """Fewest-part segmentation of w[i:] (explores only dictionary hits)."""
        if i in memo:
            return memo[i]
        result: tuple[str, ...] | None = None
        for j in range(min(n, i + _MAX_PART), i + _MIN_PART - 1, -1):  # longest part first
            if w[i:j] not in PARTS:
                continue
            if w[j:] in SUFFIXES:  # final part (+ inflection)
                option: tuple[str, ...] = (w[i:],)
                if result is None or len(option) < len(result):
                    result = option
                continue
            for link in LINKERS:
                k = j + len(link)
                if k < n and w.startswith(link, j):
                    rest = best(k)
                    if rest is not None and (result is None or len(rest) + 1 < len(result)):
                        result = (w[i:k],) + rest
        memo[i] = result
        return result

    segments = best(0)
    if segments is None or len(segments) < 2:
        return None
    return segments


@lru_cache(maxsize=200_000)
def subcompounds(word: str) -> tuple[str, ...]:
    """Every contiguous run of parts shorter than the whole word (surface form)."""
    segs = split_compound(word)
    if not segs:
        return ()
    n = len(segs)
    out: list[str] = []
    for length in range(1, n):
        for i in range(0, n - length + 1):
            out.append("".join(segs[i : i + length]))
    return tuple(out)


#: A word: a maximal run of letters and digits (``str.isalnum`` characters).
WORD_RE = re.compile(r"[^\W_]+")
_WORD_CHARS_RE = re.compile(r"\w+")  # the same runs when the text has no "_" (1.5x faster)


def find_words(text: str) -> list[str]:
    """``WORD_RE.findall(text)``, faster."""
    return (_WORD_CHARS_RE if "_" not in text else WORD_RE).findall(text)


#: word -> its sub-compounds (lower-cased words; () for non-compounds).
_parts_cache: dict[str, tuple[str, ...]] = {}
_PARTS_CACHE_LIMIT = 500_000


def _parts(word: str) -> tuple[str, ...]:
    parts = _parts_cache.get(word)
    if parts is None:
        parts = subcompounds(word if word.islower() else word.lower())
        if len(_parts_cache) >= _PARTS_CACHE_LIMIT:
            _parts_cache.clear()
        _parts_cache[word] = parts
    return parts


def compound_parts_text(words: Iterable[str]) -> str:
    """Space-separated sub-compounds of all compounds among ``words`` (deduplicated)."""
    seen: dict[str, None] = {}
    for word in words:
        parts = _parts(word)
        if parts:
            seen.update(dict.fromkeys(parts))
    return " ".join(seen)
