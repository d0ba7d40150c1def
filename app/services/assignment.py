"""Who reviews what, by when: an editor takes a submission ("Jag granskar"), the others
see who has it; every round has a due date (from the county's review period); the queue
sorts by it and flags overdue ones; ``send_reminders`` (``barnratt reminders``, daily from
cron) mails each assignee once a day per submission from REMINDER_LEAD_DAYS before it is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import Conflict, FieldError, InputError
from app.core.i18n import gettext
from app.core.time import as_utc, utcnow
from app.models import (
    ReviewAssignment,
    ReviewReminder,
    Submission,
    User,
)
from app.services import review_rounds
from app.services.dbutil import insert_ignoring_conflict
from app.services.mail import queue_mail
from app.services.policy import allowed, authorize
from app.services.review_settings import review_days
from app.services.submissions import actor_label, content_of, record


def _l(message: str) -> str:
    return message


@dataclass(frozen=True)
class Assignment:
    assignee_id: int
    assignee: str
    assigned_at: datetime


@dataclass(frozen=True)
class QueueItem:
    submission: Submission
    round: int
    due_on: date
    overdue: bool
    days_left: int
    assignment: Assignment | None

    def as_dict(self) -> dict:
        a = self.assignment
        return {
            "round": self.round, "due_on": self.due_on.isoformat(), "overdue": self.overdue,
            "days_left": self.days_left,
            "assignee_id": a.assignee_id if a else None, "assignee": a.assignee if a else None,
            "assigned_at": as_utc(a.assigned_at).isoformat() if a else None,
        }


def _today(now: datetime | None) -> date:
    return as_utc(now or utcnow()).date()


def assignment_of(session: Session, *, submission_id: int) -> Assignment | None:
    row = session.get(ReviewAssignment, submission_id)
    if row is None:
        return None
    user = session.get(User, row.assignee_id)
    return Assignment(row.assignee_id, actor_label(user) if user else str(row.assignee_id), row.assigned_at)


def due_of(session: Session, *, submission: Submission, settings: Settings) -> tuple[int, date]:
    """(round number, due date) of the submission's current round. Submissions sent before
    rounds were recorded count as round 1, due from their submission time."""
    current = review_rounds.current_round(session, submission_id=submission.id)
    if current is not None:
        return current.number, current.due_on
    since = submission.submitted_at or submission.created_at
    return 1, review_rounds.due_date(since, review_days(session, county_code=submission.county_code, settings=settings))


def item(session: Session, *, submission: Submission, settings: Settings, now: datetime | None = None) -> QueueItem:
    number, due = due_of(session, submission=submission, settings=settings)
    today = _today(now)
    return QueueItem(submission, number, due, due < today, (due - today).days,
                     assignment_of(session, submission_id=submission.id))


def queue(session: Session, *, user: User, settings: Settings, now: datetime | None = None) -> list[QueueItem]:
    """Submissions waiting for a decision that ``user`` may decide on, by due date (the
    earliest first), then by submission time."""
    from app.services.review import queue as waiting

    items = [item(session, submission=s, settings=settings, now=now) for s in waiting(session, user=user)]
    return sorted(items, key=lambda i: (i.due_on, as_utc(i.submission.submitted_at or i.submission.created_at),
                                        i.submission.id))


def _must_be_waiting(submission: Submission) -> None:
    if submission.status != "submitted":
        raise Conflict(f"Bidraget har status {submission.status} och väntar inte på granskning", code="invalid_transition")


def assign(session: Session, *, submission: Submission, user: User, take_over: bool = False,
           now: datetime | None = None) -> Assignment:
    """``user`` takes the submission. Held by another editor: 409 unless ``take_over``.
    Two editors taking it at once: exactly one gets it, the other gets 409."""
    authorize("submission.assign", user, submission)
    _must_be_waiting(submission)
    now = now or utcnow()
    current = session.get(ReviewAssignment, submission.id)
    if current is not None and current.assignee_id == user.id:
        return assignment_of(session, submission_id=submission.id)  # type: ignore[return-value]
    if current is None:
        taken = insert_ignoring_conflict(
            session, ReviewAssignment, {"submission_id": submission.id, "assignee_id": user.id, "assigned_at": now},
            conflict=["submission_id"],
        )
    elif take_over:
        result = session.execute(
            update(ReviewAssignment)
            .where(ReviewAssignment.submission_id == submission.id, ReviewAssignment.assignee_id == current.assignee_id)
            .values(assignee_id=user.id, assigned_at=now).execution_options(synchronize_session=False)
        )
        taken = result.rowcount == 1
    else:
        taken = False
    if current is not None:
        session.expire(current)
    if not taken:
        holder = assignment_of(session, submission_id=submission.id)
        name = holder.assignee if holder else "?"
        raise Conflict(f"{name} granskar redan bidraget", code="already_assigned")
    record(session, submission=submission, actor=user, action="assigned", from_status=submission.status,
           to_status=submission.status, example_id=submission.example_id)
    session.flush()
    return assignment_of(session, submission_id=submission.id)  # type: ignore[return-value]


def release(session: Session, *, submission: Submission, user: User) -> None:
    """Nobody has the submission any more (the assignee hands it back, or a colleague
    frees it). Idempotent."""
    authorize("submission.assign", user, submission)
    result = session.execute(delete(ReviewAssignment).where(ReviewAssignment.submission_id == submission.id))
    if result.rowcount:
        record(session, submission=submission, actor=user, action="unassigned", from_status=submission.status,
               to_status=submission.status, example_id=submission.example_id)
    session.flush()


def parse_due(value: object, *, field: str = "due_on") -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError([FieldError(field, "a date, YYYY-MM-DD")])


def set_due(session: Session, *, submission: Submission, user: User, due_on: date, settings: Settings,
            now: datetime | None = None) -> date:
    """Move the current round's due date (not into the past)."""
    authorize("submission.assign", user, submission)
    _must_be_waiting(submission)
    today = _today(now)
    if due_on < today or due_on > today + timedelta(days=365):
        raise InputError([FieldError("due_on", "from today to one year ahead")])
    current = review_rounds.current_round(session, submission_id=submission.id)
    if current is None:  # sent before rounds were recorded
        current = review_rounds.start_round(session, submission=submission, content=content_of(submission),
                                            settings=settings, now=as_utc(submission.submitted_at))
    old = current.due_on
    current.due_on = due_on
    session.add(current)
    record(session, submission=submission, actor=user, action="due_changed", from_status=submission.status,
           to_status=submission.status, comment=f"{old.isoformat()} → {due_on.isoformat()}",
           example_id=submission.example_id)
    session.flush()
    return due_on


