"""Outgoing mail. ``queue_mail`` writes a row in the caller's transaction; after that
transaction commits the rows are delivered: by SMTP (stdlib smtplib) when
BARNRATT_SMTP_URL is set, otherwise printed to the log (development). A rolled-back
transaction sends nothing.

BARNRATT_SMTP_URL: ``smtp://user:password@host:25`` (STARTTLS when offered),
``smtps://user:password@host:465`` (TLS from the start).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import event
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.time import utcnow
from app.models import MailMessage

log = logging.getLogger("barnratt.mail")
_PENDING = "barnratt_mail_pending"


def _ensure_visible_log() -> None:
    # Under uvicorn nothing configures the root logger; development mail must still show.
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        log.addHandler(handler)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)


def queue_mail(session: Session, *, settings: Settings, to: str, subject: str, body: str) -> MailMessage:
    message = MailMessage(to_address=to, subject=subject[:300], body=body, created_at=utcnow())
    session.add(message)
    session.flush()
    pending = session.info.setdefault(_PENDING, {"ids": [], "settings": settings})
    pending["ids"].append(message.id)
    pending["settings"] = settings
    return message


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not pending["ids"]:
        return
    try:
        deliver(session.get_bind(), pending["settings"], ids=pending["ids"])
    except Exception:  # noqa: BLE001 - mail must never break the request that caused it
        log.exception("mail delivery failed")


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def deliver(bind, settings: Settings, *, ids: list[int] | None = None) -> int:
    """Send unsent messages (those in ``ids``, or all); returns how many were sent."""
    sent = 0
    with Session(bind=bind, expire_on_commit=False) as session:
        query = select(MailMessage).where(MailMessage.sent_at.is_(None))  # type: ignore[union-attr]
        if ids is not None:
            query = query.where(MailMessage.id.in_(ids))  # type: ignore[union-attr]
        for message in session.exec(query.order_by(MailMessage.id)).all():
            message.attempts += 1
            try:
                send(settings, to=message.to_address, subject=message.subject, body=message.body)
                message.sent_at = utcnow()
                message.last_error = None
                sent += 1
            except Exception as exc:  # noqa: BLE001
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("could not send mail %s to %s: %s", message.id, message.to_address, exc)
            session.add(message)
        session.commit()
    return sent


def send(settings: Settings, *, to: str, subject: str, body: str) -> None:
    if not settings.SMTP_URL:
        _ensure_visible_log()
        log.info("mail (no BARNRATT_SMTP_URL, not sent)\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = settings.MAIL_FROM
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    url = urlsplit(settings.SMTP_URL)
    host = url.hostname or "localhost"
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, url.port or 465, timeout=30, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, url.port or 25, timeout=30)
    with client:
        if url.scheme != "smtps":
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)
