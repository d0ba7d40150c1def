"""Pages for county editors (and the admin): the queue with ages, the review page (the text
beside the criteria checklist, the comment thread, decision buttons), withdrawal; and the
public version history of an example with diffs between versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlmodel import Session

from app.core.errors import Conflict, FieldError, InputError, NotFound
from app.models import Example, Submission, User
from app.services import assignment as assignment_service
from app.services import criteria as criteria_service
from app.services import reference as reference_service
from app.services import review as review_service
from app.services import review_rounds
from app.services import submissions as submissions_service
from app.services import versions as versions_service
from app.services.policy import allowed, authorize
from app.web.auth import CommitFirst, CsrfForm, OptionalUser, PageUser
from app.web.deps import SessionDep, SettingsDep
from app.web.ids import Id, OptionalQueryId
from app.web.permissions import DecideSubmission, ViewSubmission
from app.web.rendering import PageRoute, lang_of, page, redirect

router = APIRouter(route_class=PageRoute, dependencies=[CsrfForm, CommitFirst], include_in_schema=False)



@router.get("/granska")
def queue_page(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser):
    authorize("queue.view", user)
    items = assignment_service.queue(session, user=user, settings=settings)
    lang = lang_of(request)
    labels = reference_service.label_maps(reference_service.choices(session, lang=lang))
    return page(request, "review/queue.html", {"items": items, "labels": labels, "nav": "review"}, user=user)


def _review_context(session: Session, request: Request, user: User, submission: Submission, *,
                    form: dict[str, Any] | None = None, errors: list[tuple[str, str]] | None = None,
                    assign_error: str | None = None) -> dict[str, Any]:
    lang = lang_of(request)
    settings = request.app.state.settings
    data = submissions_service.content_of(submission)
    labels = reference_service.label_maps(reference_service.choices(session, lang=lang))
    changes = None
    example = session.get(Example, submission.example_id) if submission.example_id else None
    if submission.kind == "revision" and example is not None and submission.status == "submitted":
        changes = versions_service.diff(example.content(), data)
    return {
        "submission": submission, "data": data, "labels": labels, "example": example, "changes": changes,
        "checklist": criteria_service.checklist(session, data=data, lang=lang),
        "judged": criteria_service.list_criteria(session, lang=lang, kind="judged"),
        "history": submissions_service.history(session, submission=submission),
        "note": submissions_service.latest_note(session, submission=submission) if submission.status == "submitted" else None,
        "form": form or {}, "errors": errors or [], "nav": "review",
        "can_decide": allowed("submission.decide", user, submission) and submission.status == "submitted",
        "since_seen": review_rounds.since_seen(session, submission=submission, user=user),
        "task": assignment_service.item(session, submission=submission, settings=settings),
        "can_assign": allowed("submission.assign", user, submission) and submission.status == "submitted",
        "assign_error": assign_error,
    }


@router.get("/granska/{submission_id}")
def review_page(request: Request, session: SessionDep, user: PageUser, submission: ViewSubmission):
    if not allowed("submission.decide", user, submission):
        return redirect(f"/bidrag/{submission.id}")
    context = _review_context(session, request, user, submission)
    # Seen now: the next round's page shows what changed since this one.
    review_rounds.mark_seen(session, submission=submission, user=user)
    return page(request, "review/review.html", context, user=user)


@router.post("/granska/{submission_id}/tilldelning")
def assignment(request: Request, session: SessionDep, user: PageUser, submission: ViewSubmission,
               action: Annotated[str, Form()] = ""):
    """Take the submission ("Jag granskar"), take it over from a colleague, or release it."""
    try:
        if action == "release":
            assignment_service.release(session, submission=submission, user=user)
        elif action in ("take", "take_over"):
            assignment_service.assign(session, submission=submission, user=user, take_over=action == "take_over")
        else:
            raise InputError([FieldError("action", "take, take_over or release")])
    except (Conflict, InputError) as exc:
        message = "; ".join(f"{e.field}: {e.message}" for e in exc.fields) or exc.message
        ctx = _review_context(session, request, user, submission, assign_error=message)
        return page(request, "review/review.html", ctx, user=user, status_code=exc.status)
    return redirect(f"/granska/{submission.id}?done={action}#tilldelning")


@router.post("/granska/{submission_id}/sista-dag")
def due_date(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser,
             submission: ViewSubmission, due_on: Annotated[str, Form()] = ""):
    """Move the due date of the current round."""
    try:
        day = assignment_service.parse_due(due_on)
        assignment_service.set_due(session, submission=submission, user=user, due_on=day, settings=settings)
    except (Conflict, InputError) as exc:
        message = "; ".join(f"{e.field}: {e.message}" for e in exc.fields) or exc.message
        ctx = _review_context(session, request, user, submission, assign_error=message, form={"due_on": due_on})
        return page(request, "review/review.html", ctx, user=user, status_code=exc.status)
    return redirect(f"/granska/{submission.id}?done=due#tilldelning")


@router.post("/granska/{submission_id}")
async def decide(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser,
                 submission: DecideSubmission):
    form = await request.form()
    criteria: dict[str, Any] = {}
    for key in criteria_service.JUDGED_KEYS:
        judgement = form.get(f"judgement_{key}")
        if judgement:
            criteria[key] = {"judgement": judgement, "comment": str(form.get(f"comment_{key}") or "").strip()}
    payload = {"decision": form.get("decision") or "", "comment": str(form.get("comment") or "").strip(),
               "criteria": criteria}
    version = form.get("version")
    try:
        data = review_service.parse_decision(payload)
        review_service.decide(session, submission=submission, reviewer=user, data=data, settings=settings,
                              lang=lang_of(request),
                              expected_version=int(version) if isinstance(version, str) and version.isdigit() else None)
    except InputError as exc:
        errors = [(_anchor(e.field), _message(e.field, e.message)) for e in exc.fields]
        ctx = _review_context(session, request, user, submission, form=dict(form), errors=errors)
        return page(request, "review/review.html", ctx, user=user, status_code=422)
    return redirect(f"/granska?done={submission.status}&id={submission.id}")


def _anchor(field: str) -> str:
    if field.startswith("criteria."):
        return "judgement_" + field.split(".", 1)[1]
    if field in ("decision", "comment"):
        return "decision-comment"
    return "checklist"


def _message(field: str, message: str) -> str:
    if field.startswith("criteria."):
        key = field.split(".", 1)[1]
        return f"{key}: {message}"
    return f"{field}: {message}" if field not in ("comment",) else message


@router.get("/granska/exempel/{example_id}/dra-tillbaka")
def withdraw_form(request: Request, session: SessionDep, user: PageUser, example_id: Id):
    example = _example_for(session, user, example_id, "example.withdraw")
    return page(request, "review/withdraw.html", {"example": example, "nav": "review"}, user=user)


@router.post("/granska/exempel/{example_id}/dra-tillbaka")
def withdraw(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser, example_id: Id,
             reason: Annotated[str, Form()] = ""):
    example = _example_for(session, user, example_id, "example.withdraw")
    try:
        review_service.withdraw(session, example=example, user=user, reason=reason, settings=settings)
    except InputError:
        return page(request, "review/withdraw.html", {"example": example, "error": True, "nav": "review"},
                    user=user, status_code=422)
    return redirect(f"/versioner/{example.id}?done=withdrawn")


def _example_for(session: Session, user: User, example_id: int, action: str) -> Example:
    example = session.get(Example, example_id)
    if example is None:
        raise NotFound("Exemplet finns inte")
    authorize(action, user, example)
    return example


# ---- Version history (public for published examples) ----------------------------------

def _visible_example(session: Session, user: User | None, example_id: int) -> Example:
    example = session.get(Example, example_id)
    if example is None or (example.status != "published" and not allowed("example.view_withdrawn", user, example)):
        raise NotFound("Exemplet finns inte")
    return example


@router.get("/versioner/{example_id}")
def versions_page(request: Request, session: SessionDep, user: OptionalUser, example_id: Id,
                  done: str | None = None):
    example = _visible_example(session, user, example_id)
    return page(request, "review/versions.html", {
        "example": example, "versions": versions_service.versions(session, example_id=example.id),
        "events": versions_service.public_events(session, example_id=example.id),
        "done": done,
        "can_withdraw": example.status == "published" and allowed("example.withdraw", user, example),
        "can_revise": example.status == "published" and allowed("example.revise", user, example),
    }, user=user)


@router.get("/versioner/{example_id}/jamfor")
def compare_page(request: Request, session: SessionDep, user: OptionalUser, example_id: Id,
                 fran: OptionalQueryId = None, till: OptionalQueryId = None):
    example = _visible_example(session, user, example_id)
    new_number = till or example.version
    old_number = fran or max(1, new_number - 1)
    old = versions_service.version(session, example_id=example.id, number=old_number)
    new = versions_service.version(session, example_id=example.id, number=new_number)
    lang = lang_of(request)
    return page(request, "review/compare.html", {
        "example": example, "old": old, "new": new, "changes": versions_service.diff(old.data, new.data),
        "labels": reference_service.label_maps(reference_service.choices(session, lang=lang)),
        "all_versions": versions_service.versions(session, example_id=example.id),
    }, user=user)


@router.get("/versioner/{example_id}/{number}")
def version_page(request: Request, session: SessionDep, user: OptionalUser, example_id: Id, number: Id):
    example = _visible_example(session, user, example_id)
    row = versions_service.version(session, example_id=example.id, number=number)
    lang = lang_of(request)
    return page(request, "review/version.html", {
        "example": example, "row": row, "data": row.data, "labels": reference_service.label_maps(reference_service.choices(session, lang=lang)),
        "quality": row.quality, "criteria": criteria_service.list_criteria(session, lang=lang),
    }, user=user)
