"""The history of examples and submissions: every transition, with actor and comment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    example_id: int | None = Field(default=None, foreign_key="example.id", index=True)
    submission_id: int | None = Field(default=None, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    # Who acted, as shown in the history even if the account is later removed
    # ("Nationell administratör (import)", an editor's name, ...).
    actor_label: str = Field(max_length=254)
    action: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str | None = Field(default=None, max_length=30)
    comment: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
