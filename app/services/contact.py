"""Contacting the people behind an example without ever showing their address.

The visitor writes a message on the example page; it is mailed through the mail outbox to
the example's ``contact_email``, with the visitor's own address in the text so the contact
can answer directly. The page, the form, its answers and any error never contain the
contact's address. Rate limit: ``CONTACT_RATE_LIMIT_PER_HOUR`` messages per sender address
and per IP address (counted in the database, so it holds across server processes); over it
the answer is 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import AppError, FieldError, InputError, NotFound
from app.core.i18n import gettext
from app.core.time import as_utc, utcnow
from app.models import ContactMessage, Example
from app.services.labels import _l
from app.services.mail import queue_mail
from app.services.serializers import permalink

WINDOW = timedelta(hours=1)
MESSAGE_MIN, MESSAGE_MAX = 10, 4000

SUBJECT = _l("Question through Barnrättsbanken about “%(title)s”")
BODY_HEAD = _l("%(name)s (%(email)s) has written to you through Barnrättsbanken about your example:")
BODY_REPLY = _l("Answer by writing to %(email)s. Barnrättsbanken has not shown your address to the sender.")


class ContactRateLimited(AppError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(message="Du har skickat många meddelanden. Försök igen senare.", status=429,
                         code="rate_limited", headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


def _key(settings: Settings, kind: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"contact|{kind}|{value}".encode(), hashlib.sha256).hexdigest()


def can_contact(example: Example) -> bool:
    return bool(example.contact_email)


def read_message(*, name: object, email: object, message: object) -> tuple[str, str, str]:
    errors: list[FieldError] = []
    name_text = name.strip() if isinstance(name, str) else ""
    if not name_text:
        errors.append(FieldError("name", "is required"))
    elif len(name_text) > 200:
        errors.append(FieldError("name", "must be at most 200 characters"))
    email_text = email.strip() if isinstance(email, str) else ""
    try:
        email_text = validate_email(email_text, check_deliverability=False).normalized
    except EmailNotValidError:
        errors.append(FieldError("email", "must be a valid email address"))
    body = message.replace("\r\n", "\n").strip() if isinstance(message, str) else ""
    if len(body) < MESSAGE_MIN:
        errors.append(FieldError("message", f"must be at least {MESSAGE_MIN} characters"))
    elif len(body) > MESSAGE_MAX:
        errors.append(FieldError("message", f"must be at most {MESSAGE_MAX} characters"))
    if errors:
        raise InputError(errors)
    return name_text, email_text, body


def send_contact_message(session: Session, *, settings: Settings, example: Example, name: object, email: object,
                         message: object, ip: str, now: datetime | None = None) -> ContactMessage:
    if not can_contact(example):
        raise NotFound("Exemplet har ingen kontaktperson")
    name_text, email_text, body = read_message(name=name, email=email, message=message)
    now = now or utcnow()
    prune_contact_log(session, now=now)
    sender_key = _key(settings, "email", email_text.casefold())
    ip_key = _key(settings, "ip", ip)
    limit = settings.CONTACT_RATE_LIMIT_PER_HOUR
    since = now - WINDOW
    for column, value in ((ContactMessage.sender_key, sender_key), (ContactMessage.ip_key, ip_key)):
        count, oldest = session.exec(
            select(func.count(ContactMessage.id), func.min(ContactMessage.created_at))
            .where(column == value, ContactMessage.created_at > since)
        ).one()
        if count >= limit:
            wait = (as_utc(oldest) + WINDOW - now).total_seconds() if oldest else WINDOW.total_seconds()
            raise ContactRateLimited(max(1, math.ceil(wait)))
    lang = "sv"  # the contact reads Swedish
    url = permalink(settings.BASE_URL, example.id)
    text = "\n".join([
        gettext(lang, BODY_HEAD) % {"name": name_text, "email": email_text},
        f"{example.title}\n{url}", "", body, "", "--",
        gettext(lang, BODY_REPLY) % {"email": email_text},
    ])
    queue_mail(session, settings=settings, to=example.contact_email or "",
               subject=gettext(lang, SUBJECT) % {"title": example.title}, body=text)
    row = ContactMessage(example_id=example.id, sender_key=sender_key, ip_key=ip_key, created_at=now)
    session.add(row)
    session.flush()
    return row


def prune_contact_log(session: Session, *, now: datetime) -> None:
    """Forget rate-limit rows a day after the window (run with each message)."""
    session.exec(delete(ContactMessage).where(ContactMessage.created_at <= now - WINDOW * 24))
