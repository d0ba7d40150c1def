"""Admin pages: users (invite, role, county, deactivate), criteria (titles and guidance),
taxonomies (labels of sectors, target groups and articles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlmodel import select

from app.core.db import MAX_ID
from app.core.errors import AppError, FieldError, InputError, NotFound
from app.models import (
    Article,
    County,
    Criterion,
    OneTimeToken,
    Sector,
    TargetGroup,
    User,
)
from app.services import admin as admin_service
from app.services import auth as auth_service
from app.services import criteria as criteria_service
from app.services import organisations as organisations_service
from app.services.policy import authorize
from app.services.submissions import actor_label
from app.services.users import parse_user_create
from app.web.auth import CommitFirst, CsrfForm, PageUser
from app.web.deps import SessionDep, SettingsDep
from app.web.ids import Id
from app.web.rendering import PageRoute, page, redirect

router = APIRouter(prefix="/admin", route_class=PageRoute, dependencies=[CsrfForm, CommitFirst], include_in_schema=False)


@router.get("")
def admin_home(request: Request, user: PageUser):
    authorize("admin.users", user)
    return page(request, "admin/home.html", {"nav": "admin"}, user=user)


def _organisation_context(session) -> dict:
    return {"organisation_choices": organisations_service.choices(session),
            "organisation_names": {o.id: o.name for o in organisations_service.list_all(session)}}


def _form_id(value: str, field: str = "organisation_id") -> int | None:
    """A posted id: blank is none; anything but a whole number in range is a 422 naming the field."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise InputError([FieldError(field, "choose an organisation from the list")])
    return int(value)


def _users_context(session, **extra):
    users = session.exec(select(User).order_by(User.role, User.email)).all()
    pending = set(session.exec(select(OneTimeToken.user_id).where(OneTimeToken.purpose == "invite", OneTimeToken.used_at.is_(None))).all())  # type: ignore[union-attr]
    counties = session.exec(select(County).order_by(County.code)).all()
    return {"users": users, "pending": pending, "counties": counties, "nav": "admin", "form": {}, "errors": [],
            **_organisation_context(session), **extra}


@router.get("/anvandare")
def users_page(request: Request, session: SessionDep, user: PageUser, done: str | None = None):
    authorize("admin.users", user)
    return page(request, "admin/users.html", _users_context(session, done=done), user=user)


@router.post("/anvandare/bjud-in")
def invite(request: Request, session: SessionDep, settings: SettingsDep, user: PageUser,
           email: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
           role: Annotated[str, Form()] = "contributor", county_code: Annotated[str, Form()] = "",
           organisation_id: Annotated[str, Form()] = ""):
    authorize("admin.users", user)
    form = {"email": email, "name": name, "role": role, "county_code": county_code,
            "organisation_id": int(organisation_id) if organisation_id.isdigit() and len(organisation_id) < 10 else None}
    try:
        data = parse_user_create(email=email, name=name, role=role, county_code=county_code or None,
                                 organisation_id=_form_id(organisation_id))
        auth_service.invite_new_user(session, settings=settings, data=data, invited_by=actor_label(user))
    except AppError as exc:
        errors = [(f.field, f.message) for f in exc.fields] or [("email", exc.message)]
        return page(request, "admin/users.html", _users_context(session, form=form, errors=errors), user=user,
                    status_code=exc.status)
    return redirect("/admin/anvandare?done=invited")


def _account(session, user_id: int) -> User:
    account = session.get(User, user_id)
    if account is None:
        raise NotFound("Användaren finns inte")
    return account


@router.get("/anvandare/{user_id}")
def user_page(request: Request, session: SessionDep, user: PageUser, user_id: Id):
    authorize("admin.users", user)
    account = _account(session, user_id)
    counties = session.exec(select(County).order_by(County.code)).all()
    return page(request, "admin/user.html", {"account": account, "counties": counties, "errors": [], "nav": "admin",
                                             **_organisation_context(session)}, user=user)


@router.post("/anvandare/{user_id}")
def update_user(request: Request, session: SessionDep, user: PageUser, user_id: Id,
                name: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "",
                county_code: Annotated[str, Form()] = "", organisation_id: Annotated[str, Form()] = "",
                is_active: Annotated[str, Form()] = ""):
    authorize("admin.users", user)
    account = _account(session, user_id)
    try:
        admin_service.update_user(session, admin=user, user=account, name=name, role=role, county_code=county_code,
                                  organisation_id=_form_id(organisation_id), is_active=is_active == "on")
    except AppError as exc:
        counties = session.exec(select(County).order_by(County.code)).all()
        errors = [(f.field, f.message) for f in exc.fields] or [("role", exc.message)]
        return page(request, "admin/user.html", {"account": account, "counties": counties, "errors": errors,
                                                 "nav": "admin", **_organisation_context(session)},
                    user=user, status_code=exc.status)
    return redirect("/admin/anvandare?done=saved")


@router.post("/anvandare/{user_id}/bjud-in-igen")
def reinvite(session: SessionDep, settings: SettingsDep, user: PageUser, user_id: Id):
    authorize("admin.users", user)
    account = _account(session, user_id)
    auth_service.invite(session, settings=settings, user=account, invited_by=actor_label(user))
    return redirect("/admin/anvandare?done=invited")


@router.get("/kriterier")
def criteria_page(request: Request, session: SessionDep, user: PageUser, done: str | None = None):
    authorize("admin.criteria", user)
    rows = session.exec(select(Criterion).order_by(Criterion.position)).all()
    return page(request, "admin/criteria.html", {"rows": rows, "done": done, "nav": "admin"}, user=user)


@router.post("/kriterier/{key}")
def update_criterion(session: SessionDep, user: PageUser, key: str,
                     title_sv: Annotated[str, Form()] = "", title_en: Annotated[str, Form()] = "",
                     guidance_sv: Annotated[str, Form()] = "", guidance_en: Annotated[str, Form()] = ""):
    authorize("admin.criteria", user)
    criteria_service.update_criterion(session, user=user, key=key, title_sv=title_sv, title_en=title_en,
                                      guidance_sv=guidance_sv, guidance_en=guidance_en)
    return redirect(f"/admin/kriterier?done={key}#criterion-{key}")


@router.get("/taxonomier")
def taxonomies_page(request: Request, session: SessionDep, user: PageUser, done: str | None = None,
                    queued: int | None = None):
    authorize("admin.taxonomies", user)
    return page(request, "admin/taxonomies.html", {
        "sectors": session.exec(select(Sector).order_by(Sector.position)).all(),
        "target_groups": session.exec(select(TargetGroup).order_by(TargetGroup.position)).all(),
        "articles": session.exec(select(Article).order_by(Article.number)).all(),
        "done": done, "queued": queued, "nav": "admin",
    }, user=user)


@router.post("/taxonomier/{kind}/{key}")
def update_label(session: SessionDep, user: PageUser, kind: str, key: str,
                 label_sv: Annotated[str, Form()] = "", label_en: Annotated[str, Form()] = ""):
    authorize("admin.taxonomies", user)
    queued = admin_service.update_label(session, user=user, kind=kind, key=key, label_sv=label_sv, label_en=label_en)
    return redirect(f"/admin/taxonomier?done={kind}-{key}&queued={queued}#{kind}-{key}")
