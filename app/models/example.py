"""The worked example: its public fields (the contract), its table and its versions.

Field names here are used unchanged in the JSON API, in import/export files and in the
database.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, field_validator, model_validator
from pydantic import Field as PField
from sqlalchemy import JSON, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.vocabulary import AGE_GROUPS, ORGANISATION_TYPES

TEXT_FIELDS: tuple[str, ...] = (
    "background",
    "method",
    "child_participation",
    "results",
    "lessons_learned",
    "adaptations",
    "trade_offs",
    "transferability",
)
LIST_FIELDS: tuple[str, ...] = ("articles", "sectors", "target_groups", "age_groups", "links")
# The order of columns in import/export files and of fields in the public JSON.
CONTRACT_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    *TEXT_FIELDS,
    "articles",
    "sectors",
    "target_groups",
    "age_groups",
    "organisation_name",
    "organisation_type",
    "county_code",
    "municipality_code",
    "start_year",
    "end_year",
    "duration_months",
    "effort_hours",
    "cost_sek",
    "contact_name",
    "contact_email",
    "links",
)
MAX_TEXT = 20_000
ExampleStatus = Literal["published", "withdrawn"]
AgeGroup = Literal["0-5", "6-12", "13-17", "18-24"]
OrganisationType = Literal[
    "kommun", "region", "lansstyrelse", "statlig-myndighet", "civilsamhalle", "naringsliv",
    "akademi", "annan",
]
assert set(AgeGroup.__args__) == set(AGE_GROUPS)  # type: ignore[attr-defined]
assert set(OrganisationType.__args__) == set(ORGANISATION_TYPES)  # type: ignore[attr-defined]

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = PField(min_length=1, max_length=200)
    url: str = PField(min_length=1, max_length=2000)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
            raise ValueError("must be an http(s) URL")
        return value


class ExampleBase(SQLModel):
    """The content of an example: every field a contributor writes."""

    title: str = Field(min_length=5, max_length=200)
    summary: str = Field(default="", max_length=600, sa_type=Text)
    background: str = Field(default="", max_length=MAX_TEXT, sa_type=Text)
    method: str = Field(default="", max_length=MAX_TEXT, sa_type=Text)
    child_participation: str = Field(default="", max_length=MAX_TEXT, sa_type=Text)
    results: str = Field(default="", max_length=MAX_TEXT, sa_type=Text)
    lessons_learned: str = Field(default="", max_length=MAX_TEXT, sa_type=Text)
    adaptations: str = Field(default="", max_length=MAX_TEXT, sa_type=Text)
    trade_offs: str = Field(default="", max_length=MAX_TEXT, sa_type=Text)
    transferability: str = Field(default="", max_length=MAX_TEXT, sa_type=Text)

    articles: list[int] = Field(default_factory=list, sa_type=JSON)
    sectors: list[str] = Field(default_factory=list, sa_type=JSON)
    target_groups: list[str] = Field(default_factory=list, sa_type=JSON)
    age_groups: list[str] = Field(default_factory=list, sa_type=JSON)

    organisation_name: str = Field(min_length=2, max_length=200)
    organisation_type: str = Field(max_length=30)
    county_code: str = Field(max_length=2, index=True, foreign_key="county.code")
    municipality_code: str | None = Field(
        default=None, max_length=4, index=True, foreign_key="municipality.code"
    )

    start_year: int | None = Field(default=None, ge=1990, le=2100)
    end_year: int | None = Field(default=None, ge=1990, le=2100)
    duration_months: int | None = Field(default=None, ge=0, le=600)
    effort_hours: int | None = Field(default=None, ge=0, le=10_000_000)
    cost_sek: int | None = Field(default=None, ge=0, le=10_000_000_000)

    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    links: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)


class ExampleIn(BaseModel):
    """A complete example as it arrives from outside (import, API); validated strictly.

    Reference checks that need the database (does the sector exist?) are done by
    ``app.services.validation``; this model checks shape, lengths and vocabularies.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = PField(min_length=5, max_length=200)
    summary: str = PField(default="", max_length=600)
    background: str = PField(default="", max_length=MAX_TEXT)
    method: str = PField(default="", max_length=MAX_TEXT)
    child_participation: str = PField(default="", max_length=MAX_TEXT)
    results: str = PField(default="", max_length=MAX_TEXT)
    lessons_learned: str = PField(default="", max_length=MAX_TEXT)
    adaptations: str = PField(default="", max_length=MAX_TEXT)
    trade_offs: str = PField(default="", max_length=MAX_TEXT)
    transferability: str = PField(default="", max_length=MAX_TEXT)

    articles: list[Annotated[int, PField(ge=1, le=54, strict=False)]] = PField(min_length=1, max_length=54)
    sectors: list[str] = PField(min_length=1, max_length=12)
    target_groups: list[str] = PField(default_factory=list, max_length=20)
    age_groups: list[AgeGroup] = PField(default_factory=list, max_length=4)

    organisation_name: str = PField(min_length=2, max_length=200)
    organisation_type: OrganisationType
    county_code: str = PField(pattern=r"^\d{2}$")
    municipality_code: str | None = PField(default=None, pattern=r"^\d{4}$")

    start_year: int | None = PField(default=None, ge=1990, le=2100)
    end_year: int | None = PField(default=None, ge=1990, le=2100)
    duration_months: int | None = PField(default=None, ge=0, le=600)
    effort_hours: int | None = PField(default=None, ge=0, le=10_000_000)
    cost_sek: int | None = PField(default=None, ge=0, le=10_000_000_000)

    contact_name: str | None = PField(default=None, max_length=200)
    contact_email: EmailStr | None = None
    links: list[Link] = PField(default_factory=list, max_length=20)

    # Identity, accepted on import so that export -> import round-trips unchanged.
    id: int | None = PField(default=None, ge=1)
    slug: str | None = PField(default=None, max_length=220)

    @field_validator("articles")
    @classmethod
    def _articles_sorted(cls, value: list[int]) -> list[int]:
        return sorted(set(value))

    @field_validator("sectors", "target_groups", "age_groups")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("slug")
    @classmethod
    def _slug_shape(cls, value: str | None) -> str | None:
        if value is not None and not _SLUG_RE.match(value):
            raise ValueError("must be lowercase letters, digits and single hyphens")
        return value

    @field_validator("municipality_code", "contact_name", "contact_email", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _cross_field(self) -> "ExampleIn":
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValueError("end_year: must not be before start_year")
        return self

    def content(self) -> dict[str, Any]:
        """The contract fields only, JSON-ready."""
        data = self.model_dump(mode="json", include=set(CONTRACT_FIELDS))
        return {name: data[name] for name in CONTRACT_FIELDS}


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


class ExamplePublic(BaseModel):
    """The full published example as the public API shows it."""

    id: int
    slug: str
    url: str
    status: ExampleStatus
    version: int
    published_at: datetime | None
    updated_at: datetime
    quality: dict[str, Any] | None = None
    title: str
    summary: str
    background: str
    method: str
    child_participation: str
    results: str
    lessons_learned: str
    adaptations: str
    trade_offs: str
    transferability: str
    articles: list[int]
    sectors: list[str]
    target_groups: list[str]
    age_groups: list[str]
    organisation_name: str
    organisation_type: str
    county_code: str
    municipality_code: str | None
    start_year: int | None
    end_year: int | None
    duration_months: int | None
    effort_hours: int | None
    cost_sek: int | None
    contact_name: str | None
    contact_email: str | None
    links: list[dict[str, Any]]
