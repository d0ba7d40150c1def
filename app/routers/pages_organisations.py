"""Admin pages for organisations: the list (filter by county), create, edit. Plain forms
that work without JavaScript; a refused form comes back with an error summary linking each
field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlmodel import Session, select

from app.core.errors import AppError
from app.core.i18n import gettext
from app.models import County, Municipality, Organisation
from app.models.vocabulary import ORGANISATION_TYPES
from app.services import organisations as organisations_service
from app.services.policy import authorize
from app.web.auth import CommitFirst, CsrfForm, PageUser
from app.web.deps import SessionDep
from app.web.ids import Id
from app.web.rendering import PageRoute, lang_of, page, redirect

router = APIRouter(prefix="/admin/organisationer", route_class=PageRoute, dependencies=[CsrfForm, CommitFirst],
                   include_in_schema=False)


def _l(message: str) -> str:
    return message


FIELD_TITLES = {
    "name": _l("Name"),
    "type": _l("Type of organisation"),
    "county_code": _l("County"),
    "municipality_code": _l("Municipality"),
    "org_number": _l("Organisation number"),
}
# What the form says about a refused field (the service's message is technical English).
FRIENDLY = {
    "name": _l("Give the name, 2–200 characters."),
    "type": _l("Choose the type of organisation."),
    "county_code": _l("Choose the county."),
    "municipality_code": _l("Choose the municipality; it must lie in the chosen county. A municipality (type Kommun) needs one."),
}
ORG_NUMBER_FORMAT = _l("Write the organisation number as NNNNNN-NNNN (10 digits).")
ORG_NUMBER_CHECK = _l("The organisation number's check digit (the last digit) is wrong.")
ORG_NUMBER_TAKEN = _l("Another organisation already has this organisation number.")
NAME_TAKEN = _l("An organisation with this name already exists in this county and municipality.")


def _message(field: str, message: str, lang: str) -> str:
    if field == "org_number":
        if "check digit" in message:
            text = ORG_NUMBER_CHECK
        elif "already used" in message:
            text = ORG_NUMBER_TAKEN
        else:
            text = ORG_NUMBER_FORMAT
    elif field == "name" and "already exists" in message:
        text = NAME_TAKEN
    else:
        text = FRIENDLY.get(field, message)
    return gettext(lang, text)


def _choices(session: Session, lang: str) -> dict[str, Any]:
    counties = session.exec(select(County).order_by(County.code)).all()
    municipalities: dict[str, list[Municipality]] = {}
    for m in session.exec(select(Municipality).order_by(Municipality.name)).all():
        municipalities.setdefault(m.county_code, []).append(m)
    return {
        "counties": counties,
        "county_names": {c.code: c.name for c in counties},
        "municipalities": municipalities,
        "municipality_names": {m.code: m.name for rows in municipalities.values() for m in rows},
        "types": [(key, sv if lang == "sv" else en) for key, (sv, en) in ORGANISATION_TYPES.items()],
        "type_names": {key: sv if lang == "sv" else en for key, (sv, en) in ORGANISATION_TYPES.items()},
        "field_titles": {k: gettext(lang, v) for k, v in FIELD_TITLES.items()},
        "nav": "admin",
    }


def _form_values(name: str, type: str, county_code: str, municipality_code: str, org_number: str) -> dict[str, str]:
    return {"name": name, "type": type, "county_code": county_code, "municipality_code": municipality_code,
            "org_number": org_number}


def _errors(exc: AppError, lang: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    inline: dict[str, str] = {}
    for f in exc.fields:
        name = f.field.split(".")[0]
        inline.setdefault(name if name in FIELD_TITLES else "name", _message(name, f.message, lang))
    if not inline:
        inline["name"] = exc.message
    titles = {k: gettext(lang, v) for k, v in FIELD_TITLES.items()}
    return [(k, f"{titles.get(k, k)}: {v}") for k, v in inline.items()], inline


@router.get("")
def organisations_page(request: Request, session: SessionDep, user: PageUser, lan: str | None = None,
                       done: str | None = None):
    authorize("admin.organisations", user)
    lang = lang_of(request)
    county = lan if lan and lan.isdigit() and len(lan) == 2 else None
    return page(request, "admin/organisations.html", {
        "rows": organisations_service.list_all(session, county_code=county), "county": county,
        "members": organisations_service.member_counts(session), "unmatched": organisations_service.unmatched(session),
        "form": {}, "errors": [], "inline": {}, "done": done, **_choices(session, lang),
    }, user=user)


@router.post("")
def create_organisation(request: Request, session: SessionDep, user: PageUser,
                        name: Annotated[str, Form()] = "", type: Annotated[str, Form()] = "",
                        county_code: Annotated[str, Form()] = "", municipality_code: Annotated[str, Form()] = "",
                        org_number: Annotated[str, Form()] = ""):
    authorize("admin.organisations", user)
    lang = lang_of(request)
    form = _form_values(name, type, county_code, municipality_code, org_number)
    try:
        row = organisations_service.create(session, data=organisations_service.parse_organisation_in(form))
    except AppError as exc:
        summary, inline = _errors(exc, lang)
        return page(request, "admin/organisations.html", {
            "rows": organisations_service.list_all(session), "county": None,
            "members": organisations_service.member_counts(session),
            "unmatched": organisations_service.unmatched(session),
            "form": form, "errors": summary, "inline": inline, "done": None, **_choices(session, lang),
        }, user=user, status_code=exc.status)
    return redirect(f"/admin/organisationer?done=created#org-{row.id}")


@router.get("/{organisation_id}")
def organisation_page(request: Request, session: SessionDep, user: PageUser, organisation_id: Id,
                      done: str | None = None):
    authorize("admin.organisations", user)
    row = organisations_service.get(session, organisation_id)
    return _edit_page(request, session, user, row, form=_values_of(row), done=done)


def _values_of(row: Organisation) -> dict[str, str]:
    return {"name": row.name, "type": row.type, "county_code": row.county_code,
            "municipality_code": row.municipality_code or "", "org_number": row.org_number or ""}


def _edit_page(request, session, user, row, *, form, errors=(), inline=None, done=None, status_code=200):
    from app.models import User

    members = session.exec(select(User).where(User.organisation_id == row.id).order_by(User.email)).all()
    return page(request, "admin/organisation.html", {
        "org": row, "form": form, "errors": list(errors), "inline": inline or {}, "done": done, "members": members,
        **_choices(session, lang_of(request)),
    }, user=user, status_code=status_code)


@router.post("/{organisation_id}")
def update_organisation(request: Request, session: SessionDep, user: PageUser, organisation_id: Id,
                        name: Annotated[str, Form()] = "", type: Annotated[str, Form()] = "",
                        county_code: Annotated[str, Form()] = "", municipality_code: Annotated[str, Form()] = "",
                        org_number: Annotated[str, Form()] = ""):
    authorize("admin.organisations", user)
    row = organisations_service.get(session, organisation_id)
    form = _form_values(name, type, county_code, municipality_code, org_number)
    try:
        organisations_service.update(session, organisation=row, data=organisations_service.parse_organisation_in(form))
    except AppError as exc:
        session.refresh(row)
        summary, inline = _errors(exc, lang_of(request))
        return _edit_page(request, session, user, row, form=form, errors=summary, inline=inline,
                          status_code=exc.status)
    return redirect(f"/admin/organisationer/{row.id}?done=saved")
