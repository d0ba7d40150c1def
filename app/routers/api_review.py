"""JSON API of the review workflow: submissions, decisions, the queue, revisions and
withdrawal of examples, criteria, notifications. Authentication: ``Authorization: Bearer``
(or the browser session cookie plus the ``X-CSRF-Token`` header)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request, Response

from app.models import Submission, User
from app.services import assignment as assignment_service
from app.services import criteria as criteria_service
from app.services import notifications as notifications_service
from app.services import review as review_service
from app.services import serializers
from app.services import submissions as submissions_service
from app.services.policy import authorize
from app.web.auth import CommitFirst, CsrfApi, CurrentUser
from app.web.deps import SessionDep, SettingsDep
from app.web.openapi import errors
from app.web.permissions import (
    Commentable,
    Decidable,
    Deletable,
    Editable,
    Revisable,
    Submittable,
    Viewable,
    Withdrawable,
)

router = APIRouter(prefix="/api/v1", tags=["review"], dependencies=[CsrfApi, CommitFirst])


def _lang(request: Request) -> str:
    return getattr(request.state, "lang", "sv")


def _etag(response: Response, submission: Submission) -> None:
    response.headers["ETag"] = f'"{submission.version}"'


def parse_if_match(value: str | None) -> int | None:
    """``If-Match: 3``, ``"3"`` or ``W/"3"``; anything else matches no version."""
    if value is None:
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    return int(value) if value.isdigit() else -1


JsonObject = Annotated[dict[str, Any], Body()]

# OpenAPI links: what a client (or a stateful API test) can do with a submission it made.
SUBMISSION_LINKS = {
    name: {"operationId": op, "parameters": {"submission_id": "$response.body#/id"}}
    for name, op in (("get", "getSubmission"), ("replace", "putSubmission"), ("delete", "deleteSubmission"),
                     ("submit", "submitSubmission"), ("decide", "decideSubmission"),
                     ("history", "submissionHistory"), ("comment", "commentSubmission"))
}


def _may_create(user: User) -> User:
    authorize("submission.create", user)
    return user


@router.get("/submissions", responses=errors(401, 429))
def list_submissions(request: Request, session: SessionDep, user: CurrentUser) -> dict:
    """The caller's own submissions and their organisation's."""
    rows = submissions_service.mine(session, user=user)
    return {"items": [serializers.submission_json(session, row, lang=_lang(request), checks=False) for row in rows]}


@router.post("/submissions", operation_id="createSubmission", status_code=201,
             responses={201: {"description": "The new draft.", "links": SUBMISSION_LINKS}, **errors(400, 401, 403, 422, 429)})
def create_submission(request: Request, response: Response, session: SessionDep, user: CurrentUser,
                      payload: JsonObject) -> dict:
    """Start a draft; it may be incomplete."""
    _may_create(user)
    data = submissions_service.parse_submission_in(payload)
    submission = submissions_service.create(session, user=user, data=data)
    _etag(response, submission)
    response.headers["Location"] = f"/api/v1/submissions/{submission.id}"
    return serializers.submission_json(session, submission, lang=_lang(request))


@router.get("/submissions/{submission_id}", operation_id="getSubmission", responses=errors(401, 404, 422, 429))
def get_submission(request: Request, response: Response, session: SessionDep, submission: Viewable) -> dict:
    _etag(response, submission)
    return serializers.submission_json(session, submission, lang=_lang(request))


@router.put("/submissions/{submission_id}", operation_id="putSubmission", responses=errors(400, 401, 403, 404, 409, 412, 422, 428, 429))
def put_submission(request: Request, response: Response, session: SessionDep, user: CurrentUser,
                   submission: Editable, payload: JsonObject,
                   if_match: Annotated[str | None, Header()] = None) -> dict:
    """Replace the draft's content. Requires ``If-Match: <version>``; 412 when stale."""
    data = submissions_service.parse_submission_in(payload)
    submissions_service.update_content(session, submission=submission, user=user, data=data,
                                       expected_version=parse_if_match(if_match))
    _etag(response, submission)
    return serializers.submission_json(session, submission, lang=_lang(request))


@router.delete("/submissions/{submission_id}", operation_id="deleteSubmission", status_code=204, responses=errors(401, 403, 404, 409, 422, 429))
def delete_submission(session: SessionDep, user: CurrentUser, submission: Deletable) -> Response:
    submissions_service.delete_draft(session, submission=submission, user=user)
    return Response(status_code=204)


@router.post("/submissions/{submission_id}/submit", operation_id="submitSubmission", responses=errors(400, 401, 403, 404, 409, 412, 422, 429))
def submit_submission(request: Request, response: Response, session: SessionDep, settings: SettingsDep,
                      user: CurrentUser, submission: Submittable,
                      if_match: Annotated[str | None, Header()] = None,
                      payload: Annotated[dict[str, Any] | None, Body()] = None) -> dict:
    """To the county editor: 422 listing each failed automatic criterion by key. An optional
    body ``{"note": "..."}`` is a message to the editor, shown on the review page."""
    note = (payload or {}).get("note")
    submissions_service.submit(session, submission=submission, user=user, settings=settings, lang=_lang(request),
                               expected_version=parse_if_match(if_match),
                               note=submissions_service.clean_note(note))
    _etag(response, submission)
    return serializers.submission_json(session, submission, lang=_lang(request))


