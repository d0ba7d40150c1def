"""The county editor's side: the queue, decisions with per-criterion judgements,
publishing (new examples and revisions), withdrawal, comments.

Approval publishes in the same transaction: a new example through ``publish_new``, or for a
revision an in-place update of the example (version + 1) with a new ExampleVersion, an
Event and a search-outbox row. The previous version stays public until then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic import Field as PField
from sqlalchemy import update
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import (
    AppError,
    Conflict,
    FieldError,
    InputError,
    field_errors_from_pydantic,
)
from app.core.time import as_utc, utcnow
from app.models import (
    Event,
    Example,
    ExampleIn,
    ExampleVersion,
    ReviewDecision,
    Submission,
    User,
)
from app.services import criteria as criteria_service
from app.services import rereview, review_rounds
from app.services.examples import make_slug, publish_new
from app.services.notifications import author_of, notify
from app.services.outbox import enqueue
from app.services.policy import allowed, authorize
from app.services.reference import ReferenceSets
from app.services.submissions import (
    PreconditionFailed,
    _conditional,
    actor_label,
    content_of,
    readiness,
    readiness_errors,
    record,
)
from app.services.validation import validate_example

Decision = Literal["approve", "request_changes", "reject"]
Judgement = Literal["met", "not_met", "not_applicable"]
RESULT_STATUS: dict[str, str] = {"approve": "published", "request_changes": "changes_requested", "reject": "rejected"}


class JudgementIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    judgement: Judgement
    comment: str = PField(default="", max_length=4000)


class DecisionIn(BaseModel):
    """``criteria`` maps each judged criterion to "met" | "not_met" | "not_applicable", or to
    ``{"judgement": ..., "comment": ...}`` to comment on that criterion alone."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    decision: Decision
    comment: str = PField(default="", max_length=10_000)
    criteria: dict[str, Judgement | JudgementIn] = PField(default_factory=dict)

    def judgements(self) -> dict[str, JudgementIn]:
        return {
            key: value if isinstance(value, JudgementIn) else JudgementIn(judgement=value)
            for key, value in self.criteria.items()
        }


def parse_decision(data: Any) -> DecisionIn:
    if not isinstance(data, dict):
        raise InputError([FieldError("body", "must be an object")])
    try:
        return DecisionIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(field_errors_from_pydantic(exc)) from None


def _check_judgements(data: DecisionIn) -> list[FieldError]:
    errors: list[FieldError] = []
    judgements = data.judgements()
    for key in judgements:
        if key in criteria_service.AUTOMATIC_KEYS:
            errors.append(FieldError(f"criteria.{key}", "automatic criteria are checked by the system, not judged"))
        elif key not in criteria_service.JUDGED_KEYS:
            errors.append(FieldError(f"criteria.{key}", "unknown criterion"))
    for key in criteria_service.JUDGED_KEYS:
        judged = judgements.get(key)
        if judged is None:
            if data.decision == "approve":
                errors.append(FieldError(f"criteria.{key}", "must be judged before approval"))
            continue
        if judged.judgement != "met" and not (judged.comment or data.comment):
            errors.append(FieldError(f"criteria.{key}", f"a comment is required when the judgement is {judged.judgement}"))
        if data.decision == "approve" and judged.judgement == "not_met":
            errors.append(FieldError(f"criteria.{key}", "not met: the submission cannot be approved"))
    if data.decision != "approve" and not data.comment:
        errors.append(FieldError("comment", "say what the author should change, or why it is rejected"))
    return errors


def quality_profile(automatic: list[criteria_service.CheckResult], judgements: dict[str, JudgementIn],
                    *, reviewed_at: datetime) -> dict[str, Any]:
    """The published example's quality profile:
    ``{"criteria": {key: {"kind", "result", "comment"}}, "reviewed_at": iso}``."""
    profile: dict[str, Any] = {}
    for check in automatic:
        profile[check.key] = {"kind": "automatic", "result": "met" if check.passed else "not_met", "comment": ""}
    for key in criteria_service.JUDGED_KEYS:
        judged = judgements.get(key)
        if judged is not None:
            profile[key] = {"kind": "judged", "result": judged.judgement, "comment": judged.comment}
    return {"criteria": profile, "reviewed_at": as_utc(reviewed_at).isoformat()}


