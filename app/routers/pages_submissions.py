"""Pages for contributors: "Mina exempel" and the submission form (HTMX-enhanced, works
without JavaScript): inline validation, Markdown preview, the live checklist of the
automatic criteria, autosave."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from app.core.errors import FieldError, InputError, NotFound
from app.core.i18n import gettext
from app.core.markdown import render_markdown
from app.models import (
    Example,
    Submission,
    User,
)
from app.models.content import TEXT_FIELDS as MARKDOWN_FIELDS
from app.models.review import EDITABLE_STATUSES
from app.services import criteria as criteria_service
from app.services import reference as reference_service
from app.services import review as review_service
from app.services import submissions as submissions_service
from app.services.policy import allowed, authorize
from app.services.reference import ReferenceSets
from app.services.submissions import PreconditionFailed, SubmissionIn
from app.web.auth import CommitFirst, CsrfForm, PageUser
from app.web.deps import SessionDep, SettingsDep
from app.web.forms import inline_errors, link_rows, read_form
from app.web.ids import Id
from app.web.permissions import (
    CommentSubmission,
    DeleteSubmission,
    EditSubmission,
    SubmitSubmission,
    ViewSubmission,
)
from app.web.rendering import PageRoute, lang_of, page, redirect
from app.web.templating import is_htmx

router = APIRouter(route_class=PageRoute, dependencies=[CsrfForm, CommitFirst], include_in_schema=False)







def form_context(session: Session, request: Request, submission: Submission, data: dict[str, Any], *,
                 problems: dict[str, str] | None = None, complete: bool = False,
                 summary: list[tuple[str, str]] | None = None, notice: str | None = None,
                 preview: dict[str, Any] | None = None) -> dict[str, Any]:
    lang = lang_of(request)
    refs = ReferenceSets.load(session)
    return {
        "submission": submission,
        "data": data,
        "links": link_rows(data.get("links") or []),
        "errors": inline_errors(data, refs, problems=problems or {}, lang=lang, complete=complete),
        "checklist": criteria_service.checklist(session, data=data, lang=lang, refs=refs),
        "judged": criteria_service.list_criteria(session, lang=lang, kind="judged"),
        "ref": reference_service.choices(session, lang=lang),
        "summary": summary or [],
        "notice": notice,
        "preview": preview or {},
        "nav": "mine",
    }


# ---- Mina exempel ------------------------------------------------------------------------

@router.get("/mina-exempel")
def my_examples(request: Request, session: SessionDep, user: PageUser, done: str | None = None):
    rows = submissions_service.mine(session, user=user)
    example_ids = {r.example_id for r in rows if r.example_id}
    examples = {e.id: e for e in session.exec(select(Example).where(Example.id.in_(example_ids))).all()} if example_ids else {}  # type: ignore[union-attr]
    open_revisions = {r.example_id for r in rows if r.kind == "revision" and r.status in ("draft", "submitted", "changes_requested")}
    # Published examples the caller may revise, one row each (the newest submission).
    seen: set[int] = set()
    published = []
    for row in rows:
        example = examples.get(row.example_id)
        if example and example.id not in seen and row.status == "published":
            seen.add(example.id)
            published.append(example)
    return page(request, "review/mine.html", {
        "rows": rows, "examples": examples, "published": published, "open_revisions": open_revisions,
        "done": done, "nav": "mine",
    }, user=user)


@router.post("/bidrag")
def create_draft(session: SessionDep, user: PageUser):
    authorize("submission.create", user)
    submission = submissions_service.create(session, user=user, data=SubmissionIn())
    return redirect(f"/bidrag/{submission.id}")


@router.post("/bidrag/revidera/{example_id}")
def start_revision(session: SessionDep, user: PageUser, example_id: Id):
    example = session.get(Example, example_id)
    if example is None:
        raise NotFound("Exemplet finns inte")
    authorize("example.revise", user, example)
    existing = submissions_service.open_revision(session, example_id=example.id)
    if existing is not None and allowed("submission.view", user, existing):
        return redirect(f"/bidrag/{existing.id}")
    submission = submissions_service.start_revision(session, example=example, user=user)
    return redirect(f"/bidrag/{submission.id}")


# ---- The form ------------------------------------------------------------------------------

def _is_form_editable(user: User, submission: Submission) -> bool:
    return submission.status in EDITABLE_STATUSES and allowed("submission.edit", user, submission)


@router.get("/bidrag/{submission_id}")
def submission_page(request: Request, session: SessionDep, user: PageUser, submission: ViewSubmission,
                    done: str | None = None):
    if _is_form_editable(user, submission):
        notice = "submitted" if done == "submitted" else ("saved" if done == "saved" else None)
        ctx = form_context(session, request, submission, submissions_service.content_of(submission), notice=notice)
        ctx["history"] = submissions_service.history(session, submission=submission)
        ctx["decision"] = review_service.latest_decision(session, submission_id=submission.id)
        return page(request, "review/form.html", ctx, user=user)
    return _read_only(request, session, user, submission, done=done)


def _read_only(request: Request, session: Session, user: User, submission: Submission, *, done: str | None = None,
               status_code: int = 200) -> Response:
    lang = lang_of(request)
    data = submissions_service.content_of(submission)
    return page(request, "review/submission.html", {
        "submission": submission, "data": data, "labels": reference_service.label_maps(reference_service.choices(session, lang=lang)),
        "checklist": criteria_service.checklist(session, data=data, lang=lang), "history": submissions_service.history(session, submission=submission),
        "decision": review_service.latest_decision(session, submission_id=submission.id),
        "criteria": criteria_service.criteria_by_key(session, lang=lang),
        "example": session.get(Example, submission.example_id) if submission.example_id else None,
        "done": done, "nav": "mine",
    }, user=user, status_code=status_code)


async def _posted(request: Request) -> tuple[dict[str, Any], dict[str, str], int | None]:
    form = await request.form()
    data, problems = read_form(form)
    raw_version = form.get("version")
    version = int(raw_version) if isinstance(raw_version, str) and raw_version.isdigit() else None
    return data, problems, version


def _save(session: Session, user: User, submission: Submission, data: dict[str, Any], version: int | None) -> None:
    """Save what the form holds (lenient). Raises PreconditionFailed when stale."""
    parsed = submissions_service.parse_submission_in(data)
    submissions_service.update_content(session, submission=submission, user=user, data=parsed,
                                       expected_version=version if version is not None else submission.version)


def _length_problems(exc: InputError, lang: str) -> dict[str, str]:
    from app.web.forms import TOO_LONG

    return {e.field.split(".")[0]: gettext(lang, TOO_LONG) for e in exc.fields}


@router.post("/bidrag/{submission_id}")
async def save_draft(request: Request, session: SessionDep, user: PageUser, submission: EditSubmission):
    """"Save draft" without JavaScript; a "Preview" button (name=preview) lands here too and
    gets the form back with that field's preview."""
    form = await request.form()
    if form.get("preview"):
        return await preview(request, session, user, submission)
    data, problems, version = await _posted(request)
    return _save_and_render(request, session, user, submission, data, problems, version, after="saved",
                            note=_note_of(form))


