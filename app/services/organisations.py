"""Organisations: create, edit, list, find; the organisationsnummer check; what the
migration could not match.

Who shares drafts and may revise examples follows ``organisation.id`` (app.services.policy);
names are only ever shown, or used once to find an id (import, the CLI), never to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic import Field as PField
from sqlmodel import Session, select

from app.core.errors import FieldError, InputError, NotFound, field_errors_from_pydantic
from app.core.time import utcnow
from app.models import (
    County,
    Example,
    Municipality,
    Organisation,
    OrganisationUnmatched,
    Submission,
    User,
)
from app.models.example import OrganisationType

_ORG_NUMBER = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by Swedish personal and organisation numbers: the last
    digit checks the nine before it."""
    if not digits.isdigit() or len(digits) != 10:
        return False
    total = 0
    for index, char in enumerate(digits[:9]):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(digits[9])


def normalise_org_number(value: str | None) -> str | None:
    """``NNNNNN-NNNN`` (or ten digits) with a valid check digit -> ``NNNNNN-NNNN``; blank ->
    None; anything else raises ValueError."""
    value = (value or "").strip()
    if not value:
        return None
    match = _ORG_NUMBER.match(value)
    if not match:
        raise ValueError("an organisation number is 10 digits, written NNNNNN-NNNN")
    digits = match.group(1) + match.group(2)
    if not luhn_valid(digits):
        raise ValueError("the check digit (the last digit) is wrong")
    return f"{match.group(1)}-{match.group(2)}"


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = PField(min_length=2, max_length=200)
    type: OrganisationType
    county_code: str = PField(pattern=r"^\d{2}$")
    municipality_code: str | None = PField(default=None, pattern=r"^\d{4}$")
    org_number: str | None = PField(default=None, max_length=20)

    @field_validator("municipality_code", "org_number", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("org_number")
    @classmethod
    def _org_number(cls, value: str | None) -> str | None:
        return normalise_org_number(value)


def parse_organisation_in(data: Any) -> OrganisationIn:
    if not isinstance(data, dict):
        raise InputError([FieldError("body", "must be an object")])
    try:
        return OrganisationIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(field_errors_from_pydantic(exc)) from None


def _check_references(session: Session, data: OrganisationIn, *, current_id: int | None = None) -> None:
    errors: list[FieldError] = []
    if session.get(County, data.county_code) is None:
        errors.append(FieldError("county_code", f"unknown county '{data.county_code}'"))
    if data.municipality_code:
        municipality = session.get(Municipality, data.municipality_code)
        if municipality is None:
            errors.append(FieldError("municipality_code", f"unknown municipality '{data.municipality_code}'"))
        elif municipality.county_code != data.county_code:
            errors.append(FieldError("municipality_code", "the municipality does not lie in the chosen county"))
    elif data.type == "kommun":
        errors.append(FieldError("municipality_code", "a municipality's organisation needs its municipality"))
    same = [o for o in find_by_name(session, name=data.name, county_code=data.county_code)
            if o.municipality_code == data.municipality_code and o.id != current_id]
    if same:
        errors.append(FieldError("name", f"already exists: organisation {same[0].id} has this name in this county"))
    if data.org_number:
        taken = session.exec(select(Organisation).where(Organisation.org_number == data.org_number)).first()
        if taken is not None and taken.id != current_id:
            errors.append(FieldError("org_number", f"already used by organisation {taken.id} ({taken.name})"))
    if errors:
        raise InputError(errors)


def create(session: Session, *, data: OrganisationIn) -> Organisation:
    _check_references(session, data)
    now = utcnow()
    row = Organisation(**data.model_dump(), created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def update(session: Session, *, organisation: Organisation, data: OrganisationIn) -> Organisation:
    _check_references(session, data, current_id=organisation.id)
    for name, value in data.model_dump().items():
        setattr(organisation, name, value)
    organisation.updated_at = utcnow()
    session.add(organisation)
    session.flush()
    return organisation


def get(session: Session, organisation_id: int) -> Organisation:
    row = session.get(Organisation, organisation_id)
    if row is None:
        raise NotFound("Organisationen finns inte")
    return row


def require_existing(session: Session, organisation_id: int | None, *, field: str = "organisation_id") -> int | None:
    """``organisation_id`` if it names an organisation (or is None); 422 naming the field otherwise."""
    if organisation_id is None:
        return None
    if session.get(Organisation, organisation_id) is None:
        raise InputError([FieldError(field, f"unknown organisation {organisation_id}")])
    return organisation_id


def list_all(session: Session, *, county_code: str | None = None) -> list[Organisation]:
    query = select(Organisation)
    if county_code:
        query = query.where(Organisation.county_code == county_code)
    return list(session.exec(query.order_by(Organisation.county_code, Organisation.name, Organisation.id)).all())


def member_counts(session: Session) -> dict[int, int]:
    counts: dict[int, int] = {}
    for org_id in session.exec(select(User.organisation_id).where(User.organisation_id.is_not(None))).all():  # type: ignore[union-attr]
        counts[org_id] = counts.get(org_id, 0) + 1
    return counts


def find_by_name(session: Session, *, name: str, county_code: str | None = None) -> list[Organisation]:
    """Organisations with exactly this (trimmed) name, within a county if given."""
    query = select(Organisation).where(Organisation.name == name.strip())
    if county_code:
        query = query.where(Organisation.county_code == county_code)
    return list(session.exec(query.order_by(Organisation.id)).all())


def match_content(session: Session, content: dict[str, Any]) -> Organisation | None:
    """The one organisation an example's own fields name: exact name within its county (and
    its municipality, when that tells two apart); None when there is none or several."""
    name = str(content.get("organisation_name") or "").strip()
    county = content.get("county_code")
    if not name or not county:
        return None
    candidates = find_by_name(session, name=name, county_code=county)
    if len(candidates) > 1:
        candidates = [c for c in candidates if c.municipality_code == content.get("municipality_code")]
    return candidates[0] if len(candidates) == 1 else None


def for_import(session: Session, content: dict[str, Any]) -> Organisation:
    """The organisation an imported example belongs to: the one its fields name, created
    (from those fields) when there is none yet."""
    found = match_content(session, content)
    if found is not None:
        return found
    municipality = content.get("municipality_code")
    now = utcnow()
    row = Organisation(name=str(content["organisation_name"]).strip()[:200], type=content["organisation_type"],
                       county_code=content["county_code"], municipality_code=municipality or None,
                       created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def choices(session: Session) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """(county code, county name, [(id, label)]) for a grouped <select>."""
    counties = {c.code: c.name for c in session.exec(select(County)).all()}
    municipalities = {m.code: m.name for m in session.exec(select(Municipality)).all()}
    grouped: dict[str, list[tuple[int, str]]] = {}
    for org in list_all(session):
        label = org.name
        if org.municipality_code and municipalities.get(org.municipality_code) not in (None, org.name):
            label += f" ({municipalities[org.municipality_code]})"
        grouped.setdefault(org.county_code, []).append((org.id, label))
    return [(code, counties.get(code, code), rows) for code, rows in sorted(grouped.items())]


@dataclass(frozen=True)
class Unmatched:
    kind: str
    row_id: int
    name: str
    county_code: str | None
    reason: str


_KIND_MODELS = {"user": User, "submission": Submission, "example": Example}


def unmatched(session: Session) -> list[Unmatched]:
    """What the migration could not link and that still has no organisation."""
    rows = session.exec(select(OrganisationUnmatched).order_by(OrganisationUnmatched.kind, OrganisationUnmatched.row_id)).all()
    result = []
    for row in rows:
        model = _KIND_MODELS.get(row.kind)
        target = session.get(model, row.row_id) if model else None
        if target is None or target.organisation_id is not None:
            continue
        result.append(Unmatched(row.kind, row.row_id, row.name, row.county_code, row.reason))
    return result


def set_organisation(session: Session, *, kind: str, row_id: int, organisation_id: int) -> None:
    """Link a user, submission or example to an organisation (resolving an unmatched row)."""
    model = _KIND_MODELS.get(kind)
    if model is None:
        raise InputError([FieldError("kind", "user, submission or example")])
    target = session.get(model, row_id)
    if target is None:
        raise NotFound(f"{kind} {row_id} finns inte")
    require_existing(session, organisation_id)
    target.organisation_id = organisation_id
    session.add(target)
    session.flush()

