"""Re-review of published examples. Every published example carries a review date: by
default BARNRATT_REREVIEW_MONTHS (two years, as in CEBC's registry) after its publication.
When it has passed, the example page says when it was last reviewed, and the county's
editors see it in their re-review queue; confirming it ("still valid") or publishing a
revision of it resets the date."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import Conflict, FieldError, InputError
from app.core.time import as_utc, utcnow
from app.models import Event, Example, ExampleReview, User
from app.services.policy import allowed, authorize


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class ReviewDate:
    last_reviewed: datetime
    due_on: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.due_on <= self.today

    def as_dict(self) -> dict:
        return {"last_reviewed_at": self.last_reviewed.isoformat(), "review_due": self.due_on.isoformat(),
                "overdue": self.overdue}


def _published(example: Example) -> datetime:
    return as_utc(example.published_at or example.created_at)


def review_date(session: Session, *, example: Example, settings: Settings, now: datetime | None = None) -> ReviewDate:
    today = as_utc(now or utcnow()).date()
    row = session.get(ExampleReview, example.id)
    if row is not None:
        return ReviewDate(as_utc(row.reviewed_at), row.due_on, today)
    published = _published(example)
    return ReviewDate(published, add_months(published.date(), settings.REREVIEW_MONTHS), today)


def reset(session: Session, *, example: Example, user: User | None, settings: Settings,
          now: datetime | None = None) -> ExampleReview:
    """The example was reviewed now: the next review is due REREVIEW_MONTHS from today."""
    now = now or utcnow()
    due = add_months(as_utc(now).date(), settings.REREVIEW_MONTHS)
    row = session.get(ExampleReview, example.id)
    if row is None:
        row = ExampleReview(example_id=example.id, reviewed_at=now, reviewed_by_id=user.id if user else None, due_on=due)
    else:
        row.reviewed_at, row.reviewed_by_id, row.due_on = now, user.id if user else None, due
    session.add(row)
    session.flush()
    return row


def confirm(session: Session, *, example: Example, user: User, settings: Settings, comment: str = "",
            now: datetime | None = None) -> ExampleReview:
    """A county editor (or the admin) confirms the example is still valid."""
    authorize("example.rereview", user, example)
    comment = (comment or "").strip()
    if len(comment) > 4000:
        raise InputError([FieldError("comment", "at most 4000 characters")])
    if example.status != "published":
        raise Conflict("Exemplet är inte publicerat", code="not_published")
    now = now or utcnow()
    row = reset(session, example=example, user=user, settings=settings, now=now)
    session.add(Event(
        example_id=example.id, submission_id=None, actor_id=user.id, actor_label=user.name or user.email,
        action="rereview_confirmed", from_status="published", to_status="published", comment=comment,
        created_at=now,
    ))
    session.flush()
    return row


def queue(session: Session, *, user: User, settings: Settings, now: datetime | None = None
          ) -> list[tuple[Example, ReviewDate]]:
    """Published examples whose review date has passed that ``user`` may re-review, the
    longest overdue first."""
    now = now or utcnow()
    today = as_utc(now).date()
    # Without a row, due = published + REREVIEW_MONTHS <= today, i.e. published before the
    # end of the day REREVIEW_MONTHS ago (checked exactly below).
    cutoff = add_months(today, -settings.REREVIEW_MONTHS) + timedelta(days=1)
    cutoff_at = datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=as_utc(now).tzinfo)
    query = (
        select(Example).outerjoin(ExampleReview, ExampleReview.example_id == Example.id)  # type: ignore[arg-type]
        .where(Example.status == "published")
        .where(or_(ExampleReview.due_on <= today,  # type: ignore[operator]
                   and_(ExampleReview.example_id.is_(None), Example.published_at < cutoff_at)))  # type: ignore[union-attr]
    )
    if user.role != "admin":
        query = query.where(Example.county_code == user.county_code)
    items = []
    for example in session.exec(query).all():
        when = review_date(session, example=example, settings=settings, now=now)
        if when.overdue and allowed("example.rereview", user, example):
            items.append((example, when))
    return sorted(items, key=lambda item: (item[1].due_on, item[0].id))
