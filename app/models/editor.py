"""The editor's work around a submission: review rounds (what was submitted each time, and
which editor has seen which round), who has taken a submission and by when it is due, the
reminders sent about it, each county's review settings, and when a published example is
next due for re-review. New tables only; the submission and the example are unchanged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel


class SubmissionRound(SQLModel, table=True):
    """One submission to the editor: the content as it was sent (round 1, 2, …) and the
    date the review of that round is due."""

    __tablename__ = "submission_round"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    number: int = Field(ge=1)
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    submitted_at: datetime = Field(sa_type=DateTime(timezone=True))
    due_on: date


class ReviewView(SQLModel, table=True):
    """An editor has seen round ``round`` of a submission (opened its review page or decided)."""

    __tablename__ = "review_view"

    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    round: int = Field(primary_key=True)
    seen_at: datetime = Field(sa_type=DateTime(timezone=True))


class ReviewAssignment(SQLModel, table=True):
    """The editor who has taken a submission ("Jag granskar"); at most one at a time."""

    __tablename__ = "review_assignment"

    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    assignee_id: int = Field(foreign_key="user.id", index=True)
    assigned_at: datetime = Field(sa_type=DateTime(timezone=True))


class ReviewReminder(SQLModel, table=True):
    """A reminder mail sent about a submission; the unique (submission, day) pair is what
    makes ``barnratt reminders`` idempotent, even when two runs overlap."""

    __tablename__ = "review_reminder"
    __table_args__ = (UniqueConstraint("submission_id", "sent_on"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    sent_on: date
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class CountyReviewSettings(SQLModel, table=True):
    """A county's review settings, edited by the admin or the county's editors. Without a
    row the county uses BARNRATT_REVIEW_DAYS."""

    __tablename__ = "county_review_settings"

    county_code: str = Field(foreign_key="county.code", primary_key=True, max_length=2)
    review_days: int = Field(ge=1, le=365)
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class ExampleReview(SQLModel, table=True):
    """When a published example was last reviewed (approved as a revision, or confirmed as
    still valid) and when it is next due. Without a row: published_at, and
    BARNRATT_REREVIEW_MONTHS after it."""

    __tablename__ = "example_review"

    example_id: int = Field(foreign_key="example.id", primary_key=True)
    reviewed_at: datetime = Field(sa_type=DateTime(timezone=True))
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    due_on: date = Field(index=True)