def _note_of(form) -> str:
    value = form.get("note")
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""


def _save_and_render(request, session, user, submission, data, problems, version, *, after: str,
                     note: str = "", keep_note: bool = True) -> Response:
    """Save; with ``keep_note`` a note to the editor written in the form is kept as a
    comment (the editor reads it once the example is submitted)."""
    lang = lang_of(request)
    if submission.status not in EDITABLE_STATUSES:
        return redirect(f"/bidrag/{submission.id}")
    try:
        _save(session, user, submission, data, version)
        if keep_note and note:
            review_service.add_comment(session, submission=submission, user=user, text=note,
                                       settings=request.app.state.settings)
    except InputError as exc:
        problems = {**problems, **_length_problems(exc, lang)}
        ctx = form_context(session, request, submission, data, problems=problems,
                           summary=[(k, v) for k, v in problems.items()])
        ctx["note"] = note
        return page(request, "review/form.html", ctx, user=user, status_code=422)
    except PreconditionFailed:
        session.refresh(submission)
        ctx = form_context(session, request, submission, data, problems=problems, notice="stale")
        ctx["note"] = note
        return page(request, "review/form.html", ctx, user=user, status_code=409)
    return redirect(f"/bidrag/{submission.id}?done={after}")


@router.post("/bidrag/{submission_id}/autospara")
async def autosave(request: Request, session: SessionDep, user: PageUser, submission: EditSubmission):
    """HTMX: save the draft; answer with out-of-band updates (version, checklist, field errors,
    save status)."""
    data, problems, version = await _posted(request)
    lang = lang_of(request)
    if submission.status not in EDITABLE_STATUSES:
        return Response(status_code=409, headers={"HX-Reswap": "none"})
    saved = True
    try:
        _save(session, user, submission, data, version)
    except InputError as exc:
        problems = {**problems, **_length_problems(exc, lang)}
        saved = False
    except PreconditionFailed:
        return Response(status_code=409, headers={"HX-Reswap": "none"})
    ctx = form_context(session, request, submission, data, problems=problems)
    ctx["saved"] = saved
    return page(request, "review/autosave.html", ctx, user=user)


