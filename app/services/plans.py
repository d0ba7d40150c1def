"""Plans built from examples ("Min plan").

A municipal action plan has three parts: a mapping of local conditions ("kartläggning"),
the measures proposed (here: published examples taken in, each with the planner's own
notes, responsible unit, planned start and effort estimate, pre-filled from the example's
``effort_hours``) and how the work is followed up ("uppföljning"). A plan is private to its
owner; sharing creates an unguessable read-only link that can be revoked.

Exports (DOCX through python-docx, and the printable page) cite every example with its
permalink and its current published version.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.core.errors import FieldError, InputError, NotFound
from app.core.i18n import gettext
from app.core.time import as_utc, utcnow
from app.models import Example, Plan, PlanMeasure, User
from app.models.plans import MEASURE_TEXT_MAX, PLAN_TEXT_MAX
from app.services.examples import get_published
from app.services.labels import _l
from app.services.policy import allowed, authorize
from app.services.serializers import permalink

MAX_MEASURES = 200
MAX_PLANS_PER_USER = 200
MAX_EFFORT = 10_000_000


# -- reading input ------------------------------------------------------------------------------
def _text(name: str, value: Any, limit: int, errors: list[FieldError], *, required: bool = False) -> str:
    text = (value if isinstance(value, str) else "").replace("\r\n", "\n").strip()
    if required and not text:
        errors.append(FieldError(name, "is required"))
    elif len(text) > limit:
        errors.append(FieldError(name, f"must be at most {limit} characters"))
    return text


def _effort(value: Any, errors: list[FieldError]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    raw = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if isinstance(value, bool) or not raw.isdigit():
        errors.append(FieldError("effort_hours", "must be a whole number of hours"))
        return None
    number = int(raw)
    if number > MAX_EFFORT:
        errors.append(FieldError("effort_hours", f"must be at most {MAX_EFFORT}"))
        return None
    return number


def _date(value: Any, errors: list[FieldError]) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return value
    try:
        parsed = date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(FieldError("planned_start", "must be a date (YYYY-MM-DD)"))
        return None
    if not 1990 <= parsed.year <= 2100:
        errors.append(FieldError("planned_start", "must be between 1990 and 2100"))
        return None
    return parsed


# -- plans ---------------------------------------------------------------------------------------
def list_plans(session: Session, *, user: User) -> list[Plan]:
    return list(session.exec(select(Plan).where(Plan.owner_id == user.id).order_by(Plan.updated_at.desc(), Plan.id.desc())).all())  # type: ignore[attr-defined]


def create_plan(session: Session, *, user: User, title: Any) -> Plan:
    authorize("plan.create", user)
    errors: list[FieldError] = []
    text = _text("title", title, 200, errors, required=True)
    if errors:
        raise InputError(errors)
    count = session.exec(select(func.count(Plan.id)).where(Plan.owner_id == user.id)).one()
    if count >= MAX_PLANS_PER_USER:
        raise InputError([FieldError("title", f"at most {MAX_PLANS_PER_USER} plans per account")])
    now = utcnow()
    plan = Plan(owner_id=user.id, title=text, created_at=now, updated_at=now)
    session.add(plan)
    session.flush()
    return plan


def get_plan(session: Session, *, user: User, plan_id: int) -> Plan:
    """The user's own plan; anyone else's is 'not found' (never 403: plans are private)."""
    plan = session.get(Plan, plan_id)
    if plan is None or not allowed("plan.manage", user, plan):
        raise NotFound("Planen finns inte")
    return plan


def update_plan(session: Session, *, plan: Plan, user: User, changes: dict[str, Any]) -> Plan:
    """Change title, mapping and/or follow-up (only the keys given)."""
    authorize("plan.manage", user, plan)
    errors: list[FieldError] = []
    unknown = set(changes) - {"title", "mapping", "follow_up"}
    errors += [FieldError(name, "unknown field") for name in sorted(unknown)]
    values: dict[str, str] = {}
    if "title" in changes:
        values["title"] = _text("title", changes["title"], 200, errors, required=True)
    for name in ("mapping", "follow_up"):
        if name in changes:
            values[name] = _text(name, changes[name], PLAN_TEXT_MAX, errors)
    if errors:
        raise InputError(errors)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.updated_at = utcnow()
    session.add(plan)
    session.flush()
    return plan


def delete_plan(session: Session, *, plan: Plan, user: User) -> None:
    authorize("plan.manage", user, plan)
    for measure in session.exec(select(PlanMeasure).where(PlanMeasure.plan_id == plan.id)).all():
        session.delete(measure)
    session.flush()
    session.delete(plan)
    session.flush()


def share_plan(session: Session, *, plan: Plan, user: User) -> str:
    """Turn the read-only link on (a new token each time: an old link stays dead)."""
    authorize("plan.manage", user, plan)
    plan.share_token = secrets.token_urlsafe(32)
    plan.updated_at = utcnow()
    session.add(plan)
    session.flush()
    return plan.share_token


def unshare_plan(session: Session, *, plan: Plan, user: User) -> None:
    authorize("plan.manage", user, plan)
    plan.share_token = None
    plan.updated_at = utcnow()
    session.add(plan)
    session.flush()


def shared_plan(session: Session, *, token: str) -> Plan:
    if not token or len(token) > 64:
        raise NotFound("Planen finns inte eller delas inte längre")
    plan = session.exec(select(Plan).where(Plan.share_token == token)).first()
    if plan is None or not secrets.compare_digest(plan.share_token or "", token):
        raise NotFound("Planen finns inte eller delas inte längre")
    return plan


# -- measures ------------------------------------------------------------------------------------
def measures_of(session: Session, plan: Plan) -> list[PlanMeasure]:
    return list(session.exec(
        select(PlanMeasure).where(PlanMeasure.plan_id == plan.id).order_by(PlanMeasure.position, PlanMeasure.id)
    ).all())


def add_measure(session: Session, *, plan: Plan, user: User, example_id: Any) -> tuple[PlanMeasure, bool]:
    """Take a published example into the plan; returns (measure, created). Adding one that
    is already there returns the existing measure."""
    authorize("plan.manage", user, plan)
    try:
        number = int(str(example_id).strip())
    except (TypeError, ValueError):
        raise InputError([FieldError("example_id", "must be the id of a published example")]) from None
    try:
        example = get_published(session, number)
    except NotFound:
        raise InputError([FieldError("example_id", "no published example has this id")]) from None
    existing = session.exec(
        select(PlanMeasure).where(PlanMeasure.plan_id == plan.id, PlanMeasure.example_id == example.id)
    ).first()
    if existing is not None:
        return existing, False
    count, last = session.exec(
        select(func.count(PlanMeasure.id), func.max(PlanMeasure.position)).where(PlanMeasure.plan_id == plan.id)
    ).one()
    if count >= MAX_MEASURES:
        raise InputError([FieldError("example_id", f"a plan holds at most {MAX_MEASURES} measures")])
    measure = PlanMeasure(
        plan_id=plan.id, example_id=example.id, example_version=example.version, position=(last or 0) + 1,
        effort_hours=example.effort_hours, created_at=utcnow(),
    )
    session.add(measure)
    plan.updated_at = utcnow()
    session.add(plan)
    session.flush()
    return measure, True


def get_measure(session: Session, *, plan: Plan, measure_id: int) -> PlanMeasure:
    measure = session.get(PlanMeasure, measure_id)
    if measure is None or measure.plan_id != plan.id:
        raise NotFound("Åtgärden finns inte i planen")
    return measure


MEASURE_FIELDS = ("notes", "responsible_unit", "planned_start", "effort_hours")


def update_measure(session: Session, *, plan: Plan, measure: PlanMeasure, user: User,
                   changes: dict[str, Any]) -> PlanMeasure:
    authorize("plan.manage", user, plan)
    errors: list[FieldError] = [FieldError(n, "unknown field") for n in sorted(set(changes) - set(MEASURE_FIELDS))]
    values: dict[str, Any] = {}
    if "notes" in changes:
        values["notes"] = _text("notes", changes["notes"], MEASURE_TEXT_MAX, errors)
    if "responsible_unit" in changes:
        values["responsible_unit"] = _text("responsible_unit", changes["responsible_unit"], 200, errors)
    if "planned_start" in changes:
        values["planned_start"] = _date(changes["planned_start"], errors)
    if "effort_hours" in changes:
        values["effort_hours"] = _effort(changes["effort_hours"], errors)
    if errors:
        raise InputError(errors)
    for name, value in values.items():
        setattr(measure, name, value)
    session.add(measure)
    plan.updated_at = utcnow()
    session.add(plan)
    session.flush()
    return measure


def remove_measure(session: Session, *, plan: Plan, measure: PlanMeasure, user: User) -> None:
    authorize("plan.manage", user, plan)
    session.delete(measure)
    plan.updated_at = utcnow()
    session.add(plan)
    session.flush()


# -- one view for the page, the printable page, the JSON and the DOCX -------------------------
@dataclass(frozen=True)
class MeasureView:
    id: int
    position: int
    example_id: int
    title: str
    organisation: str
    permalink: str
    version: int            # the example's current published version (cited)
    added_version: int      # the version when it was taken into the plan
    published: bool         # False once the example was withdrawn
    published_at: Any
    example_effort_hours: int | None
    notes: str
    responsible_unit: str
    planned_start: date | None
    effort_hours: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "position": self.position, "example_id": self.example_id, "title": self.title,
            "organisation_name": self.organisation, "permalink": self.permalink, "version": self.version,
            "added_version": self.added_version, "published": self.published, "notes": self.notes,
            "responsible_unit": self.responsible_unit,
            "planned_start": self.planned_start.isoformat() if self.planned_start else None,
            "effort_hours": self.effort_hours, "example_effort_hours": self.example_effort_hours,
        }


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    measures: list[MeasureView]

    @property
    def total_effort(self) -> int:
        return sum(m.effort_hours or 0 for m in self.measures)

    def as_json(self, *, base_url: str, include_share: bool = True) -> dict[str, Any]:
        plan = self.plan
        data: dict[str, Any] = {
            "id": plan.id, "title": plan.title, "mapping": plan.mapping, "follow_up": plan.follow_up,
            "created_at": as_utc(plan.created_at).isoformat(), "updated_at": as_utc(plan.updated_at).isoformat(),
            "measures": [m.as_json() for m in self.measures], "total_effort_hours": self.total_effort,
        }
        if include_share:
            data["share_url"] = share_url(base_url, plan)
        return data


def share_url(base_url: str, plan: Plan) -> str | None:
    return f"{base_url.rstrip('/')}/delad-plan/{plan.share_token}" if plan.share_token else None


def plan_view(session: Session, plan: Plan, *, base_url: str) -> PlanView:
    rows = measures_of(session, plan)
    examples = {
        e.id: e for e in session.exec(select(Example).where(Example.id.in_([m.example_id for m in rows]))).all()  # type: ignore[union-attr]
    } if rows else {}
    views = []
    for m in rows:
        ex = examples.get(m.example_id)
        views.append(MeasureView(
            id=m.id, position=m.position, example_id=m.example_id,
            title=ex.title if ex else f"#{m.example_id}", organisation=ex.organisation_name if ex else "",
            permalink=permalink(base_url, m.example_id), version=ex.version if ex else m.example_version,
            added_version=m.example_version, published=bool(ex and ex.status == "published"),
            published_at=as_utc(ex.published_at) if ex else None,
            example_effort_hours=ex.effort_hours if ex else None,
            notes=m.notes, responsible_unit=m.responsible_unit, planned_start=m.planned_start,
            effort_hours=m.effort_hours,
        ))
    return PlanView(plan, views)


# -- DOCX ----------------------------------------------------------------------------------------
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
H_MAPPING = _l("Mapping of local conditions")
H_MEASURES = _l("Measures")
H_FOLLOW_UP = _l("Follow-up")
H_SOURCES = _l("Examples cited")
L_RESPONSIBLE = _l("Responsible unit")
L_START = _l("Planned start")
L_EFFORT = _l("Effort estimate")
L_NOTES = _l("Notes")
L_SOURCE = _l("Source")
L_HOURS = _l("%(hours)s hours")
L_VERSION = _l("version %(version)s")
L_WITHDRAWN = _l("withdrawn from Barnrättsbanken")
L_TOTAL = _l("Total effort estimate: %(hours)s hours")
L_EMPTY = _l("Not written yet.")
L_NONE = _l("Not stated")
L_MADE_WITH = _l("Made with Barnrättsbanken, %(date)s.")


def _t(lang: str, message: str, **values: Any) -> str:
    text = gettext(lang, message)
    return text % values if values else text


def citation(m: MeasureView, lang: str) -> str:
    """'Title. Organisation. Barnrättsbanken, version N. <permalink>'"""
    status = f" ({_t(lang, L_WITHDRAWN)})" if not m.published else ""
    org = f" {m.organisation}." if m.organisation else ""
    return f"{m.title}.{org} Barnrättsbanken, {_t(lang, L_VERSION, version=m.version)}{status}. {m.permalink}"


def export_docx(view: PlanView, *, lang: str) -> bytes:
    from docx import Document
    from docx.shared import Pt

    plan = view.plan
    doc = Document()
    doc.core_properties.title = plan.title
    doc.core_properties.author = "Barnrättsbanken"
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(plan.title, level=0)

    def paragraphs(text: str) -> None:
        blocks = [b.strip() for b in (text or "").split("\n\n") if b.strip()]
        if not blocks:
            doc.add_paragraph().add_run(_t(lang, L_EMPTY)).italic = True
        for block in blocks:
            doc.add_paragraph(block)

    doc.add_heading(_t(lang, H_MAPPING), level=1)
    paragraphs(plan.mapping)
    doc.add_heading(_t(lang, H_MEASURES), level=1)
    for n, m in enumerate(view.measures, start=1):
        doc.add_heading(f"{n}. {m.title}", level=2)
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in (
            (L_RESPONSIBLE, m.responsible_unit or _t(lang, L_NONE)),
            (L_START, m.planned_start.isoformat() if m.planned_start else _t(lang, L_NONE)),
            (L_EFFORT, _t(lang, L_HOURS, hours=m.effort_hours) if m.effort_hours is not None else _t(lang, L_NONE)),
            (L_SOURCE, citation(m, lang)),
        ):
            cells = table.add_row().cells
            cells[0].text = _t(lang, label)
            cells[1].text = value
        if m.notes:
            doc.add_paragraph(_t(lang, L_NOTES) + ": " + m.notes)
    if view.measures:
        doc.add_paragraph(_t(lang, L_TOTAL, hours=view.total_effort))
    doc.add_heading(_t(lang, H_FOLLOW_UP), level=1)
    paragraphs(plan.follow_up)
    doc.add_heading(_t(lang, H_SOURCES), level=1)
    for n, m in enumerate(view.measures, start=1):
        doc.add_paragraph(f"[{n}] {citation(m, lang)}")
    doc.add_paragraph(_t(lang, L_MADE_WITH, date=utcnow().date().isoformat()))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def docx_filename(plan: Plan) -> str:
    from slugify import slugify

    return (slugify(plan.title, max_length=60, word_boundary=True) or "plan") + ".docx"