@router.post("/submissions/{submission_id}/decision", operation_id="decideSubmission", responses=errors(400, 401, 403, 404, 409, 412, 422, 429))
def decide(request: Request, response: Response, session: SessionDep, settings: SettingsDep, user: CurrentUser,
           submission: Decidable, payload: JsonObject,
           if_match: Annotated[str | None, Header()] = None) -> dict:
    """``{decision: approve | request_changes | reject, comment, criteria: {key: met | not_met |
    not_applicable}}`` → the new status; a published submission shows its example_id."""
    data = review_service.parse_decision(payload)
    review_service.decide(session, submission=submission, reviewer=user, data=data, settings=settings,
                          lang=_lang(request), expected_version=parse_if_match(if_match))
    _etag(response, submission)
    return serializers.submission_json(session, submission, lang=_lang(request))


def event_json(event) -> dict[str, Any]:
    return {
        "id": event.id,
        "action": event.action,
        "actor": event.actor_label,
        "actor_id": event.actor_id,
        "time": serializers.iso_offset(event.created_at),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "comment": event.comment,
        "example_id": event.example_id,
    }


@router.get("/submissions/{submission_id}/history", operation_id="submissionHistory", responses=errors(401, 404, 422, 429))
def submission_history(session: SessionDep, submission: Viewable) -> dict:
    return {"items": [event_json(e) for e in submissions_service.history(session, submission=submission)]}


@router.post("/submissions/{submission_id}/comments", operation_id="commentSubmission", status_code=201, responses=errors(400, 401, 403, 404, 422, 429))
def comment(session: SessionDep, settings: SettingsDep, user: CurrentUser, submission: Commentable,
            payload: JsonObject) -> dict:
    text = payload.get("comment")
    event = review_service.add_comment(session, submission=submission, user=user,
                                       text=text if isinstance(text, str) else "", settings=settings)
    return event_json(event)


@router.get("/review-queue", responses=errors(401, 403, 429))
def review_queue(session: SessionDep, settings: SettingsDep, user: CurrentUser) -> dict:
    """Submissions the caller may decide on, by due date (earliest first), with the age of
    each, its round, due date, whether it is overdue and who is reviewing it."""
    authorize("queue.view", user)
    items = []
    for entry in assignment_service.queue(session, user=user, settings=settings):
        row = entry.submission
        age = review_service.age_seconds(row)
        items.append({
            "id": row.id, "kind": row.kind, "title": row.title, "county_code": row.county_code,
            "organisation_name": row.organisation_name, "example_id": row.example_id,
            "submitted_at": serializers.iso_offset(row.submitted_at), "age_seconds": age, "age_days": age // 86400,
            **entry.as_dict(),
        })
    return {"total": len(items), "items": items}


@router.post("/examples/{example_id}/revisions", operation_id="startRevision", status_code=201,
             responses={201: {"description": "The revision's draft.", "links": SUBMISSION_LINKS},
                        **errors(401, 403, 404, 409, 422, 429)})
def start_revision(request: Request, response: Response, session: SessionDep, user: CurrentUser,
                   example: Revisable) -> dict:
    """A new draft linked to the example; the published version stays until approval."""
    submission = submissions_service.start_revision(session, example=example, user=user)
    _etag(response, submission)
    response.headers["Location"] = f"/api/v1/submissions/{submission.id}"
    return serializers.submission_json(session, submission, lang=_lang(request))


@router.post("/examples/{example_id}/withdraw", operation_id="withdrawExample", responses=errors(400, 401, 403, 404, 409, 422, 429))
def withdraw_example(session: SessionDep, settings: SettingsDep, user: CurrentUser, example: Withdrawable,
                     payload: JsonObject) -> dict:
    """``{reason}``: the county's editor or the admin takes the example off the site."""
    reason = payload.get("reason")
    review_service.withdraw(session, example=example, user=user, reason=reason if isinstance(reason, str) else "",
                            settings=settings)
    return {"id": example.id, "status": example.status, "withdrawn_at": serializers.iso_offset(example.withdrawn_at),
            "withdrawn_reason": example.withdrawn_reason}


@router.get("/criteria", responses=errors(429))
def list_criteria(request: Request, session: SessionDep) -> dict:
    """The quality criteria, in the request's language."""
    return {"items": [vars(c) for c in criteria_service.list_criteria(session, lang=_lang(request))]}


@router.get("/notifications", responses=errors(401, 429))
def list_notifications(request: Request, session: SessionDep, user: CurrentUser) -> dict:
    lang = _lang(request)
    items = [
        {"id": n.id, "kind": n.kind, "detail": n.detail, "text": notifications_service.text_of(n, lang),
         "submission_id": n.submission_id, "example_id": n.example_id, "created_at": serializers.iso_offset(n.created_at),
         "read": n.read_at is not None}
        for n in notifications_service.inbox(session, user=user)
    ]
    return {"unread": sum(1 for i in items if not i["read"]), "items": items}


@router.post("/notifications/read", responses=errors(401, 403, 429))
def read_notifications(session: SessionDep, user: CurrentUser) -> dict:
    return {"marked": notifications_service.mark_all_read(session, user=user)}
