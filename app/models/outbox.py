"""The search outbox: written in the same transaction as every change that affects what
is public, drained into the search engine by the indexer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class OutboxEntry(SQLModel, table=True):
    __tablename__ = "search_outbox"

    id: int | None = Field(default=None, primary_key=True)
    example_id: int = Field(index=True)
    # "upsert" re-reads the example and indexes it if published, removes it otherwise.
    op: str = Field(default="upsert", max_length=10)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    attempts: int = 0
    available_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    last_error: str | None = Field(default=None, sa_type=Text)
