"""Assignment ("Jag granskar"), due dates from the county's review period, the queue by due
date with overdue flags, and the daily reminder to the assignee (`barnratt reminders`,
idempotent, tested with an injected clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.core.db import make_engine
from app.models import MailMessage, ReviewReminder, Submission, SubmissionRound
from app.services import assignment, review_settings
from tests.cli_helpers import run_cli
from tests.factories import example_payload
from tests.review.conftest import ALL_MET, mails_to, make_user, new_submission
from tests.review.test_pages_workflow import _other_client, post


def _round(session, sub) -> SubmissionRound:
    return session.exec(select(SubmissionRound).where(SubmissionRound.submission_id == sub.id)
                        .order_by(SubmissionRound.number.desc())).first()


def test_due_date_comes_from_the_county_setting(session, cast, settings):
    sub = new_submission(session, cast, state="submitted", settings=settings)
    assert _round(session, sub).due_on == sub.submitted_at.date() + timedelta(days=settings.REVIEW_DAYS) 
    assert settings.REVIEW_DAYS == 14
    review_settings.update(session, user=cast.editor.user, county_code="24", review_days=5)
    later = new_submission(session, cast, state="submitted", settings=settings)
    assert _round(session, later).due_on == later.submitted_at.date() + timedelta(days=5)
    # Another county's editor may not change Västerbotten's setting; a contributor none.
    from app.core.errors import Forbidden

    with pytest.raises(Forbidden):
        review_settings.update(session, user=cast.other_editor.user, county_code="24", review_days=3)
    with pytest.raises(Forbidden):
        review_settings.update(session, user=cast.author.user, county_code="24", review_days=3)
    assert review_settings.review_days(session, county_code="24", settings=settings) == 5
    assert review_settings.review_days(session, county_code="01", settings=settings) == 14


def test_take_show_take_over_and_release_over_the_api(client, session, cast, settings):
    colleague = make_user(session, email="lisa@lansstyrelsen.se", role="editor", county="24", name="Lisa Lind")
    from tests.review.conftest import actor

    lisa = actor(session, colleague)
    sub = new_submission(session, cast, state="submitted", settings=settings)
    url = f"/api/v1/submissions/{sub.id}/assignment"
    taken = client.post(url, headers=cast.editor.headers)
    assert taken.status_code == 200 and taken.json()["assignee_id"] == cast.editor.id
    # The others see who has it, in the queue.
    queue = client.get("/api/v1/review-queue", headers=lisa.headers).json()["items"]
    assert [(i["id"], i["assignee"]) for i in queue] == [(sub.id, cast.editor.user.name)]
    # Taking it again from someone else is refused (409) unless taking it over.
    refused = client.post(url, headers=lisa.headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_assigned"
    assert cast.editor.user.name in refused.json()["error"]["message"]
    over = client.post(url, json={"take_over": True}, headers=lisa.headers)
    assert over.status_code == 200 and over.json()["assignee"] == "Lisa Lind"
    assert client.post(url, json={"take_over": "ja"}, headers=lisa.headers).status_code == 422
    assert client.delete(url, headers=lisa.headers).status_code == 204
    assert client.delete(url, headers=lisa.headers).status_code == 204  # idempotent
    assert client.get("/api/v1/review-queue", headers=lisa.headers).json()["items"][0]["assignee"] is None
    history = [e["action"] for e in client.get(f"/api/v1/submissions/{sub.id}/history", headers=lisa.headers).json()["items"]]
    assert history[-3:] == ["assigned", "assigned", "unassigned"]


#            anon author colleague outsider editor other  admin
ASSIGN = {"submitted": "401 403 403 404 200 404 200", "draft": "401 403 403 404 404 404 409",
          "changes_requested": "401 403 403 404 409 404 409"}


@pytest.mark.parametrize("state", sorted(ASSIGN))
def test_who_may_take_a_submission(client, session, cast, settings, state):
    roles = ("anonymous", "author", "colleague", "outsider", "editor", "other_editor", "admin")
    got = {}
    for role in roles:
        sub = new_submission(session, cast, state=state, settings=settings)
        got[role] = client.post(f"/api/v1/submissions/{sub.id}/assignment",
                                headers=cast.role(role).headers).status_code
    assert got == dict(zip(roles, (int(c) for c in ASSIGN[state].split())))


def test_queue_sorts_by_due_date_and_flags_overdue(client, session, cast, settings):
    late = new_submission(session, cast, state="submitted", settings=settings, title="Sent in long ago")
    soon = new_submission(session, cast, state="submitted", settings=settings, title="Sent in today")
    _round(session, late).due_on = date.today() - timedelta(days=3)
    session.add(_round(session, late))
    moved = client.put(f"/api/v1/submissions/{soon.id}/due-date", json={"due_on": date.today().isoformat()},
                       headers=cast.editor.headers)
    assert moved.status_code == 200 and moved.json()["due_on"] == date.today().isoformat()
    # An unassigned, fresh one with the default due date comes last.
    fresh = new_submission(session, cast, state="submitted", settings=settings, title="Fresh")
    items = client.get("/api/v1/review-queue", headers=cast.editor.headers).json()["items"]
    assert [i["id"] for i in items] == [late.id, soon.id, fresh.id]
    assert [i["overdue"] for i in items] == [True, False, False]
    assert items[0]["days_left"] == -3
    assert client.put(f"/api/v1/submissions/{soon.id}/due-date", json={"due_on": "igår"},
                      headers=cast.editor.headers).json()["error"]["fields"][0]["field"] == "due_on"
    past = (date.today() - timedelta(days=1)).isoformat()
    assert client.put(f"/api/v1/submissions/{soon.id}/due-date", json={"due_on": past},
                      headers=cast.editor.headers).status_code == 422
    # The queue page shows the order, who has it and the flag (not by colour alone).
    editor = _other_client(client, session, cast.editor.user, settings)
    html = editor.get("/granska").text
    assert html.index("Sent in long ago") < html.index("Sent in today") < html.index("Fresh")
    assert html.count("Försenad") == 1 and 'class="overdue"' in html and "Ingen än" in html


def test_take_and_release_on_the_review_page(client, session, cast, settings):
    colleague = make_user(session, email="lisa@lansstyrelsen.se", role="editor", county="24", name="Lisa Lind")
    sub = new_submission(session, cast, state="submitted", settings=settings)
    erik = _other_client(client, session, cast.editor.user, settings)
    lisa = _other_client(client, session, colleague, settings)
    page = erik.get(f"/granska/{sub.id}").text
    assert "Ingen har tagit bidraget än." in page and 'value="take"' in page
    taken = post(erik, f"/granska/{sub.id}/tilldelning", {"action": "take"}, page_url=f"/granska/{sub.id}")
    assert taken.status_code == 303
    assert "Du granskar det här." in erik.get(taken.headers["location"]).text
    theirs = lisa.get(f"/granska/{sub.id}").text
    assert f"{cast.editor.user.name} granskar det här." in theirs and 'value="take_over"' in theirs
    assert "<strong>Du</strong>" not in lisa.get("/granska").text and cast.editor.user.name in lisa.get("/granska").text
    bad = post(lisa, f"/granska/{sub.id}/tilldelning", {"action": "steal"}, page_url=f"/granska/{sub.id}")
    assert bad.status_code == 422 and "action:" in bad.text
    assert post(erik, f"/granska/{sub.id}/tilldelning", {"action": "release"}, page_url=f"/granska/{sub.id}").status_code == 303
    assert assignment.assignment_of(session, submission_id=sub.id) is None
    bad_due = post(erik, f"/granska/{sub.id}/sista-dag", {"due_on": "2020-01-01"}, page_url=f"/granska/{sub.id}")
    assert bad_due.status_code == 422 and 'value="2020-01-01"' in bad_due.text


def _at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_reminders_go_to_the_assignee_once_a_day_from_the_lead_days(session, cast, settings):
    sub = new_submission(session, cast, state="submitted", settings=settings)
    unassigned = new_submission(session, cast, state="submitted", settings=settings)
    assignment.assign(session, submission=sub, user=cast.editor.user)
    due = _round(session, sub).due_on
    _round(session, unassigned).due_on = due
    to_editor = lambda: [m for m in mails_to(session, cast.editor.user.email) if "Påminnelse" in m.subject
                         or "Försenad" in m.subject]

    # Too early: more than REMINDER_LEAD_DAYS (2) before the due date.
    assert assignment.send_reminders(session, settings=settings, now=_at(due - timedelta(days=3))) == []
    first = assignment.send_reminders(session, settings=settings, now=_at(due - timedelta(days=2)))
    assert [r.submission_id for r in first] == [sub.id]
    # The same day again, later: nothing new.
    assert assignment.send_reminders(session, settings=settings, now=_at(due - timedelta(days=2), 18)) == []
    assert len(to_editor()) == 1
    mail = to_editor()[0]
    assert mail.subject == f"Barnrättsbanken: Påminnelse: ”{sub.title}” ska granskas senast {due.isoformat()}"
    assert f"/granska/{sub.id}" in mail.body and "In English" in mail.body
    # The next days, one each; after the due date it says overdue.
    for offset in (-1, 0, 1):
        assert len(assignment.send_reminders(session, settings=settings, now=_at(due + timedelta(days=offset)))) == 1
    assert len(to_editor()) == 4
    assert to_editor()[-1].subject.startswith("Barnrättsbanken: Försenad:")
    # Once decided, no more reminders.
    from app.services.review import DecisionIn, decide

    decide(session, submission=sub, reviewer=cast.editor.user, settings=settings,
           data=DecisionIn(decision="approve", criteria=ALL_MET))
    assert assignment.send_reminders(session, settings=settings, now=_at(due + timedelta(days=2))) == []
    sent_on = session.exec(select(ReviewReminder.sent_on).where(ReviewReminder.submission_id == sub.id)).all()
    assert sorted(sent_on) == [due + timedelta(days=d) for d in (-2, -1, 0, 1)]


@pytest.fixture
def cli_db(backend, fresh_db, tmp_path):
    url = fresh_db.url(backend)

    def run(*args):
        return run_cli(*args, db_url=url, data_dir=tmp_path / "data")

    assert run("init").returncode == 0
    run.url = url
    return run


def test_barnratt_reminders_is_idempotent_and_safe_to_run_from_cron(cli_db, settings):
    engine = make_engine(cli_db.url)
    with Session(engine, expire_on_commit=False) as session:
        editor = make_user(session, email="erik@lansstyrelsen.se", role="editor", county="24")
        author = make_user(session, email="anna@umea.se", role="contributor", organisation="Umeå kommun")
        from app.services.submissions import create, parse_submission_in, submit

        sub = create(session, user=author, data=parse_submission_in(example_payload()))
        submit(session, submission=sub, user=author, settings=settings)
        assignment.assign(session, submission=sub, user=editor)
        due = _round(session, sub).due_on
        session.commit()
        sid = sub.id
    try:
        day = due.isoformat()
        first = cli_db("reminders", "--date", day)
        assert first.returncode == 0, first.stderr
        assert f"reminder: submission {sid}" in first.stdout and f"Reminders sent for {day}: 1." in first.stdout
        again = cli_db("reminders", "--date", day)
        assert again.returncode == 0 and f"Reminders sent for {day}: 0." in again.stdout
        assert cli_db("reminders", "--date", "31-12-2026").returncode == 1
        with Session(engine) as session:
            mails = session.exec(select(MailMessage).where(MailMessage.to_address == "erik@lansstyrelsen.se")).all()
            reminders = [m for m in mails if "Påminnelse" in m.subject]
            assert len(reminders) == 1 and reminders[0].sent_at is not None  # delivered (to the log) after commit
            assert session.get(Submission, sid).status == "submitted"
    finally:
        engine.dispose()


def test_county_review_settings_page_and_api(client, session, cast, settings):
    editor = _other_client(client, session, cast.editor.user, settings)
    page = editor.get("/granska/installningar").text
    assert 'name="days_24"' in page and 'name="days_01"' not in page  # only their own county
    saved = post(editor, "/granska/installningar", {"days_24": "10"}, page_url="/granska/installningar")
    assert saved.status_code == 303
    assert review_settings.review_days(session, county_code="24", settings=settings) == 10
    bad = post(editor, "/granska/installningar", {"days_24": "0"}, page_url="/granska/installningar")
    assert bad.status_code == 422 and 'href="#f-days_24"' in bad.text
    assert post(editor, "/granska/installningar", {"days_01": "3"}, page_url="/granska/installningar").status_code == 403
    # The admin sees every county; the API does the same.
    admin = _other_client(client, session, cast.admin.user, settings)
    assert admin.get("/granska/installningar").text.count('type="number"') == 21
    listed = client.get("/api/v1/review-settings", headers=cast.editor.headers).json()
    assert listed["default_review_days"] == 14 and [(i["county_code"], i["review_days"]) for i in listed["items"]] == [("24", 10)]
    assert client.put("/api/v1/review-settings/01", json={"review_days": 7}, headers=cast.editor.headers).status_code == 403
    assert client.put("/api/v1/review-settings/01", json={"review_days": 7}, headers=cast.admin.headers).json()["review_days"] == 7
    assert client.put("/api/v1/review-settings/01", json={"review_days": "sju"}, headers=cast.admin.headers).status_code == 422
    assert client.put("/api/v1/review-settings/99", json={"review_days": 7}, headers=cast.admin.headers).status_code == 404
    assert client.get("/api/v1/review-settings", headers=cast.author.headers).json()["items"] == []
