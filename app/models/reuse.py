""""Vi har också provat": reports that another organisation reused a published example,
reviewed by the county editors of the reporting organisation's county before they are
public. And the marker of demo content (examples loaded by ``barnratt demo``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Text
from sqlmodel import Field, SQLModel

# submitted -> published | changes_requested (-> submitted again) | rejected
REUSE_STATUSES: tuple[str, ...] = ("submitted", "changes_requested", "published", "rejected")
OUTCOMES: tuple[str, ...] = ("better", "as_expected", "worse", "too_early")


class ReuseReport(SQLModel, table=True):
    __tablename__ = "reuse_report"

    id: int | None = Field(default=None, primary_key=True)
    example_id: int = Field(foreign_key="example.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    # The organisation that reused the example and where it is (its county's editors review).
    organisation_name: str = Field(max_length=200)
    # The reporting organisation as an entity: its members share the report (by id, never by name).
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    county_code: str = Field(max_length=2, foreign_key="county.code", index=True)
    municipality_code: str | None = Field(default=None, max_length=4, foreign_key="municipality.code")
    # When they used it.
    used_year: int
    used_month: int | None = None
    adaptations: str = Field(sa_type=Text)
    effort_hours: int
    outcome: str = Field(max_length=20)
    lesson: str = Field(sa_type=Text)

    status: str = Field(default="submitted", max_length=20, index=True)
    version: int = Field(default=1, ge=1)
    # The review: {key: {"kind", "result", "comment"}} and the editor's message.
    checklist: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    review_comment: str = Field(default="", sa_type=Text)
    reviewer_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    submitted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    decided_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    published_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True), index=True)


class DemoContent(SQLModel, table=True):
    """An example loaded as demo content: every page showing it says so."""

    __tablename__ = "demo_content"

    example_id: int = Field(foreign_key="example.id", primary_key=True)
