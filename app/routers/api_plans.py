"""JSON API of the signed-in user's plans and saved searches. Authentication:
``Authorization: Bearer`` (or the session cookie plus ``X-CSRF-Token``). Another user's
plan or saved search is 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from app.core.errors import FieldError, InputError
from app.services import alerts as alert_service
from app.services import plans as plan_service
from app.services.taxonomy import taxonomy_for
from app.web.auth import CommitFirst, CsrfApi, CurrentUser
from app.web.deps import SessionDep
from app.web.ids import Id
from app.web.openapi import errors

router = APIRouter(prefix="/api/v1", tags=["plans"], dependencies=[CsrfApi, CommitFirst],
                   responses=errors(400, 401, 403, 404, 409, 422, 429))


def _base(request: Request) -> str:
    return request.app.state.settings.BASE_URL.rstrip("/")


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InputError([FieldError("body", "must be a JSON object")])
    return body


def _plan_json(request: Request, session, plan) -> dict[str, Any]:
    return plan_service.plan_view(session, plan, base_url=_base(request)).as_json(base_url=_base(request))


# -- plans ---------------------------------------------------------------------------------------
@router.get("/plans")
def list_plans(request: Request, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    plans = plan_service.list_plans(session, user=user)
    return {"items": [_plan_json(request, session, p) for p in plans]}


@router.post("/plans", status_code=201)
def create_plan(request: Request, response: Response, session: SessionDep, user: CurrentUser,
                body: Any = Body(default=None)) -> dict[str, Any]:
    data = _object(body)
    unknown = sorted(set(data) - {"title", "mapping", "follow_up"})
    if unknown:
        raise InputError([FieldError(n, "unknown field") for n in unknown])
    plan = plan_service.create_plan(session, user=user, title=data.get("title"))
    rest = {k: v for k, v in data.items() if k in ("mapping", "follow_up")}
    if rest:
        plan_service.update_plan(session, plan=plan, user=user, changes=rest)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return _plan_json(request, session, plan)


@router.get("/plans/{plan_id}")
def get_plan(plan_id: Id, request: Request, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return _plan_json(request, session, plan_service.get_plan(session, user=user, plan_id=plan_id))


@router.patch("/plans/{plan_id}")
def change_plan(plan_id: Id, request: Request, session: SessionDep, user: CurrentUser,
                body: Any = Body(default=None)) -> dict[str, Any]:
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    data = _object(body)
    if "shared" in data:
        shared = data.pop("shared")
        if not isinstance(shared, bool):
            raise InputError([FieldError("shared", "must be true or false")])
        if shared and not plan.share_token:
            plan_service.share_plan(session, plan=plan, user=user)
        elif not shared:
            plan_service.unshare_plan(session, plan=plan, user=user)
    if data:
        plan_service.update_plan(session, plan=plan, user=user, changes=data)
    return _plan_json(request, session, plan)


@router.delete("/plans/{plan_id}", status_code=204)
def delete_plan(plan_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    plan_service.delete_plan(session, plan=plan, user=user)
    return Response(status_code=204)


@router.post("/plans/{plan_id}/measures", status_code=201)
def add_measure(plan_id: Id, request: Request, response: Response, session: SessionDep, user: CurrentUser,
                body: Any = Body(default=None)) -> dict[str, Any]:
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    data = _object(body)
    if "example_id" not in data or isinstance(data["example_id"], bool):
        raise InputError([FieldError("example_id", "is required")])
    measure, created = plan_service.add_measure(session, plan=plan, user=user, example_id=data.pop("example_id"))
    if data:
        plan_service.update_measure(session, plan=plan, measure=measure, user=user, changes=data)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/plans/{plan.id}/measures/{measure.id}"
    view = plan_service.plan_view(session, plan, base_url=_base(request))
    return next(m.as_json() for m in view.measures if m.id == measure.id)


@router.patch("/plans/{plan_id}/measures/{measure_id}")
def change_measure(plan_id: Id, measure_id: Id, request: Request, session: SessionDep, user: CurrentUser,
                   body: Any = Body(default=None)) -> dict[str, Any]:
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    measure = plan_service.get_measure(session, plan=plan, measure_id=measure_id)
    plan_service.update_measure(session, plan=plan, measure=measure, user=user, changes=_object(body))
    view = plan_service.plan_view(session, plan, base_url=_base(request))
    return next(m.as_json() for m in view.measures if m.id == measure.id)


@router.delete("/plans/{plan_id}/measures/{measure_id}", status_code=204)
def remove_measure(plan_id: Id, measure_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    plan = plan_service.get_plan(session, user=user, plan_id=plan_id)
    measure = plan_service.get_measure(session, plan=plan, measure_id=measure_id)
    plan_service.remove_measure(session, plan=plan, measure=measure, user=user)
    return Response(status_code=204)


# -- saved searches --------------------------------------------------------------------------
@router.get("/saved-searches")
def list_saved(request: Request, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return {"items": [alert_service.saved_json(s, base_url=_base(request))
                      for s in alert_service.list_saved(session, user=user)]}


@router.post("/saved-searches", status_code=201)
def create_saved(request: Request, response: Response, session: SessionDep, user: CurrentUser,
                 body: Any = Body(default=None)) -> dict[str, Any]:
    data = _object(body)
    unknown = sorted(set(data) - {"query", "name", "frequency"})
    if unknown:
        raise InputError([FieldError(n, "unknown field") for n in unknown])
    saved = alert_service.create_saved_search(
        session, user=user, query=data.get("query", ""), name=data.get("name"), frequency=data.get("frequency"),
        taxonomy=taxonomy_for(request.app.state, session), lang=getattr(request.state, "lang", "sv"),
    )
    response.headers["Location"] = f"/api/v1/saved-searches/{saved.id}"
    return alert_service.saved_json(saved, base_url=_base(request))


@router.get("/saved-searches/{saved_id}")
def get_saved(saved_id: Id, request: Request, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return alert_service.saved_json(alert_service.get_saved(session, user=user, saved_id=saved_id),
                                    base_url=_base(request))


@router.patch("/saved-searches/{saved_id}")
def change_saved(saved_id: Id, request: Request, session: SessionDep, user: CurrentUser,
                 body: Any = Body(default=None)) -> dict[str, Any]:
    saved = alert_service.get_saved(session, user=user, saved_id=saved_id)
    alert_service.update_saved(session, saved=saved, user=user, changes=_object(body))
    return alert_service.saved_json(saved, base_url=_base(request))


@router.delete("/saved-searches/{saved_id}", status_code=204)
def delete_saved(saved_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    saved = alert_service.get_saved(session, user=user, saved_id=saved_id)
    alert_service.delete_saved(session, saved=saved, user=user)
    return Response(status_code=204)
