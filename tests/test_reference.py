from __future__ import annotations

from collections import Counter

from sqlmodel import select

from app.models import Article, County, Municipality, Sector, TargetGroup


def test_reference_data_is_complete(session):
    articles = session.exec(select(Article)).all()
    assert [a.number for a in sorted(articles, key=lambda a: a.number)] == list(range(1, 55))
    assert {a.number for a in articles if a.general_principle} == {2, 3, 6, 12}
    assert all(a.title_sv and a.title_en for a in articles)

    counties = {c.code: c for c in session.exec(select(County)).all()}
    assert len(counties) == 21
    assert {c.network_node for c in counties.values()} == {"Nord", "Väst", "Öst", "Syd"}

    municipalities = session.exec(select(Municipality)).all()
    assert len(municipalities) == 290
    per_county = Counter(m.county_code for m in municipalities)
    # Counts published by Statistics Sweden (see app/reference/README.md).
    assert per_county["14"] == 49 and per_county["09"] == 1 and per_county["01"] == 26
    assert all(m.code[:2] == m.county_code for m in municipalities)

    sectors = {s.slug: s.label_sv for s in session.exec(select(Sector)).all()}
    assert len(sectors) == 12
    assert sectors["skola"] == "Skola och elevhälsa"
    assert sectors["psykiatri"] == "Barn- och ungdomspsykiatri"
    assert sectors["tillsyn"] == "Tillsyn och myndighetsutövning"
    groups = {g.slug for g in session.exec(select(TargetGroup)).all()}
    assert groups == {
        "alla-barn", "ekonomisk-utsatthet", "funktionsnedsattning", "placerade-barn",
        "nyanlanda", "vald", "anhoriga-barn", "nationella-minoriteter",
    }
