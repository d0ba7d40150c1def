"""`barnratt import --publish` runs the automatic criteria too: a personal identity number
refuses the file unless an explicit override gives a reason, which is recorded in the
example's history and logged."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from app.core.db import make_engine
from app.models import Event, Example, Organisation
from tests.cli_helpers import run_cli
from tests.factories import example_payload

PNR = "Barnet har personnummer 811218-9876."


@pytest.fixture
def cli(backend, fresh_db, tmp_path):
    url = fresh_db.url(backend)

    def run(*args, stdin=None):
        return run_cli(*args, db_url=url, data_dir=tmp_path / "data", stdin=stdin)

    assert run("init").returncode == 0
    run.url = url
    return run


def _rows(tmp_path, *payloads):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in payloads), encoding="utf-8")
    return str(path)


def test_publish_refuses_a_personal_identity_number_and_writes_nothing(cli, tmp_path):
    rows = _rows(tmp_path, example_payload(title="Utan personuppgifter"), example_payload(title="Med pnr", results=PNR))
    result = cli("import", rows, "--publish")
    assert result.returncode == 1
    assert "line 2: no_personal_data:" in result.stderr and "--allow-personal-data-override" in result.stderr
    with Session(make_engine(cli.url)) as session:
        assert session.exec(select(Example)).all() == []


def test_publish_with_override_records_the_reason_in_history_and_the_log(cli, tmp_path):
    rows = _rows(tmp_path, example_payload(title="Utan personuppgifter"), example_payload(title="Med pnr", results=PNR))
    reason = "Numret är fiktivt, från en utbildningsövning"
    result = cli("import", rows, "--publish", "--allow-personal-data-override", reason)
    assert result.returncode == 0, result.stderr
    assert "Imported and published 2 example(s)." in result.stdout
    assert "override reason: " + reason in result.stderr  # the log line
    with Session(make_engine(cli.url)) as session:
        flagged = session.exec(select(Example).where(Example.title == "Med pnr")).one()
        clean = session.exec(select(Example).where(Example.title == "Utan personuppgifter")).one()
        overrides = session.exec(select(Event).where(Event.action == "personal_data_override")).all()
        assert [e.example_id for e in overrides] == [flagged.id]
        assert reason in overrides[0].comment and "Inga personuppgifter" in overrides[0].comment
        assert clean.id not in [e.example_id for e in overrides]
        # Imported examples link to the organisation they name (created on import).
        org = session.get(Organisation, flagged.organisation_id)
        assert (org.name, org.county_code) == ("Umeå kommun", "24") and clean.organisation_id == org.id


def test_override_needs_publish_and_a_reason(cli, tmp_path):
    rows = _rows(tmp_path, example_payload(results=PNR))
    assert cli("import", rows, "--allow-personal-data-override", "x").returncode == 1
    assert cli("import", rows, "--publish", "--allow-personal-data-override", "  ").returncode == 1


def test_publish_warns_about_other_failed_criteria(cli, tmp_path):
    rows = _rows(tmp_path, example_payload(title="Kort metod", method="För kort."))
    result = cli("import", rows, "--publish")
    assert result.returncode == 0, result.stderr
    assert "warning: line 1: method_described:" in result.stderr


def test_import_without_publish_refuses_personal_data_as_before(cli, tmp_path):
    result = cli("import", _rows(tmp_path, example_payload(results=PNR)))
    assert result.returncode == 1 and "line 1: no_personal_data:" in result.stderr
