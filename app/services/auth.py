"""Logging in and out, login sessions, password reset, invitations, rate limiting.

Browser sessions live in the database (``auth_session``): the cookie carries a random
secret, the table its SHA-256, with an absolute expiry of BARNRATT_SESSION_MAX_AGE_SECONDS.
Emailed links (reset, invitation) carry a random secret too; they are stored hashed,
expire and work once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import delete, func
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import AppError, FieldError, InputError
from app.core.security import (
    hash_password,
    new_api_token,
    password_needs_rehash,
    token_digest,
    verify_password,
)
from app.core.time import as_utc, utcnow
from app.models import (
    ApiToken,
    AuthSession,
    LoginAttempt,
    OneTimeToken,
    Organisation,
    User,
)
from app.services.mail import queue_mail
from app.services.policy import authorize
from app.services.users import MIN_PASSWORD, UserCreate, create_user, get_user_by_email

SESSION_COOKIE = "brb_session"
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_IP = 20
ATTEMPTS_KEPT = timedelta(days=1)
RESET_TTL = timedelta(hours=1)
INVITE_TTL = timedelta(days=7)
MAX_RESETS_PER_HOUR = 3


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified when the account does not exist, so a wrong email costs as long as a wrong
    password."""
    return hash_password(secrets.token_urlsafe(16))


class Unauthorized(AppError):
    def __init__(self, message: str = "Inloggning krävs") -> None:
        super().__init__(message=message, status=401, code="unauthorized", headers={"WWW-Authenticate": "Bearer"})


class RateLimited(AppError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            message="För många inloggningsförsök. Försök igen senare.",
            status=429, code="rate_limited", headers={"Retry-After": str(retry_after)},
        )


class LoginFailed(AppError):
    def __init__(self) -> None:
        super().__init__(message="Fel e-postadress eller lösenord", status=400, code="login_failed")


def secure_cookies(settings: Settings) -> bool:
    return settings.ENV == "production" or settings.public_base_url.lower().startswith("https://")


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError([FieldError(field, f"at least {MIN_PASSWORD} characters")])
    if len(password) > 1024:
        raise InputError([FieldError(field, "at most 1024 characters")])


# ---- Sessions --------------------------------------------------------------------------

