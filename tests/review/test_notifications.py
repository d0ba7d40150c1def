"""Notifications: on submit the county's editors are told, on a decision the author is;
always in the in-app inbox, and by mail (SMTP when configured, the log otherwise) once the
transaction has committed."""

from __future__ import annotations

import logging
import socketserver
import threading

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.db import make_engine
from app.core.migrate import upgrade_to_head
from app.core.time import utcnow
from app.models import MailMessage, Notification, User
from app.services import submissions as submissions_service
from app.services.reference import load_reference_data
from tests.factories import example_payload
from tests.review.conftest import (
    ALL_MET,
    mails_to,
    make_user,
    new_submission,
    organisation_named,
)
from tests.review.web import csrf_from, sign_in


def notes_of(session, user):
    return session.exec(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)).all()


def test_submit_tells_every_editor_of_the_county_and_nobody_else(client, session, cast, settings):
    second = make_user(session, email="lisa@lansstyrelsen.se", role="editor", county="24")
    closed = make_user(session, email="gammal@lansstyrelsen.se", role="editor", county="24")
    closed.is_active = False
    session.add(closed)
    sub = new_submission(session, cast, settings=settings)
    response = client.post(f"/api/v1/submissions/{sub.id}/submit", headers=cast.author.headers)
    assert response.status_code == 200
    for editor in (cast.editor.user, second):
        (note,) = notes_of(session, editor)
        assert (note.kind, note.submission_id, note.actor_label) == ("submitted", sub.id, cast.author.user.name)
        (mail,) = mails_to(session, editor.email)
        assert sub.title in mail.body and f"/granska/{sub.id}" in mail.body and "In English" in mail.body
        assert mail.subject.startswith("Barnrättsbanken: ")
    assert notes_of(session, closed) == []
    assert notes_of(session, cast.other_editor.user) == [] and notes_of(session, cast.admin.user) == []
    assert notes_of(session, cast.author.user) == []


def test_a_county_without_editors_falls_back_to_the_admins(client, session, cast, settings):
    sub = new_submission(session, cast, settings=settings, county_code="25", municipality_code="2580")
    assert client.post(f"/api/v1/submissions/{sub.id}/submit", headers=cast.author.headers).status_code == 200
    assert [n.kind for n in notes_of(session, cast.admin.user)] == ["submitted"]
    assert notes_of(session, cast.editor.user) == []


@pytest.mark.parametrize(("decision", "status"), [("approve", "published"), ("request_changes", "changes_requested"),
                                                  ("reject", "rejected")])
def test_a_decision_tells_the_author(client, session, cast, settings, decision, status):
    sub = new_submission(session, cast, state="submitted", settings=settings)
    response = client.post(f"/api/v1/submissions/{sub.id}/decision", headers=cast.editor.headers,
                           json={"decision": decision, "comment": "Motivering", "criteria": ALL_MET})
    assert response.status_code == 200, response.text
    (note,) = notes_of(session, cast.author.user)
    assert (note.kind, note.detail, note.submission_id) == ("decision", status, sub.id)
    (mail,) = mails_to(session, cast.author.user.email)
    assert f"/bidrag/{sub.id}" in mail.body
    # The inbox, in Swedish and English, over the API and as a page.
    api = client.get("/api/v1/notifications", headers=cast.author.headers).json()
    assert api["unread"] == 1 and api["items"][0]["detail"] == status
    assert sub.title in api["items"][0]["text"]
    english = client.get("/api/v1/notifications", headers={**cast.author.headers, "Accept-Language": "en"}).json()
    assert english["items"][0]["text"] != api["items"][0]["text"]
    sign_in(client, session, cast.author.user, settings)
    inbox = client.get("/konto/notiser")
    assert inbox.status_code == 200 and sub.title in inbox.text and 'class="unread"' in inbox.text
    read = client.post("/konto/notiser/las", data={"csrf_token": csrf_from(inbox.text)}, follow_redirects=False)
    assert read.status_code == 303
    assert client.get("/api/v1/notifications", headers=cast.author.headers).json()["unread"] == 0


def test_comments_from_the_editor_reach_the_author(client, session, cast, settings):
    sub = new_submission(session, cast, state="submitted", settings=settings)
    client.post(f"/api/v1/submissions/{sub.id}/comments", json={"comment": "En fråga"}, headers=cast.editor.headers)
    client.post(f"/api/v1/submissions/{sub.id}/comments", json={"comment": "Svar"}, headers=cast.author.headers)
    assert [n.kind for n in notes_of(session, cast.author.user)] == ["comment"]


# ---- Delivery after commit ------------------------------------------------------------

