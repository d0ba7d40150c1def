"""The rules of a decision: approval needs every automatic criterion met and every judged
criterion met or not applicable; not met and not applicable need a comment; requesting
changes or rejecting needs a message to the author; the published example carries the
quality profile."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.models import Submission
from tests.review.conftest import ALL_MET, new_submission


@pytest.fixture
def submitted(session, cast, settings):
    return new_submission(session, cast, state="submitted", settings=settings)


def decide(client, cast, sub, body):
    return client.post(f"/api/v1/submissions/{sub.id}/decision", json=body, headers=cast.editor.headers)


def fields(response):
    return {f["field"]: f["message"] for f in response.json()["error"]["fields"]}


def test_approval_needs_every_judged_criterion(client, cast, submitted):
    partial = {k: v for k, v in ALL_MET.items() if k != "participation"}
    response = decide(client, cast, submitted, {"decision": "approve", "criteria": partial})
    assert response.status_code == 422
    assert list(fields(response)) == ["criteria.participation"]


def test_not_met_blocks_approval(client, cast, submitted):
    response = decide(client, cast, submitted, {"decision": "approve", "comment": "Nästan",
                                                "criteria": {**ALL_MET, "participation": "not_met"}})
    assert response.status_code == 422 and "criteria.participation" in fields(response)


def test_not_applicable_needs_a_comment_on_the_criterion_or_the_decision(client, session, cast, settings, submitted):
    body = {"decision": "approve", "criteria": {**ALL_MET, "transferability": "not_applicable"}}
    refused = decide(client, cast, submitted, body)
    assert refused.status_code == 422 and "comment is required" in fields(refused)["criteria.transferability"]
    assert decide(client, cast, submitted, {**body, "comment": "Ett unikt läge."}).status_code == 200
    other = new_submission(session, cast, state="submitted", settings=settings)
    per_criterion = {"decision": "approve", "criteria": {
        **ALL_MET, "transferability": {"judgement": "not_applicable", "comment": "Ett unikt läge."}}}
    approved = decide(client, cast, other, per_criterion)
    assert approved.status_code == 200
    example = client.get(f"/api/v1/examples/{approved.json()['example_id']}").json()
    assert example["quality"]["criteria"]["transferability"]["comment"] == "Ett unikt läge."
    assert {v["kind"] for v in example["quality"]["criteria"].values()} == {"automatic", "judged"}
    assert len(example["quality"]["criteria"]) == 14 and example["quality"]["reviewed_at"]
    # The public example page shows the profile.
    page = client.get(f"/exempel/{example['id']}")
    assert page.status_code == 200
    assert page.text.count('class="criterion criterion-met"') == 13
    assert page.text.count('class="criterion criterion-not_applicable"') == 1


@pytest.mark.parametrize("decision", ["request_changes", "reject"])
def test_changes_and_rejection_need_a_message(client, cast, submitted, decision):
    refused = decide(client, cast, submitted, {"decision": decision})
    assert refused.status_code == 422 and "comment" in fields(refused)
    done = decide(client, cast, submitted, {"decision": decision, "comment": "Se kommentarerna."})
    assert done.status_code == 200 and done.json()["example_id"] is None


def test_unknown_keys_values_and_decisions_are_refused(client, cast, submitted):
    for body, field in (
        ({"decision": "approve", "criteria": {**ALL_MET, "beauty": "met"}}, "criteria.beauty"),
        ({"decision": "approve", "criteria": {**ALL_MET, "links_valid": "met"}}, "criteria.links_valid"),
        ({"decision": "approve", "criteria": {**ALL_MET, "participation": "kinda"}}, "criteria.participation"),
        ({"decision": "publish"}, "decision"),
        ({"criteria": ALL_MET}, "decision"),
        ({"decision": "approve", "criteria": ALL_MET, "extra": 1}, "extra"),
    ):
        response = decide(client, cast, submitted, body)
        assert response.status_code == 422, body
        assert any(f == field or f.startswith(field) for f in fields(response)), (body, fields(response))
    assert client.get(f"/api/v1/submissions/{submitted.id}", headers=cast.author.headers).json()["status"] == "submitted"


def test_approval_rechecks_the_automatic_criteria(client, session, cast, submitted):
    # The content cannot change while submitted, but the rules can (a municipality moved
    # county, a criterion was tightened): approval checks again.
    session.execute(update(Submission).where(Submission.id == submitted.id).values(method="Kort."))
    session.flush()
    session.expire_all()
    response = decide(client, cast, submitted, {"decision": "approve", "criteria": ALL_MET})
    assert response.status_code == 422 and "method_described" in fields(response)


def test_a_stale_if_match_on_a_decision_is_412(client, cast, submitted):
    response = client.post(f"/api/v1/submissions/{submitted.id}/decision", json={"decision": "approve", "criteria": ALL_MET},
                           headers={**cast.editor.headers, "If-Match": str(submitted.version + 3)})
    assert response.status_code == 412


def test_a_second_decision_is_409(client, cast, submitted):
    assert decide(client, cast, submitted, {"decision": "reject", "comment": "Nej"}).status_code == 200
    again = decide(client, cast, submitted, {"decision": "approve", "criteria": ALL_MET})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
