"""Helpers for page tests: CSRF tokens from forms, logging in through the login form."""

from __future__ import annotations

import re

PASSWORD = "ett långt och hemligt lösenord"


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def form_post(client, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
    """POST a form with the CSRF token taken from ``page`` (default: the same URL's GET)."""
    html = client.get(page or url).text
    return client.post(url, data={**(data or {}), "csrf_token": csrf_from(html)}, follow_redirects=False, **kwargs)


def login(client, email: str, password: str = PASSWORD):
    response = form_post(client, "/logga-in", {"email": email, "password": password, "next": "/mina-exempel"})
    assert response.status_code == 303, response.text
    return response


def sign_in(client, session, user, settings) -> None:
    """Log a test client in without the (slow, argon2) password check: a real session row
    and cookie, as the login form would make."""
    from app.services.auth import SESSION_COOKIE, start_session

    client.cookies.set(SESSION_COOKIE, start_session(session, user=user, settings=settings))
