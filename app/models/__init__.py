"""All tables, imported here so that Alembic and the app see one metadata."""

from app.models.auth import AuthSession, LoginAttempt, OneTimeToken
from app.models.editor import (
    CountyReviewSettings,
    ExampleReview,
    ReviewAssignment,
    ReviewReminder,
    ReviewView,
    SubmissionRound,
)
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
from app.models.plans import (
    Attachment,
    ContactMessage,
    Plan,
    PlanMeasure,
    SavedSearch,
    SavedSearchHit,
)
from app.models.reuse import DemoContent, ReuseReport
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
    "CountyReviewSettings",
    "ExampleReview",
    "ReviewAssignment",
    "ReviewReminder",
    "ReviewView",
    "SubmissionRound",
    "ApiToken",
    "Attachment",
    "ContactMessage",
    "Plan",
    "PlanMeasure",
    "SavedSearch",
    "SavedSearchHit",
    "Article",
    "AuthSession",
    "Criterion",
    "DemoContent",
    "ReuseReport",
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
