"""Organisations: the municipalities, regions, agencies and associations whose people write
examples. Membership (user.organisation_id) decides who shares drafts and may revise an
organisation's examples; the examples' displayed organisation_name stays free text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    # One of app.models.vocabulary.ORGANISATION_TYPES.
    type: str = Field(max_length=30)
    county_code: str = Field(max_length=2, foreign_key="county.code", index=True)
    # Where the organisation is a municipality (or part of one).
    municipality_code: str | None = Field(default=None, max_length=4, foreign_key="municipality.code")
    # Swedish organisationsnummer, stored as NNNNNN-NNNN (Luhn-checked); optional.
    org_number: str | None = Field(default=None, max_length=11, unique=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class OrganisationUnmatched(SQLModel, table=True):
    """What the migration to organisations could not link: a user, submission or example
    whose free-text organisation name matched no organisation (or several) in its county.
    Listed by ``barnratt organisations unmatched`` until the row has an organisation."""

    __tablename__ = "organisation_unmatched"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # "user", "submission" or "example"
    row_id: int = Field(index=True)
    name: str = Field(max_length=200)
    county_code: str | None = Field(default=None, max_length=2)
    reason: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
