"""Coverage: how many published examples there are per article, sector and county, with the
values that have none, so strategists see where examples are missing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.models import Example
from app.services.search_params import SearchParams
from app.services.taxonomy import Taxonomy

GROUPS: tuple[str, ...] = ("article", "sector", "county")


@dataclass
class Bar:
    value: Any
    label: str
    count: int
    url: str

    @property
    def missing(self) -> bool:
        return self.count == 0


@dataclass
class Chart:
    name: str
    bars: list[Bar]

    @property
    def max_count(self) -> int:
        return max((b.count for b in self.bars), default=0)

    @property
    def missing(self) -> list[Bar]:
        return [b for b in self.bars if b.missing]


@dataclass
class Coverage:
    total: int
    charts: dict[str, Chart]

    def as_api(self) -> dict[str, Any]:
        return {
            "total": self.total,
            **{
                name: [{"value": b.value, "label": b.label, "count": b.count} for b in chart.bars]
                for name, chart in self.charts.items()
            },
        }


def coverage(session: Session, taxonomy: Taxonomy, *, lang: str) -> Coverage:
    counts = {name: Counter() for name in GROUPS}
    total = 0
    rows = session.exec(
        select(Example.articles, Example.sectors, Example.county_code).where(Example.status == "published")
    )
    for articles, sectors, county in rows:
        total += 1
        counts["article"].update(set(articles or []))
        counts["sector"].update(set(sectors or []))
        counts["county"][county] += 1
    charts = {}
    for name in GROUPS:
        bars = []
        for value in taxonomy.terms(name):
            label = taxonomy.label(name, value, lang)
            if name == "article":
                label = f"{value}. {label}"
            bars.append(Bar(value, label, counts[name].get(value, 0), SearchParams(filters={name: (value,)}).url("/")))
        charts[name] = Chart(name, bars)
    return Coverage(total, charts)
