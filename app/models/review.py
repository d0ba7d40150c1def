"""The review workflow: submissions (drafts and revisions), quality criteria, editors'
decisions, in-app notifications and the outgoing mail queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Text
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelMetaclass

from app.models.content import sqlmodel_namespace

# A submission's life: draft -> submitted -> (changes_requested -> submitted)* -> published,
# or rejected. Revisions of a published example run the same course.
EDITABLE_STATUSES: frozenset[str] = frozenset({"draft", "changes_requested"})
OPEN_STATUSES: frozenset[str] = frozenset({"draft", "submitted", "changes_requested"})


# The content fields of an example, every one optional: drafts may be incomplete.
# Completeness and references are checked on submit (automatic criteria and the strict
# ``ExampleIn``), not on save.
SubmissionContent = SQLModelMetaclass(
    "SubmissionContent", (SQLModel,),
    sqlmodel_namespace(draft=True, doc="The content fields of an example, every one optional: drafts may be incomplete."),
)


class Submission(SubmissionContent, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # "new" (becomes a new example) or "revision" (of example_id, from base_version).
    kind: str = Field(default="new", max_length=10)
    status: str = Field(default="draft", max_length=20, index=True)
    # Optimistic locking: every write bumps it; PUT needs If-Match with the current value.
    version: int = Field(default=1, ge=1)
    author_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    # The organisation that owns the draft (the author's, when it was created); its
    # members see and edit it. Distinct from the content's free-text organisation_name.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    # The example it became (once published) or the example a revision revises.
    example_id: int | None = Field(default=None, foreign_key="example.id", index=True)
    base_version: int | None = None
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    submitted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    decided_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Criterion(SQLModel, table=True):
    """A quality criterion. Keys never change; titles and guidance are edited by the admin."""

    key: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=10)  # "automatic" or "judged"
    position: int = 0
    article: int | None = None
    title_sv: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    guidance_sv: str = Field(default="", sa_type=Text)
    guidance_en: str = Field(default="", sa_type=Text)
    updated_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class ReviewDecision(SQLModel, table=True):
    """An editor's decision with the judgement of every criterion at that moment."""

    __tablename__ = "review_decision"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    reviewer_id: int | None = Field(default=None, foreign_key="user.id")
    decision: str = Field(max_length=20)
    comment: str = Field(default="", sa_type=Text)
    # {key: {"kind": ..., "result": "met" | "not_met" | "not_applicable", "comment": ...}}
    criteria: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class Notification(SQLModel, table=True):
    """An entry in a user's in-app inbox. The text is rendered in the reader's language
    from ``kind`` and the stored details."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=30)
    submission_id: int | None = Field(default=None, index=True)
    example_id: int | None = None
    actor_label: str = Field(default="", max_length=254)
    subject_title: str = Field(default="", max_length=200)
    detail: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    read_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class MailMessage(SQLModel, table=True):
    """Outgoing mail, written in the transaction that causes it and delivered after commit
    (by SMTP when configured, else printed to the log)."""

    __tablename__ = "mail_outbox"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
