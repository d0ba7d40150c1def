"""All tables, imported here so that Alembic and the app see one metadata."""

from app.models.auth import AuthSession, LoginAttempt, OneTimeToken
from app.models.example import (
    Example,
    ExampleBase,
    ExampleIn,
    ExamplePublic,
    ExampleVersion,
    Link,
)
from app.models.history import Event
from app.models.organisation import Organisation, OrganisationUnmatched
from app.models.outbox import OutboxEntry
from app.models.review import (
    Criterion,
    MailMessage,
    Notification,
    ReviewDecision,
    Submission,
)
from app.models.taxonomy import Article, County, Municipality, Sector, TargetGroup
from app.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "Article",
    "AuthSession",
    "Criterion",
    "LoginAttempt",
    "MailMessage",
    "Notification",
    "OneTimeToken",
    "ReviewDecision",
    "Submission",
    "County",
    "Event",
    "Example",
    "ExampleBase",
    "ExampleIn",
    "ExamplePublic",
    "ExampleVersion",
    "Link",
    "Municipality",
    "Organisation",
    "OrganisationUnmatched",
    "OutboxEntry",
    "Sector",
    "TargetGroup",
    "User",
]
