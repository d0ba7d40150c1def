"""Synonyms of the child-rights field: ONE list, used by both engines.

Each group is a set of interchangeable expressions; searching for any of them
finds documents containing any other (expansion both ways). ``ONE_WAY_SYNONYMS``
expand in one direction only (a broad practitioner's word -> the narrower words
examples use).

* Meilisearch gets :func:`meilisearch_synonyms` (every expression mapped to all
  others in its group) through ``search.meili.settings``.
* The embedded engine expands at query time (``search.embedded.textquery``):
  a run of query words equal (after Swedish stemming and diacritic folding) to
  an expression also matches any other expression of the group as a phrase.

Meilisearch matches synonyms word-for-word without stemming, so a few common
inflections are listed explicitly (e.g. "barnkonsekvensanalyser").
Keep expressions lower-case-insensitive plain text; punctuation such as
"FN:s" or "barn- och" is tokenized like document text.
"""

from __future__ import annotations

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
