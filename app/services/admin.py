"""The national coordinator's tools: accounts (role, county, organisation, active) and the
labels of the taxonomies. A label change reaches search: every published example carrying
the changed tag gets a search-outbox row in the same transaction."""

from __future__ import annotations

from sqlmodel import Session, select

from app.core.errors import Conflict, FieldError, InputError, NotFound
from app.models import Article, County, Example, Organisation, Sector, TargetGroup, User
from app.services.auth import end_all_sessions
from app.services.outbox import enqueue
from app.services.policy import authorize

TAXONOMIES = {"sectors": (Sector, "sectors"), "target-groups": (TargetGroup, "target_groups"),
              "articles": (Article, "articles")}


def update_user(session: Session, *, admin: User, user: User, name: str, role: str, county_code: str | None,
                organisation_id: int | None, is_active: bool) -> User:
    authorize("admin.users", admin)
    errors: list[FieldError] = []
    if role not in ("contributor", "editor", "admin"):
        errors.append(FieldError("role", "unknown role"))
    county_code = (county_code or "").strip() or None
    if county_code and session.get(County, county_code) is None:
        errors.append(FieldError("county_code", f"unknown county '{county_code}'"))
    if role == "editor" and not county_code:
        errors.append(FieldError("county_code", "an editor must have a county"))
    if len(name) > 200:
        errors.append(FieldError("name", "at most 200 characters"))
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        errors.append(FieldError("organisation_id", f"unknown organisation {organisation_id}"))
    if errors:
        raise InputError(errors)
    if user.id == admin.id and (role != "admin" or not is_active):
        raise Conflict("Du kan inte ta bort din egen administratörsroll eller stänga ditt eget konto", code="self_lockout")
    was_active = user.is_active
    user.name = name.strip()
    user.role = role
    user.county_code = county_code
    user.organisation_id = organisation_id
    user.is_active = is_active
    session.add(user)
    if was_active and not is_active:
        end_all_sessions(session, user_id=user.id)
    session.flush()
    return user


def update_label(session: Session, *, user: User, kind: str, key: str, label_sv: str, label_en: str) -> int:
    """Change a tag's labels; returns how many published examples were queued for
    re-indexing."""
    authorize("admin.taxonomies", user)
    if kind not in TAXONOMIES:
        raise NotFound("Taxonomin finns inte")
    model, field = TAXONOMIES[kind]
    if model is Article and not (str(key).isdigit() and len(str(key)) <= 3):
        raise NotFound("Värdet finns inte")
    row = session.get(model, int(key) if model is Article else key)
    if row is None:
        raise NotFound("Värdet finns inte")
    label_sv, label_en = label_sv.strip(), label_en.strip()
    errors = [FieldError(name, "must be 1–200 characters") for name, value in (("label_sv", label_sv), ("label_en", label_en))
              if not 0 < len(value) <= 200]
    if errors:
        raise InputError(errors)
    if model is Article:
        changed = (row.title_sv, row.title_en) != (label_sv, label_en)
        row.title_sv, row.title_en = label_sv, label_en
        tag = row.number
    else:
        changed = (row.label_sv, row.label_en) != (label_sv, label_en)
        row.label_sv, row.label_en = label_sv, label_en
        tag = row.slug
    session.add(row)
    if not changed:
        return 0
    count = 0
    column = getattr(Example, field)
    for example_id, values in session.exec(select(Example.id, column).where(Example.status == "published")).all():
        if tag in (values or []):
            enqueue(session, example_id=example_id)
            count += 1
    session.flush()
    return count
