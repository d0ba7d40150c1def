"""JSON API of the editor's work: taking a submission for review and releasing it, its due
date, the queue by due date, the re-review queue and confirming an example, and the
counties' review settings. The services authorize the caller themselves (policy table)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response
from sqlmodel import Session

from app.core.errors import FieldError, InputError, NotFound
from app.models import Example, Submission, User
from app.services import assignment as assignment_service
from app.services import rereview as rereview_service
from app.services import review_settings
from app.services.policy import authorize
from app.services.serializers import iso_offset
from app.web.auth import CommitFirst, CsrfApi, CurrentUser
from app.web.deps import SessionDep, SettingsDep
from app.web.ids import Id
from app.web.openapi import errors
from app.web.permissions import load_authorized

router = APIRouter(prefix="/api/v1", tags=["review"], dependencies=[CsrfApi, CommitFirst],
                   responses=errors(400, 401, 403, 404, 409, 412, 422, 429))

County = Annotated[str, Path(pattern=r"^\d{2}$")]
OptionalObject = Annotated[dict[str, Any] | None, Body()]
JsonObject = Annotated[dict[str, Any], Body()]


def _submission(session: Session, user: User, submission_id: int) -> Submission:
    return load_authorized(session, Submission, submission_id, action="submission.view", user=user)


def _example(session: Session, example_id: int) -> Example:
    example = session.get(Example, example_id)
    if example is None:
        raise NotFound("Exemplet finns inte")
    return example


def queue_item_json(item: assignment_service.QueueItem) -> dict[str, Any]:
    row = item.submission
    return {
        "id": row.id, "kind": row.kind, "title": row.title, "county_code": row.county_code,
        "organisation_name": row.organisation_name, "example_id": row.example_id,
        "submitted_at": iso_offset(row.submitted_at), **item.as_dict(),
    }


def _item(session: Session, submission: Submission, settings) -> dict[str, Any]:
    return {"submission_id": submission.id, "status": submission.status,
            **assignment_service.item(session, submission=submission, settings=settings).as_dict()}


@router.post("/submissions/{submission_id}/assignment")
def take_submission(session: SessionDep, settings: SettingsDep, user: CurrentUser, submission_id: Id,
                    payload: OptionalObject = None) -> dict:
    """"I'm reviewing this": the caller takes the submission. ``{"take_over": true}`` takes
    it from the editor who has it; without it that is a 409."""
    submission = _submission(session, user, submission_id)
    take_over = (payload or {}).get("take_over", False)
    if not isinstance(take_over, bool):
        raise InputError([FieldError("take_over", "must be true or false")])
    assignment_service.assign(session, submission=submission, user=user, take_over=take_over)
    return _item(session, submission, settings)


@router.delete("/submissions/{submission_id}/assignment", status_code=204)
def release_submission(session: SessionDep, user: CurrentUser, submission_id: Id) -> Response:
    """Nobody reviews the submission any more (idempotent)."""
    submission = _submission(session, user, submission_id)
    assignment_service.release(session, submission=submission, user=user)
    return Response(status_code=204)


@router.put("/submissions/{submission_id}/due-date")
def set_due_date(session: SessionDep, settings: SettingsDep, user: CurrentUser, submission_id: Id,
                 payload: JsonObject) -> dict:
    """``{"due_on": "YYYY-MM-DD"}``: move the current round's due date."""
    submission = _submission(session, user, submission_id)
    due = assignment_service.parse_due(payload.get("due_on"))
    assignment_service.set_due(session, submission=submission, user=user, due_on=due, settings=settings)
    return _item(session, submission, settings)


@router.get("/rereview-queue")
def rereview_queue(session: SessionDep, settings: SettingsDep, user: CurrentUser) -> dict:
    """Published examples of the caller's county whose review date has passed."""
    authorize("queue.view", user)
    items = [
        {"id": example.id, "title": example.title, "county_code": example.county_code, "version": example.version,
         **when.as_dict()}
        for example, when in rereview_service.queue(session, user=user, settings=settings)
    ]
    return {"total": len(items), "items": items}


@router.post("/examples/{example_id}/rereview")
def confirm_rereview(session: SessionDep, settings: SettingsDep, user: CurrentUser, example_id: Id,
                     payload: OptionalObject = None) -> dict:
    """The example is still valid: its review date moves BARNRATT_REREVIEW_MONTHS ahead.
    ``{"comment": "..."}`` is optional."""
    example = _example(session, example_id)
    comment = (payload or {}).get("comment", "")
    if not isinstance(comment, str):
        raise InputError([FieldError("comment", "must be a string")])
    rereview_service.confirm(session, example=example, user=user, settings=settings, comment=comment)
    return {"id": example.id, **rereview_service.review_date(session, example=example, settings=settings).as_dict()}


@router.get("/review-settings")
def list_review_settings(session: SessionDep, settings: SettingsDep, user: CurrentUser) -> dict:
    """The review periods of the counties the caller may change."""
    return {"default_review_days": settings.REVIEW_DAYS, "items": [
        vars(s) for s in review_settings.editable(session, user=user, settings=settings)
    ]}


@router.put("/review-settings/{county_code}")
def put_review_settings(session: SessionDep, user: CurrentUser, county_code: County, payload: JsonObject) -> dict:
    """``{"review_days": 14}``: the admin, or the county's editors."""
    days = review_settings.parse_days(payload.get("review_days"), field="review_days")
    row = review_settings.update(session, user=user, county_code=county_code, review_days=days)
    return {"county_code": row.county_code, "review_days": row.review_days, "updated_at": iso_offset(row.updated_at)}
