"""Migration 0003: free-text organisation names become organisations; what cannot be
matched by exact name within a county is logged, stored and listed."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import command
from sqlmodel import Session, select

from app.core.db import make_engine
from app.core.migrate import alembic_config
from app.models import Example, Organisation, Submission, User
from app.services import organisations as organisations_service
from app.services.policy import allowed
from app.services.reference import load_reference_data

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _insert(conn, table: str, **values) -> int:
    columns = ", ".join(f'"{k}"' for k in values)
    params = ", ".join(f":{k}" for k in values)
    return conn.execute(sa.text(f'INSERT INTO "{table}" ({columns}) VALUES ({params}) RETURNING id'), values).scalar_one()


CONTENT = dict(summary="", background="", method="", child_participation="", results="", lessons_learned="",
               adaptations="", trade_offs="", transferability="", articles="[3]", sectors="[]", target_groups="[]",
               age_groups="[]", links="[]")


def _example(conn, *, name, county, municipality, type_="kommun") -> int:
    return _insert(conn, "example", title=f"Exempel {name} {municipality}", organisation_name=name,
                   organisation_type=type_, county_code=county, municipality_code=municipality,
                   slug=f"x-{name.lower().replace(' ', '-')}-{municipality}", status="published", version=1,
                   created_at=NOW, updated_at=NOW, published_at=NOW, **CONTENT)


def _submission(conn, *, author_id, owner, name, county, municipality, status="draft", example_id=None, kind="new",
                type_="kommun") -> int:
    return _insert(conn, "submission", title="Utkast", organisation_name=name, organisation_type=type_,
                   county_code=county, municipality_code=municipality, kind=kind, status=status, version=1,
                   author_id=author_id, organisation=owner, example_id=example_id, created_at=NOW, updated_at=NOW,
                   **CONTENT)


def test_upgrade_links_by_exact_name_within_county_and_reports_the_rest(backend, fresh_db, caplog):
    engine = make_engine(fresh_db.url(backend))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0002_review")
        with Session(engine) as session:
            load_reference_data(session)
            session.commit()
        with engine.begin() as conn:
            def user(email, organisation, county=None, role="contributor"):
                return _insert(conn, "user", email=email, name=email, role=role, county_code=county,
                               organisation_name=organisation, is_active=True, created_at=NOW)

            # Two "Socialförvaltningen": Umeå (24) and Luleå (25); one in each county.
            umea_ex = _example(conn, name="Socialförvaltningen", county="24", municipality="2480")
            lulea_ex = _example(conn, name="Socialförvaltningen", county="25", municipality="2580")
            # Two "Kultur och fritid" in one county (Umeå and Skellefteå): ambiguous by county alone.
            _example(conn, name="Kultur och fritid", county="24", municipality="2480")
            _example(conn, name="Kultur och fritid", county="24", municipality="2482")
            anna = user("anna@umea.se", "Socialförvaltningen")      # county from her submission (24)
            olle = user("olle@lulea.se", "Socialförvaltningen")      # county from his submission (25)
            erik = user("erik@lst.se", "Länsstyrelsen Västerbotten", county="24", role="editor")  # no such organisation
            kim = user("kim@x.se", "Socialförvaltningen")            # no submissions: no county to look in
            kia = user("kia@umea.se", "Kultur och fritid", county="24", role="editor")  # two in county 24
            nobody = user("n@x.se", None)
            published = _submission(conn, author_id=anna, owner="Socialförvaltningen", name="Socialförvaltningen",
                                    county="24", municipality="2480", status="published", example_id=umea_ex)
            _insert(conn, "example_version", example_id=umea_ex, version=1, data="{}", submission_id=published,
                    published_at=NOW)
            olles = _submission(conn, author_id=olle, owner="Socialförvaltningen", name="Socialförvaltningen",
                                county="25", municipality="2580")
            stray = _submission(conn, author_id=None, owner="Gamla namnet", name="Gamla namnet", county="24",
                                municipality=None, type_="annan")
            orphan = _submission(conn, author_id=None, owner="Okänd förening", name="", county=None, municipality=None)

        caplog.set_level(logging.WARNING, logger="barnratt.migrations")
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")

        with Session(engine) as session:
            orgs = {(o.name, o.county_code, o.municipality_code): o for o in session.exec(select(Organisation)).all()}
            umea = orgs[("Socialförvaltningen", "24", "2480")]
            lulea = orgs[("Socialförvaltningen", "25", "2580")]
            assert umea.id != lulea.id and umea.type == "kommun"
            users = {u.email: u for u in session.exec(select(User)).all()}
            assert users["anna@umea.se"].organisation_id == umea.id
            assert users["olle@lulea.se"].organisation_id == lulea.id
            for email in ("erik@lst.se", "kim@x.se", "kia@umea.se", "n@x.se"):
                assert users[email].organisation_id is None, email
            assert session.get(Submission, published).organisation_id == umea.id
            assert session.get(Submission, olles).organisation_id == lulea.id
            # A submission's own fields made "Gamla namnet" an organisation, so it matches.
            assert session.get(Submission, stray).organisation_id == orgs[("Gamla namnet", "24", None)].id
            assert session.get(Submission, orphan).organisation_id is None
            example = session.get(Example, umea_ex)
            assert (example.author_id, example.organisation_id) == (anna, umea.id)
            assert session.get(Example, lulea_ex).organisation_id == lulea.id
            # Sharing follows the ids: Olle (Luleå) neither sees Anna's draft nor revises her example.
            assert allowed("example.revise", users["anna@umea.se"], example)
            assert not allowed("example.revise", users["olle@lulea.se"], example)
            assert not allowed("submission.view", users["anna@umea.se"], session.get(Submission, olles))

            reported = {(u.kind, u.row_id): u for u in organisations_service.unmatched(session)}
            assert set(reported) == {("user", erik), ("user", kim), ("user", kia), ("submission", orphan)}
            assert "no organisation named 'Länsstyrelsen Västerbotten' in county 24" in reported[("user", erik)].reason
            assert "no county" in reported[("user", kim)].reason
            assert "2 organisations named 'Kultur och fritid' in county 24" in reported[("user", kia)].reason
        logged = [r.getMessage() for r in caplog.records if r.name == "barnratt.migrations"]
        assert any("erik@lst.se" in m or f"user {erik} " in m for m in logged), logged
        assert len([m for m in logged if m.startswith("organisation not matched")]) == 4
        assert nobody  # a user without an organisation name is not reported

        # Linking a reported row takes it off the list.
        with Session(engine) as session:
            lst = organisations_service.create(session, data=organisations_service.parse_organisation_in(
                {"name": "Länsstyrelsen Västerbotten", "type": "lansstyrelse", "county_code": "24"}))
            organisations_service.set_organisation(session, kind="user", row_id=erik, organisation_id=lst.id)
            session.commit()
            assert ("user", erik) not in {(u.kind, u.row_id) for u in organisations_service.unmatched(session)}

        # Down and up again.
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0002_review")
        with engine.connect() as conn:
            names = dict(conn.execute(sa.text('SELECT email, organisation_name FROM "user"')).all())
            assert names["anna@umea.se"] == "Socialförvaltningen" and names["erik@lst.se"] == "Länsstyrelsen Västerbotten"
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
    finally:
        engine.dispose()
