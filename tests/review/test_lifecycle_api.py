"""The whole lifecycle over the JSON API, for all three roles."""

from __future__ import annotations

from sqlmodel import select

from app.models import Event, Example, ExampleVersion, Notification, OutboxEntry
from tests.factories import example_payload
from tests.review.conftest import ALL_MET


def test_draft_submit_request_changes_resubmit_approve_publish(client, session, cast):
    author, editor = cast.author, cast.editor
    # A draft may be incomplete.
    created = client.post("/api/v1/submissions", json={"title": "Halvfärdigt"}, headers=author.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "draft" and body["version"] == 1 and body["id"]
    assert created.headers["ETag"] == '"1"'
    sid = body["id"]
    # The author's organisation and county fill in what the draft leaves out.
    assert body["organisation_name"] == "Umeå kommun"

    # Submitting an incomplete draft lists every failed automatic criterion by key.
    refused = client.post(f"/api/v1/submissions/{sid}/submit", headers=author.headers)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "criteria_not_met"
    keys = {f["field"] for f in error["fields"]}
    assert {"articles_tagged", "method_described", "lessons_described", "effort_stated",
            "organisation_identified"} <= keys
    assert all(f["message"] for f in error["fields"])
    assert client.get(f"/api/v1/submissions/{sid}", headers=author.headers).json()["status"] == "draft"

    # PUT needs If-Match; a stale version is refused.
    full = example_payload()
    assert client.put(f"/api/v1/submissions/{sid}", json=full, headers=author.headers).status_code == 428
    stale = client.put(f"/api/v1/submissions/{sid}", json=full, headers={**author.headers, "If-Match": '"7"'})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "version_mismatch"
    put = client.put(f"/api/v1/submissions/{sid}", json=full, headers={**author.headers, "If-Match": '"1"'})
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 2 and put.headers["ETag"] == '"2"'
    assert all(c["passed"] for c in put.json()["automatic_criteria"])

    submitted = client.post(f"/api/v1/submissions/{sid}/submit", headers=author.headers)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"

    # The editor of the county sees it in the queue, with its age.
    queue = client.get("/api/v1/review-queue", headers=editor.headers).json()
    assert [i["id"] for i in queue["items"]] == [sid]
    assert queue["items"][0]["age_seconds"] >= 0 and "age_days" in queue["items"][0]
    assert client.get("/api/v1/review-queue", headers=cast.other_editor.headers).json()["items"] == []

    changes = client.post(f"/api/v1/submissions/{sid}/decision", headers=editor.headers, json={
        "decision": "request_changes", "comment": "Beskriv hur barnen fick återkoppling.",
        "criteria": {"participation": "not_met"},
    })
    assert changes.status_code == 200, changes.text
    assert changes.json()["status"] == "changes_requested"

    version = changes.json()["version"]
    revised = client.put(f"/api/v1/submissions/{sid}", headers={**author.headers, "If-Match": str(version)},
                         json={**full, "child_participation": full["child_participation"] + " De fick svar skriftligt."})
    assert revised.status_code == 200, revised.text
    assert client.post(f"/api/v1/submissions/{sid}/submit", headers=author.headers).json()["status"] == "submitted"

    approved = client.post(f"/api/v1/submissions/{sid}/decision", headers=editor.headers, json={
        "decision": "approve", "comment": "Bra!",
        "criteria": {**ALL_MET, "transferability": {"judgement": "not_applicable", "comment": "Unikt läge."}},
    })
    assert approved.status_code == 200, approved.text
    result = approved.json()
    assert result["status"] == "published" and result["example_id"]

    public = client.get(f"/api/v1/examples/{result['example_id']}")
    assert public.status_code == 200
    example = public.json()
    assert example["title"] == full["title"] and example["version"] == 1
    criteria = example["quality"]["criteria"]
    assert criteria["no_personal_data"]["result"] == "met"
    assert criteria["transferability"] == {"kind": "judged", "result": "not_applicable", "comment": "Unikt läge."}
    assert session.exec(select(OutboxEntry).where(OutboxEntry.example_id == result["example_id"])).first()

    history = client.get(f"/api/v1/submissions/{sid}/history", headers=author.headers).json()["items"]
    transitions = [(e["action"], e["from_status"], e["to_status"]) for e in history]
    assert transitions == [
        ("created", None, "draft"),
        ("submitted", "draft", "submitted"),
        ("request_changes", "submitted", "changes_requested"),
        ("submitted", "changes_requested", "submitted"),
        ("published", "submitted", "published"),
    ]
    assert all(e["actor"] and e["time"] for e in history)
    assert history[2]["comment"] == "Beskriv hur barnen fick återkoppling."

    # Notifications: the editor on each submit, the author on each decision.
    notes = session.exec(select(Notification).order_by(Notification.id)).all()
    assert [(n.user_id, n.kind, n.detail) for n in notes] == [
        (editor.id, "submitted", ""), (author.id, "decision", "changes_requested"),
        (editor.id, "submitted", ""), (author.id, "decision", "published"),
    ]


def test_revision_keeps_public_version_until_approved_then_withdraw(client, session, cast, settings):
    from tests.review.conftest import published_example

    example = published_example(session, cast, settings=settings)
    eid, old_title = example.id, example.title
    started = client.post(f"/api/v1/examples/{eid}/revisions", headers=cast.colleague.headers)
    assert started.status_code == 201, started.text
    rev = started.json()
    assert rev["kind"] == "revision" and rev["example_id"] == eid and rev["base_version"] == 1
    assert rev["title"] == old_title and rev["status"] == "draft"
    # Only one open revision at a time.
    assert client.post(f"/api/v1/examples/{eid}/revisions", headers=cast.author.headers).status_code == 409

    new_title = "Barnkonsekvensanalys i budgeten – andra upplagan"
    changed = {k: v for k, v in rev.items() if k in example_payload()}
    changed["title"] = new_title
    put = client.put(f"/api/v1/submissions/{rev['id']}", json=changed,
                     headers={**cast.colleague.headers, "If-Match": str(rev["version"])})
    assert put.status_code == 200, put.text
    assert client.post(f"/api/v1/submissions/{rev['id']}/submit", headers=cast.colleague.headers).status_code == 200
    # Until approval the public sees version 1.
    public = client.get(f"/api/v1/examples/{eid}").json()
    assert public["title"] == old_title and public["version"] == 1

    done = client.post(f"/api/v1/submissions/{rev['id']}/decision", headers=cast.admin.headers,
                       json={"decision": "approve", "criteria": ALL_MET})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "published" and done.json()["example_id"] == eid
    public = client.get(f"/api/v1/examples/{eid}").json()
    assert public["title"] == new_title and public["version"] == 2
    revision_history = client.get(f"/api/v1/submissions/{rev['id']}/history", headers=cast.colleague.headers).json()
    assert [(e["action"], e["from_status"], e["to_status"]) for e in revision_history["items"]] == [
        ("revision_started", None, "draft"), ("submitted", "draft", "submitted"), ("published", "submitted", "published")]
    versions = session.exec(select(ExampleVersion).where(ExampleVersion.example_id == eid).order_by(ExampleVersion.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].data["title"] == old_title and versions[1].data["title"] == new_title
    outbox = session.exec(select(OutboxEntry).where(OutboxEntry.example_id == eid)).all()
    assert len(outbox) == 2

    # Withdraw: a reason is required; the editor of another county may not.
    url = f"/api/v1/examples/{eid}/withdraw"
    assert client.post(url, json={"reason": "x"}, headers=cast.other_editor.headers).status_code == 403
    assert client.post(url, json={"reason": " "}, headers=cast.editor.headers).status_code == 422
    gone = client.post(url, json={"reason": "Verksamheten har lagts ned."}, headers=cast.editor.headers)
    assert gone.status_code == 200, gone.text
    assert gone.json()["status"] == "withdrawn"
    assert client.get(f"/api/v1/examples/{eid}").status_code == 404
    assert len(session.exec(select(OutboxEntry).where(OutboxEntry.example_id == eid)).all()) == 3
    event = session.exec(select(Event).where(Event.example_id == eid, Event.action == "withdrawn")).one()
    assert event.comment == "Verksamheten har lagts ned." and event.to_status == "withdrawn"
    assert session.get(Example, eid).withdrawn_reason == "Verksamheten har lagts ned."
    # Withdrawn examples cannot be revised or withdrawn again.
    assert client.post(url, json={"reason": "igen"}, headers=cast.editor.headers).status_code == 409
    assert client.post(f"/api/v1/examples/{eid}/revisions", headers=cast.author.headers).status_code == 409
