"""Pages of "Min plan": the user's plans, one plan (mapping, measures, follow-up, sharing),
adding an example from its page, the printable page, the DOCX and the read-only shared
link. Every form posts and redirects (works without JavaScript); HTMX enhances the
"add to my plan" button on the example page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.core.errors import FieldError, InputError
from app.services import plans as plan_service
from app.services.examples import get_published
from app.web.auth import CommitFirst, CsrfForm, OptionalUser, PageUser
from app.web.deps import SessionDep
from app.web.ids import Id
from app.web.rendering import PageRoute, lang_of, page, redirect
from app.web.templating import is_htmx

router = APIRouter(route_class=PageRoute, dependencies=[CsrfForm, CommitFirst], include_in_schema=False)


def _base(request: Request) -> str:
    return request.app.state.settings.BASE_URL.rstrip("/")


def _errors(exc: InputError) -> dict[str, str]:
    return {f.field: f.message for f in exc.fields}


@router.get("/mina-planer")
def plans_page(request: Request, session: SessionDep, user: PageUser):
    plans = plan_service.list_plans(session, user=user)
    counts = {p.id: len(plan_service.measures_of(session, p)) for p in plans}
    return page(request, "plans/list.html", {"nav": "plans", "plans": plans, "counts": counts, "errors": {},
                                             "title_value": ""}, user=user)


@router.post("/mina-planer")
def create_plan(request: Request, session: SessionDep, user: PageUser,
                title: Annotated[str, Form()] = "", example_id: Annotated[str, Form()] = ""):
    try:
        plan = plan_service.create_plan(session, user=user, title=title)
        if example_id:
            plan_service.add_measure(session, plan=plan, user=user, example_id=example_id)
    except InputError as exc:
        plans = plan_service.list_plans(session, user=user)
        counts = {p.id: len(plan_service.measures_of(session, p)) for p in plans}
        return page(request, "plans/list.html", {"nav": "plans", "plans": plans, "counts": counts,
                                                 "errors": _errors(exc), "title_value": title},
                    user=user, status_code=422)
    return redirect(f"/mina-planer/{plan.id}")


def _plan_context(request: Request, session, plan, **extra):
    view = plan_service.plan_view(session, plan, base_url=_base(request))
    return {"nav": "plans", "view": view, "plan": plan, "share_url": plan_service.share_url(_base(request), plan),
            "errors": {}, "measure_errors": {}, **extra}


@router.get("/mina-planer/{plan_id}")
def plan_page(plan_id: Id, request: Request, session: SessionDep, user: PageUser):
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    return page(request, "plans/plan.html", _plan_context(request, session, plan, done=request.query_params.get("done")),
                user=user)


@router.post("/mina-planer/{plan_id}")
def save_plan(plan_id: Id, request: Request, session: SessionDep, user: PageUser,
              title: Annotated[str, Form()] = "", mapping: Annotated[str, Form()] = "",
              follow_up: Annotated[str, Form()] = ""):
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    try:
        plan_service.update_plan(session, plan=plan, user=user,
                                 changes={"title": title, "mapping": mapping, "follow_up": follow_up})
    except InputError as exc:
        session.expire(plan)
        ctx = _plan_context(request, session, plan, errors=_errors(exc),
                            draft={"title": title, "mapping": mapping, "follow_up": follow_up})
        return page(request, "plans/plan.html", ctx, user=user, status_code=422)
    return redirect(f"/mina-planer/{plan.id}?done=saved")


@router.post("/mina-planer/{plan_id}/atgarder/{measure_id}")
def save_measure(plan_id: Id, measure_id: Id, request: Request, session: SessionDep, user: PageUser,
                 notes: Annotated[str, Form()] = "", responsible_unit: Annotated[str, Form()] = "",
                 planned_start: Annotated[str, Form()] = "", effort_hours: Annotated[str, Form()] = ""):
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    measure = plan_service.get_measure(session, plan=plan, measure_id=measure_id)
    changes = {"notes": notes, "responsible_unit": responsible_unit, "planned_start": planned_start,
               "effort_hours": effort_hours}
    try:
        plan_service.update_measure(session, plan=plan, measure=measure, user=user, changes=changes)
    except InputError as exc:
        session.expire(measure)
        ctx = _plan_context(request, session, plan, measure_errors={measure.id: _errors(exc)},
                            measure_draft={measure.id: changes})
        return page(request, "plans/plan.html", ctx, user=user, status_code=422)
    return redirect(f"/mina-planer/{plan.id}?done=measure#m-{measure.id}")


@router.post("/mina-planer/{plan_id}/atgarder/{measure_id}/ta-bort")
def remove_measure(plan_id: Id, measure_id: Id, session: SessionDep, user: PageUser):
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    measure = plan_service.get_measure(session, plan=plan, measure_id=measure_id)
    plan_service.remove_measure(session, plan=plan, measure=measure, user=user)
    return redirect(f"/mina-planer/{plan.id}?done=removed")


@router.post("/mina-planer/{plan_id}/dela")
def share(plan_id: Id, session: SessionDep, user: PageUser):
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    plan_service.share_plan(session, plan=plan, user=user)
    return redirect(f"/mina-planer/{plan.id}?done=shared#dela")


@router.post("/mina-planer/{plan_id}/sluta-dela")
def unshare(plan_id: Id, session: SessionDep, user: PageUser):
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    plan_service.unshare_plan(session, plan=plan, user=user)
    return redirect(f"/mina-planer/{plan.id}?done=unshared#dela")


@router.post("/mina-planer/{plan_id}/ta-bort")
def delete(plan_id: Id, session: SessionDep, user: PageUser):
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    plan_service.delete_plan(session, plan=plan, user=user)
    return redirect("/mina-planer?done=deleted")


def _docx_response(request: Request, session, plan) -> Response:
    view = plan_service.plan_view(session, plan, base_url=_base(request))
    body = plan_service.export_docx(view, lang=lang_of(request))
    name = plan_service.docx_filename(plan)
    return Response(body, media_type=plan_service.DOCX_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
    })


@router.get("/mina-planer/{plan_id}/plan.docx")
def plan_docx(plan_id: Id, request: Request, session: SessionDep, user: PageUser):
    return _docx_response(request, session, plan_service.get_plan(session, user=user, plan_id=plan_id))


@router.get("/mina-planer/{plan_id}/utskrift")
def plan_print(plan_id: Id, request: Request, session: SessionDep, user: PageUser):
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    view = plan_service.plan_view(session, plan, base_url=_base(request))
    return page(request, "plans/print.html", {"view": view, "plan": plan, "shared": False,
                                              "back_url": f"/mina-planer/{plan.id}"}, user=user)


# -- the read-only shared link --------------------------------------------------------------
SHARED_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}


@router.get("/delad-plan/{token}")
def shared(token: str, request: Request, session: SessionDep):
    plan = plan_service.shared_plan(session, token=token)
    view = plan_service.plan_view(session, plan, base_url=_base(request))
    return page(request, "plans/print.html", {"view": view, "plan": plan, "shared": True, "token": token},
                headers=SHARED_HEADERS)


@router.get("/delad-plan/{token}/plan.docx")
def shared_docx(token: str, request: Request, session: SessionDep):
    response = _docx_response(request, session, plan_service.shared_plan(session, token=token))
    response.headers.update(SHARED_HEADERS)
    return response


# -- "Add to my plan" from the example page ----------------------------------------------------
@router.post("/exempel/{example_id}/lagg-till-i-plan")
def add_to_plan(example_id: Id, request: Request, session: SessionDep, user: OptionalUser,
                plan_id: Annotated[str, Form()] = "", new_title: Annotated[str, Form()] = ""):
    if user is None:
        return redirect("/logga-in?next=" + quote(f"/exempel/{example_id}#plan", safe="/"))
    example = get_published(session, example_id)
    created_plan = False
    try:
        if plan_id and plan_id != "new":
            if not plan_id.isdigit():
                raise InputError([FieldError("plan_id", "choose one of your plans")])
            plan = plan_service.get_plan(session, user=user, plan_id=int(plan_id))
        else:
            plan = plan_service.create_plan(session, user=user, title=new_title or example.title)
            created_plan = True
        measure, created = plan_service.add_measure(session, plan=plan, user=user, example_id=example.id)
    except InputError as exc:
        plans = plan_service.list_plans(session, user=user)
        template = "plans/_add.html" if is_htmx(request) else "plans/add_error.html"
        return page(request, template, {"example": example, "plans": plans, "errors": _errors(exc)},
                    user=user, status_code=422)
    if is_htmx(request):
        plans = plan_service.list_plans(session, user=user)
        return page(request, "plans/_add.html", {"example": example, "plans": plans, "errors": {},
                                                 "added": {"plan": plan, "measure": measure, "created": created,
                                                           "created_plan": created_plan}}, user=user)
    return redirect(f"/mina-planer/{plan.id}?done={'added' if created else 'already'}#m-{measure.id}")
