"""Effort and duration bands: the single source of truth for values and labels.

Both search engines index the *band value* computed by :func:`effort_band` /
:func:`duration_band` (via ``search.documents.build_document``); the UI shows
the labels from :data:`EFFORT_BANDS` / :data:`DURATION_BANDS`.

Band boundaries (hours / months are whole numbers):

======== ==================  ==============================================
band     rule                note
======== ==================  ==============================================
``<40``       hours < 40
``40-200``    40 <= hours < 200
``200-1000``  200 <= hours <= 1000   (1000 itself is *not* "more than 1000")
``>1000``     hours > 1000
``<3``        months < 3
``3-12``      3 <= months <= 12
``>12``       months > 12
``ongoing``   started, no end year   (takes precedence over months; see is_ongoing)
======== ==================  ==============================================

Unknown hours (or unknown months for a finished example) give ``None``: the
example simply has no band and is never matched by a band filter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Band:
    value: str
    label_sv: str
    label_en: str


EFFORT_BANDS: tuple[Band, ...] = (
    Band("<40", "Mindre än 40 timmar", "Less than 40 hours"),
    Band("40-200", "40–200 timmar", "40–200 hours"),
    Band("200-1000", "200–1 000 timmar", "200–1,000 hours"),
    Band(">1000", "Mer än 1 000 timmar", "More than 1,000 hours"),
)

DURATION_BANDS: tuple[Band, ...] = (
    Band("<3", "Kortare än 3 månader", "Less than 3 months"),
    Band("3-12", "3–12 månader", "3–12 months"),
    Band(">12", "Längre än 12 månader", "More than 12 months"),
    Band("ongoing", "Pågående", "Ongoing"),
)

EFFORT_VALUES: tuple[str, ...] = tuple(b.value for b in EFFORT_BANDS)
DURATION_VALUES: tuple[str, ...] = tuple(b.value for b in DURATION_BANDS)

_BY_VALUE = {("effort", b.value): b for b in EFFORT_BANDS} | {
    ("duration", b.value): b for b in DURATION_BANDS
}


def effort_band(hours: int | None) -> str | None:
    """Band value for an effort in hours, or None if unknown."""
    if hours is None:
        return None
    if hours < 40:
        return "<40"
    if hours < 200:
        return "40-200"
    if hours <= 1000:
        return "200-1000"
    return ">1000"


def is_ongoing(start_year: int | None, end_year: int | None) -> bool:
    """Ongoing work has a start year and no end year. An example with no years at all
    (say "5 months") is not ongoing: its years are simply not stated."""
    return start_year is not None and end_year is None


def duration_band(months: int | None, *, ongoing: bool) -> str | None:
    """Band value for a duration; ``ongoing`` (see :func:`is_ongoing`) wins."""
    if ongoing:
        return "ongoing"
    if months is None:
        return None
    if months < 3:
        return "<3"
    if months <= 12:
        return "3-12"
    return ">12"


def band_label(kind: str, value: str, lang: str = "sv") -> str:
    """Label for a band value; ``kind`` is "effort" or "duration"."""
    band = _BY_VALUE[(kind, value)]
    return band.label_sv if lang == "sv" else band.label_en
