"""Reuse reports ("Vi har också provat") through the services, on SQLite and PostgreSQL:
the personal-data guard, the county editors of the reporting organisation's county, the
lighter checklist, publication writing a search-outbox row, counts, API and export."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from app.core.config import Settings
from app.core.errors import Conflict, InputError, NotFound
from app.models import Notification, OutboxEntry
from app.services import reuse
from app.services.transfer import import_examples, iter_reuse_export, parse_file
from tests.factories import example_payload
from tests.review.conftest import make_user

SETTINGS = Settings(ENV="development")
REPORT = {
    "organisation_name": "Luleå kommun", "county_code": "25", "municipality_code": "2580", "used_year": 2024,
    "used_month": 3, "effort_hours": 90, "outcome": "better",
    "adaptations": "Vi använde mallen men bara för investeringsbudgeten, och ungdomsrådet läste analyserna.",
    "lesson": "Börja smalt det första året så hinner nämnderna lära sig.",
}
APPROVE = {"decision": "approve", "criteria": {k: "met" for k in reuse.JUDGED}}


@pytest.fixture
def example(session):
    line = json.dumps(example_payload(), ensure_ascii=False)
    return import_examples(session, parse_file("x.jsonl", line + "\n"), actor_label="test")[0]


@pytest.fixture
def people(session):
    return {
        "author": make_user(session, email="lisa@lulea.se", role="contributor", organisation="Luleå kommun"),
        "norrbotten": make_user(session, email="red@nb.se", role="editor", county="25", organisation="Lst NB"),
        "vasterbotten": make_user(session, email="red@vb.se", role="editor", county="24", organisation="Lst VB"),
    }


def _report(session, example, people, **changes):
    data = reuse.parse_report({**REPORT, **changes}, session=session)
    return reuse.create_report(session, user=people["author"], example=example, data=data, settings=SETTINGS)


def test_personal_numbers_and_bad_references_are_refused_by_field(session):
    with pytest.raises(InputError) as caught:
        reuse.parse_report({**REPORT, "lesson": "Ring 19121212-1212 om du undrar något mer om detta.",
                            "municipality_code": "2480", "outcome": "great"}, session=session)
    fields = {f.field for f in caught.value.fields}
    assert fields == {"outcome"}  # shape first
    with pytest.raises(InputError) as caught:
        reuse.parse_report({**REPORT, "lesson": "Ring 19121212-1212 om du undrar något mer om detta.",
                            "municipality_code": "2480"}, session=session)
    assert {f.field for f in caught.value.fields} == {"lesson", "municipality_code"}


def test_the_reporting_countys_editor_reviews_and_approval_is_public_and_indexed(session, example, people):
    report = _report(session, example, people)
    assert report.status == "submitted"
    told = session.exec(select(Notification).where(Notification.kind == "reuse_submitted")).all()
    assert {n.user_id for n in told} == {people["norrbotten"].id}  # the reporter's county, not the example's
    assert reuse.published_reports(session, example_id=example.id) == []
    with pytest.raises(NotFound):  # another county's editor does not even see it
        reuse.decide(session, report=report, reviewer=people["vasterbotten"],
                     data=reuse.parse_decision(APPROVE), settings=SETTINGS)
    with pytest.raises(InputError) as caught:
        reuse.decide(session, report=report, reviewer=people["norrbotten"],
                     data=reuse.parse_decision({"decision": "approve", "criteria": {"adaptation_described": "not_met"}}),
                     settings=SETTINGS)
    assert {f.field for f in caught.value.fields} == {
        "criteria.adaptation_described", "criteria.outcome_supported", "criteria.no_identifiable_people"}
    before = len(session.exec(select(OutboxEntry).where(OutboxEntry.example_id == example.id)).all())
    reuse.decide(session, report=report, reviewer=people["norrbotten"], data=reuse.parse_decision(APPROVE),
                 settings=SETTINGS)
    assert report.status == "published" and report.checklist["no_personal_data"]["result"] == "met"
    after = len(session.exec(select(OutboxEntry).where(OutboxEntry.example_id == example.id)).all())
    assert after == before + 1
    with pytest.raises(Conflict):
        reuse.decide(session, report=report, reviewer=people["norrbotten"], data=reuse.parse_decision(APPROVE),
                     settings=SETTINGS)
    assert reuse.reuse_counts(session, [example.id]) == {example.id: 1}
    # A second report of the same organisation counts one organisation, two reports.
    second = _report(session, example, people, outcome="too_early")
    reuse.decide(session, report=second, reviewer=people["norrbotten"], data=reuse.parse_decision(APPROVE),
                 settings=SETTINGS)
    api = reuse.reuse_api(session, example_id=example.id, base_url="http://x")
    assert api["reuse_count"] == 1 and api["reports"] == 2 and api["counties"] == {"25": 2}
    assert api["outcomes"]["better"] == 1 and api["outcomes"]["too_early"] == 1
    lines = [json.loads(line) for line in iter_reuse_export(session, "jsonl", ids=None, base_url="http://x")]
    assert [line["id"] for line in lines] == [report.id, second.id]
    assert lines[0]["adaptations"] == REPORT["adaptations"] and lines[0]["review"]["outcome_supported"] == "met"


def test_changes_requested_then_resubmitted_by_the_author_only(session, example, people):
    report = _report(session, example, people)
    with pytest.raises(InputError):  # a request for changes needs a message
        reuse.decide(session, report=report, reviewer=people["norrbotten"],
                     data=reuse.parse_decision({"decision": "request_changes"}), settings=SETTINGS)
    reuse.decide(session, report=report, reviewer=people["norrbotten"],
                 data=reuse.parse_decision({"decision": "request_changes", "comment": "Skriv mer om anpassningen."}),
                 settings=SETTINGS)
    assert report.status == "changes_requested"
    data = reuse.parse_report({**REPORT, "adaptations": REPORT["adaptations"] + " Vi kortade mallen till en sida."},
                              session=session)
    with pytest.raises(NotFound):
        reuse.resubmit(session, user=people["vasterbotten"], report=report, data=data, settings=SETTINGS)
    reuse.resubmit(session, user=people["author"], report=report, data=data, settings=SETTINGS)
    assert report.status == "submitted" and report.adaptations.endswith("en sida.")
