"""Fixtures of the review-workflow tests: a cast of users in two counties and two
organisations, each with an API token, and helpers to put submissions in any state."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pytest
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.time import utcnow
from app.models import Example, MailMessage, Organisation, Submission, User
from app.services import review as review_service
from app.services import submissions as submissions_service
from app.services.auth import create_token
from app.services.review import DecisionIn
from tests.factories import example_payload

ORG = "Umeå kommun"
ALL_MET = {key: "met" for key in ("best_interests", "participation", "non_discrimination",
                                  "practice_and_results", "transferability")}


@dataclass
class Actor:
    user: User | None
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> int | None:
        return self.user.id if self.user else None


@lru_cache
def password_hash(password: str) -> str:
    """Argon2 costs about half a second here; tests hash each password once."""
    from app.core.security import hash_password

    return hash_password(password)


# The fixtures' organisations: (type, county, municipality) by name.
ORGANISATIONS = {
    "umeå kommun": ("kommun", "24", "2480"),
    "luleå kommun": ("kommun", "25", "2580"),
    "länsstyrelsen västerbotten": ("lansstyrelse", "24", None),
    "länsstyrelsen stockholm": ("lansstyrelse", "01", None),
    "barnrättsbanken": ("statlig-myndighet", "01", None),
}


def organisation_named(session: Session, name: str, *, type: str | None = None, county: str | None = None,
                       municipality: str | None = None) -> Organisation:
    """The test organisation of that name (trimmed, any case), created the first time."""
    key = name.strip().casefold()
    default = ORGANISATIONS.get(key, ("annan", "24", None))
    type, county, municipality = type or default[0], county or default[1], municipality or default[2]
    for row in session.exec(select(Organisation).where(Organisation.county_code == county)).all():
        if row.name.casefold() == key and row.municipality_code == municipality:
            return row
    now = utcnow()
    row = Organisation(name=name.strip(), type=type, county_code=county, municipality_code=municipality,
                       created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def make_user(session: Session, *, email: str, role: str, county: str | None = None,
              organisation: str | Organisation | None = None, name: str = "", password: str | None = None) -> User:
    """``organisation``: an Organisation, or the name of one of the fixtures' organisations."""
    if isinstance(organisation, str):
        organisation = organisation_named(session, organisation)
    user = User(email=email, name=name or email.split("@")[0], role=role, county_code=county,
                organisation_id=organisation.id if organisation else None, created_at=utcnow(),
                password_hash=password_hash(password) if password else None)
    session.add(user)
    session.flush()
    return user


def actor(session: Session, user: User) -> Actor:
    _token, secret = create_token(session, user=user, label="test")
    return Actor(user, secret, {"Authorization": f"Bearer {secret}"})


@dataclass
class Cast:
    author: Actor          # contributor in Umeå kommun (county 24)
    colleague: Actor       # another contributor of Umeå kommun
    outsider: Actor        # contributor of another organisation
    editor: Actor          # county editor of 24 (Västerbotten)
    other_editor: Actor    # county editor of 01 (Stockholm)
    admin: Actor
    anonymous: Actor

    def role(self, name: str) -> Actor:
        return getattr(self, name)


@pytest.fixture
def cast(session) -> Cast:
    def a(email, role, county=None, organisation: str | None = None):
        return actor(session, make_user(session, email=email, role=role, county=county, organisation=organisation))

    return Cast(
        author=a("anna@umea.se", "contributor", organisation=ORG),
        colleague=a("kalle@umea.se", "contributor", organisation="umeå kommun "),
        outsider=a("olle@lulea.se", "contributor", organisation="Luleå kommun"),
        editor=a("erik@lansstyrelsen.se", "editor", county="24", organisation="Länsstyrelsen Västerbotten"),
        other_editor=a("sara@lansstyrelsen.se", "editor", county="01", organisation="Länsstyrelsen Stockholm"),
        admin=a("admin@barnratt.se", "admin", organisation="Barnrättsbanken"),
        anonymous=Actor(None),
    )


@pytest.fixture
def settings(app_settings) -> Settings:
    return app_settings


def content(**changes):
    data = example_payload(**changes)
    return data


def new_submission(session: Session, cast: Cast, *, state: str = "draft", settings: Settings,
                   author: Actor | None = None, **changes) -> Submission:
    """A submission of ``author`` (default cast.author) brought to ``state`` via the services."""
    author = author or cast.author
    data = submissions_service.parse_submission_in(content(**changes))
    sub = submissions_service.create(session, user=author.user, data=data)
    if state == "draft":
        return sub
    submissions_service.submit(session, submission=sub, user=author.user, settings=settings)
    if state == "submitted":
        return sub
    if state in ("changes_requested", "rejected", "published"):
        decision = {"changes_requested": "request_changes", "rejected": "reject", "published": "approve"}[state]
        # The county's own editor decides (services check the policy table themselves).
        reviewer = next((e.user for e in (cast.editor, cast.other_editor) if e.user.county_code == sub.county_code),
                        cast.admin.user)
        review_service.decide(session, submission=sub, reviewer=reviewer, settings=settings,
                              data=DecisionIn(decision=decision, comment="Kommentar", criteria=ALL_MET))
        return sub
    raise ValueError(state)


def published_example(session: Session, cast: Cast, *, settings: Settings, **changes) -> Example:
    sub = new_submission(session, cast, state="published", settings=settings, **changes)
    return session.get(Example, sub.example_id)


def mails_to(session: Session, address: str) -> list[MailMessage]:
    return list(session.exec(select(MailMessage).where(MailMessage.to_address == address).order_by(MailMessage.id)).all())


def link_in(message: MailMessage) -> str:
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)