@router.post("/bidrag/{submission_id}/forhandsgranska")
async def preview(request: Request, session: SessionDep, user: PageUser, submission: EditSubmission):
    """The Markdown preview of one field. HTMX gets the fragment; without JavaScript the
    draft is saved and the form shown again with the preview under the field."""
    form = await request.form()
    name = form.get("preview")
    if name not in MARKDOWN_FIELDS and name != "summary":
        raise InputError([FieldError("preview", "unknown field")])
    text = form.get(name) or ""
    html = render_markdown(text if isinstance(text, str) else "")
    if is_htmx(request):
        return page(request, "review/preview.html", {"name": name, "html": html}, user=user)
    data, problems, version = await _posted(request)
    try:
        _save(session, user, submission, data, version)
    except (InputError, PreconditionFailed):
        pass
    session.refresh(submission)
    ctx = form_context(session, request, submission, data, problems=problems,
                       preview={"name": name, "html": html})
    return page(request, "review/form.html", ctx, user=user)


@router.post("/bidrag/{submission_id}/skicka-in")
async def submit(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser,
                 submission: SubmitSubmission):
    """Save what the form holds, then submit. Refused: the form again with an error summary
    linking each failed criterion and field (the save is kept)."""
    lang = lang_of(request)
    data, problems, version = await _posted(request)
    form = await request.form()
    note = _note_of(form)
    if submission.status not in EDITABLE_STATUSES:
        return redirect(f"/bidrag/{submission.id}")
    if "title" in form:
        response = _save_and_render(request, session, user, submission, data, problems, version, after="saved",
                                    note=note, keep_note=False)
        if response.status_code != 303:
            return response
    try:
        submissions_service.submit(session, submission=submission, user=user, settings=settings, lang=lang,
                                   note=submissions_service.clean_note(note))
    except submissions_service.NotReady:
        data = submissions_service.content_of(submission)
        ctx = form_context(session, request, submission, data, problems=problems, complete=True)
        ctx["note"] = note  # not sent yet: shown again with the form
        summary = [(anchor(i["field"]), f'{i["title"]}: {i["message"]}') for i in ctx["checklist"]["items"] if not i["passed"]]
        # A field already named by a failed criterion is not listed twice.
        named = {target for target, _message in summary}
        summary += [(anchor(name), f"{_field_label(name, lang)}: {message}") for name, message in ctx["errors"].items()
                    if anchor(name) not in named]
        ctx["summary"] = summary
        ctx["history"] = submissions_service.history(session, submission=submission)
        return page(request, "review/form.html", ctx, user=user, status_code=422)
    return redirect(f"/bidrag/{submission.id}?done=submitted")


def anchor(field: str) -> str:
    """The id (without "f-") of the form control a field or criterion points at."""
    if field.startswith("links."):
        return "link_url_" + field.split(".")[1]
    return field or "checklist"


def _field_label(name: str, lang: str) -> str:
    from app.services.labels import FIELD_LABELS

    return gettext(lang, FIELD_LABELS.get(name, name))


@router.post("/bidrag/{submission_id}/radera")
def delete_draft(session: SessionDep, user: PageUser, submission: DeleteSubmission):
    submissions_service.delete_draft(session, submission=submission, user=user)
    return redirect("/mina-exempel?done=deleted")


@router.post("/bidrag/{submission_id}/kommentar")
def comment(session: SessionDep, settings: SettingsDep, user: PageUser, submission: CommentSubmission,
            comment: Annotated[str, Form()] = "", back: Annotated[str, Form()] = ""):
    review_service.add_comment(session, submission=submission, user=user, text=comment, settings=settings)
    target = f"/granska/{submission.id}" if back == "review" else f"/bidrag/{submission.id}"
    return redirect(target + "#kommentarer")
