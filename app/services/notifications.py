"""Notifications: always an entry in the recipient's in-app inbox, and an email (SMTP when
configured, the log otherwise). On submit the county's editors are told (the admins when
the county has no editor); on a decision or a withdrawal, the author is."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.i18n import gettext
from app.core.time import utcnow
from app.models import Notification, Submission, User
from app.services.mail import queue_mail


def _l(message: str) -> str:
    return message


TEXTS: dict[tuple[str, str], str] = {
    ("submitted", ""): _l("%(actor)s submitted “%(title)s” for review."),
    ("decision", "published"): _l("“%(title)s” was approved and is now published."),
    ("decision", "changes_requested"): _l("Changes were requested to “%(title)s”."),
    ("decision", "rejected"): _l("“%(title)s” was not approved."),
    ("withdrawn", ""): _l("“%(title)s” was withdrawn from publication."),
    ("comment", ""): _l("%(actor)s commented on “%(title)s”."),
    ("reuse_submitted", ""): _l("%(actor)s reported reusing “%(title)s”; the report waits for review."),
    ("reuse_decision", "published"): _l("Your report on reusing “%(title)s” was approved and is now public."),
    ("reuse_decision", "changes_requested"): _l("Changes were requested to your report on reusing “%(title)s”."),
    ("reuse_decision", "rejected"): _l("Your report on reusing “%(title)s” was not approved."),
}


def text_of(note: Notification, lang: str) -> str:
    template = TEXTS.get((note.kind, note.detail)) or TEXTS.get((note.kind, ""), "%(title)s")
    return gettext(lang, template) % {"actor": note.actor_label, "title": note.subject_title or "–"}


def link_of(note: Notification) -> str:
    if note.kind == "reuse_submitted":
        return "/granska/provat"
    if note.kind == "reuse_decision":
        return "/provat/mina"
    if note.kind == "submitted" and note.submission_id:
        return f"/granska/{note.submission_id}"
    if note.submission_id:
        return f"/bidrag/{note.submission_id}"
    if note.example_id:
        return f"/versioner/{note.example_id}"
    return "/konto/notiser"


def notify(
    session: Session,
    *,
    settings: Settings,
    recipients: list[User],
    kind: str,
    actor_label: str,
    title: str,
    detail: str = "",
    submission_id: int | None = None,
    example_id: int | None = None,
) -> list[Notification]:
    now = utcnow()
    notes = []
    for user in {u.id: u for u in recipients if u.is_active}.values():
        note = Notification(
            user_id=user.id, kind=kind, detail=detail, submission_id=submission_id, example_id=example_id,
            actor_label=actor_label, subject_title=(title or "")[:200], created_at=now,
        )
        session.add(note)
        notes.append(note)
        link = settings.public_base_url + link_of(note)
        sv, en = text_of(note, "sv"), text_of(note, "en")
        queue_mail(
            session, settings=settings, to=user.email, subject=f"Barnrättsbanken: {sv}",
            body=f"{sv}\n\n{link}\n\n— In English —\n\n{en}\n\n{link}\n",
        )
    session.flush()
    return notes


def county_reviewers(session: Session, *, county_code: str | None) -> list[User]:
    """The active editors of a county; the admins when it has none."""
    editors = session.exec(
        select(User).where(User.role == "editor", User.county_code == county_code, User.is_active.is_(True))  # type: ignore[attr-defined]
    ).all() if county_code else []
    if editors:
        return list(editors)
    return list(session.exec(select(User).where(User.role == "admin", User.is_active.is_(True))).all())  # type: ignore[attr-defined]


def author_of(session: Session, *, submission: Submission) -> list[User]:
    user = session.get(User, submission.author_id) if submission.author_id else None
    return [user] if user else []


def inbox(session: Session, *, user: User, limit: int = 100) -> list[Notification]:
    return list(
        session.exec(
            select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)  # type: ignore[attr-defined]
        ).all()
    )


def unread_count(session: Session, *, user_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))  # type: ignore[union-attr]
    ).one()


def mark_all_read(session: Session, *, user: User) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))  # type: ignore[union-attr]
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
