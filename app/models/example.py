"""The worked example: its table, its versions and its public shapes, all derived from the
content fields declared once in app/models/content.py."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    create_model,
    field_validator,
    model_validator,
)
from pydantic import Field as PField
from sqlalchemy import JSON, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelMetaclass

from app.models.content import (
    CONTRACT_FIELDS,
    MAX_TEXT,
    TEXT_FIELDS,
    AgeGroup,
    Link,
    OrganisationType,
    pydantic_fields,
    sqlmodel_namespace,
)

ExampleStatus = Literal["published", "withdrawn"]
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# The content of an example: every field a contributor writes (app.models.content).
ExampleBase = SQLModelMetaclass(
    "ExampleBase", (SQLModel,),
    sqlmodel_namespace(draft=False, doc="The content of an example: every field a contributor writes."),
)


class _ExampleInRules(BaseModel):
    """A complete example as it arrives from outside (import, API); validated strictly.

    Reference checks that need the database (does the sector exist?) are done by
    ``app.services.validation``; this model checks shape, lengths and vocabularies.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Identity, accepted on import so that export -> import round-trips unchanged.
    id: int | None = PField(default=None, ge=1)
    slug: str | None = PField(default=None, max_length=220)

    @field_validator("articles", check_fields=False)
    @classmethod
    def _articles_sorted(cls, value: list[int]) -> list[int]:
        return sorted(set(value))

    @field_validator("sectors", "target_groups", "age_groups", check_fields=False)
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("slug")
    @classmethod
    def _slug_shape(cls, value: str | None) -> str | None:
        if value is not None and not _SLUG_RE.match(value):
            raise ValueError("must be lowercase letters, digits and single hyphens")
        return value

    @field_validator("municipality_code", "contact_name", "contact_email", mode="before", check_fields=False)
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _cross_field(self) -> "_ExampleInRules":
        start, end = getattr(self, "start_year", None), getattr(self, "end_year", None)
        if start and end and end < start:
            raise ValueError("end_year: must not be before start_year")
        return self

    def content(self) -> dict[str, Any]:
        """The contract fields only, JSON-ready."""
        data = self.model_dump(mode="json", include=set(CONTRACT_FIELDS))
        return {name: data[name] for name in CONTRACT_FIELDS}


ExampleIn = create_model("ExampleIn", __base__=_ExampleInRules, __module__=__name__, **pydantic_fields("strict"))
ExampleIn.__doc__ = _ExampleInRules.__doc__


class Example(ExampleBase, table=True):
    """A published (or withdrawn) example: the version the public sees."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=220, index=True)
    status: str = Field(default="published", max_length=20, index=True)
    version: int = Field(default=1, ge=1)
    quality: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    published_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    withdrawn_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    withdrawn_reason: str | None = Field(default=None, sa_type=Text)
    # Who may revise it besides the county's editors and the admin: the author of the
    # submission that published it and the members of its organisation (by id; the
    # displayed organisation_name is free text).
    author_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)

    def content(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CONTRACT_FIELDS}


class ExampleVersion(SQLModel, table=True):
    """Every published version of an example, kept so it stays viewable and diffable."""

    __tablename__ = "example_version"
    __table_args__ = (UniqueConstraint("example_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    example_id: int = Field(foreign_key="example.id", index=True)
    version: int = Field(ge=1)
    data: dict[str, Any] = Field(sa_type=JSON)
    quality: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    submission_id: int | None = Field(default=None, index=True)
    published_by_id: int | None = Field(default=None, foreign_key="user.id")
    published_at: datetime = Field(sa_type=DateTime(timezone=True))


class _PublicIdentity(BaseModel):
    id: int
    slug: str
    url: str
    status: ExampleStatus
    version: int
    published_at: datetime | None
    updated_at: datetime
    quality: dict[str, Any] | None = None


# The full published example as the public API shows it: identity, then every content field.
ExamplePublic = create_model("ExamplePublic", __base__=_PublicIdentity, __module__=__name__, **pydantic_fields("public"))
ExamplePublic.__doc__ = "The full published example as the public API shows it."

__all__ = [
    "CONTRACT_FIELDS", "MAX_TEXT", "TEXT_FIELDS", "AgeGroup", "Example", "ExampleBase", "ExampleIn",
    "ExamplePublic", "ExampleVersion", "Link", "OrganisationType",
]
