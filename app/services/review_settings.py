"""Each county's review settings: how many days its editors have to review a submission.
A county without its own row uses BARNRATT_REVIEW_DAYS. The admin edits every county's,
a county editor their own county's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import FieldError, InputError, NotFound
from app.core.time import utcnow
from app.models import County, CountyReviewSettings, User
from app.services.policy import allowed, authorize

MIN_DAYS, MAX_DAYS = 1, 365


@dataclass(frozen=True)
class CountySetting:
    county_code: str
    county_name: str
    review_days: int
    custom: bool


def review_days(session: Session, *, county_code: str | None, settings: Settings) -> int:
    row = session.get(CountyReviewSettings, county_code) if county_code else None
    return row.review_days if row else settings.REVIEW_DAYS


def editable(session: Session, *, user: User, settings: Settings) -> list[CountySetting]:
    """The counties whose settings ``user`` may change, in code order."""
    rows = {r.county_code: r for r in session.exec(select(CountyReviewSettings)).all()}
    counties = session.exec(select(County).order_by(County.code)).all()
    return [
        CountySetting(c.code, c.name, rows[c.code].review_days if c.code in rows else settings.REVIEW_DAYS,
                      c.code in rows)
        for c in counties if allowed("review.settings", user, c.code)
    ]


def parse_days(value: object, *, field: str) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not (isinstance(value, int) or text.isdigit()):
        raise InputError([FieldError(field, f"a whole number of days from {MIN_DAYS} to {MAX_DAYS}")])
    days = int(value) if isinstance(value, int) else int(text)
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise InputError([FieldError(field, f"a whole number of days from {MIN_DAYS} to {MAX_DAYS}")])
    return days


def update(session: Session, *, user: User, county_code: str, review_days: int) -> CountyReviewSettings:
    """Set a county's review period (the caller is authorized here)."""
    if session.get(County, county_code) is None:
        raise NotFound("Länet finns inte")
    authorize("review.settings", user, county_code)
    if not MIN_DAYS <= review_days <= MAX_DAYS:
        raise InputError([FieldError("review_days", f"a whole number of days from {MIN_DAYS} to {MAX_DAYS}")])
    row = session.get(CountyReviewSettings, county_code)
    now = utcnow()
    if row is None:
        row = CountyReviewSettings(county_code=county_code, review_days=review_days, updated_at=now,
                                   updated_by_id=user.id)
    else:
        row.review_days, row.updated_at, row.updated_by_id = review_days, now, user.id
    session.add(row)
    session.flush()
    return row