@pytest.fixture
def committed_db(backend, fresh_db, tmp_path):
    url = fresh_db.url(backend)
    engine = make_engine(url)
    upgrade_to_head(engine)
    with Session(engine) as session:
        load_reference_data(session)
        session.commit()
    yield engine, url, tmp_path
    engine.dispose()


def _submit_one(engine, settings) -> None:
    with Session(engine, expire_on_commit=False) as session:
        author = User(email="anna@umea.se", name="Anna", role="contributor",
                      organisation_id=organisation_named(session, "Umeå kommun").id, created_at=utcnow())
        editor = User(email="erik@lst.se", name="Erik", role="editor", county_code="24", created_at=utcnow())
        session.add_all([author, editor])
        session.flush()
        sub = submissions_service.create(session, user=author,
                                         data=submissions_service.parse_submission_in(example_payload()))
        submissions_service.submit(session, submission=sub, user=author, settings=settings)
        session.commit()


def test_mail_is_printed_to_the_log_after_commit_in_development(committed_db, caplog):
    engine, url, tmp = committed_db
    settings = Settings(DATABASE_URL=url, DATA_DIR=tmp, ENV="development")
    with caplog.at_level(logging.INFO, logger="barnratt.mail"):
        _submit_one(engine, settings)
    assert "To: erik@lst.se" in caplog.text and "/granska/" in caplog.text
    with Session(engine) as session:
        (mail,) = session.exec(select(MailMessage)).all()
        assert mail.sent_at is not None and mail.attempts == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(committed_db, caplog):
    engine, url, tmp = committed_db
    settings = Settings(DATABASE_URL=url, DATA_DIR=tmp, ENV="development")
    with caplog.at_level(logging.INFO, logger="barnratt.mail"), Session(engine) as session:
        editor = User(email="erik@lst.se", role="editor", county_code="24", created_at=utcnow())
        author = User(email="anna@umea.se", role="contributor", created_at=utcnow())
        session.add_all([editor, author])
        session.flush()
        sub = submissions_service.create(session, user=author,
                                         data=submissions_service.parse_submission_in(example_payload()))
        submissions_service.submit(session, submission=sub, user=author, settings=settings)
        session.rollback()
    assert "To: erik@lst.se" not in caplog.text


class _FakeSMTP(socketserver.StreamRequestHandler):
    def handle(self):
        reply = self.wfile.write
        reply(b"220 fake ESMTP\r\n")
        lines: list[bytes] = []
        data = False
        while line := self.rfile.readline():
            if data:
                if line == b".\r\n":
                    data = False
                    self.server.messages.append(b"".join(lines).decode())
                    reply(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            command = line[:4].upper()
            if command == b"EHLO":
                reply(b"250-fake\r\n250 AUTH PLAIN LOGIN\r\n")
            elif command == b"AUTH":
                self.server.auth.append(line.decode().strip())
                reply(b"235 ok\r\n")
            elif command == b"DATA":
                data = True
                reply(b"354 go ahead\r\n")
            elif command == b"QUIT":
                reply(b"221 bye\r\n")
                return
            else:
                reply(b"250 ok\r\n")


def test_mail_goes_through_smtp_when_configured(committed_db):
    engine, url, tmp = committed_db
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeSMTP)
    server.messages, server.auth = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        settings = Settings(DATABASE_URL=url, DATA_DIR=tmp, ENV="development",
                            SMTP_URL=f"smtp://mailer:hemligt@127.0.0.1:{port}", MAIL_FROM="noreply@barnratt.se")
        _submit_one(engine, settings)
    finally:
        server.shutdown()
        server.server_close()
    (message,) = server.messages
    assert "To: erik@lst.se" in message and "From: noreply@barnratt.se" in message
    assert server.auth and server.auth[0].startswith("AUTH PLAIN")
    with Session(engine) as session:
        assert session.exec(select(MailMessage)).one().sent_at is not None


def test_the_navigation_shows_unread_messages(committed_db):
    """The account menu comes from the middleware (its own database session)."""
    engine, url, tmp = committed_db
    settings = Settings(DATABASE_URL=url, DATA_DIR=tmp, ENV="development")
    _submit_one(engine, settings)
    from app.main import create_app
    from app.services.auth import start_session

    with Session(engine) as session:
        editor = session.exec(select(User).where(User.email == "erik@lst.se")).one()
        secret = start_session(session, user=editor, settings=settings)
        session.commit()
    with TestClient(create_app(settings)) as client:
        client.cookies.set("brb_session", secret)
        html = client.get("/granska").text
        assert 'href="/granska"' in html and 'class="count-badge">1<' in html and 'href="/admin"' not in html
        assert 'action="/logga-ut"' in html
        anonymous = TestClient(client.app).get("/logga-in").text
        assert 'href="/logga-in"' in anonymous and 'action="/logga-ut"' not in anonymous
