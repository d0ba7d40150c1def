"""Pages of the editor's work beyond the queue: the re-review queue (published examples
whose review date has passed) with "still valid", and the counties' review settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.core.errors import Conflict, InputError, NotFound
from app.models import Example
from app.services import rereview as rereview_service
from app.services import review_settings
from app.services.policy import allowed, authorize
from app.web.auth import CommitFirst, CsrfForm, PageUser
from app.web.deps import SessionDep, SettingsDep
from app.web.ids import Id
from app.web.rendering import PageRoute, page, redirect

router = APIRouter(route_class=PageRoute, dependencies=[CsrfForm, CommitFirst], include_in_schema=False)


def _rereview_context(session, settings, user, **extra):
    items = rereview_service.queue(session, user=user, settings=settings)
    return {"items": items, "months": settings.REREVIEW_MONTHS, "nav": "review",
            "can_revise": {e.id: allowed("example.revise", user, e) for e, _ in items}, **extra}


@router.get("/granska/omgranskning")
def rereview_page(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser,
                  done: str | None = None):
    authorize("queue.view", user)
    return page(request, "review/rereview.html", _rereview_context(session, settings, user, done=done), user=user)


@router.post("/granska/exempel/{example_id}/omgranskning")
def confirm_rereview(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser, example_id: Id,
                     comment: Annotated[str, Form()] = ""):
    """Still valid: the review date moves BARNRATT_REREVIEW_MONTHS ahead."""
    example = session.get(Example, example_id) if 1 <= example_id < 2**63 else None
    if example is None:
        raise NotFound("Exemplet finns inte")
    try:
        rereview_service.confirm(session, example=example, user=user, settings=settings, comment=comment)
    except (Conflict, InputError) as exc:
        message = "; ".join(f"{e.field}: {e.message}" for e in exc.fields) or exc.message
        ctx = _rereview_context(session, settings, user, error=message)
        return page(request, "review/rereview.html", ctx, user=user, status_code=exc.status)
    return redirect(f"/granska/omgranskning?done={example.id}")


@router.get("/granska/installningar")
def settings_page(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser,
                  done: str | None = None):
    authorize("queue.view", user)
    rows = review_settings.editable(session, user=user, settings=settings)
    return page(request, "review/settings.html", {"rows": rows, "default_days": settings.REVIEW_DAYS,
                                                  "done": done, "errors": [], "form": {}, "nav": "review"}, user=user)


@router.post("/granska/installningar")
async def save_settings(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser):
    """Every ``days_<county>`` field the caller may change; the others are refused (403)."""
    authorize("queue.view", user)
    form = await request.form()
    wanted = {name[5:]: value for name, value in form.items() if name.startswith("days_")}
    rows = review_settings.editable(session, user=user, settings=settings)
    current = {r.county_code: r.review_days for r in rows}
    errors: list[tuple[str, str]] = []
    parsed: dict[str, int] = {}
    for code, value in wanted.items():
        try:
            parsed[code] = review_settings.parse_days(value, field=f"days_{code}")
        except InputError as exc:
            errors += [(e.field, e.message) for e in exc.fields]
    if errors:
        return page(request, "review/settings.html", {"rows": rows, "default_days": settings.REVIEW_DAYS, "done": None,
                                                      "errors": errors, "form": dict(form), "nav": "review"},
                    user=user, status_code=422)
    for code, days in parsed.items():
        if current.get(code) != days:
            review_settings.update(session, user=user, county_code=code, review_days=days)
    return redirect("/granska/installningar?done=saved")
