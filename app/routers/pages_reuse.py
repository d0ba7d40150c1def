"""Pages of "Vi har också provat": report a reuse of an example, see one's reports, and —
for the county editors of the reporting organisation's county — the queue and the review
page with the lighter checklist."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session

from app.core.errors import InputError, NotFound
from app.core.i18n import gettext
from app.models import Example, Organisation, ReuseReport, User
from app.services import reference as reference_service
from app.services import reuse as reuse_service
from app.services.example_view import load_published
from app.services.policy import allowed, authorize
from app.services.reference import ReferenceSets
from app.web.auth import CommitFirst, CsrfForm, OptionalUser, PageUser
from app.web.deps import SessionDep, SettingsDep
from app.web.ids import Id
from app.web.rendering import PageRoute, lang_of, page, redirect

router = APIRouter(route_class=PageRoute, dependencies=[CsrfForm, CommitFirst], include_in_schema=False)

FORM_FIELDS = ("organisation_name", "county_code", "municipality_code", "used_year", "used_month",
               "adaptations", "effort_hours", "outcome", "lesson")


def _form_context(session: Session, request: Request, *, example: Example, form: dict[str, Any],
                  errors: list[tuple[str, str]] | None = None, report: ReuseReport | None = None) -> dict[str, Any]:
    lang = lang_of(request)
    return {
        "example": example, "form": form, "errors": errors or [], "report": report,
        "choices": reference_service.choices(session, lang=lang),
        "outcomes": [(k, gettext(lang, v)) for k, v in reuse_service.OUTCOME_LABELS.items()],
        "limits": {"adaptations": (reuse_service.ADAPTATIONS_MIN, reuse_service.ADAPTATIONS_MAX),
                   "lesson": (reuse_service.LESSON_MIN, reuse_service.LESSON_MAX)},
    }


def _read_form(form) -> dict[str, Any]:
    data: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}
    for name in ("used_year", "used_month", "effort_hours"):
        raw = data[name]
        data[name] = int(raw) if raw.isdigit() else (raw or None)
    return data


def _errors(exc: InputError) -> list[tuple[str, str]]:
    return [(e.field, f"{e.field}: {e.message}") for e in exc.fields]


@router.get("/exempel/{example_id}/provat/ny")
def report_form(request: Request, session: SessionDep, user: PageUser, example_id: Id):
    example = load_published(session, example_id)
    authorize("reuse.create", user, example)
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    form = {"organisation_name": organisation.name if organisation else "",
            "county_code": (organisation.county_code if organisation else user.county_code) or ""}
    return page(request, "reuse/form.html", _form_context(session, request, example=example, form=form), user=user)


@router.post("/exempel/{example_id}/provat")
async def report_create(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser,
                        example_id: Id):
    example = load_published(session, example_id)
    form = await request.form()
    data = _read_form(form)
    try:
        parsed = reuse_service.parse_report(data, session=session)
        report = reuse_service.create_report(session, user=user, example=example, data=parsed, settings=settings)
    except InputError as exc:
        ctx = _form_context(session, request, example=example, form=data, errors=_errors(exc))
        return page(request, "reuse/form.html", ctx, user=user, status_code=422)
    return redirect(f"/provat/{report.id}?done=submitted")


@router.get("/provat/mina")
def my_reports(request: Request, session: SessionDep, user: PageUser):
    rows = reuse_service.mine(session, user=user)
    examples = {r.example_id: session.get(Example, r.example_id) for r in rows}
    return page(request, "reuse/mine.html", {"rows": rows, "examples": examples,
                                             "status_labels": _status_labels(request)}, user=user)


def _status_labels(request: Request) -> dict[str, str]:
    return {k: gettext(lang_of(request), v) for k, v in reuse_service.STATUS_LABELS.items()}


def _view_context(session: Session, request: Request, user: User | None, report: ReuseReport) -> dict[str, Any]:
    lang = lang_of(request)
    example = session.get(Example, report.example_id)
    labels = reference_service.label_maps(reference_service.choices(session, lang=lang))
    refs = ReferenceSets.load(session)
    automatic = reuse_service.automatic_results(report, refs)
    checklist = [
        {"key": key, "kind": kind, "title": gettext(lang, title), "guidance": gettext(lang, guidance),
         "passed": automatic.get(key)}
        for key, kind, title, guidance in reuse_service.CHECKLIST
    ]
    return {
        "report": report, "example": example, "labels": labels, "checklist": checklist,
        "status_labels": _status_labels(request),
        "outcome_label": gettext(lang, reuse_service.OUTCOME_LABELS[report.outcome]),
        "can_decide": allowed("reuse.decide", user, report) and report.status == "submitted",
        "can_edit": allowed("reuse.edit", user, report) and report.status == "changes_requested",
    }


@router.get("/provat/{report_id}")
def report_page(request: Request, session: SessionDep, user: OptionalUser, report_id: Id):
    report = reuse_service.load_visible(session, report_id=report_id, user=user)
    return page(request, "reuse/view.html", _view_context(session, request, user, report), user=user)


def _own_report(session: Session, user: User, report_id: int) -> ReuseReport:
    report = session.get(ReuseReport, report_id)
    if report is None:
        raise NotFound("Rapporten finns inte")
    authorize("reuse.edit", user, report)
    return report


@router.get("/provat/{report_id}/andra")
def edit_form(request: Request, session: SessionDep, user: PageUser, report_id: Id):
    report = _own_report(session, user, report_id)
    example = session.get(Example, report.example_id)
    form = {name: getattr(report, name) for name in FORM_FIELDS}
    return page(request, "reuse/form.html", _form_context(session, request, example=example, form=form,
                                                          report=report), user=user)


@router.post("/provat/{report_id}/andra")
async def edit(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser, report_id: Id):
    report = _own_report(session, user, report_id)
    example = session.get(Example, report.example_id)
    data = _read_form(await request.form())
    try:
        parsed = reuse_service.parse_report(data, session=session)
        reuse_service.resubmit(session, user=user, report=report, data=parsed, settings=settings)
    except InputError as exc:
        ctx = _form_context(session, request, example=example, form=data, errors=_errors(exc), report=report)
        return page(request, "reuse/form.html", ctx, user=user, status_code=422)
    return redirect(f"/provat/{report.id}?done=submitted")


# ---- Review --------------------------------------------------------------------------------

@router.get("/granska/provat")
def queue_page(request: Request, session: SessionDep, user: PageUser):
    authorize("reuse.queue", user)
    rows = reuse_service.queue(session, user=user)
    examples = {r.example_id: session.get(Example, r.example_id) for r in rows}
    labels = reference_service.label_maps(reference_service.choices(session, lang=lang_of(request)))
    return page(request, "reuse/queue.html", {"rows": rows, "examples": examples, "labels": labels,
                                              "nav": "review", "status_labels": _status_labels(request)}, user=user)


@router.get("/granska/provat/{report_id}")
def review_page(request: Request, session: SessionDep, user: PageUser, report_id: Id):
    report = reuse_service.load_visible(session, report_id=report_id, user=user)
    if not allowed("reuse.decide", user, report):
        return redirect(f"/provat/{report.id}")
    ctx = {**_view_context(session, request, user, report), "form": {}, "errors": [], "nav": "review"}
    return page(request, "reuse/review.html", ctx, user=user)


@router.post("/granska/provat/{report_id}")
async def decide(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser, report_id: Id):
    report = reuse_service.load_visible(session, report_id=report_id, user=user)
    authorize("reuse.decide", user, report)
    form = await request.form()
    criteria = {k: str(form.get(f"judgement_{k}")) for k in reuse_service.JUDGED if form.get(f"judgement_{k}")}
    comments = {k: str(form.get(f"comment_{k}") or "").strip() for k in reuse_service.JUDGED}
    payload = {"decision": str(form.get("decision") or ""), "comment": str(form.get("comment") or "").strip(),
               "criteria": criteria, "comments": comments}
    try:
        data = reuse_service.parse_decision(payload)
        reuse_service.decide(session, report=report, reviewer=user, data=data, settings=settings)
    except InputError as exc:
        errors = [(e.field.replace("criteria.", "judgement_") if e.field.startswith("criteria.") else "decision-comment",
                   f"{e.field}: {e.message}") for e in exc.fields]
        ctx = {**_view_context(session, request, user, report), "form": dict(form), "errors": errors, "nav": "review"}
        return page(request, "reuse/review.html", ctx, user=user, status_code=422)
    return redirect(f"/granska/provat?done={report.status}")
