"""The contributor's note to the county editor survives pressing "submit": it is kept with
the submission and shown to the editor on the review page (form and API)."""

from __future__ import annotations

from sqlmodel import select

from app.models import Event, Submission
from tests.factories import example_payload
from tests.review.conftest import new_submission
from tests.review.test_pages_workflow import form_fields, post
from tests.review.web import sign_in

NOTE = "Hej! Bilagan med enkätsvaren kommer i nästa vecka, titta särskilt på metoden."


def test_note_in_the_form_reaches_the_editor_when_submitting(client, session, cast, settings):
    sign_in(client, session, cast.author.user, settings)
    sub = new_submission(session, cast, settings=settings)
    url = f"/bidrag/{sub.id}"
    form = client.get(url).text
    assert 'name="note"' in form and 'for="f-note"' in form
    fields = [("version", str(sub.version))] + form_fields(example_payload()) + [("note", NOTE)]
    done = post(client, f"{url}/skicka-in", fields)
    assert done.status_code == 303, done.text[-1500:]
    session.refresh(sub)
    assert sub.status == "submitted"
    submitted = session.exec(select(Event).where(Event.submission_id == sub.id, Event.action == "submitted")).one()
    assert submitted.comment == NOTE

    editor = client.__class__(client.app)
    sign_in(editor, session, cast.editor.user, settings)
    review = editor.get(f"/granska/{sub.id}").text
    assert NOTE in review and 'id="note-title"' in review


def test_refused_submit_shows_the_note_again(client, session, cast, settings):
    sign_in(client, session, cast.author.user, settings)
    sub = new_submission(session, cast, settings=settings)
    fields = [("version", str(sub.version))] + form_fields(example_payload(method="För kort.")) + [("note", NOTE)]
    refused = post(client, f"/bidrag/{sub.id}/skicka-in", fields)
    assert refused.status_code == 422
    assert NOTE in refused.text  # still in the textarea, not lost


def test_saving_the_draft_keeps_the_note_as_a_comment(client, session, cast, settings):
    sign_in(client, session, cast.author.user, settings)
    sub = new_submission(session, cast, settings=settings)
    saved = post(client, f"/bidrag/{sub.id}", [("version", str(sub.version))] + form_fields(example_payload())
                 + [("note", NOTE)])
    assert saved.status_code == 303
    comments = session.exec(select(Event).where(Event.submission_id == sub.id, Event.action == "commented")).all()
    assert [c.comment for c in comments] == [NOTE]


def test_api_submit_takes_a_note(client, session, cast, settings):
    sub = new_submission(session, cast, settings=settings)
    response = client.post(f"/api/v1/submissions/{sub.id}/submit", json={"note": NOTE}, headers=cast.author.headers)
    assert response.status_code == 200, response.text
    history = client.get(f"/api/v1/submissions/{sub.id}/history", headers=cast.editor.headers).json()["items"]
    assert [(e["action"], e["comment"]) for e in history if e["action"] == "submitted"] == [("submitted", NOTE)]
    assert session.get(Submission, sub.id).status == "submitted"


def test_api_note_must_be_text(client, session, cast, settings):
    sub = new_submission(session, cast, settings=settings)
    response = client.post(f"/api/v1/submissions/{sub.id}/submit", json={"note": 42}, headers=cast.author.headers)
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "note"
    assert session.get(Submission, sub.id).status == "draft"
