"""Reference data as the public site and the API show it: codes and slugs with labels in
the request's language, in a stable display order.

One ``Taxonomy`` object answers every "what is the label of this value" and "is this a
known value" question for the search page, the API (facets, validation of filter values),
the example page, statistics and the taxonomies endpoint. It is loaded from the database
and kept per process for ``CACHE_SECONDS`` (labels may be edited by the admin; codes and
slugs never change).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.models import Article, County, Municipality, Sector, TargetGroup
from app.models.vocabulary import AGE_GROUPS, ORGANISATION_TYPES
from search.bands import DURATION_BANDS, EFFORT_BANDS

CACHE_SECONDS = 30.0

_SV_ORDER = str.maketrans({"å": "z\u0001", "ä": "z\u0002", "ö": "z\u0003", "é": "e", "ü": "y"})


def sv_sort_key(text: str) -> str:
    """Swedish alphabetical order (å, ä, ö after z) without relying on system locales."""
    return text.lower().translate(_SV_ORDER)


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary: its code or slug and its labels."""

    value: int | str
    label_sv: str
    label_en: str
    extra: tuple[tuple[str, Any], ...] = ()

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_sv

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.extra).get(key, default)


@dataclass(frozen=True)
class Taxonomy:
    """Every facet's vocabulary, each an ordered ``{value: Term}``."""

    vocabularies: dict[str, dict[int | str, Term]]

    @classmethod
    def load(cls, session: Session) -> "Taxonomy":
        articles = {
            a.number: Term(a.number, a.title_sv, a.title_en, (("general_principle", a.general_principle),))
            for a in session.exec(select(Article).order_by(Article.number)).all()
        }
        counties = {
            c.code: Term(c.code, c.name, c.name, (("short_name", c.short_name), ("network_node", c.network_node)))
            for c in session.exec(select(County).order_by(County.code)).all()
        }
        municipalities = {
            m.code: Term(m.code, m.name, m.name, (("county_code", m.county_code),))
            for m in sorted(session.exec(select(Municipality)).all(), key=lambda m: sv_sort_key(m.name))
        }
        sectors = {
            s.slug: Term(s.slug, s.label_sv, s.label_en)
            for s in session.exec(select(Sector).order_by(Sector.position, Sector.slug)).all()
        }
        target_groups = {
            t.slug: Term(t.slug, t.label_sv, t.label_en)
            for t in session.exec(select(TargetGroup).order_by(TargetGroup.position, TargetGroup.slug)).all()
        }
        return cls(
            {
                "article": articles,
                "sector": sectors,
                "county": counties,
                "municipality": municipalities,
                "target_group": target_groups,
                "age_group": {k: Term(k, sv, en) for k, (sv, en) in AGE_GROUPS.items()},
                "organisation_type": {k: Term(k, sv, en) for k, (sv, en) in ORGANISATION_TYPES.items()},
                "effort": {b.value: Term(b.value, b.label_sv, b.label_en) for b in EFFORT_BANDS},
                "duration": {b.value: Term(b.value, b.label_sv, b.label_en) for b in DURATION_BANDS},
            }
        )

    def terms(self, facet: str) -> dict[int | str, Term]:
        return self.vocabularies[facet]

    def knows(self, facet: str, value: int | str) -> bool:
        return value in self.vocabularies[facet]

    def label(self, facet: str, value: int | str | None, lang: str) -> str:
        if value is None:
            return ""
        term = self.vocabularies[facet].get(value)
        return term.label(lang) if term else str(value)

    def position(self, facet: str, value: int | str) -> int:
        """Display order of a value within its vocabulary (unknown values last)."""
        order = self._order(facet)
        return order.get(value, len(order))

    def _order(self, facet: str) -> dict[int | str, int]:
        cache = self.__dict__.setdefault("_orders", {})
        if facet not in cache:
            cache[facet] = {v: i for i, v in enumerate(self.vocabularies[facet])}
        return cache[facet]


class TaxonomyCache:
    """The taxonomy of one app (process), reloaded at most every ``ttl`` seconds."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._value: Taxonomy | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def get(self, session: Session) -> Taxonomy:
        now = time.monotonic()
        value = self._value
        if value is not None and now - self._loaded_at < self.ttl:
            return value
        with self._lock:
            if self._value is None or time.monotonic() - self._loaded_at >= self.ttl:
                self._value = Taxonomy.load(session)
                self._loaded_at = time.monotonic()
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None


def taxonomy_for(app_state: Any, session: Session) -> Taxonomy:
    cache = getattr(app_state, "taxonomy_cache", None)
    if cache is None:
        cache = app_state.taxonomy_cache = TaxonomyCache()
    return cache.get(session)
