"""The example's content fields, declared once.

Every field a contributor writes is one ``ContentField`` row in ``CONTENT_FIELDS``. Every
shape of an example's content is derived from that table, never written out again:

* the table columns of a published example (``ExampleBase``) and of a draft
  (``SubmissionContent``), via ``sqlmodel_namespace``;
* the strict input of a complete example (``ExampleIn``), the lenient draft input
  (``SubmissionIn``) and the public output (``ExamplePublic``), via ``pydantic_fields``;
* the submission form's reading and messages (app/web/forms.py), the CSV columns
  (app/services/transfer.py), the diff (app/services/versions.py), labels and hints
  (app/services/labels.py) and the autosave answer's field list (a template global).

Field names are used unchanged in the JSON API, in import/export files and in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, field_validator
from pydantic import Field as PField
from sqlalchemy import JSON, BigInteger, Integer, Text
from sqlmodel import Field

from app.models.vocabulary import AGE_GROUPS, ORGANISATION_TYPES

MAX_TEXT = 20_000


def _l(message: str) -> str:
    """Mark a message for extraction; translated where it is shown."""
    return message


Kind = Literal["line", "text", "markdown", "int", "articles", "codes", "choice", "code", "email", "links"]

AgeGroup = Literal["0-5", "6-12", "13-17", "18-24"]
OrganisationType = Literal[
    "kommun", "region", "lansstyrelse", "statlig-myndighet", "civilsamhalle", "naringsliv",
    "akademi", "annan",
]
assert set(AgeGroup.__args__) == set(AGE_GROUPS)  # type: ignore[attr-defined]
assert set(OrganisationType.__args__) == set(ORGANISATION_TYPES)  # type: ignore[attr-defined]


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = PField(min_length=1, max_length=200)
    url: str = PField(min_length=1, max_length=2000)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        import re

        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
            raise ValueError("must be an http(s) URL")
        return value


class LinkDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = PField(default="", max_length=200)
    url: str = PField(default="", max_length=2000)


@dataclass(frozen=True)
class ContentField:
    name: str
    kind: Kind
    label: str
    hint: str = ""
    # What the form says when the strict contract refuses the field.
    form_error: str = ""
    # The public page's heading for a Markdown section (defaults to the label).
    heading: str = ""
    required: bool = False  # a complete example must have it (and its column is NOT NULL)
    nullable: bool = False  # empty means None (not "" or [])
    min_length: int | None = None  # characters, or items for lists (strict input)
    max_length: int | None = None  # characters, or items for lists
    draft_max_length: int | None = None  # a draft's bound, where it differs
    item_max_length: int | None = None  # a draft's bound on each code in a list
    ge: int | None = None
    le: int | None = None
    pattern: str | None = None
    draft_int_bound: int = 2**31  # a draft's whole numbers must fit the column
    big: bool = False  # a 64-bit column (BIGINT), for numbers past 2**31
    foreign_key: str | None = None
    in_summary: bool = False  # part of a search result's summary of the example
    # Shown to the public (API, open-data export, pages). The contact address is not: the
    # example's contact form mails it, so it never reaches scrapers.
    public: bool = True
    index: bool = False  # indexed in the published example's table
    draft_index: bool = False  # indexed in the draft's table

    @property
    def is_list(self) -> bool:
        return self.kind in ("articles", "codes", "links")

    @property
    def is_text(self) -> bool:
        """Free text: empty is "" and it is compared word by word."""
        return self.kind in ("line", "text", "markdown") and not self.nullable

    @property
    def diff_kind(self) -> str:
        if self.is_list:
            return "list"
        return "value" if self.kind == "int" else "text"

    # ---- Derived shapes -------------------------------------------------------------

    def python_type(self, *, draft: bool) -> Any:
        base: Any = {
            "int": int, "articles": list[int], "codes": list[str], "links": list[dict[str, Any]],
        }.get(self.kind, str)
        return base | None if (self.nullable or (draft and self.kind in ("choice", "code"))) else base

    def column(self, *, draft: bool) -> tuple[Any, Any]:
        """(annotation, sqlmodel Field) of this field's column."""
        kwargs: dict[str, Any] = {}
        if self.is_list:
            kwargs.update(default_factory=list, sa_type=JSON)
        elif self.kind == "int":
            kwargs["default"] = None
            if self.big:
                # SQLite's INTEGER is already 64 bits (and its migration leaves it so).
                kwargs["sa_type"] = BigInteger().with_variant(Integer(), "sqlite")
            if not draft:
                kwargs.update({k: v for k, v in (("ge", self.ge), ("le", self.le)) if v is not None})
        else:
            if self.kind in ("text", "markdown"):
                kwargs["sa_type"] = Text
                kwargs["max_length"] = MAX_TEXT if draft else self.max_length
            else:
                kwargs["max_length"] = self.max_length
            if self.nullable or (draft and self.kind in ("choice", "code")):
                kwargs["default"] = None
            elif draft or not self.required:
                kwargs["default"] = ""
            if self.required and not draft and self.min_length is not None:
                kwargs["min_length"] = self.min_length
        if draft:
            if self.draft_index:
                kwargs["index"] = True
        else:
            if self.foreign_key:
                kwargs["foreign_key"] = self.foreign_key
            if self.index:
                kwargs["index"] = True
        return self.python_type(draft=draft), Field(**kwargs)

    def strict(self) -> tuple[Any, Any]:
        """(annotation, pydantic field) of a complete example's input."""
        bounds = {k: v for k, v in (("ge", self.ge), ("le", self.le)) if v is not None}
        if self.kind == "articles":
            return list[Annotated[int, PField(strict=False, **bounds)]], PField(
                min_length=self.min_length or 0, max_length=self.max_length)
        if self.kind == "codes":
            item: Any = AgeGroup if self.name == "age_groups" else str
            if self.min_length:
                return list[item], PField(min_length=self.min_length, max_length=self.max_length)
            return list[item], PField(default_factory=list, max_length=self.max_length)
        if self.kind == "links":
            return list[Link], PField(default_factory=list, max_length=self.max_length)
        if self.kind == "int":
            return int | None, PField(default=None, **bounds)
        if self.kind == "choice":
            return OrganisationType, ...
        if self.kind == "email":
            return EmailStr | None, None
        kwargs: dict[str, Any] = {"pattern": self.pattern} if self.pattern else {"max_length": self.max_length}
        if self.min_length is not None:
            kwargs["min_length"] = self.min_length
        if self.required:
            return str, PField(**kwargs)
        return (str | None, PField(default=None, **kwargs)) if self.nullable else (str, PField(default="", **kwargs))

    def draft(self) -> tuple[Any, Any]:
        """(annotation, pydantic field) of a draft's input: types and lengths only."""
        if self.kind == "articles":
            return list[int], PField(default_factory=list, max_length=self.max_length)
        if self.kind == "codes":
            item = Annotated[str, PField(max_length=self.item_max_length)]
            return list[item], PField(default_factory=list, max_length=self.draft_max_length or self.max_length)
        if self.kind == "links":
            return list[LinkDraft], PField(default_factory=list, max_length=self.max_length)
        if self.kind == "int":
            return int | None, None  # bounded by the column (``draft_int_bound``)
        if self.kind in ("text", "markdown"):
            return str, PField(default="", max_length=MAX_TEXT)
        if self.nullable or self.kind in ("choice", "code"):
            return str | None, PField(default=None, max_length=self.max_length)
        return str, PField(default="", max_length=self.max_length)


