"""Who is calling: ``OptionalUser`` / ``CurrentUser`` resolve an ``Authorization: Bearer``
API token or the browser's session cookie; ``PageUser`` does the same for HTML pages and
sends anonymous visitors to the login page. CSRF protection for every state-changing
request authenticated by cookie (or made from a form): a signed double-submit token.

The CSRF cookie holds a random value; forms carry HMAC(secret key, cookie value + session),
in the field ``csrf_token`` or the header ``X-CSRF-Token``. A request from another site
cannot read the cookie, so cannot produce the token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.engine import Connection
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders

from app.core.config import Settings
from app.core.errors import AppError
from app.web.asgi import Hook, HookResult, cookie_header
from app.models import User
from app.services.auth import (
    SESSION_COOKIE,
    Unauthorized,
    secure_cookies,
    user_for_session,
    user_for_token,
)
from app.services.notifications import unread_count
from app.web.deps import SessionDep, SettingsDep

CSRF_COOKIE = "brb_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_\-]{32,64}$")


class CsrfFailed(AppError):
    def __init__(self) -> None:
        super().__init__(
            message="Formuläret har gått ut eller kom från en annan webbplats. Ladda om sidan och försök igen.",
            status=403, code="csrf_failed",
        )


class LoginRequired(Unauthorized):
    """A page needs a logged-in user: pages answer with a redirect to the login page."""


# ---- Resolving the caller ----------------------------------------------------------------

def _resolve(request: Request, session: Session) -> User | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("Authorization måste vara 'Bearer <token>'")
        user = user_for_token(session, value.strip())
        if user is None:
            raise Unauthorized("Ogiltig eller återkallad API-nyckel")
        return user
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        user = user_for_session(session, secret=secret)
        if user is not None:
            return user
    return None


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    return _resolve(request, session)


def get_current_user(request: Request, session: SessionDep) -> User:
    user = _resolve(request, session)
    if user is None:
        raise Unauthorized()
    return user


def get_page_user(request: Request, session: SessionDep) -> User:
    user = _resolve(request, session)
    if user is None:
        raise LoginRequired()
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]
PageUser = Annotated[User, Depends(get_page_user)]


# ---- CSRF ------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    """The token forms on this page must send back."""
    settings: Settings = request.app.state.settings
    cookie = getattr(request.state, "csrf_cookie", None) or request.cookies.get(CSRF_COOKIE, "")
    bound = cookie + "|" + request.cookies.get(SESSION_COOKIE, "")
    return hmac.new(settings.SECRET_KEY.encode(), ("csrf|" + bound).encode(), hashlib.sha256).hexdigest()


async def _submitted_token(request: Request) -> str:
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def _check(request: Request) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie:
        raise CsrfFailed()
    if not hmac.compare_digest(await _submitted_token(request), csrf_token(request)):
        raise CsrfFailed()


async def verify_csrf_form(request: Request) -> None:
    """For HTML form routes: every unsafe request carries the token, logged in or not."""
    if request.method not in SAFE_METHODS:
        await _check(request)


async def verify_csrf_api(request: Request) -> None:
    """For the JSON API: bearer-token calls need no token (no ambient credentials); calls
    that rely on the session cookie do."""
    if request.method in SAFE_METHODS or request.headers.get("authorization"):
        return
    if request.cookies.get(SESSION_COOKIE):
        await _check(request)


CsrfForm = Depends(verify_csrf_form)
CsrfApi = Depends(verify_csrf_api)


def _commit_before_response(session: SessionDep):
    """The request's unit of work commits when the endpoint returns, before the response
    leaves: a client that follows a redirect (or reads after a 201) sees its own write.
    (``SessionDep`` alone would commit only after the response has been sent.) An
    exception skips the commit and the request rolls back as before. A session bound to a
    connection (one that joined an outer transaction, as in tests) is only flushed: the
    owner of that transaction decides."""
    yield
    if isinstance(session.bind, Connection):
        session.flush()
    else:
        session.commit()


CommitFirst = Depends(_commit_before_response, scope="function")


# ---- Cookies ---------------------------------------------------------------------------

def set_session_cookie(response, *, secret: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=settings.SESSION_MAX_AGE_SECONDS, httponly=True,
        secure=secure_cookies(settings), samesite="lax", path="/",
    )


def clear_session_cookie(response, *, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=secure_cookies(settings), samesite="lax")


# ---- The middleware: CSRF cookie, and who is logged in (for the navigation) ------------

@dataclass(frozen=True)
class NavAccount:
    id: int
    name: str
    role: str
    unread: int


def _nav_lookup(engine, secret: str) -> NavAccount | None:
    with Session(engine) as session:
        user = user_for_session(session, secret=secret)
        if user is None:
            return None
        return NavAccount(user.id, user.name or user.email, user.role, unread_count(session, user_id=user.id))


def install_accounts(app: FastAPI) -> Hook:
    """Sets ``request.state.csrf_cookie`` (issuing the cookie on HTML responses when the
    browser has none) and ``request.state.account`` (a NavAccount or None)."""

    async def accounts(request: Request) -> HookResult:
        existing = request.cookies.get(CSRF_COOKIE)
        fresh = None if existing and _COOKIE_VALUE.match(existing) else secrets.token_urlsafe(32)
        request.state.csrf_cookie = fresh or existing
        request.state.account = None
        secret = request.cookies.get(SESSION_COOKIE)
        if secret and not request.scope["path"].startswith("/static"):
            request.state.account = await run_in_threadpool(_nav_lookup, request.app.state.engine, secret)
        if not fresh:
            return None
        settings: Settings = request.app.state.settings
        cookie = cookie_header(CSRF_COOKIE, fresh, httponly=True, secure=secure_cookies(settings),
                               samesite="lax", path="/")

        def on_start(_status: int, headers: MutableHeaders) -> None:
            if headers.get("content-type", "").startswith("text/html"):
                headers.append("set-cookie", cookie)

        return on_start

    return accounts


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


__all__ = [
    "CsrfApi", "CsrfForm", "CurrentUser", "LoginRequired", "OptionalUser", "PageUser", "SettingsDep",
    "client_ip", "csrf_token", "install_accounts",
]
