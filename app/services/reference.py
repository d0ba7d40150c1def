"""Reference data: loaded from app/reference/*.csv into tables, looked up for validation."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.models import Article, County, Municipality, Sector, TargetGroup
from app.models.vocabulary import AGE_GROUPS, ORGANISATION_TYPES

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


def choices(session: Session, *, lang: str) -> dict[str, Any]:
    """Every reference list as (value, label) choices in ``lang``, for forms and for showing content."""
    en = lang == "en"
    counties = session.exec(select(County).order_by(County.code)).all()
    municipalities = session.exec(select(Municipality).order_by(Municipality.name)).all()
    by_county: dict[str, list[Municipality]] = {}
    for m in municipalities:
        by_county.setdefault(m.county_code, []).append(m)
    return {
        "articles": [(a.number, a.title_en if en else a.title_sv, a.general_principle)
                     for a in session.exec(select(Article).order_by(Article.number)).all()],
        "sectors": [(s.slug, s.label_en if en else s.label_sv)
                    for s in session.exec(select(Sector).order_by(Sector.position)).all()],
        "target_groups": [(t.slug, t.label_en if en else t.label_sv)
                          for t in session.exec(select(TargetGroup).order_by(TargetGroup.position)).all()],
        "age_groups": [(k, v[1] if en else v[0]) for k, v in AGE_GROUPS.items()],
        "organisation_types": [(k, v[1] if en else v[0]) for k, v in ORGANISATION_TYPES.items()],
        "counties": [(c.code, c.name) for c in counties],
        "municipalities": [(c.code, c.name, [(m.code, m.name) for m in by_county.get(c.code, [])]) for c in counties],
    }


def label_maps(refs: dict[str, Any]) -> dict[str, dict]:
    """``choices`` as value -> label maps."""
    return {
        "articles": {n: t for n, t, _g in refs["articles"]},
        "sectors": dict(refs["sectors"]),
        "target_groups": dict(refs["target_groups"]),
        "age_groups": dict(refs["age_groups"]),
        "organisation_types": dict(refs["organisation_types"]),
        "counties": dict(refs["counties"]),
        "municipalities": {code: name for _c, _n, ms in refs["municipalities"] for code, name in ms},
    }