def _markdown(name: str, label: str, hint: str, heading: str = "") -> ContentField:
    return ContentField(name, "markdown", label, hint, heading=heading, max_length=MAX_TEXT)


CONTENT_FIELDS: tuple[ContentField, ...] = (
    ContentField("title", "line", _l("Title"), _l("5–200 characters. Say what was done, not only the project's name."),
                 _l("Write a title of 5–200 characters."), required=True, min_length=5, max_length=200, in_summary=True),
    ContentField("summary", "text", _l("Summary"), _l("At most 600 characters: what, for whom, and what came of it."),
                 _l("The summary may be at most 600 characters."), max_length=600, in_summary=True),
    _markdown("background", _l("Background"), _l("Why the work was needed. Markdown is allowed.")),
    _markdown("method", _l("Method"), _l("What you did, in what order and with whom. At least 300 characters."),
              _l("What was done")),
    _markdown("child_participation", _l("Children's participation"),
              _l("How children's views were gathered and what weight they were given."), _l("How children took part")),
    _markdown("results", _l("Results"), _l("What changed, with follow-up where you have it.")),
    _markdown("lessons_learned", _l("Lessons learned"),
              _l("What you would do the same way, and what differently. At least 150 characters.")),
    _markdown("adaptations", _l("Adaptations"), _l("What you changed along the way.")),
    _markdown("trade_offs", _l("Trade-offs"), _l("What you weighed against each other, and what you chose.")),
    _markdown("transferability", _l("Transferability"), _l("What another municipality needs to repeat it.")),
    ContentField("articles", "articles", _l("Articles of the Convention"), form_error=_l("Choose at least one article."),
                 min_length=1, max_length=54, ge=1, le=54, in_summary=True),
    ContentField("sectors", "codes", _l("Sectors"), form_error=_l("Choose at least one sector."),
                 min_length=1, max_length=12, draft_max_length=20, item_max_length=60, in_summary=True),
    ContentField("target_groups", "codes", _l("Target groups"), form_error=_l("Choose among the listed target groups."),
                 max_length=20, draft_max_length=30, item_max_length=60, in_summary=True),
    ContentField("age_groups", "codes", _l("Age groups"), form_error=_l("Choose among the listed age groups."),
                 max_length=4, item_max_length=10, in_summary=True),
    ContentField("organisation_name", "line", _l("Organisation"),
                 form_error=_l("Give the name of the organisation (at least 2 characters)."),
                 required=True, min_length=2, max_length=200, in_summary=True),
    ContentField("organisation_type", "choice", _l("Type of organisation"),
                 form_error=_l("Choose the type of organisation."), required=True, max_length=30, in_summary=True),
    # In a draft, county_code says which county's editors review it; not a foreign key
    # there, since a draft may hold anything.
    ContentField("county_code", "code", _l("County"), form_error=_l("Choose the county."), required=True,
                 max_length=2, pattern=r"^\d{2}$", foreign_key="county.code", index=True, draft_index=True, in_summary=True),
    ContentField("municipality_code", "code", _l("Municipality"),
                 form_error=_l("Choose a municipality in the chosen county."), nullable=True,
                 max_length=4, pattern=r"^\d{4}$", foreign_key="municipality.code", index=True, in_summary=True),
    ContentField("start_year", "int", _l("Start year"), form_error=_l("Give a year between 1990 and 2100."),
                 nullable=True, ge=1990, le=2100, in_summary=True),
    ContentField("end_year", "int", _l("End year"),
                 form_error=_l("Give a year between 1990 and 2100, not before the start year."),
                 nullable=True, ge=1990, le=2100, in_summary=True),
    ContentField("duration_months", "int", _l("Duration (months)"), _l("How many months the work ran."),
                 _l("Give the number of months (0–600)."), nullable=True, ge=0, le=600, in_summary=True),
    ContentField("effort_hours", "int", _l("Effort (working hours)"),
                 _l("Roughly how many working hours it took in total."),
                 _l("Give the number of hours (0–10,000,000)."), nullable=True, ge=0, le=10_000_000, in_summary=True),
    ContentField("cost_sek", "int", _l("Cost (SEK)"), form_error=_l("Give the cost in whole kronor."),
                 nullable=True, ge=0, le=10_000_000_000, draft_int_bound=2**62, big=True),
    ContentField("contact_name", "line", _l("Contact person"), form_error=_l("At most 200 characters."),
                 nullable=True, max_length=200),
    ContentField("contact_email", "email", _l("Contact email"), form_error=_l("Give a valid email address."),
                 nullable=True, max_length=254, public=False),
    ContentField("links", "links", _l("Links"), _l("Full addresses starting with http:// or https://."),
                 _l("Every link needs a title and an address starting with http:// or https://."), max_length=20),
)

