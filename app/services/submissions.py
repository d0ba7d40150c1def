"""Submissions: drafts (lenient), submitting (strict: automatic criteria and the full
example contract), revisions of published examples, deletion of drafts.

Every status change and every content write is a conditional UPDATE on
(id, status, version), so two writers can never both win; the loser gets 409 (or 412 for a
stale If-Match).
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
)
from sqlalchemy import delete, or_, update
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import (
    AppError,
    Conflict,
    FieldError,
    InputError,
    field_errors_from_pydantic,
)
from app.core.time import utcnow
from app.models import (
    Event,
    Example,
    ExampleIn,
    Notification,
    Organisation,
    Submission,
    User,
)
from app.models.content import (
    CONTRACT_FIELDS,
    FIELDS_BY_NAME,
    INT_FIELDS,
    pydantic_fields,
)
from app.models.review import EDITABLE_STATUSES, OPEN_STATUSES
from app.services import criteria as criteria_service
from app.services import review_rounds
from app.services.notifications import county_reviewers, notify
from app.services.policy import allowed, authorize
from app.services.reference import ReferenceSets
from app.services.validation import validate_example


class PreconditionFailed(AppError):
    def __init__(self, current: int) -> None:
        super().__init__(
            message=f"Bidraget har ändrats (nu version {current}); hämta det igen",
            status=412, code="version_mismatch", headers={"ETag": f'"{current}"'},
        )


class PreconditionRequired(AppError):
    def __init__(self) -> None:
        super().__init__(message="If-Match med bidragets version krävs", status=428, code="precondition_required")


class NotReady(AppError):
    """Submit refused: failed automatic criteria (by key) and invalid fields (by name)."""

    def __init__(self, fields: list[FieldError], *, criteria_failed: bool) -> None:
        super().__init__(
            message="Bidraget uppfyller inte de automatiska kriterierna" if criteria_failed
            else "Bidraget är inte komplett",
            status=422, code="criteria_not_met" if criteria_failed else "invalid_input", fields=fields,
        )


class _DraftRules(BaseModel):
    """Draft content: every field optional, types and lengths checked, nothing else."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @field_validator(*INT_FIELDS, check_fields=False)
    @classmethod
    def _fits_column(cls, value: int | None, info: ValidationInfo) -> int | None:
        bound = FIELDS_BY_NAME[info.field_name].draft_int_bound
        if value is not None and not -bound < value < bound:
            raise ValueError("number too large")
        return value

    @field_validator("organisation_type", "county_code", "municipality_code", "contact_name", "contact_email",
                     mode="before", check_fields=False)
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    def content(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["articles"] = sorted(set(data["articles"]))
        for name in ("sectors", "target_groups", "age_groups"):
            data[name] = list(dict.fromkeys(data[name]))
        return {name: data[name] for name in CONTRACT_FIELDS}


SubmissionIn = create_model("SubmissionIn", __base__=_DraftRules, __module__=__name__, **pydantic_fields("draft"))
SubmissionIn.__doc__ = _DraftRules.__doc__


def parse_submission_in(data: Any) -> SubmissionIn:
    if not isinstance(data, dict):
        raise InputError([FieldError("body", "must be an object")])
    try:
        return SubmissionIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(field_errors_from_pydantic(exc)) from None


def content_of(submission: Submission) -> dict[str, Any]:
    return {name: getattr(submission, name) for name in CONTRACT_FIELDS}


def actor_label(user: User | None) -> str:
    if user is None:
        return "import"
    return user.name or user.email


def record(session: Session, *, submission: Submission, actor: User | None, action: str,
           from_status: str | None, to_status: str | None, comment: str = "",
           example_id: int | None = None, actor_label_override: str | None = None) -> Event:
    event = Event(
        example_id=example_id, submission_id=submission.id, actor_id=actor.id if actor else None,
        actor_label=actor_label_override or actor_label(actor), action=action, from_status=from_status,
        to_status=to_status, comment=comment, created_at=utcnow(),
    )
    session.add(event)
    return event


# ---- Readiness (automatic criteria + the strict contract) -----------------------------

def readiness(session: Session, *, content: dict[str, Any], refs: ReferenceSets | None = None
              ) -> tuple[list[criteria_service.CheckResult], list[FieldError]]:
    """The automatic criteria results and the fields the strict contract refuses."""
    refs = refs or ReferenceSets.load(session)
    checks = criteria_service.check_automatic(content, refs)
    field_errors: list[FieldError] = []
    try:
        validate_example(content, refs)
    except InputError as exc:
        field_errors = exc.fields
    return checks, field_errors


def readiness_errors(checks, field_errors, *, lang: str) -> list[FieldError]:
    return [FieldError(c.key, c.message(lang)) for c in checks if not c.passed] + list(field_errors)


def require_ready(session: Session, *, content: dict[str, Any], lang: str = "sv") -> ExampleIn:
    refs = ReferenceSets.load(session)
    checks, field_errors = readiness(session, content=content, refs=refs)
    failed = criteria_service.failed(checks)
    if failed or field_errors:
        raise NotReady(readiness_errors(checks, field_errors, lang=lang), criteria_failed=bool(failed))
    return validate_example(content, refs)


# ---- Writes ------------------------------------------------------------------------------

def create(session: Session, *, user: User, data: SubmissionIn) -> Submission:
    authorize("submission.create", user)
    now = utcnow()
    content = data.content()
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    if not content["organisation_name"] and organisation is not None:
        content["organisation_name"] = organisation.name
    if not content["county_code"] and user.county_code:
        content["county_code"] = user.county_code
    submission = Submission(
        **content, kind="new", status="draft", version=1, author_id=user.id,
        organisation_id=user.organisation_id, created_at=now, updated_at=now,
    )
    session.add(submission)
    session.flush()
    record(session, submission=submission, actor=user, action="created", from_status=None, to_status="draft")
    session.flush()
    return submission


def _conditional(session: Session, submission: Submission, *, statuses, expected_version: int, values: dict[str, Any]) -> bool:
    result = session.execute(
        update(Submission)
        .where(
            Submission.id == submission.id,
            Submission.status.in_(tuple(statuses)),  # type: ignore[attr-defined]
            Submission.version == expected_version,
        )
        .values(**values, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.expire(submission)
        return False
    session.refresh(submission)
    return True


def update_content(session: Session, *, submission: Submission, user: User, data: SubmissionIn,
                   expected_version: int | None) -> Submission:
    """Replace a draft's content (PUT semantics). ``expected_version`` is the If-Match."""
    authorize("submission.edit", user, submission)
    if expected_version is None:
        raise PreconditionRequired()
    if submission.status not in EDITABLE_STATUSES:
        raise Conflict(f"Ett bidrag med status {submission.status} kan inte ändras", code="not_editable")
    if submission.version != expected_version:
        raise PreconditionFailed(submission.version)
    values = {**data.content(), "updated_at": utcnow()}
    if not _conditional(session, submission, statuses=EDITABLE_STATUSES, expected_version=expected_version, values=values):
        session.refresh(submission)
        if submission.status not in EDITABLE_STATUSES:
            raise Conflict(f"Ett bidrag med status {submission.status} kan inte ändras", code="not_editable")
        raise PreconditionFailed(submission.version)
    return submission


MAX_NOTE = 10_000


def clean_note(note: Any) -> str:
    """The contributor's note to the editor: text of at most 10,000 characters (422 naming
    ``note`` otherwise)."""
    if note is None:
        return ""
    if not isinstance(note, str):
        raise InputError([FieldError("note", "must be text")])
    note = note.replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE:
        raise InputError([FieldError("note", f"at most {MAX_NOTE} characters")])
    return note


def submit(session: Session, *, submission: Submission, user: User, settings: Settings, lang: str = "sv",
           expected_version: int | None = None, note: str = "") -> Submission:
    """draft/changes_requested -> submitted when every automatic criterion passes and the
    content meets the contract; otherwise 422 naming each failure, status unchanged.

    ``note`` (the contributor's message to the county editor) is kept as the comment of the
    "submitted" event: the editor reads it on the review page and in the history."""
    authorize("submission.submit", user, submission)
    note = clean_note(note)
    if submission.status not in EDITABLE_STATUSES:
        raise Conflict(f"Ett bidrag med status {submission.status} kan inte skickas in", code="invalid_transition")
    if expected_version is not None and expected_version != submission.version:
        raise PreconditionFailed(submission.version)
    require_ready(session, content=content_of(submission), lang=lang)
    from_status = submission.status
    now = utcnow()
    if not _conditional(session, submission, statuses={from_status}, expected_version=submission.version,
                        values={"status": "submitted", "submitted_at": now, "updated_at": now}):
        raise Conflict("Bidraget har ändrats samtidigt; försök igen", code="concurrent_change")
    review_rounds.start_round(session, submission=submission, content=content_of(submission), settings=settings, now=now)
    record(session, submission=submission, actor=user, action="submitted", from_status=from_status,
           to_status="submitted", example_id=submission.example_id, comment=note)
    notify(session, settings=settings, recipients=county_reviewers(session, county_code=submission.county_code),
           kind="submitted", actor_label=actor_label(user), title=submission.title, submission_id=submission.id)
    session.flush()
    return submission


def delete_draft(session: Session, *, submission: Submission, user: User) -> None:
    authorize("submission.delete", user, submission)
    if submission.status != "draft":
        raise Conflict("Bara utkast kan raderas", code="not_a_draft")
    session.execute(delete(Event).where(Event.submission_id == submission.id, Event.example_id.is_(None)))  # type: ignore[union-attr]
    session.execute(delete(Notification).where(Notification.submission_id == submission.id))
    session.delete(submission)
    session.flush()


def open_revision(session: Session, *, example_id: int) -> Submission | None:
    return session.exec(
        select(Submission).where(
            Submission.example_id == example_id, Submission.kind == "revision",
            Submission.status.in_(tuple(OPEN_STATUSES)),  # type: ignore[attr-defined]
        )
    ).first()


def start_revision(session: Session, *, example: Example, user: User) -> Submission:
    """A new draft linked to a published example, holding its current content. The public
    version stays as it is until the revision is approved. One open revision at a time."""
    authorize("example.revise", user, example)
    if example.status != "published":
        raise Conflict("Bara publicerade exempel kan revideras", code="not_published")
    existing = open_revision(session, example_id=example.id)
    if existing is not None:
        raise Conflict(f"Exemplet har redan en pågående revision (bidrag {existing.id})", code="revision_open")
    now = utcnow()
    submission = Submission(
        **example.content(), kind="revision", status="draft", version=1, author_id=user.id,
        organisation_id=user.organisation_id, example_id=example.id, base_version=example.version,
        created_at=now, updated_at=now,
    )
    session.add(submission)
    session.flush()
    record(session, submission=submission, actor=user, action="revision_started", from_status=None,
           to_status="draft", example_id=example.id)
    session.flush()
    return submission


def create_imported(session: Session, *, example: ExampleIn, settings: Settings, actor: str = "import") -> Submission:
    """An imported row awaiting its county editor: status submitted, no author."""
    now = utcnow()
    submission = Submission(
        **example.content(), kind="new", status="submitted", version=1, author_id=None, organisation_id=None,
        created_at=now, updated_at=now, submitted_at=now,
    )
    session.add(submission)
    session.flush()
    review_rounds.start_round(session, submission=submission, content=content_of(submission), settings=settings, now=now)
    record(session, submission=submission, actor=None, action="imported", from_status=None,
           to_status="submitted", actor_label_override=actor)
    notify(session, settings=settings, recipients=county_reviewers(session, county_code=submission.county_code),
           kind="submitted", actor_label=actor, title=submission.title, submission_id=submission.id)
    return submission


# ---- Reads -------------------------------------------------------------------------------

def mine(session: Session, *, user: User) -> list[Submission]:
    """The caller's own submissions and those of their organisation, newest first."""

    condition = Submission.author_id == user.id
    if user.organisation_id is not None:
        condition = or_(condition, Submission.organisation_id == user.organisation_id)
    rows = session.exec(
        select(Submission).where(condition).order_by(Submission.updated_at.desc(), Submission.id.desc())  # type: ignore[attr-defined]
    ).all()
    return [row for row in rows if row.author_id == user.id or allowed("submission.view", user, row)]


def latest_note(session: Session, *, submission: Submission) -> Event | None:
    """The contributor's note that came with the latest submission, if any."""
    event = session.exec(
        select(Event).where(Event.submission_id == submission.id, Event.action == "submitted")
        .order_by(Event.created_at.desc(), Event.id.desc())  # type: ignore[attr-defined]
    ).first()
    return event if event is not None and event.comment else None


def history(session: Session, *, submission: Submission) -> list[Event]:
    return list(
        session.exec(select(Event).where(Event.submission_id == submission.id).order_by(Event.created_at, Event.id)).all()
    )
