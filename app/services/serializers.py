"""Turning rows into their JSON shapes: the public example and the workflow's submission."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.core.time import as_utc
from app.models import Example, ExamplePublic, Submission
from app.models.content import PUBLIC_FIELDS
from app.services import criteria as criteria_service
from app.services import submissions as submissions_service
from app.services.reference import ReferenceSets


def permalink(base_url: str, example_id: int) -> str:
    return f"{base_url.rstrip('/')}/exempel/{example_id}"


def example_public(example: Example, *, base_url: str) -> ExamplePublic:
    content = example.content()
    return ExamplePublic(
        **{name: content[name] for name in PUBLIC_FIELDS},
        id=example.id,
        slug=example.slug,
        url=permalink(base_url, example.id),
        status=example.status,
        version=example.version,
        published_at=as_utc(example.published_at),
        updated_at=as_utc(example.updated_at),
        quality=example.quality,
    )


def iso_offset(value) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value else None


def submission_json(session: Session, submission: Submission, *, lang: str, checks: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": submission.id,
        "kind": submission.kind,
        "status": submission.status,
        "version": submission.version,
        "example_id": submission.example_id,
        "base_version": submission.base_version,
        "author_id": submission.author_id,
        "organisation_id": submission.organisation_id,
        "created_at": iso_offset(submission.created_at),
        "updated_at": iso_offset(submission.updated_at),
        "submitted_at": iso_offset(submission.submitted_at),
        "decided_at": iso_offset(submission.decided_at),
        **submissions_service.content_of(submission),
    }
    if checks:
        results = criteria_service.check_automatic(body, ReferenceSets.load(session))
        body["automatic_criteria"] = [r.as_dict(lang) for r in results]
    return body
