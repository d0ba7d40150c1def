"""The authorization matrix: every role (anonymous, author, a colleague in the author's
organisation, a contributor of another organisation, the county's editor, another county's
editor, the admin) × every state-changing endpoint (and the reads that reveal a
submission) × the relevant states → the expected status.

404 where the caller may not even know the submission exists; 403 where they can see it but
may not act; 409 where they may act but not in this state.
"""

from __future__ import annotations

import pytest

from tests.factories import example_payload
from tests.review.conftest import ALL_MET, new_submission, published_example

ROLES = ("anonymous", "author", "colleague", "outsider", "editor", "other_editor", "admin")
STATES = ("draft", "submitted", "changes_requested", "published", "rejected")


def _row(text: str) -> dict[str, int]:
    return dict(zip(ROLES, (int(v) for v in text.split())))


#            anon author colleague outsider editor other  admin
SEE = {
    "draft":             _row("401 200 200 404 404 404 200"),
    "submitted":         _row("401 200 200 404 200 404 200"),
    "changes_requested": _row("401 200 200 404 200 404 200"),
    "published":         _row("401 200 200 404 200 404 200"),
    "rejected":          _row("401 200 200 404 200 404 200"),
}
EDIT = {  # PUT and submit
    "draft":             _row("401 200 200 404 404 404 200"),
    "submitted":         _row("401 409 409 404 403 404 409"),
    "changes_requested": _row("401 200 200 404 403 404 200"),
    "published":         _row("401 409 409 404 403 404 409"),
    "rejected":          _row("401 409 409 404 403 404 409"),
}
DELETE = {
    "draft":             _row("401 204 204 404 404 404 204"),
    "submitted":         _row("401 409 409 404 403 404 409"),
    "changes_requested": _row("401 409 409 404 403 404 409"),
    "published":         _row("401 409 409 404 403 404 409"),
    "rejected":          _row("401 409 409 404 403 404 409"),
}
DECIDE = {
    "draft":             _row("401 403 403 404 404 404 409"),
    "submitted":         _row("401 403 403 404 200 404 200"),
    "changes_requested": _row("401 403 403 404 409 404 409"),
    "published":         _row("401 403 403 404 409 404 409"),
    "rejected":          _row("401 403 403 404 409 404 409"),
}
COMMENT = {state: {role: (201 if code == 200 else code) for role, code in row.items()} for state, row in SEE.items()}


def _call(client, endpoint: str, sub, headers):
    base = f"/api/v1/submissions/{sub.id}"
    if endpoint == "view":
        return client.get(base, headers=headers)
    if endpoint == "history":
        return client.get(base + "/history", headers=headers)
    if endpoint == "put":
        return client.put(base, json=example_payload(summary="Ändrad"), headers={**headers, "If-Match": str(sub.version)})
    if endpoint == "submit":
        return client.post(base + "/submit", headers=headers)
    if endpoint == "delete":
        return client.delete(base, headers=headers)
    if endpoint == "decide":
        return client.post(base + "/decision", json={"decision": "approve", "criteria": ALL_MET}, headers=headers)
    if endpoint == "comment":
        return client.post(base + "/comments", json={"comment": "En fråga"}, headers=headers)
    raise ValueError(endpoint)


MATRIX = {"view": SEE, "history": SEE, "put": EDIT, "submit": EDIT, "delete": DELETE, "decide": DECIDE,
          "comment": COMMENT}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_submission_endpoints(client, session, cast, settings, endpoint, state):
    expected = MATRIX[endpoint][state]
    got = {}
    for role in ROLES:
        sub = new_submission(session, cast, state=state, settings=settings)
        response = _call(client, endpoint, sub, cast.role(role).headers)
        got[role] = response.status_code
        if response.status_code >= 400:
            body = response.json()
            assert body["error"]["status"] == response.status_code and body["error"]["code"], body
    assert got == expected


def test_nobody_decides_on_their_own_submission(client, session, cast, settings):
    # An editor who wrote a submission in their own county, and the admin.
    for who in (cast.editor, cast.admin):
        sub = new_submission(session, cast, state="submitted", settings=settings, author=who)
        response = client.post(f"/api/v1/submissions/{sub.id}/decision",
                               json={"decision": "approve", "criteria": ALL_MET}, headers=who.headers)
        assert response.status_code == 403, who.user.role
    # ...but the other one may.
    sub = new_submission(session, cast, state="submitted", settings=settings, author=cast.editor)
    response = client.post(f"/api/v1/submissions/{sub.id}/decision",
                           json={"decision": "approve", "criteria": ALL_MET}, headers=cast.admin.headers)
    assert response.status_code == 200, response.text


