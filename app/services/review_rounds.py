"""Review rounds: what was submitted each time (round 1, 2, …) and which round each editor
has seen, so that after "request changes" the editor reads only what changed since they
last looked (the same word-level diff as between published versions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, func, select

from app.core.config import Settings
from app.core.time import as_utc, utcnow
from app.models import ReviewView, Submission, SubmissionRound, User
from app.services import versions as versions_service
from app.services.dbutil import insert_ignoring_conflict
from app.services.review_settings import review_days


@dataclass(frozen=True)
class SinceSeen:
    """The changes between round ``base_round`` and the current round ``round``.
    ``own`` is True when the reader saw ``base_round`` themselves; otherwise it is simply
    the previous round (they never looked before)."""

    base_round: int
    round: int
    base_submitted_at: datetime
    seen_at: datetime | None
    own: bool
    changes: list[versions_service.FieldDiff]


def current_round(session: Session, *, submission_id: int) -> SubmissionRound | None:
    return session.exec(
        select(SubmissionRound).where(SubmissionRound.submission_id == submission_id)
        .order_by(SubmissionRound.number.desc())  # type: ignore[attr-defined]
    ).first()


def due_date(submitted_at: datetime, days: int) -> date:
    return as_utc(submitted_at).date() + timedelta(days=days)


def start_round(session: Session, *, submission: Submission, content: dict[str, Any], settings: Settings,
                now: datetime | None = None) -> SubmissionRound:
    """Called on every submit: the content as sent and the due date from the county's
    review period."""
    now = now or utcnow()
    number = (session.exec(
        select(func.max(SubmissionRound.number)).where(SubmissionRound.submission_id == submission.id)
    ).one() or 0) + 1
    row = SubmissionRound(
        submission_id=submission.id, number=number, content=content, submitted_at=now,
        due_on=due_date(now, review_days(session, county_code=submission.county_code, settings=settings)),
    )
    session.add(row)
    session.flush()
    return row


def mark_seen(session: Session, *, submission: Submission, user: User, now: datetime | None = None) -> None:
    """Record that ``user`` has seen the current round (idempotent)."""
    current = current_round(session, submission_id=submission.id)
    if current is None or user.id is None:
        return
    insert_ignoring_conflict(
        session, ReviewView,
        {"submission_id": submission.id, "user_id": user.id, "round": current.number, "seen_at": now or utcnow()},
        conflict=["submission_id", "user_id", "round"],
    )


def since_seen(session: Session, *, submission: Submission, user: User) -> SinceSeen | None:
    """What changed since ``user`` last looked, for a resubmission (round 2 or later)
    waiting for a decision; None otherwise."""
    if submission.status != "submitted":
        return None
    current = current_round(session, submission_id=submission.id)
    if current is None or current.number < 2:
        return None
    seen = session.exec(
        select(ReviewView).where(ReviewView.submission_id == submission.id, ReviewView.user_id == user.id,
                                 ReviewView.round < current.number)
        .order_by(ReviewView.round.desc())  # type: ignore[attr-defined]
    ).first()
    base_number = seen.round if seen else current.number - 1
    base = session.exec(
        select(SubmissionRound).where(SubmissionRound.submission_id == submission.id,
                                      SubmissionRound.number == base_number)
    ).first()
    if base is None:
        return None
    return SinceSeen(
        base_round=base.number, round=current.number, base_submitted_at=base.submitted_at,
        seen_at=seen.seen_at if seen else None, own=seen is not None,
        changes=versions_service.diff(base.content, current.content),
    )