def decide(session: Session, *, submission: Submission, reviewer: User, data: DecisionIn, settings: Settings,
           lang: str = "sv", expected_version: int | None = None) -> Submission:
    """Record a decision on a submitted submission. Exactly one of two simultaneous
    decisions wins: the status change is a conditional UPDATE on (id, status, version)
    and is the transaction's first write; the loser gets 409."""
    authorize("submission.decide", reviewer, submission)
    if submission.status != "submitted":
        raise Conflict(f"Bidraget har status {submission.status} och väntar inte på beslut", code="invalid_transition")
    if expected_version is not None and expected_version != submission.version:
        raise PreconditionFailed(submission.version)
    errors = _check_judgements(data)
    refs = ReferenceSets.load(session)
    content = content_of(submission)
    automatic, field_errors = readiness(session, content=content, refs=refs)
    if data.decision == "approve":
        errors = readiness_errors(automatic, field_errors, lang=lang) + errors
    if errors:
        raise InputError(errors, message="Beslutet kan inte fattas så här")
    new_status = RESULT_STATUS[data.decision]
    now = utcnow()
    if not _conditional(session, submission, statuses={"submitted"}, expected_version=submission.version,
                        values={"status": new_status, "decided_at": now, "updated_at": now}):
        raise Conflict("Ett annat beslut har redan fattats om bidraget", code="already_decided")

    judgements = data.judgements()
    session.add(ReviewDecision(
        submission_id=submission.id, reviewer_id=reviewer.id, decision=data.decision, comment=data.comment,
        criteria={k: v.model_dump() for k, v in judgements.items()}, created_at=now,
    ))
    review_rounds.mark_seen(session, submission=submission, user=reviewer, now=now)
    label = actor_label(reviewer)
    if data.decision == "approve":
        quality = quality_profile(automatic, judgements, reviewed_at=now)
        example = validate_example(content, refs)
        if submission.kind == "revision":
            revised = _publish_revision(session, submission=submission, reviewer=reviewer, example=example,
                                        quality=quality, comment=data.comment)
            rereview.reset(session, example=revised, user=reviewer, settings=settings, now=now)
        else:
            row = publish_new(
                session, example=example.model_copy(update={"slug": _free_slug(session, example.title)}),
                actor_label=label, actor_id=reviewer.id, action="published", comment=data.comment,
                quality=quality, submission_id=submission.id, from_status="submitted",
                author_id=submission.author_id,
                organisation_id=(submission.organisation_id if submission.author_id is not None
                                 else _content_organisation(session, example)),
            )
            session.execute(
                update(Submission).where(Submission.id == submission.id).values(example_id=row.id)
                .execution_options(synchronize_session=False)
            )
            session.refresh(submission)
    else:
        record(session, submission=submission, actor=reviewer, action=data.decision, from_status="submitted",
               to_status=new_status, comment=data.comment, example_id=submission.example_id)
    notify(session, settings=settings, recipients=author_of(session, submission=submission), kind="decision",
           detail=new_status, actor_label=label, title=submission.title, submission_id=submission.id,
           example_id=submission.example_id)
    session.flush()
    return submission


def _content_organisation(session: Session, example: ExampleIn) -> int | None:
    """For an imported submission (no author, no owner): the organisation its own fields
    name, if exactly one, as ``barnratt import --publish`` links it. A submission with an
    author gets the author's organisation only, never one found by name."""
    from app.services.organisations import match_content

    found = match_content(session, example.content())
    return found.id if found else None


