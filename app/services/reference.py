"""Reference data: loaded from app/reference/*.csv into tables, looked up for validation."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.models import Article, County, Municipality, Sector, TargetGroup

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference_data(session: Session) -> dict[str, int]:
    """Insert the rows that are missing. Existing rows are left alone, so labels an admin
    edited survive a re-run; codes and slugs never change. Returns rows added per table."""
    added: dict[str, int] = {}

    def add_missing(model, key: str, rows) -> None:
        existing = set(session.exec(select(getattr(model, key))).all())
        new = [model(**row) for row in rows if row[key] not in existing]
        session.add_all(new)
        session.flush()
        added[model.__tablename__] = len(new)

    add_missing(
        Article,
        "number",
        (
            {
                "number": int(r["number"]),
                "title_sv": r["title_sv"],
                "title_en": r["title_en"],
                "general_principle": r["general_principle"] == "true",
            }
            for r in _rows("articles.csv")
        ),
    )
    add_missing(
        County,
        "code",
        (
            {"code": r["county_code"], "name": r["name"], "short_name": r["short_name"],
             "network_node": r["network_node"]}
            for r in _rows("counties.csv")
        ),
    )
    add_missing(
        Municipality,
        "code",
        (
            {"code": r["municipality_code"], "name": r["name"], "county_code": r["county_code"]}
            for r in _rows("municipalities.csv")
        ),
    )
    for model, name in ((Sector, "sectors.csv"), (TargetGroup, "target_groups.csv")):
        add_missing(
            model,
            "slug",
            ({**r, "position": i} for i, r in enumerate(_rows(name))),
        )
    return added


@dataclass(frozen=True)
class ReferenceSets:
    """The codes and slugs that tags may take, read once per validation run."""

    articles: frozenset[int]
    sectors: frozenset[str]
    target_groups: frozenset[str]
    counties: frozenset[str]
    municipality_county: dict[str, str]

    @classmethod
    def load(cls, session: Session) -> "ReferenceSets":
        return cls(
            articles=frozenset(session.exec(select(Article.number)).all()),
            sectors=frozenset(session.exec(select(Sector.slug)).all()),
            target_groups=frozenset(session.exec(select(TargetGroup.slug)).all()),
            counties=frozenset(session.exec(select(County.code)).all()),
            municipality_county=dict(
                session.exec(select(Municipality.code, Municipality.county_code)).all()
            ),
        )
