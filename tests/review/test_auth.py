"""Accounts: login and logout, cookies, expiring sessions, the login rate limit, password
reset by a one-time link, invitations, CSRF protection of every state-changing form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.core.security import hash_password, verify_password
from app.core.time import utcnow
from app.models import AuthSession, LoginAttempt, OneTimeToken, User
from tests.review.conftest import link_in, mails_to, make_user, organisation_named
from tests.review.web import PASSWORD, csrf_from, form_post, login


@pytest.fixture
def anna(session) -> User:
    return make_user(session, email="anna@umea.se", role="contributor", organisation="Umeå kommun", password=PASSWORD)


def test_login_sets_a_safe_session_cookie_and_logout_ends_it(client, session, anna):
    assert client.get("/mina-exempel", follow_redirects=False).headers["location"] == "/logga-in?next=/mina-exempel"
    response = login(client, "Anna@Umea.se ")
    assert response.headers["location"] == "/mina-exempel"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("brb_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # plain http in development
    stored = session.exec(select(AuthSession).where(AuthSession.user_id == anna.id)).one()
    assert stored.token_hash != cookie.split("=", 1)[1].split(";")[0]  # only the hash is stored
    assert client.get("/mina-exempel").status_code == 200
    out = form_post(client, "/logga-ut", page="/mina-exempel")
    assert out.status_code == 303
    assert session.exec(select(AuthSession).where(AuthSession.user_id == anna.id)).first() is None
    assert client.get("/mina-exempel", follow_redirects=False).status_code == 303


def test_wrong_password_and_unknown_account_look_the_same(client, anna):
    wrong = form_post(client, "/logga-in", {"email": "anna@umea.se", "password": "fel lösenord här"})
    unknown = form_post(client, "/logga-in", {"email": "nobody@umea.se", "password": "fel lösenord här"})
    assert wrong.status_code == unknown.status_code == 400
    assert "brb_session" not in wrong.headers.get("set-cookie", "")


@pytest.mark.parametrize("settings_change", [{"BASE_URL": "https://barnrattsbanken.se"},
                                             {"ENV": "production", "SECRET_KEY": "x" * 40,
                                              "BASE_URL": "http://barnratt.internal",
                                              "RATE_LIMIT_ALLOW_MEMORY": True}])
def test_cookies_are_secure_behind_https_or_in_production(db_url, session, tmp_path, settings_change):
    from app.core.config import Settings
    from app.main import create_app
    from app.web.deps import get_session

    make_user(session, email="anna@umea.se", role="contributor", password=PASSWORD)
    app = create_app(Settings(DATABASE_URL=db_url, DATA_DIR=tmp_path, **{"ENV": "development", **settings_change}))

    def _session():
        yield session
        session.flush()

    app.dependency_overrides[get_session] = _session
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/logga-in")
        assert "Secure" in page.headers["set-cookie"]  # the CSRF cookie
        response = login(client, "anna@umea.se")
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("brb_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_sessions_expire(client, session, anna):
    login(client, "anna@umea.se")
    assert client.get("/mina-exempel").status_code == 200
    stored = session.exec(select(AuthSession).where(AuthSession.user_id == anna.id)).one()
    assert abs((stored.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).total_seconds() - 8 * 3600) < 60
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.add(stored)
    session.flush()
    response = client.get("/mina-exempel", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")
    # The JSON API answers 401 instead of redirecting.
    assert client.get("/api/v1/submissions").status_code == 401


def test_a_closed_account_cannot_log_in_and_its_sessions_stop(client, session, anna):
    login(client, "anna@umea.se")
    anna.is_active = False
    session.add(anna)
    session.flush()
    assert client.get("/mina-exempel", follow_redirects=False).status_code == 303
    client.cookies.clear()
    assert form_post(client, "/logga-in", {"email": "anna@umea.se", "password": PASSWORD}).status_code == 400


def _earlier_failures(session, count, *, email="x@umea.se", ip="testclient"):
    session.add_all([LoginAttempt(email=email, ip=ip, success=False, created_at=utcnow()) for _ in range(count)])
    session.flush()


def test_login_is_rate_limited_per_account(client, session, anna):
    # Four earlier failures from elsewhere, the fifth through the form.
    _earlier_failures(session, 4, email="anna@umea.se", ip="10.0.0.9")
    assert form_post(client, "/logga-in", {"email": "anna@umea.se", "password": "fel fel fel fel"}).status_code == 400
    # The sixth attempt is refused even with the right password.
    limited = form_post(client, "/logga-in", {"email": "anna@umea.se", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "brb_session" not in limited.headers.get("set-cookie", "")
    # Other accounts from the same address still work.
    make_user(session, email="kalle@umea.se", role="contributor", password=PASSWORD)
    assert form_post(client, "/logga-in", {"email": "kalle@umea.se", "password": PASSWORD}).status_code == 303
    # After the window the account opens again.
    for attempt in session.exec(select(LoginAttempt).where(LoginAttempt.email == "anna@umea.se")).all():
        attempt.created_at = utcnow() - timedelta(minutes=16)
        session.add(attempt)
    session.flush()
    assert form_post(client, "/logga-in", {"email": "anna@umea.se", "password": PASSWORD}).status_code == 303


def test_every_attempt_is_recorded(client, session, anna):
    form_post(client, "/logga-in", {"email": "anna@umea.se", "password": "fel fel fel fel"})
    login(client, "anna@umea.se")
    attempts = session.exec(select(LoginAttempt).where(LoginAttempt.email == "anna@umea.se")).all()
    assert [(a.success, a.ip) for a in attempts] == [(False, "testclient"), (True, "testclient")]


def test_login_is_rate_limited_per_address(client, session):
    # Nineteen failures on different accounts from this address, the twentieth through the form.
    for n in range(19):
        _earlier_failures(session, 1, email=f"guess{n}@umea.se")
    assert form_post(client, "/logga-in", {"email": "guess19@umea.se", "password": "fel fel fel fel"}).status_code == 400
    make_user(session, email="kalle@umea.se", role="contributor", password=PASSWORD)
    assert form_post(client, "/logga-in", {"email": "kalle@umea.se", "password": PASSWORD}).status_code == 429


def test_password_reset_by_one_time_link(client, session, anna):
    login(client, "anna@umea.se")  # an old session, which the reset must end
    other = TestClient(client.app)
    sent = form_post(other, "/glomt-losenord", {"email": "ANNA@umea.se"})
    assert sent.status_code == 200
    # The same answer for an unknown address, and no mail.
    assert form_post(other, "/glomt-losenord", {"email": "nobody@umea.se"}).status_code == 200
    assert mails_to(session, "nobody@umea.se") == []
    (mail,) = mails_to(session, "anna@umea.se")
    link = link_in(mail)
    assert link.startswith("http://127.0.0.1:8000/aterstall-losenord/")
    path = link.split("8000", 1)[1]
    token = path.rsplit("/", 1)[1]
    stored = session.exec(select(OneTimeToken).where(OneTimeToken.user_id == anna.id)).one()
    assert stored.token_hash != token and stored.purpose == "reset"

    page = other.get(path)
    assert page.status_code == 200 and "anna@umea.se" in page.text
    short = other.post(path, data={"password": "kort", "password_confirm": "kort", "csrf_token": csrf_from(page.text)})
    assert short.status_code == 422
    new = "ett helt nytt långt lösenord"
    mismatch = other.post(path, data={"password": new, "password_confirm": new + "x", "csrf_token": csrf_from(page.text)})
    assert mismatch.status_code == 422
    done = other.post(path, data={"password": new, "password_confirm": new, "csrf_token": csrf_from(page.text)},
                      follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/logga-in?done=reset"
    session.refresh(anna)
    assert verify_password(anna.password_hash, new)
    # Single use, and every old session is over.
    assert other.get(path).status_code == 400
    assert client.get("/mina-exempel", follow_redirects=False).status_code == 303
    assert login(other, "anna@umea.se", new).status_code == 303


def test_reset_links_expire(client, session, anna):
    form_post(client, "/glomt-losenord", {"email": "anna@umea.se"})
    path = link_in(mails_to(session, "anna@umea.se")[0]).split("8000", 1)[1]
    stored = session.exec(select(OneTimeToken).where(OneTimeToken.user_id == anna.id)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.add(stored)
    session.flush()
    assert client.get(path).status_code == 400
    assert client.get("/aterstall-losenord/nonsense").status_code == 400


def test_at_most_three_reset_mails_an_hour(client, session, anna):
    for _ in range(5):
        form_post(client, "/glomt-losenord", {"email": "anna@umea.se"})
    assert len(mails_to(session, "anna@umea.se")) == 3


def test_invitation_by_admin(client, session):
    make_user(session, email="admin@barnratt.se", role="admin", password=PASSWORD, name="Nationell samordnare")
    login(client, "admin@barnratt.se")
    bad = form_post(client, "/admin/anvandare/bjud-in", {"email": "ny@lst.se", "role": "editor", "county_code": ""},
                    page="/admin/anvandare")
    assert bad.status_code == 422 and "county_code" in bad.text
    lst = organisation_named(session, "Länsstyrelsen Västerbotten")
    ok = form_post(client, "/admin/anvandare/bjud-in",
                   {"email": "ny@lst.se", "role": "editor", "county_code": "24", "name": "Ny Redaktör",
                    "organisation_id": str(lst.id)}, page="/admin/anvandare")
    assert ok.status_code == 303
    invited = session.exec(select(User).where(User.email == "ny@lst.se")).one()
    assert invited.role == "editor" and invited.county_code == "24" and invited.password_hash is None
    assert invited.organisation_id == lst.id
    (mail,) = mails_to(session, "ny@lst.se")
    assert "Nationell samordnare" in mail.body and "Länsstyrelsen Västerbotten" in mail.body
    path = link_in(mail).split("8000", 1)[1]
    assert path.startswith("/inbjudan/")

    guest = TestClient(client.app)
    page = guest.get(path)
    assert page.status_code == 200 and "ny@lst.se" in page.text
    accepted = guest.post(path, data={"password": PASSWORD, "password_confirm": PASSWORD,
                                      "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/mina-exempel"
    assert guest.get("/granska").status_code == 200  # logged in, as an editor
    assert guest.get(path).status_code == 400  # used


# ---- CSRF ------------------------------------------------------------------------------

def test_state_changing_forms_without_the_csrf_token_are_rejected(client, session, anna):
    login(client, "anna@umea.se")
    for url in ("/bidrag", "/logga-ut", "/konto/nycklar", "/konto/notiser/las"):
        response = client.post(url, data={}, follow_redirects=False)
        assert response.status_code == 403, url
        assert 'data-error-code="csrf_failed"' in response.text
    forged = client.post("/bidrag", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert forged.status_code == 403
    # With the token from the page it works.
    assert form_post(client, "/bidrag", page="/mina-exempel").status_code == 303


def test_the_login_form_needs_the_csrf_token_too(client, anna):
    client.get("/logga-in")
    response = client.post("/logga-in", data={"email": "anna@umea.se", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403


def test_a_token_from_another_browser_does_not_work(client, session, anna):
    login(client, "anna@umea.se")
    attacker = TestClient(client.app)
    token = csrf_from(attacker.get("/logga-in").text)
    response = client.post("/bidrag", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403


def test_the_api_with_the_session_cookie_needs_the_csrf_header(client, session, anna):
    login(client, "anna@umea.se")
    assert client.get("/api/v1/submissions").status_code == 200  # reads need nothing
    refused = client.post("/api/v1/submissions", json={"title": "Utkast"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    token = csrf_from(client.get("/mina-exempel").text)
    assert client.post("/api/v1/submissions", json={"title": "Utkast"}, headers={"X-CSRF-Token": token}).status_code == 201


def test_bearer_token_calls_need_no_csrf_token(client, session, anna):
    from app.services.auth import create_token

    _t, secret = create_token(session, user=anna)
    response = client.post("/api/v1/submissions", json={}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201


def test_login_redirects_only_to_local_paths(client, anna):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = form_post(client, "/logga-in", {"email": "anna@umea.se", "password": PASSWORD, "next": target})
        assert response.headers["location"] == "/mina-exempel", target
        client.cookies.clear()


def test_passwords_are_argon2_hashes(anna):
    assert anna.password_hash.startswith("$argon2id$")
    assert hash_password(PASSWORD) != anna.password_hash  # salted


def test_old_attempts_and_expired_sessions_are_cleaned_up(client, session, anna):
    _earlier_failures(session, 3, email="anna@umea.se")
    for attempt in session.exec(select(LoginAttempt)).all():
        attempt.created_at = utcnow() - timedelta(days=2)
        session.add(attempt)
    session.add(AuthSession(token_hash="x" * 64, user_id=anna.id, created_at=utcnow() - timedelta(days=2),
                            expires_at=utcnow() - timedelta(days=1)))
    session.flush()
    login(client, "anna@umea.se")
    assert [a.success for a in session.exec(select(LoginAttempt)).all()] == [True]
    assert len(session.exec(select(AuthSession)).all()) == 1
