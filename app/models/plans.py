"""Plans built from examples ("Min plan"), saved searches ("Bevaka"), contact messages and
attachments of examples. New tables only: the example's own fields are not touched."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

PLAN_TEXT_MAX = 20_000
MEASURE_TEXT_MAX = 4_000


class Plan(SQLModel, table=True):
    """A municipal action plan: a mapping of local conditions, measures taken from examples,
    and how the work is followed up. Private to its owner; readable by whoever holds the
    share link while sharing is on."""

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", index=True)
    title: str = Field(max_length=200)
    mapping: str = Field(default="", sa_type=Text)
    follow_up: str = Field(default="", sa_type=Text)
    # Unguessable read-only link; None = not shared (revoking sets it back to None).
    share_token: str | None = Field(default=None, max_length=64, unique=True, index=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class PlanMeasure(SQLModel, table=True):
    """One example taken into a plan as a measure, with the planner's own details."""

    __tablename__ = "plan_measure"
    __table_args__ = (UniqueConstraint("plan_id", "example_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    example_id: int = Field(foreign_key="example.id", index=True)
    # The published version of the example when it was added (the export cites the current one).
    example_version: int = Field(ge=1)
    position: int = 0
    notes: str = Field(default="", sa_type=Text)
    responsible_unit: str = Field(default="", max_length=200)
    planned_start: date | None = Field(default=None, sa_type=Date)
    effort_hours: int | None = Field(default=None, ge=0)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class SavedSearch(SQLModel, table=True):
    """A stored search (the query string of / or /api/v1/examples) that the owner follows."""

    __tablename__ = "saved_search"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=200)
    query: str = Field(default="", sa_type=Text)  # canonical query string, without paging
    frequency: str = Field(default="weekly", max_length=10)  # immediate | weekly | never
    feed_token: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    # Examples first published after this moment are "new" for the next weekly digest.
    digest_after: datetime = Field(sa_type=DateTime(timezone=True))
    last_digest_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class SavedSearchHit(SQLModel, table=True):
    """A new publication that matched a saved search and was mailed (or put in a digest):
    never mailed twice."""

    __tablename__ = "saved_search_hit"
    __table_args__ = (UniqueConstraint("saved_search_id", "example_id"),)

    id: int | None = Field(default=None, primary_key=True)
    saved_search_id: int = Field(foreign_key="saved_search.id", index=True)
    example_id: int = Field(foreign_key="example.id", index=True)
    mail_id: int | None = Field(default=None, foreign_key="mail_outbox.id")
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class ContactMessage(SQLModel, table=True):
    """That a message was sent to an example's contact through the site: kept for the rate
    limit only. Sender address and IP are stored as keyed hashes (HMAC with the secret key),
    the text not at all; the contact's address is only in the mail outbox."""

    __tablename__ = "contact_message"

    id: int | None = Field(default=None, primary_key=True)
    example_id: int = Field(foreign_key="example.id", index=True)
    sender_key: str = Field(max_length=64, index=True)
    ip_key: str = Field(max_length=64, index=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)


class Attachment(SQLModel, table=True):
    """A file attached to a published example (PDF, DOCX, ODT or XLSX)."""

    id: int | None = Field(default=None, primary_key=True)
    example_id: int = Field(foreign_key="example.id", index=True)
    filename: str = Field(max_length=200)
    kind: str = Field(max_length=10)  # pdf | docx | odt | xlsx (detected from the content)
    content_type: str = Field(max_length=120)
    size: int = Field(ge=0)
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=300, unique=True)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


__all__ = ["Attachment", "ContactMessage", "Plan", "PlanMeasure", "SavedSearch", "SavedSearchHit",
           "MEASURE_TEXT_MAX", "PLAN_TEXT_MAX", "date"]
