"""Accounts and API tokens."""

from __future__ import annotations

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    model_validator,
)
from sqlmodel import Session, select

from app.core.db import MAX_ID
from app.core.errors import (
    Conflict,
    FieldError,
    InputError,
    NotFound,
    field_errors_from_pydantic,
)
from app.core.security import hash_password
from app.core.time import utcnow
from app.models import County, Organisation, User
from app.models.user import Role

MIN_PASSWORD = 12


class UserCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    email: EmailStr
    role: Role
    name: str = Field(default="", max_length=200)
    county_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    organisation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    password: str | None = Field(default=None, min_length=MIN_PASSWORD, max_length=1024)

    @model_validator(mode="after")
    def _editor_needs_county(self) -> "UserCreate":
        if self.role == "editor" and not self.county_code:
            raise ValueError("county_code: an editor must have a county")
        return self


def create_user(session: Session, *, data: UserCreate) -> User:
    email = data.email.lower()
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise Conflict(f"email: a user with {email} already exists", code="duplicate_email")
    if data.county_code and session.get(County, data.county_code) is None:
        raise InputError([FieldError("county_code", f"unknown county '{data.county_code}'")])
    if data.organisation_id is not None and session.get(Organisation, data.organisation_id) is None:
        raise InputError([FieldError("organisation_id", f"unknown organisation {data.organisation_id}")])
    user = User(
        email=email,
        name=data.name,
        role=data.role,
        county_code=data.county_code,
        organisation_id=data.organisation_id,
        password_hash=hash_password(data.password) if data.password else None,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def parse_user_create(**values) -> UserCreate:
    try:
        return UserCreate(**values)
    except ValidationError as exc:
        raise InputError(field_errors_from_pydantic(exc)) from None


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def require_user(session: Session, email: str) -> User:
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound(f"email: no user {email}")
    return user
