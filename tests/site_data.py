"""A small, hand-checked set of published examples for the site and API tests, indexed
into the test app's real search engine (the embedded tantivy index in the test's data
directory)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from app.core.time import utcnow
from app.models import Example, ExampleIn
from app.services import organisations as organisations_service
from app.services.examples import publish_new
from app.services.indexer import document_for
from tests.factories import example_payload

LONG_METHOD = (
    "Arbetet skedde i tre steg med workshoppar, mallar och uppföljning i varje förvaltning. "
    "Barnrättsstrategen stöttade nämnderna och sammanställde resultaten till politiken. "
    "Vi följde upp efter ett år och justerade mallen utifrån synpunkter från barnen själva."
)

# key -> changes to the factory payload. Expected filter results are written out in the
# tests; keep them in step with this table.
EXAMPLES: dict[str, dict[str, Any]] = {
    "bka": dict(
        title="Barnkonsekvensanalys i budgetprocessen",
        summary="Kommunen införde barnkonsekvensanalyser i budgetarbetet.",
        articles=[3, 12], sectors=["ledning-och-styrning"], target_groups=["alla-barn"],
        age_groups=["6-12", "13-17"], organisation_name="Umeå kommun", organisation_type="kommun",
        county_code="24", municipality_code="2480", start_year=2021, end_year=2023,
        duration_months=24, effort_hours=400, cost_sek=350000,
    ),
    "rad": dict(
        title="Ungdomsråd som remissinstans",
        summary="Ungdomsrådet yttrar sig över alla beslut som rör unga.",
        articles=[12], sectors=["kultur-och-fritid"], target_groups=["alla-barn"], age_groups=["13-17"],
        organisation_name="Stockholms stad", organisation_type="kommun", county_code="01",
        municipality_code="0180", start_year=2019, end_year=None, duration_months=None, effort_hours=30,
    ),
    "kort": dict(
        title="Fritidskort för barn i ekonomisk utsatthet",
        summary="Ett fritidskort ger barn i familjer med låga inkomster tillgång till fritidsaktiviteter.",
        articles=[26, 27, 31], sectors=["kultur-och-fritid", "socialtjanst"],
        target_groups=["ekonomisk-utsatthet"], age_groups=["6-12"], organisation_name="Region Skåne",
        organisation_type="region", county_code="12", municipality_code="1280", start_year=2022,
        end_year=2022, duration_months=2, effort_hours=1500,
    ),
    "vrak": dict(
        title="Vräkningsförebyggande arbete med barnfamiljer",
        summary="Ingen vräkning av barnfamiljer genom tidig kontakt med hyresvärdar.",
        articles=[27], sectors=["socialtjanst"], target_groups=["ekonomisk-utsatthet"],
        age_groups=["0-5", "6-12"], organisation_name="Stadsmissionen", organisation_type="civilsamhalle",
        county_code="14", municipality_code="1480", start_year=2018, end_year=2020, duration_months=6,
        effort_hours=120,
    ),
}
# Oldest first: "newest" sorting gives the reverse.
PUBLISH_ORDER = ("bka", "rad", "kort", "vrak")


@dataclass
class SiteData:
    examples: dict[str, Example]

    def id(self, key: str) -> int:
        return self.examples[key].id

    def ids(self, *keys: str) -> set[int]:
        return {self.id(k) for k in keys}


NEUTRAL_TEXT = {
    "background": "Verksamheten ville stärka barnrättsarbetet.",
    "method": LONG_METHOD,
    "child_participation": "Barn och unga fick lämna synpunkter i samtal.",
    "results": "Arbetet följdes upp efter ett år.",
    "lessons_learned": "Det tar tid att förankra ett nytt arbetssätt i hela organisationen, och det lönar sig "
                       "att börja med de verksamheter som redan arbetar nära barn och unga.",
    "adaptations": "Upplägget justerades efter första året.",
    "trade_offs": "Bredd mot djup.",
    "transferability": "Arbetssättet kan användas av andra.",
}


def publish(session: Session, key: str | None = None, **changes: Any) -> Example:
    """Publish one example: the factory payload (whose texts mention barnkonsekvensanalys)
    for "bka", neutral texts for the others, plus ``changes``."""
    base = {} if key == "bka" else dict(NEUTRAL_TEXT)
    data = example_payload(**{**base, **(EXAMPLES[key] if key else {}), **changes})
    example = ExampleIn.model_validate(data)
    # Like an import: the example belongs to its organisation (matched, or created, by name
    # within its county), so members of that organisation (by id) may revise it.
    organisation = organisations_service.for_import(session, example.content())
    return publish_new(session, example=example, actor_label="test", organisation_id=organisation.id)


def build_site(session: Session, backend) -> SiteData:
    start = utcnow() - timedelta(days=10)
    examples = {}
    for n, key in enumerate(PUBLISH_ORDER):
        row = publish(session, key)
        row.published_at = start + timedelta(days=n)
        row.updated_at = row.published_at
        session.add(row)
        examples[key] = row
    session.flush()
    index(backend, examples.values())
    return SiteData(examples)


def index(backend, rows) -> None:
    backend.upsert([document_for(row) for row in rows])
