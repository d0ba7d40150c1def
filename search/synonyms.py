"""Synonyms of the child-rights field: ONE list, used by both engines.

Each group is a set of interchangeable expressions; searching for any of them
finds documents containing any other (expansion both ways).

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
)


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
    return out
