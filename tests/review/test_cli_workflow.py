"""The barnratt command's part in the workflow: import without --publish creates
submissions awaiting the county editor; users create invites; tokens; demo accounts."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from app.core.db import make_engine
from app.models import Event, Example, MailMessage, Notification, Submission, User
from tests.cli_helpers import run_cli
from tests.factories import example_payload


@pytest.fixture
def cli(backend, fresh_db, tmp_path):
    url = fresh_db.url(backend)

    def run(*args, stdin=None, env=None):
        return run_cli(*args, db_url=url, data_dir=tmp_path / "data", stdin=stdin, extra_env=env)

    assert run("init").returncode == 0
    run.url = url
    return run


def _session(url):
    return Session(make_engine(url))


def test_import_without_publish_creates_submitted_submissions_for_the_county_editor(cli, tmp_path):
    created = cli("users", "create", "redaktor@lst.se", "--role", "editor", "--county", "24", "--password-stdin",
                  stdin="ett långt lösenord\n")
    assert created.returncode == 0, created.stderr
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps(example_payload(title=f"Importerat exempel {n}"), ensure_ascii=False) + "\n"
                            for n in range(2)), encoding="utf-8")
    result = cli("import", str(rows))
    assert result.returncode == 0, result.stderr
    assert "Imported 2 example(s) as submissions awaiting review." in result.stdout
    with _session(cli.url) as session:
        subs = session.exec(select(Submission).order_by(Submission.id)).all()
        assert [(s.status, s.author_id, s.county_code) for s in subs] == [("submitted", None, "24")] * 2
        assert session.exec(select(Example)).all() == []  # nothing public yet
        events = session.exec(select(Event).where(Event.submission_id == subs[0].id)).all()
        assert [(e.action, e.actor_label, e.from_status, e.to_status) for e in events] == [
            ("imported", "import", None, "submitted")]
        editor = session.exec(select(User).where(User.email == "redaktor@lst.se")).one()
        assert len(session.exec(select(Notification).where(Notification.user_id == editor.id)).all()) == 2
        assert len(session.exec(select(MailMessage).where(MailMessage.to_address == "redaktor@lst.se")).all()) == 2


def test_import_refuses_rows_failing_automatic_criteria_and_writes_nothing(cli, tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps(example_payload(title="Bra exempel")) + "\n"
        + json.dumps(example_payload(title="Kort metod", method="För kort.", results="Pnr 811218-9876")) + "\n"
        + json.dumps(example_payload(title="Fel", sectors=["rymd"])) + "\n",
        encoding="utf-8",
    )
    result = cli("import", str(rows))
    assert result.returncode == 1
    assert "line 2: method_described:" in result.stderr
    assert "line 2: no_personal_data:" in result.stderr
    assert "line 3: sectors: unknown value 'rymd'" in result.stderr
    with _session(cli.url) as session:
        assert session.exec(select(Submission)).all() == []


def test_users_create_without_password_sends_an_invitation(cli):
    created = cli("organisations", "create", "Umeå kommun", "--type", "kommun", "--county", "24",
                  "--municipality", "2480", "--number", "212000-2627")
    assert created.returncode == 0, created.stderr
    org_id = int(created.stdout.split()[-1])
    result = cli("users", "create", "ny@umea.se", "--role", "contributor", "--organisation", "Umeå kommun")
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000/inbjudan/")
    assert "ny@umea.se" in result.stderr and link in result.stderr  # development: the mail is printed to the log
    with _session(cli.url) as session:
        user = session.exec(select(User).where(User.email == "ny@umea.se")).one()
        assert user.password_hash is None and user.organisation_id == org_id
        mail = session.exec(select(MailMessage).where(MailMessage.to_address == "ny@umea.se")).one()
        assert mail.sent_at is not None and link in mail.body


def test_tokens_for_a_closed_account_are_refused(cli):
    cli("users", "create", "x@umea.se", "--role", "contributor", "--password-stdin", stdin="ett långt lösenord\n")
    with _session(cli.url) as session:
        user = session.exec(select(User).where(User.email == "x@umea.se")).one()
        user.is_active = False
        session.add(user)
        session.commit()
    result = cli("tokens", "create", "x@umea.se")
    assert result.returncode == 1 and "deactivated" in result.stderr


def test_demo_accounts_only_in_development(cli):
    first = cli("demo", "--accounts")
    assert first.returncode == 0, first.stderr
    lines = [line for line in first.stdout.splitlines() if "password:" in line]
    assert len(lines) == 3 and all(len(line.split()[-1]) >= 12 for line in lines)
    again = cli("demo", "--accounts")
    assert again.stdout.count("already exists") == 3
    production = cli("demo", "--accounts", env={"BARNRATT_ENV": "production", "BARNRATT_SECRET_KEY": "s" * 40,
                                                 "BARNRATT_BASE_URL": "https://barnratt.example.se",
                                                 "BARNRATT_RATE_LIMIT_STORAGE": "redis://127.0.0.1:6379/0"})
    assert production.returncode == 1 and "development" in production.stderr
