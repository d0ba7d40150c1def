"""Pages: log in and out, forgotten password, accept an invitation, API tokens, inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlmodel import select

from app.core.errors import AppError, InputError, NotFound
from app.core.time import utcnow
from app.models import ApiToken
from app.services import auth as auth_service
from app.services import notifications as notifications_service
from app.services.auth import create_token
from app.services.policy import authorize
from app.web.auth import (
    CommitFirst,
    CsrfForm,
    PageUser,
    clear_session_cookie,
    client_ip,
    set_session_cookie,
)
from app.web.deps import SessionDep, SettingsDep
from app.web.ids import Id
from app.web.rendering import PageRoute, lang_of, page, redirect, safe_next

router = APIRouter(route_class=PageRoute, dependencies=[CsrfForm, CommitFirst], include_in_schema=False)


@router.get("/logga-in")
def login_form(request: Request, next: str | None = None, done: str | None = None):
    return page(request, "account/login.html", {"next": safe_next(next), "done": done, "email": ""})


@router.post("/logga-in")
def login(request: Request, session: SessionDep, settings: SettingsDep,
          email: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = ""):
    target = safe_next(next)
    try:
        user = auth_service.login(session, email=email, password=password, ip=client_ip(request))
    except auth_service.RateLimited as exc:
        return page(request, "account/login.html", {"next": target, "email": email, "error": "rate_limited"},
                    status_code=429, headers=exc.headers)
    except auth_service.LoginFailed:
        # The failed attempt is recorded (this request commits) for the rate limit.
        return page(request, "account/login.html", {"next": target, "email": email, "error": "failed"},
                    status_code=400)
    secret = auth_service.start_session(session, user=user, settings=settings)
    response = redirect(target)
    set_session_cookie(response, secret=secret, settings=settings)
    return response


@router.post("/logga-ut")
def logout(request: Request, session: SessionDep, settings: SettingsDep):
    secret = request.cookies.get(auth_service.SESSION_COOKIE)
    if secret:
        auth_service.end_session(session, secret=secret)
    response = redirect("/")
    clear_session_cookie(response, settings=settings)
    return response


@router.get("/glomt-losenord")
def forgot_form(request: Request):
    return page(request, "account/forgot.html", {})


@router.post("/glomt-losenord")
def forgot(request: Request, session: SessionDep, settings: SettingsDep, email: Annotated[str, Form()] = ""):
    auth_service.request_password_reset(session, email=email, settings=settings)
    return page(request, "account/forgot.html", {"sent": True})


def _set_password_page(request: Request, session: SessionDep, token: str, purpose: str, template: str,
                       status_code: int = 200, error: str | None = None):
    found = auth_service.token_user(session, secret=token, purpose=purpose)
    if found is None:
        return page(request, "account/link_invalid.html", {}, status_code=400)
    _row, user = found
    return page(request, template, {"token": token, "account": user, "error": error}, status_code=status_code)


def _check_new_password(password: str, confirm: str) -> str | None:
    if password != confirm:
        return "mismatch"
    try:
        auth_service.check_password_rules(password)
    except InputError:
        return "short"
    return None


@router.get("/aterstall-losenord/{token}")
def reset_form(request: Request, session: SessionDep, token: str):
    return _set_password_page(request, session, token, "reset", "account/reset.html")


@router.post("/aterstall-losenord/{token}")
def reset(request: Request, session: SessionDep, token: str, password: Annotated[str, Form()] = "",
          password_confirm: Annotated[str, Form()] = ""):
    problem = _check_new_password(password, password_confirm)
    if problem:
        return _set_password_page(request, session, token, "reset", "account/reset.html", 422, problem)
    try:
        auth_service.reset_password(session, secret=token, password=password)
    except AppError:
        return page(request, "account/link_invalid.html", {}, status_code=400)
    return redirect("/logga-in?done=reset")


@router.get("/inbjudan/{token}")
def invitation_form(request: Request, session: SessionDep, token: str):
    return _set_password_page(request, session, token, "invite", "account/invite.html")


@router.post("/inbjudan/{token}")
def accept_invitation(request: Request, session: SessionDep, settings: SettingsDep, token: str,
                      password: Annotated[str, Form()] = "", password_confirm: Annotated[str, Form()] = ""):
    problem = _check_new_password(password, password_confirm)
    if problem:
        return _set_password_page(request, session, token, "invite", "account/invite.html", 422, problem)
    try:
        user = auth_service.accept_invitation(session, secret=token, password=password)
    except AppError:
        return page(request, "account/link_invalid.html", {}, status_code=400)
    secret = auth_service.start_session(session, user=user, settings=settings)
    response = redirect("/mina-exempel")
    set_session_cookie(response, secret=secret, settings=settings)
    return response


# ---- API tokens ------------------------------------------------------------------------

def _tokens(session: SessionDep, user) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all())  # type: ignore[attr-defined]


@router.get("/konto/nycklar")
def tokens_page(request: Request, session: SessionDep, user: PageUser):
    authorize("account.tokens", user)
    return page(request, "account/tokens.html", {"tokens": _tokens(session, user)}, user=user)


@router.post("/konto/nycklar")
def create_token_page(request: Request, session: SessionDep, user: PageUser, label: Annotated[str, Form()] = ""):
    authorize("account.tokens", user)
    _token, secret = create_token(session, user=user, label=label.strip())
    return page(request, "account/tokens.html", {"tokens": _tokens(session, user), "secret": secret}, user=user,
                status_code=201)


@router.post("/konto/nycklar/{token_id}/aterkalla")
def revoke_token(session: SessionDep, user: PageUser, token_id: Id):
    authorize("account.tokens", user)
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("Nyckeln finns inte")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
    return redirect("/konto/nycklar?done=revoked")


# ---- Inbox -----------------------------------------------------------------------------

@router.get("/konto/notiser")
def inbox(request: Request, session: SessionDep, user: PageUser):
    notes = notifications_service.inbox(session, user=user)
    lang = lang_of(request)
    items = [(n, notifications_service.text_of(n, lang), notifications_service.link_of(n)) for n in notes]
    return page(request, "account/inbox.html", {"items": items}, user=user)


@router.post("/konto/notiser/las")
def mark_read(session: SessionDep, user: PageUser):
    notifications_service.mark_all_read(session, user=user)
    return redirect("/konto/notiser")