def start_session(session: Session, *, user: User, settings: Settings) -> str:
    """Create a login session; returns the secret for the cookie (shown nowhere else)."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AuthSession(
            token_hash=token_digest(secret), user_id=user.id, created_at=now,
            expires_at=now + timedelta(seconds=settings.SESSION_MAX_AGE_SECONDS), last_seen_at=now,
        )
    )
    user.last_login_at = now
    session.add(user)
    session.flush()
    return secret


def user_for_session(session: Session, *, secret: str) -> User | None:
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == token_digest(secret))).first()
    if row is None or as_utc(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user


def end_session(session: Session, *, secret: str) -> None:
    session.execute(delete(AuthSession).where(AuthSession.token_hash == token_digest(secret)))


def end_all_sessions(session: Session, *, user_id: int) -> None:
    session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))


# ---- Login -----------------------------------------------------------------------------

def _failures(session: Session, *, since, email: str | None = None, ip: str | None = None) -> int:
    query = select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.success.is_(False), LoginAttempt.created_at >= since  # type: ignore[attr-defined]
    )
    if email is not None:
        query = query.where(LoginAttempt.email == email)
    if ip is not None:
        query = query.where(LoginAttempt.ip == ip)
    return session.exec(query).one()


def login(session: Session, *, email: str, password: str, ip: str) -> User:
    """Check the password. Refuses (429) an account with 5 failures, or an address with 20,
    in the last 15 minutes; every attempt is recorded."""
    email = (email or "").strip().lower()[:254]
    ip = (ip or "unknown")[:64]
    now = utcnow()
    since = now - LOGIN_WINDOW
    # Housekeeping: attempts older than a day and expired sessions serve no purpose.
    session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - ATTEMPTS_KEPT))
    session.execute(delete(AuthSession).where(AuthSession.expires_at < now))
    if (
        _failures(session, since=since, email=email) >= MAX_FAILURES_PER_ACCOUNT
        or _failures(session, since=since, ip=ip) >= MAX_FAILURES_PER_IP
    ):
        raise RateLimited(int(LOGIN_WINDOW.total_seconds()))
    user = get_user_by_email(session, email) if email else None
    stored = user.password_hash if user is not None else None
    ok = verify_password(stored or _dummy_hash(), password or "")
    ok = ok and stored is not None and user.is_active
    session.add(LoginAttempt(email=email, ip=ip, success=ok, created_at=now))
    session.flush()
    if not ok:
        raise LoginFailed()
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# ---- One-time links --------------------------------------------------------------------

@dataclass(frozen=True)
class IssuedLink:
    token: OneTimeToken
    url: str


def _issue(session: Session, *, user: User, purpose: str, ttl: timedelta, settings: Settings, path: str) -> IssuedLink:
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    row = OneTimeToken(token_hash=token_digest(secret), user_id=user.id, purpose=purpose,
                       created_at=now, expires_at=now + ttl)
    session.add(row)
    session.flush()
    return IssuedLink(row, f"{settings.public_base_url}{path}/{secret}")


def token_user(session: Session, *, secret: str, purpose: str) -> tuple[OneTimeToken, User] | None:
    """The token and its user while the link is valid (right purpose, unused, unexpired)."""
    row = session.exec(select(OneTimeToken).where(OneTimeToken.token_hash == token_digest(secret or ""))).first()
    if row is None or row.purpose != purpose or row.used_at is not None or as_utc(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or (purpose == "reset" and not user.is_active):
        return None
    return row, user


def request_password_reset(session: Session, *, email: str, settings: Settings) -> None:
    """Email a reset link if the address belongs to an active account. Says nothing either
    way to the caller, and sends at most three links an hour."""
    user = get_user_by_email(session, email or "")
    if user is None or not user.is_active or user.password_hash is None:
        return
    recent = session.exec(
        select(func.count()).select_from(OneTimeToken).where(
            OneTimeToken.user_id == user.id, OneTimeToken.purpose == "reset",
            OneTimeToken.created_at >= utcnow() - timedelta(hours=1),
        )
    ).one()
    if recent >= MAX_RESETS_PER_HOUR:
        return
    link = _issue(session, user=user, purpose="reset", ttl=RESET_TTL, settings=settings, path="/aterstall-losenord")
    queue_mail(
        session, settings=settings, to=user.email, subject="Barnrättsbanken: återställ ditt lösenord / reset your password",
        body=(
            "Någon (förhoppningsvis du) bad om att få återställa lösenordet till ditt konto i Barnrättsbanken.\n"
            f"Välj ett nytt lösenord här inom en timme; länken fungerar en gång:\n\n{link.url}\n\n"
            "Om det inte var du kan du bortse från det här meddelandet.\n\n— In English —\n\n"
            "Someone (hopefully you) asked to reset the password of your Barnrättsbanken account.\n"
            f"Choose a new password here within an hour; the link works once:\n\n{link.url}\n"
        ),
    )


def _use_token(session: Session, *, secret: str, purpose: str, password: str) -> User:
    found = token_user(session, secret=secret, purpose=purpose)
    if found is None:
        raise AppError(message="Länken är ogiltig, redan använd eller för gammal", status=400, code="invalid_link")
    row, user = found
    check_password_rules(password)
    now = utcnow()
    row.used_at = now
    user.password_hash = hash_password(password)
    session.add_all([row, user])
    # Every other open link of the same kind dies with this one, and so do old sessions.
    for other in session.exec(
        select(OneTimeToken).where(OneTimeToken.user_id == user.id, OneTimeToken.purpose == purpose,
                                   OneTimeToken.used_at.is_(None))  # type: ignore[union-attr]
    ).all():
        other.used_at = now
        session.add(other)
    end_all_sessions(session, user_id=user.id)
    session.flush()
    return user


def reset_password(session: Session, *, secret: str, password: str) -> User:
    return _use_token(session, secret=secret, purpose="reset", password=password)


def accept_invitation(session: Session, *, secret: str, password: str) -> User:
    return _use_token(session, secret=secret, purpose="invite", password=password)


def invite(session: Session, *, settings: Settings, user: User, invited_by: str) -> IssuedLink:
    link = _issue(session, user=user, purpose="invite", ttl=INVITE_TTL, settings=settings, path="/inbjudan")
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    member_sv = f" som medlem i {organisation.name}" if organisation else ""
    member_en = f" as a member of {organisation.name}" if organisation else ""
    queue_mail(
        session, settings=settings, to=user.email,
        subject="Inbjudan till Barnrättsbanken / Invitation to Barnrättsbanken",
        body=(
            f"{invited_by} har bjudit in dig till Barnrättsbanken{member_sv}.\n"
            f"Välj ditt lösenord här inom sju dagar; länken fungerar en gång:\n\n{link.url}\n\n"
            "— In English —\n\n"
            f"{invited_by} has invited you to Barnrättsbanken{member_en}.\n"
            f"Choose your password here within seven days; the link works once:\n\n{link.url}\n"
        ),
    )
    return link


def invite_new_user(session: Session, *, settings: Settings, data: UserCreate, invited_by: str) -> tuple[User, IssuedLink]:
    user = create_user(session, data=data.model_copy(update={"password": None}))
    return user, invite(session, settings=settings, user=user, invited_by=invited_by)


# ---- API tokens ---------------------------------------------------------------------

def create_token(session: Session, *, user: User, label: str = "") -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    authorize("account.tokens", user)
    secret = new_api_token()
    token = ApiToken(
        user_id=user.id,
        token_hash=token_digest(secret),
        prefix=secret[:12],
        label=label[:200],
        created_at=utcnow(),
    )
    session.add(token)
    session.flush()
    return token, secret


def user_for_token(session: Session, secret: str) -> User | None:
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    token.last_used_at = utcnow()
    session.add(token)
    return user
