"""Accounts and API tokens. Roles: contributor, editor (of one county), admin."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

Role = Literal["contributor", "editor", "admin"]


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=20)
    county_code: str | None = Field(default=None, max_length=2, foreign_key="county.code")
    # The organisation the person belongs to: shares its drafts and may revise its examples.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = True
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    last_login_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class ApiToken(SQLModel, table=True):
    """A bearer token; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=12)
    label: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
