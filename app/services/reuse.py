""""Vi har också provat": a signed-in contributor reports that her organisation reused a
published example — when, what they adapted, the effort, the outcome and a short lesson.

Reports are reviewed like examples, by the county editors of the *reporting*
organisation's county (the admin may review any), against a lighter checklist: three
automatic criteria (the personal-data guard among them) and three judged ones. Nothing is
public before approval. Approval writes a search-outbox row for the example: its
``reuse_count`` (distinct organisations with a published report) changed.

Every status change is a conditional UPDATE on (id, status, version): of two simultaneous
decisions exactly one wins, the other gets 409.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic import Field as PField
from sqlalchemy import func, update
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import (
    Conflict,
    FieldError,
    InputError,
    NotFound,
    field_errors_from_pydantic,
)
from app.core.i18n import gettext
from app.core.time import as_utc, utcnow
from app.models import Example, ReuseReport, User
from app.models.reuse import OUTCOMES
from app.services.notifications import county_reviewers, notify
from app.services.outbox import enqueue
from app.services.personal_data import find_personal_numbers
from app.services.policy import authorize
from app.services.reference import ReferenceSets


def _l(message: str) -> str:
    return message


Outcome = Literal["better", "as_expected", "worse", "too_early"]
OUTCOME_LABELS: dict[str, str] = {
    "better": _l("Better than expected"),
    "as_expected": _l("As expected"),
    "worse": _l("Worse than expected"),
    "too_early": _l("Too early to say"),
}
assert set(OUTCOME_LABELS) == set(OUTCOMES)
STATUS_LABELS: dict[str, str] = {
    "submitted": _l("Waiting for review"),
    "changes_requested": _l("Changes requested"),
    "published": _l("Published"),
    "rejected": _l("Not approved"),
}
ADAPTATIONS_MIN, ADAPTATIONS_MAX = 40, 4000
LESSON_MIN, LESSON_MAX = 20, 1000
SCANNED: tuple[str, ...] = ("organisation_name", "adaptations", "lesson")

# The lighter checklist: (key, kind, title, guidance).
CHECKLIST: tuple[tuple[str, str, str, str], ...] = (
    ("no_personal_data", "automatic", _l("No personal data"),
     _l("No text contains a personal identity or coordination number.")),
    ("effort_stated", "automatic", _l("Effort stated"), _l("The hours spent on the reuse are given.")),
    ("organisation_identified", "automatic", _l("Organisation identified"),
     _l("The organisation and its county are given, and a municipality, if given, lies in that county.")),
    ("adaptation_described", "judged", _l("Adaptation described"),
     _l("Another organisation can see what was changed from the original example, and why.")),
    ("outcome_supported", "judged", _l("Outcome supported"),
     _l("The outcome and the lesson follow from what is described; nothing is only a plan.")),
    ("no_identifiable_people", "judged", _l("Nobody identifiable"),
     _l("No child, family or employee can be identified from the text.")),
)
AUTOMATIC = tuple(k for k, kind, *_ in CHECKLIST if kind == "automatic")
JUDGED = tuple(k for k, kind, *_ in CHECKLIST if kind == "judged")
Judgement = Literal["met", "not_met", "not_applicable"]


class ReuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    organisation_name: str = PField(min_length=2, max_length=200)
    county_code: str = PField(pattern=r"^\d{2}$")
    municipality_code: str | None = PField(default=None, pattern=r"^\d{4}$")
    used_year: int = PField(ge=1990, le=2100)
    used_month: int | None = PField(default=None, ge=1, le=12)
    adaptations: str = PField(min_length=ADAPTATIONS_MIN, max_length=ADAPTATIONS_MAX)
    effort_hours: int = PField(ge=0, le=1_000_000)
    outcome: Outcome
    lesson: str = PField(min_length=LESSON_MIN, max_length=LESSON_MAX)


def _blank_to_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, str) and not v.strip() and k in ("municipality_code", "used_month") else v)
            for k, v in data.items()}


def parse_report(data: Any, *, session: Session) -> ReuseIn:
    """Validate a report (shape, lengths, references, personal data). Raises InputError
    naming every bad field."""
    if not isinstance(data, dict):
        raise InputError([FieldError("body", "must be an object")])
    try:
        report = ReuseIn.model_validate(_blank_to_none(data))
    except ValidationError as exc:
        raise InputError(field_errors_from_pydantic(exc), message="Rapporten är inte komplett") from None
    errors: list[FieldError] = []
    refs = ReferenceSets.load(session)
    if report.county_code not in refs.counties:
        errors.append(FieldError("county_code", f"unknown county {report.county_code}"))
    if report.municipality_code is not None:
        county = refs.municipality_county.get(report.municipality_code)
        if county is None:
            errors.append(FieldError("municipality_code", f"unknown municipality {report.municipality_code}"))
        elif county != report.county_code:
            errors.append(FieldError("municipality_code", "does not lie in the county given"))
    if report.used_year > utcnow().year:
        errors.append(FieldError("used_year", "must not be in the future"))
    for name in SCANNED:
        if find_personal_numbers(getattr(report, name)):
            errors.append(FieldError(name, "contains a personal identity or coordination number; remove it"))
    if errors:
        raise InputError(errors, message="Rapporten kan inte skickas in så här")
    return report


def automatic_results(report: ReuseReport | ReuseIn, refs: ReferenceSets) -> dict[str, bool]:
    municipality_ok = (report.municipality_code is None
                       or refs.municipality_county.get(report.municipality_code) == report.county_code)
    return {
        "no_personal_data": not any(find_personal_numbers(getattr(report, n) or "") for n in SCANNED),
        "effort_stated": report.effort_hours is not None and report.effort_hours >= 0,
        "organisation_identified": bool(report.organisation_name.strip()) and report.county_code in refs.counties
        and municipality_ok,
    }


def _reviewers_told(session: Session, *, settings: Settings, report: ReuseReport, example: Example,
                    actor: User) -> None:
    notify(session, settings=settings, recipients=county_reviewers(session, county_code=report.county_code),
           kind="reuse_submitted", actor_label=actor.name or actor.email, title=example.title,
           example_id=example.id)


def create_report(session: Session, *, user: User, example: Example, data: ReuseIn, settings: Settings) -> ReuseReport:
    authorize("reuse.create", user, example)
    if example.status != "published":
        raise NotFound("Exemplet finns inte")
    now = utcnow()
    report = ReuseReport(example_id=example.id, author_id=user.id, organisation_id=user.organisation_id,
                         **data.model_dump(), status="submitted",
                         created_at=now, updated_at=now, submitted_at=now)
    session.add(report)
    session.flush()
    _reviewers_told(session, settings=settings, report=report, example=example, actor=user)
    session.flush()
    return report


def _conditional(session: Session, report: ReuseReport, *, statuses: set[str], values: dict[str, Any]) -> bool:
    result = session.execute(
        update(ReuseReport)
        .where(ReuseReport.id == report.id, ReuseReport.status.in_(statuses),  # type: ignore[attr-defined]
               ReuseReport.version == report.version)
        .values(version=report.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.refresh(report)
    return True


def resubmit(session: Session, *, user: User, report: ReuseReport, data: ReuseIn, settings: Settings) -> ReuseReport:
    """The author (or a colleague) answers a request for changes: new content, submitted again."""
    authorize("reuse.edit", user, report)
    if report.status != "changes_requested":
        raise Conflict("Rapporten kan inte ändras nu", code="invalid_transition")
    now = utcnow()
    if not _conditional(session, report, statuses={"changes_requested"},
                        values={**data.model_dump(), "status": "submitted", "submitted_at": now, "updated_at": now}):
        raise Conflict("Rapporten har ändrats samtidigt", code="concurrent_change")
    example = session.get(Example, report.example_id)
    _reviewers_told(session, settings=settings, report=report, example=example, actor=user)
    session.flush()
    return report


class ReuseDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    decision: Literal["approve", "request_changes", "reject"]
    comment: str = PField(default="", max_length=4000)
    criteria: dict[str, Judgement] = PField(default_factory=dict)
    comments: dict[str, str] = PField(default_factory=dict)


def parse_decision(data: Any) -> ReuseDecisionIn:
    if not isinstance(data, dict):
        raise InputError([FieldError("body", "must be an object")])
    try:
        return ReuseDecisionIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(field_errors_from_pydantic(exc)) from None


RESULT = {"approve": "published", "request_changes": "changes_requested", "reject": "rejected"}


def decide(session: Session, *, report: ReuseReport, reviewer: User, data: ReuseDecisionIn,
           settings: Settings) -> ReuseReport:
    authorize("reuse.decide", reviewer, report)
    if report.status != "submitted":
        raise Conflict("Rapporten väntar inte på beslut", code="invalid_transition")
    errors: list[FieldError] = []
    for key in data.criteria:
        if key not in JUDGED:
            errors.append(FieldError(f"criteria.{key}", "unknown criterion" if key not in AUTOMATIC
                                     else "automatic criteria are checked by the system, not judged"))
    refs = ReferenceSets.load(session)
    automatic = automatic_results(report, refs)
    for key in JUDGED:
        judged = data.criteria.get(key)
        comment = (data.comments.get(key) or "").strip()
        if judged is None:
            if data.decision == "approve":
                errors.append(FieldError(f"criteria.{key}", "must be judged before approval"))
            continue
        if judged != "met" and not (comment or data.comment):
            errors.append(FieldError(f"criteria.{key}", f"a comment is required when the judgement is {judged}"))
        if data.decision == "approve" and judged == "not_met":
            errors.append(FieldError(f"criteria.{key}", "not met: the report cannot be approved"))
    if data.decision == "approve":
        errors += [FieldError(f"criteria.{k}", "automatic criterion not met") for k, ok in automatic.items() if not ok]
    elif not data.comment:
        errors.append(FieldError("comment", "say what the author should change, or why it is rejected"))
    if errors:
        raise InputError(errors, message="Beslutet kan inte fattas så här")
    now = utcnow()
    checklist = {k: {"kind": "automatic", "result": "met" if ok else "not_met", "comment": ""}
                 for k, ok in automatic.items()}
    for key, judged in data.criteria.items():
        checklist[key] = {"kind": "judged", "result": judged, "comment": (data.comments.get(key) or "").strip()}
    status = RESULT[data.decision]
    values: dict[str, Any] = {"status": status, "decided_at": now, "updated_at": now, "reviewer_id": reviewer.id,
                              "checklist": checklist, "review_comment": data.comment}
    if status == "published":
        values["published_at"] = now
    if not _conditional(session, report, statuses={"submitted"}, values=values):
        raise Conflict("Ett annat beslut har redan fattats om rapporten", code="already_decided")
    if status == "published":
        enqueue(session, example_id=report.example_id)  # the example's reuse count changed
    example = session.get(Example, report.example_id)
    author = session.get(User, report.author_id) if report.author_id else None
    notify(session, settings=settings, recipients=[author] if author else [], kind="reuse_decision",
           detail=status, actor_label=reviewer.name or reviewer.email, title=example.title if example else "",
           example_id=report.example_id)
    session.flush()
    return report


def withdraw_report(session: Session, *, report: ReuseReport, user: User) -> ReuseReport:
    """Take a published report down again (its county's editors, the admin)."""
    authorize("reuse.decide_any", user, report)
    if report.status != "published":
        raise Conflict("Rapporten är inte publicerad", code="not_published")
    now = utcnow()
    if not _conditional(session, report, statuses={"published"},
                        values={"status": "rejected", "updated_at": now, "decided_at": now, "reviewer_id": user.id}):
        raise Conflict("Rapporten har ändrats samtidigt", code="concurrent_change")
    enqueue(session, example_id=report.example_id)
    session.flush()
    return report


# ---- Reading ----------------------------------------------------------------------------

def queue(session: Session, *, user: User) -> list[ReuseReport]:
    from app.services.policy import allowed

    query = select(ReuseReport).where(ReuseReport.status == "submitted")
    if user.role != "admin":
        query = query.where(ReuseReport.county_code == user.county_code)
    rows = session.exec(query.order_by(ReuseReport.submitted_at, ReuseReport.id)).all()
    return [r for r in rows if allowed("reuse.decide", user, r)]


def mine(session: Session, *, user: User) -> list[ReuseReport]:
    return list(session.exec(
        select(ReuseReport).where(ReuseReport.author_id == user.id).order_by(ReuseReport.id.desc())  # type: ignore[attr-defined]
    ).all())


def published_reports(session: Session, *, example_id: int) -> list[ReuseReport]:
    return list(session.exec(
        select(ReuseReport).where(ReuseReport.example_id == example_id, ReuseReport.status == "published")
        .order_by(ReuseReport.used_year.desc(), ReuseReport.published_at.desc(), ReuseReport.id.desc())  # type: ignore[attr-defined]
    ).all())


def _organisation_key(report: ReuseReport) -> str:
    return report.organisation_name.strip().casefold()


def reuse_counts(session: Session, example_ids: list[int]) -> dict[int, int]:
    """Distinct organisations with a published report, per example (0 when none)."""
    if not example_ids:
        return {}
    rows = session.exec(
        select(ReuseReport.example_id, func.count(func.distinct(func.lower(ReuseReport.organisation_name))))
        .where(ReuseReport.example_id.in_(example_ids), ReuseReport.status == "published")  # type: ignore[attr-defined]
        .group_by(ReuseReport.example_id)
    ).all()
    return {example_id: int(count) for example_id, count in rows}


@dataclass
class ReuseSummary:
    reports: list[ReuseReport]
    organisations: int
    counties: list[tuple[str, str, int]]  # (code, name, reports) in county-code order
    outcomes: list[tuple[str, str, int]]  # (outcome, label, reports), every outcome

    @property
    def count(self) -> int:
        return len(self.reports)


def summary(session: Session, *, example_id: int, lang: str, county_names: dict[str, str]) -> ReuseSummary:
    reports = published_reports(session, example_id=example_id)
    by_county = Counter(r.county_code for r in reports)
    by_outcome = Counter(r.outcome for r in reports)
    return ReuseSummary(
        reports=reports,
        organisations=len({_organisation_key(r) for r in reports}),
        counties=[(code, county_names.get(code, code), n) for code, n in sorted(by_county.items())],
        outcomes=[(o, gettext(lang, OUTCOME_LABELS[o]), by_outcome.get(o, 0)) for o in OUTCOMES],
    )


def iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def report_public(report: ReuseReport, *, base_url: str) -> dict[str, Any]:
    """A published report as the API and the export show it (no author account)."""
    return {
        "id": report.id,
        "example_id": report.example_id,
        "url": f"{base_url.rstrip('/')}/provat/{report.id}",
        "organisation_name": report.organisation_name,
        "county_code": report.county_code,
        "municipality_code": report.municipality_code,
        "used_year": report.used_year,
        "used_month": report.used_month,
        "adaptations": report.adaptations,
        "effort_hours": report.effort_hours,
        "outcome": report.outcome,
        "lesson": report.lesson,
        "published_at": iso(report.published_at),
        "review": {k: v.get("result") for k, v in (report.checklist or {}).items()},
    }


def reuse_api(session: Session, *, example_id: int, base_url: str) -> dict[str, Any]:
    reports = published_reports(session, example_id=example_id)
    counties = Counter(r.county_code for r in reports)
    outcomes = Counter(r.outcome for r in reports)
    return {
        "reuse_count": len({_organisation_key(r) for r in reports}),
        "reports": len(reports),
        "counties": dict(sorted(counties.items())),
        "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
        "reuse_url": f"{base_url.rstrip('/')}/api/v1/examples/{example_id}/reuse",
    }


def load_visible(session: Session, *, report_id: int, user: User | None) -> ReuseReport:
    """A published report for anyone; otherwise only for those the policy lets see it."""
    from app.services.policy import allowed

    report = session.get(ReuseReport, report_id)
    if report is None or (report.status != "published" and not allowed("reuse.view", user, report)):
        raise NotFound("Rapporten finns inte")
    return report


# A tile map of the 21 counties, north at the top (column, row): a schematic map the
# example page draws as inline SVG beside the county table (the table is the text).
COUNTY_TILES: dict[str, tuple[int, int]] = {
    "25": (3, 0), "24": (2, 1), "23": (1, 2), "22": (2, 2), "20": (1, 3), "21": (2, 3),
    "17": (0, 4), "19": (1, 4), "03": (2, 4), "14": (0, 5), "18": (1, 5), "04": (2, 5), "01": (3, 5),
    "13": (0, 6), "06": (1, 6), "05": (2, 6), "09": (3, 6), "07": (1, 7), "08": (2, 7),
    "12": (1, 8), "10": (2, 8),
}


def county_map_rows(taxonomy: Any, lang: str) -> list[tuple[str, str, int, int]]:
    """(code, name, column, row) of every county with a tile."""
    return [(code, taxonomy.label("county", code, lang), col, row)
            for code, (col, row) in COUNTY_TILES.items() if taxonomy.knows("county", code)]