# ---- Reminders ---------------------------------------------------------------------------

REMINDER_SUBJECT = _l("Reminder: “%(title)s” is due for review on %(due)s")
REMINDER_OVERDUE_SUBJECT = _l("Overdue: “%(title)s” was due for review on %(due)s")
REMINDER_BODY = _l("You are reviewing “%(title)s” (round %(round)s). The review is due on %(due)s.")


def _reminder_text(lang: str, *, title: str, due: date, round: int, overdue: bool, link: str) -> tuple[str, str]:
    params = {"title": title or "–", "due": due.isoformat(), "round": round}
    subject = gettext(lang, REMINDER_OVERDUE_SUBJECT if overdue else REMINDER_SUBJECT) % params
    return subject, gettext(lang, REMINDER_BODY) % params + f"\n\n{link}\n"


def send_reminders(session: Session, *, settings: Settings, now: datetime) -> list[ReviewReminder]:
    """One mail per assigned, waiting submission whose due date is at most
    REMINDER_LEAD_DAYS away (or past), at most once per submission and day: the unique
    (submission, day) row is written first, so a second run the same day, even one
    running at the same moment, sends nothing."""
    today = _today(now)
    rows = session.exec(
        select(Submission, ReviewAssignment)
        .join(ReviewAssignment, ReviewAssignment.submission_id == Submission.id)  # type: ignore[arg-type]
        .where(Submission.status == "submitted").order_by(Submission.id)
    ).all()
    sent: list[ReviewReminder] = []
    for submission, assigned in rows:
        user = session.get(User, assigned.assignee_id)
        if user is None or not user.is_active or not allowed("submission.decide", user, submission):
            continue
        number, due = due_of(session, submission=submission, settings=settings)
        if (due - today).days > settings.REMINDER_LEAD_DAYS:
            continue
        if not insert_ignoring_conflict(
            session, ReviewReminder,
            {"submission_id": submission.id, "user_id": user.id, "sent_on": today, "created_at": as_utc(now)},
            conflict=["submission_id", "sent_on"],
        ):
            continue
        link = settings.public_base_url + f"/granska/{submission.id}"
        kwargs = {"title": submission.title, "due": due, "round": number, "overdue": due < today, "link": link}
        sv_subject, sv_body = _reminder_text("sv", **kwargs)
        en_subject, en_body = _reminder_text("en", **kwargs)
        queue_mail(session, settings=settings, to=user.email, subject=f"Barnrättsbanken: {sv_subject}",
                   body=f"{sv_body}\n— In English —\n\n{en_subject}\n\n{en_body}")
        sent.append(session.exec(
            select(ReviewReminder).where(ReviewReminder.submission_id == submission.id, ReviewReminder.sent_on == today)
        ).one())
    session.flush()
    return sent