def _free_slug(session: Session, title: str) -> str:
    base = make_slug(title)
    taken = set(session.exec(select(Example.slug).where(Example.slug.startswith(base))).all())  # type: ignore[attr-defined]
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _publish_revision(session: Session, *, submission: Submission, reviewer: User, example: ExampleIn,
                      quality: dict[str, Any], comment: str) -> Example:
    row = session.get(Example, submission.example_id)
    if row is None or row.status != "published":
        raise Conflict("Exemplet är inte längre publicerat", code="not_published")
    if row.version != submission.base_version:
        raise Conflict("Exemplet har ändrats sedan revisionen påbörjades", code="stale_revision")
    now = utcnow()
    content = example.content()
    result = session.execute(
        update(Example)
        .where(Example.id == row.id, Example.version == row.version, Example.status == "published")
        .values(**content, version=row.version + 1, quality=quality, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("Exemplet har ändrats samtidigt", code="concurrent_change")
    session.refresh(row)
    session.add(ExampleVersion(
        example_id=row.id, version=row.version, data=content, quality=quality, submission_id=submission.id,
        published_by_id=reviewer.id, published_at=now,
    ))
    record(session, submission=submission, actor=reviewer, action="published", from_status="submitted",
           to_status="published", comment=comment, example_id=row.id)
    enqueue(session, example_id=row.id)
    return row


def withdraw(session: Session, *, example: Example, user: User, reason: str, settings: Settings) -> Example:
    """Take a published example off the site (status withdrawn); its history is kept."""
    authorize("example.withdraw", user, example)
    reason = (reason or "").strip()
    if not reason:
        raise InputError([FieldError("reason", "a reason is required")])
    if len(reason) > 4000:
        raise InputError([FieldError("reason", "at most 4000 characters")])
    if example.status != "published":
        raise Conflict("Exemplet är inte publicerat", code="not_published")
    now = utcnow()
    result = session.execute(
        update(Example).where(Example.id == example.id, Example.status == "published")
        .values(status="withdrawn", withdrawn_at=now, withdrawn_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("Exemplet har redan dragits tillbaka", code="not_published")
    session.refresh(example)
    latest = session.exec(
        select(ExampleVersion).where(ExampleVersion.example_id == example.id).order_by(ExampleVersion.version.desc())  # type: ignore[attr-defined]
    ).first()
    submission = session.get(Submission, latest.submission_id) if latest and latest.submission_id else None
    session.add(Event(
        example_id=example.id, submission_id=submission.id if submission else None, actor_id=user.id,
        actor_label=actor_label(user), action="withdrawn", from_status="published", to_status="withdrawn",
        comment=reason, created_at=now,
    ))
    enqueue(session, example_id=example.id)
    if submission is not None:
        notify(session, settings=settings, recipients=author_of(session, submission=submission), kind="withdrawn",
               actor_label=actor_label(user), title=example.title, submission_id=submission.id,
               example_id=example.id, detail="")
    session.flush()
    return example


def add_comment(session: Session, *, submission: Submission, user: User, text: str, settings: Settings) -> Event:
    authorize("submission.comment", user, submission)
    text = (text or "").strip()
    if not text:
        raise InputError([FieldError("comment", "must not be empty")])
    if len(text) > 10_000:
        raise InputError([FieldError("comment", "at most 10000 characters")])
    event = record(session, submission=submission, actor=user, action="commented", from_status=submission.status,
                   to_status=submission.status, comment=text, example_id=submission.example_id)
    if submission.author_id and submission.author_id != user.id:
        notify(session, settings=settings, recipients=author_of(session, submission=submission), kind="comment",
               actor_label=actor_label(user), title=submission.title, submission_id=submission.id)
    session.flush()
    return event


def queue(session: Session, *, user: User) -> list[Submission]:
    """Submissions waiting for a decision that the caller may decide on, oldest first."""

    query = select(Submission).where(Submission.status == "submitted")
    if user.role != "admin":
        query = query.where(Submission.county_code == user.county_code)
    rows = session.exec(query.order_by(Submission.submitted_at, Submission.id)).all()
    return [row for row in rows if allowed("submission.decide", user, row)]


def age_seconds(submission: Submission, now: datetime | None = None) -> int:
    since = as_utc(submission.submitted_at or submission.created_at)
    return max(0, int(((now or utcnow()) - since).total_seconds()))


def latest_decision(session: Session, *, submission_id: int) -> ReviewDecision | None:
    return session.exec(
        select(ReviewDecision).where(ReviewDecision.submission_id == submission_id)
        .order_by(ReviewDecision.created_at.desc(), ReviewDecision.id.desc())  # type: ignore[attr-defined]
    ).first()


__all__ = ["AppError", "DecisionIn", "add_comment", "decide", "parse_decision", "queue", "withdraw"]