def test_editors_decide_only_for_their_county(client, session, cast, settings):
    sub = new_submission(session, cast, state="submitted", settings=settings, county_code="01", municipality_code="0180")
    assert client.post(f"/api/v1/submissions/{sub.id}/decision", json={"decision": "approve", "criteria": ALL_MET},
                       headers=cast.editor.headers).status_code == 404
    response = client.post(f"/api/v1/submissions/{sub.id}/decision", json={"decision": "approve", "criteria": ALL_MET},
                           headers=cast.other_editor.headers)
    assert response.status_code == 200, response.text


#                       anon author colleague outsider editor other  admin
REVISE = {"published": _row("401 201 201 403 201 403 201"), "withdrawn": _row("401 409 409 403 409 403 409")}
WITHDRAW = {"published": _row("401 403 403 403 200 403 200"), "withdrawn": _row("401 403 403 403 409 403 409")}


@pytest.mark.parametrize("state", ["published", "withdrawn"])
@pytest.mark.parametrize("endpoint", ["revisions", "withdraw"])
def test_example_endpoints(client, session, cast, settings, endpoint, state):
    from app.services.review import withdraw

    expected = (REVISE if endpoint == "revisions" else WITHDRAW)[state]
    got = {}
    for role in ROLES:
        example = published_example(session, cast, settings=settings)
        if state == "withdrawn":
            withdraw(session, example=example, user=cast.admin.user, reason="Test", settings=settings)
        body = {"reason": "Inaktuellt"} if endpoint == "withdraw" else None
        response = client.post(f"/api/v1/examples/{example.id}/{endpoint}", json=body, headers=cast.role(role).headers)
        got[role] = response.status_code
    assert got == expected


def test_unknown_example_is_404_for_everyone_logged_in(client, cast):
    for endpoint in ("revisions", "withdraw"):
        assert client.post(f"/api/v1/examples/999999/{endpoint}", json={"reason": "x"},
                           headers=cast.admin.headers).status_code == 404
        assert client.post(f"/api/v1/examples/999999/{endpoint}", json={"reason": "x"}).status_code == 401


def test_create_and_queue(client, cast):
    created = {role: client.post("/api/v1/submissions", json={}, headers=cast.role(role).headers).status_code
               for role in ROLES}
    assert created == _row("401 201 201 201 201 201 201")
    queue = {role: client.get("/api/v1/review-queue", headers=cast.role(role).headers).status_code for role in ROLES}
    assert queue == _row("401 403 403 403 200 200 200")


def test_bad_or_revoked_tokens_are_401(client, session, cast):
    from datetime import UTC, datetime

    from sqlmodel import select

    from app.models import ApiToken

    assert client.get("/api/v1/submissions", headers={"Authorization": "Bearer brb_nonsense"}).status_code == 401
    assert client.get("/api/v1/submissions", headers={"Authorization": "Basic abc"}).status_code == 401
    token = session.exec(select(ApiToken).where(ApiToken.user_id == cast.author.id)).one()
    token.revoked_at = datetime.now(UTC)
    session.add(token)
    session.flush()
    response = client.get("/api/v1/submissions", headers=cast.author.headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    # A deactivated account's tokens stop working too.
    cast.colleague.user.is_active = False
    session.add(cast.colleague.user)
    session.flush()
    assert client.get("/api/v1/submissions", headers=cast.colleague.headers).status_code == 401


def test_contributors_list_only_their_own_and_their_organisations(client, session, cast, settings):
    mine = new_submission(session, cast, settings=settings)
    other = new_submission(session, cast, settings=settings, author=cast.outsider)
    ids = lambda who: {i["id"] for i in client.get("/api/v1/submissions", headers=who.headers).json()["items"]}  # noqa: E731
    assert mine.id in ids(cast.author) and mine.id in ids(cast.colleague) and other.id not in ids(cast.author)
    assert ids(cast.outsider) == {other.id}
    assert client.get("/api/v1/submissions").status_code == 401
