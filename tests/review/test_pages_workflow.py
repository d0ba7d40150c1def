"""The workflow's pages over HTTP, as a browser without JavaScript uses them: the form
(save, inline validation, preview, submit with an error summary), the editor's review page
and queue, comments, revisions, versions and diffs, withdrawal."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.models import Example, OutboxEntry, Submission
from tests.factories import example_payload
from tests.review.conftest import new_submission, published_example
from tests.review.web import csrf_from, sign_in


def form_fields(data: dict) -> list[tuple[str, str]]:
    """An example payload as the form posts it."""
    fields: list[tuple[str, str]] = []
    for name, value in data.items():
        if name == "links":
            for i, link in enumerate(value):
                fields += [(f"link_title_{i}", link["title"]), (f"link_url_{i}", link["url"])]
        elif isinstance(value, list):
            fields += [(name, str(v)) for v in value]
        elif value is not None:
            fields.append((name, str(value)))
    return fields


def as_form(fields) -> dict[str, list[str]]:
    body: dict[str, list[str]] = {}
    for name, value in (fields.items() if isinstance(fields, dict) else fields):
        body.setdefault(name, []).append(value)
    return body


def post(client, url, fields, *, page_url=None, **kwargs):
    token = csrf_from(client.get(page_url or "/logga-in").text)  # the token depends on the cookies only
    return client.post(url, data=as_form(list(_pairs(fields)) + [("csrf_token", token)]),
                       follow_redirects=False, **kwargs)


def _pairs(fields):
    return fields.items() if isinstance(fields, dict) else fields


@pytest.fixture
def author_client(client, session, cast, settings):
    sign_in(client, session, cast.author.user, settings)
    return client


def _other_client(client, session, user, settings) -> TestClient:
    other = TestClient(client.app)
    sign_in(other, session, user, settings)
    return other


def test_write_save_and_submit_without_javascript(author_client, session, cast, settings):
    client = author_client
    created = post(client, "/bidrag", {}, page_url="/mina-exempel")
    assert created.status_code == 303
    url = created.headers["location"]
    sid = int(url.rsplit("/", 1)[1])
    page = client.get(url)
    assert page.status_code == 200
    html = page.text
    # Every field of the contract is in the form, each with a label.
    for name in ("title", "summary", "background", "method", "child_participation", "results", "lessons_learned",
                 "adaptations", "trade_offs", "transferability", "organisation_name", "organisation_type",
                 "county_code", "municipality_code", "start_year", "end_year", "duration_months", "effort_hours",
                 "cost_sek", "contact_name", "contact_email"):
        assert f'id="f-{name}"' in html and f'for="f-{name}"' in html, name
    for name in ("articles", "sectors", "target_groups", "age_groups", "links"):
        assert f'id="f-{name}"' in html, name
    assert 'name="link_url_0"' in html
    assert 'aria-live="polite"' in html and 'id="checklist-summary"' in html

    # Save a half-written draft: typed text is kept, only real mistakes are marked.
    half = [("title", "Barn"), ("method", "Vi började med"), ("start_year", "tjugo"),
            ("contact_email", "inte-en-adress")]
    saved = post(client, url, [("version", "1")] + half)
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?done=saved"
    sub = session.get(Submission, sid)
    assert sub.title == "Barn" and sub.method == "Vi började med"
    again = client.get(url).text
    assert 'value="Barn"' in again

    # Submitting it is refused with an error summary linking to the fields.
    refused = post(client, f"{url}/skicka-in", [("version", str(sub.version))] + half)
    assert refused.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', refused.text, re.S).group(0)
    for anchor in ("#f-articles", "#f-method", "#f-lessons_learned", "#f-duration_months", "#f-title",
                   "#f-start_year", "#f-contact_email"):
        assert anchor in summary, anchor
    assert session.get(Submission, sid).status == "draft"
    assert 'aria-invalid="true"' in refused.text

    # The whole example, then submit.
    session.refresh(sub)
    full = [("version", str(sub.version))] + form_fields(example_payload())
    done = post(client, f"{url}/skicka-in", full)
    assert done.status_code == 303, done.text[-2000:]
    assert done.headers["location"] == f"{url}?done=submitted"
    session.refresh(sub)
    assert sub.status == "submitted" and sub.articles == [3, 12] and sub.links == example_payload()["links"]
    # Now read-only for the author, with the thank-you notice.
    after = client.get(done.headers["location"]).text
    assert 'id="submission-form"' not in after and 'class="notice"' in after


def test_stale_version_on_save_keeps_the_typed_text(author_client, session, cast, settings):
    sub = new_submission(session, cast, settings=settings)
    response = post(author_client, f"/bidrag/{sub.id}", [("version", str(sub.version - 0 + 5)), ("title", "Min egen text")])
    assert response.status_code == 409
    assert 'value="Min egen text"' in response.text
    assert f'name="version" id="f-version" value="{sub.version}"' in response.text


def test_autosave_answers_with_out_of_band_updates(author_client, session, cast, settings):
    sub = new_submission(session, cast, settings=settings, method="kort")
    before = sub.version
    token = csrf_from(author_client.get(f"/bidrag/{sub.id}").text)
    fields = [("csrf_token", token), ("version", str(before))] + form_fields(example_payload(method="kort", contact_email="fel"))
    response = author_client.post(f"/bidrag/{sub.id}/autospara", data=as_form(fields), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.text
    assert "<html" not in body
    assert f'id="f-version" value="{before + 1}" hx-swap-oob="true"' in body
    assert 'id="checklist" hx-swap-oob="innerHTML"' in body
    assert "8 av 9" in body or "8 of 9" in body
    assert re.search(r'id="err-contact_email" hx-swap-oob="true">[^<]+<', body)
    assert re.search(r'id="err-title" hx-swap-oob="true"><', body)
    session.refresh(sub)
    assert sub.version == before + 1 and sub.contact_email == "fel"
    # A second window with the old version: 409, nothing overwritten.
    stale = author_client.post(f"/bidrag/{sub.id}/autospara", data=as_form(fields), headers={"HX-Request": "true"})
    assert stale.status_code == 409


def test_autosave_after_the_session_expired_is_401_for_htmx(client, session, cast, settings):
    sub = new_submission(session, cast, settings=settings)
    sign_in(client, session, cast.author.user, settings)
    token = csrf_from(client.get(f"/bidrag/{sub.id}").text)
    from app.models import AuthSession

    for row in session.exec(select(AuthSession)).all():
        session.delete(row)
    session.flush()
    response = client.post(f"/bidrag/{sub.id}/autospara", data={"csrf_token": token, "version": "1", "title": "x"},
                           headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver/bidrag/{sub.id}"})
    assert response.status_code == 401
    plain = client.post(f"/bidrag/{sub.id}", data={"csrf_token": token, "version": "1"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/logga-in?next=/bidrag/{sub.id}"


def test_markdown_preview_is_sanitised(author_client, session, cast, settings):
    sub = new_submission(session, cast, settings=settings)
    token = csrf_from(author_client.get(f"/bidrag/{sub.id}").text)
    text = "**Viktigt** <script>alert(1)</script> [länk](javascript:alert(1)) <img src=x onerror=alert(1)>"
    fragment = author_client.post(f"/bidrag/{sub.id}/forhandsgranska", headers={"HX-Request": "true"},
                                  data={"csrf_token": token, "preview": "method", "method": text})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "<strong>Viktigt</strong>" in fragment.text
    assert "<script" not in fragment.text and 'href="javascript:' not in fragment.text and "<img" not in fragment.text
    assert "&lt;script&gt;" in fragment.text  # shown as text, never run
    # Without JavaScript the button posts the whole form to the save URL: saved, with the preview.
    full = author_client.post(f"/bidrag/{sub.id}", data={"csrf_token": token, "version": str(sub.version),
                                                          "preview": "method", "method": text, "title": "Titel"})
    assert full.status_code == 200 and "<strong>Viktigt</strong>" in full.text and "<script>alert" not in full.text
    session.refresh(sub)
    assert sub.method == text and sub.title == "Titel"


def test_editor_reviews_in_the_browser_without_javascript(client, session, cast, settings):
    sub = new_submission(session, cast, state="submitted", settings=settings)
    editor = _other_client(client, session, cast.editor.user, settings)
    queue = editor.get("/granska")
    assert queue.status_code == 200 and f'href="/granska/{sub.id}"' in queue.text and 'class="age"' in queue.text
    page = editor.get(f"/granska/{sub.id}")
    assert page.status_code == 200
    html = page.text
    for key in ("best_interests", "participation", "non_discrimination", "practice_and_results", "transferability"):
        assert f'name="judgement_{key}"' in html and f'name="comment_{key}"' in html
    for decision in ("approve", "request_changes", "reject"):
        assert f'name="decision" value="{decision}"' in html
    assert sub.method[:40] in html  # the text beside the checklist

    # Approving with a judgement missing and one "not applicable" without comment: 422 with a summary.
    fields = [("version", str(sub.version)), ("decision", "approve"), ("judgement_best_interests", "met"),
              ("judgement_participation", "not_applicable")]
    refused = post(editor, f"/granska/{sub.id}", fields)
    assert refused.status_code == 422
    assert "#f-judgement_non_discrimination" in refused.text and "#f-judgement_participation" in refused.text
    assert 'value="not_applicable" checked' in refused.text  # the choices are kept
    session.refresh(sub)
    assert sub.status == "submitted"

    # Request changes with a comment.
    changes = post(editor, f"/granska/{sub.id}", [("version", str(sub.version)), ("decision", "request_changes"),
                                                  ("comment", "Beskriv vilka barn som inte nåddes."),
                                                  ("judgement_non_discrimination", "not_met")])
    assert changes.status_code == 303
    session.refresh(sub)
    assert sub.status == "changes_requested"
    # The author sees the request on the form.
    author = _other_client(client, session, cast.author.user, settings)
    form = author.get(f"/bidrag/{sub.id}").text
    assert "Beskriv vilka barn som inte nåddes." in form and 'id="submission-form"' in form


def test_comment_thread(client, session, cast, settings):
    sub = new_submission(session, cast, state="submitted", settings=settings)
    editor = _other_client(client, session, cast.editor.user, settings)
    assert post(editor, f"/bidrag/{sub.id}/kommentar", {"comment": "Finns det en utvärdering?", "back": "review"},
                page_url=f"/granska/{sub.id}").headers["location"] == f"/granska/{sub.id}#kommentarer"
    author = _other_client(client, session, cast.author.user, settings)
    assert "Finns det en utvärdering?" in author.get(f"/bidrag/{sub.id}").text
    post(author, f"/bidrag/{sub.id}/kommentar", {"comment": "Ja, se resultaten."})
    assert "Ja, se resultaten." in editor.get(f"/granska/{sub.id}").text
    assert post(author, f"/bidrag/{sub.id}/kommentar", {"comment": "  "}).status_code == 422
    # Someone who may not see it cannot comment either.
    outsider = _other_client(client, session, cast.outsider.user, settings)
    assert post(outsider, f"/bidrag/{sub.id}/kommentar", {"comment": "Hej"}, page_url="/mina-exempel").status_code == 404


def test_pages_hide_what_a_user_may_not_see(client, session, cast, settings):
    draft = new_submission(session, cast, settings=settings)
    submitted = new_submission(session, cast, state="submitted", settings=settings)
    outsider = _other_client(client, session, cast.outsider.user, settings)
    assert outsider.get(f"/bidrag/{draft.id}").status_code == 404
    assert outsider.get(f"/granska/{submitted.id}").status_code == 404
    assert outsider.get("/granska").status_code == 403
    assert outsider.get("/admin/anvandare").status_code == 403
    other_editor = _other_client(client, session, cast.other_editor.user, settings)
    assert other_editor.get(f"/granska/{submitted.id}").status_code == 404
    editor = _other_client(client, session, cast.editor.user, settings)
    assert editor.get(f"/bidrag/{draft.id}").status_code == 404  # drafts are private
    colleague = _other_client(client, session, cast.colleague.user, settings)
    assert colleague.get(f"/bidrag/{draft.id}").status_code == 200
    mine = colleague.get("/mina-exempel").text
    assert f'href="/bidrag/{draft.id}"' in mine and f'href="/bidrag/{submitted.id}"' in mine


def test_revision_versions_and_diff_pages(client, session, cast, settings):
    example = published_example(session, cast, settings=settings)
    author = _other_client(client, session, cast.author.user, settings)
    started = post(author, f"/bidrag/revidera/{example.id}", {}, page_url="/mina-exempel")
    assert started.status_code == 303
    rid = int(started.headers["location"].rsplit("/", 1)[1])
    # Starting again goes to the open revision.
    assert post(author, f"/bidrag/revidera/{example.id}", {}, page_url="/mina-exempel").headers["location"] == f"/bidrag/{rid}"
    rev = session.get(Submission, rid)
    new_method = example.method.replace("Varje nämnd", "Varje nämnd och bolag")
    fields = form_fields({**example_payload(), "method": new_method, "sectors": ["ledning-och-styrning", "skola"]})
    assert post(author, f"/bidrag/{rid}/skicka-in", [("version", str(rev.version))] + fields).status_code == 303
    editor = _other_client(client, session, cast.editor.user, settings)
    review = editor.get(f"/granska/{rid}").text
    assert "<ins>" in review and "och bolag" in review  # the changes against the published version
    judgements = [(f"judgement_{k}", "met") for k in ("best_interests", "participation", "non_discrimination",
                                                      "practice_and_results", "transferability")]
    session.refresh(rev)
    assert post(editor, f"/granska/{rid}", [("version", str(rev.version)), ("decision", "approve")] + judgements).status_code == 303
    session.refresh(example)
    assert example.version == 2 and "och bolag" in example.method

    anonymous = TestClient(client.app)
    history = anonymous.get(f"/versioner/{example.id}")
    assert history.status_code == 200
    assert f'/versioner/{example.id}/jamfor?fran=1&amp;till=2' in history.text
    assert anonymous.get(f"/versioner/{example.id}/1").status_code == 200
    v1 = anonymous.get(f"/versioner/{example.id}/1").text
    assert "Varje nämnd gjorde" in v1 and "och bolag" not in v1
    diff = anonymous.get(f"/versioner/{example.id}/jamfor?fran=1&till=2")
    assert diff.status_code == 200
    assert re.search(r"<ins><span class=\"visually-hidden\">\[[^<]+</span>\s*och bolag", diff.text)
    assert "<table class=\"diff\">" in diff.text and "Skola" in diff.text or "skola" in diff.text
    assert anonymous.get(f"/versioner/{example.id}/9").status_code == 404

    # Withdrawal from the version page; afterwards the versions are only for the county's editor and admin.
    form = editor.get(f"/granska/exempel/{example.id}/dra-tillbaka")
    assert form.status_code == 200
    assert post(editor, f"/granska/exempel/{example.id}/dra-tillbaka", {"reason": ""}).status_code == 422
    assert post(editor, f"/granska/exempel/{example.id}/dra-tillbaka", {"reason": "Inaktuellt"}).status_code == 303
    session.refresh(example)
    assert example.status == "withdrawn"
    assert anonymous.get(f"/versioner/{example.id}").status_code == 404
    assert editor.get(f"/versioner/{example.id}").status_code == 200
    outbox = session.exec(select(OutboxEntry).where(OutboxEntry.example_id == example.id)).all()
    assert len(outbox) == 3  # published, revised, withdrawn


def test_delete_a_draft(author_client, session, cast, settings):
    draft = new_submission(session, cast, settings=settings)
    submitted = new_submission(session, cast, state="submitted", settings=settings)
    assert post(author_client, f"/bidrag/{submitted.id}/radera", {}, page_url="/mina-exempel").status_code == 409
    assert post(author_client, f"/bidrag/{draft.id}/radera", {}, page_url="/mina-exempel").status_code == 303
    assert session.get(Submission, draft.id) is None
    assert session.exec(select(Example)).all() == []


def test_pages_in_english(author_client, session, cast, settings):
    sub = new_submission(session, cast, settings=settings)
    sv = author_client.get(f"/bidrag/{sub.id}").text
    en = author_client.get(f"/bidrag/{sub.id}?lang=en").text
    assert 'lang="sv"' in sv and 'lang="en"' in en
    assert "Write an example" in en and "Write an example" not in sv


def test_the_public_version_history_shows_publications_only(client, session, cast, settings):
    example = published_example(session, cast, settings=settings)
    from app.services.submissions import start_revision

    start_revision(session, example=example, user=cast.author.user)
    page = TestClient(client.app).get(f"/versioner/{example.id}").text
    history = page.split('<ol class="history">', 1)[1]
    assert "Revision påbörjad" not in history and cast.author.user.name not in history
    assert cast.editor.user.name not in history and "Kommentar" not in history  # no names, no internal comments
    assert "Godkänt och publicerat" in history