FIELDS_BY_NAME: dict[str, ContentField] = {f.name: f for f in CONTENT_FIELDS}
# The order of columns in import/export files and of fields in the public JSON.
CONTRACT_FIELDS: tuple[str, ...] = tuple(f.name for f in CONTENT_FIELDS)
# Free-text sections written in Markdown, in the order every page shows them.
TEXT_FIELDS: tuple[str, ...] = tuple(f.name for f in CONTENT_FIELDS if f.kind == "markdown")
INT_FIELDS: tuple[str, ...] = tuple(f.name for f in CONTENT_FIELDS if f.kind == "int")
# What the public sees of the content (the API, the open-data export).
PUBLIC_FIELDS: tuple[str, ...] = tuple(f.name for f in CONTENT_FIELDS if f.public)
# What a search result carries of each example (the rest is on the example's own page).
SUMMARY_FIELDS: tuple[str, ...] = tuple(f.name for f in CONTENT_FIELDS if f.in_summary)


def sqlmodel_namespace(*, draft: bool, doc: str) -> dict[str, Any]:
    """The class namespace of a SQLModel class holding every content field as a column."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__doc__": doc, "__module__": "app.models.content", "__annotations__": annotations}
    for spec in CONTENT_FIELDS:
        annotations[spec.name], namespace[spec.name] = spec.column(draft=draft)
    return namespace


def pydantic_fields(shape: Literal["strict", "draft", "public"]) -> dict[str, Any]:
    """``create_model`` field definitions of every content field in one shape."""
    fields: dict[str, Any] = {}
    for spec in CONTENT_FIELDS:
        if shape == "strict":
            fields[spec.name] = spec.strict()
        elif shape == "draft":
            fields[spec.name] = spec.draft()
        elif spec.public:
            fields[spec.name] = (spec.python_type(draft=False), ...)
    return fields
