"""Texts the public site shows that are not reference data: facet names, example section
headings and, until the review workflow provides them as data, the titles of the quality
criteria (``FALLBACK_CRITERIA`` is the one place they live on this side).

Strings are English message ids marked with ``_l`` (extracted by Babel, translated when
shown with ``app.core.i18n.gettext(lang, ...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.i18n import gettext
from app.models.content import CONTENT_FIELDS


def _l(message: str) -> str:
    """Mark a message for extraction; translated later, in the request's language."""
    return message


# ---- The workflow: fields, statuses, decisions ---------------------------------------
# The example's fields: labels and hints come from their one declaration.
FIELD_LABELS: dict[str, str] = {f.name: f.label for f in CONTENT_FIELDS}
FIELD_HINTS: dict[str, str] = {f.name: f.hint for f in CONTENT_FIELDS if f.hint}

STATUS_LABELS: dict[str, str] = {
    "draft": _l("Draft"),
    "submitted": _l("Awaiting review"),
    "changes_requested": _l("Changes requested"),
    "published": _l("Published"),
    "rejected": _l("Not approved"),
    "withdrawn": _l("Withdrawn"),
}

ACTION_LABELS: dict[str, str] = {
    "created": _l("Draft created"),
    "revision_started": _l("Revision started"),
    "submitted": _l("Submitted for review"),
    "imported": _l("Imported for review"),
    "request_changes": _l("Changes requested"),
    "reject": _l("Not approved"),
    "published": _l("Approved and published"),
    "withdrawn": _l("Withdrawn"),
    "commented": _l("Comment"),
    "imported_published": _l("Imported and published"),
    "assigned": _l("Taken for review"),
    "unassigned": _l("Released for another editor"),
    "due_changed": _l("Due date changed"),
    "rereview_confirmed": _l("Re-reviewed: still valid"),
    "personal_data_override": _l("Published despite the personal data check (import)"),
}

DECISION_LABELS: dict[str, str] = {
    "approve": _l("Approve and publish"),
    "request_changes": _l("Request changes"),
    "reject": _l("Reject"),
}

JUDGEMENT_LABELS: dict[str, str] = {
    "met": _l("Met"),
    "not_met": _l("Not met"),
    "not_applicable": _l("Not applicable"),
}

KIND_LABELS: dict[str, str] = {
    "new": _l("New example"),
    "revision": _l("Revision"),
}


# ---- The public site: facets, sorts, sections, criteria ----------------------------------

FACET_TITLES: dict[str, str] = {
    "article": _l("Article of the Convention"),
    "sector": _l("Sector"),
    "county": _l("County"),
    "municipality": _l("Municipality"),
    "target_group": _l("Target group"),
    "age_group": _l("Age group"),
    "organisation_type": _l("Type of organisation"),
    "effort": _l("Effort"),
    "duration": _l("Duration"),
}

RANGE_TITLES: dict[str, str] = {
    "max_hours": _l("At most {n} hours"),
    "max_months": _l("At most {n} months"),
    "year_from": _l("Active from {n}"),
    "year_to": _l("Active until {n}"),
}

SORT_TITLES: dict[str, str] = {
    "relevance": _l("Best match"),
    "newest": _l("Newest first"),
    "effort_asc": _l("Least effort first"),
    "duration_asc": _l("Shortest first"),
    "reuse_desc": _l("Most reused first"),
}

# The example's text sections, in the fixed order every example page shows them.
SECTIONS: tuple[tuple[str, str], ...] = tuple(
    (f.name, f.heading or f.label) for f in CONTENT_FIELDS if f.kind == "markdown"
)


@dataclass(frozen=True)
class Criterion:
    key: str
    kind: str  # "automatic" or "judged"
    title: str
    guidance: str


# Fallback titles of the quality criteria (keys are stable, see the review workflow).
FALLBACK_CRITERIA: tuple[Criterion, ...] = (
    Criterion("articles_tagged", "automatic", _l("Articles tagged"),
              _l("At least one article of the Convention is named.")),
    Criterion("method_described", "automatic", _l("Method described"),
              _l("The method is described in at least 300 characters.")),
    Criterion("participation_described", "automatic", _l("Children's participation described"),
              _l("How children took part is described in at least 150 characters.")),
    Criterion("results_described", "automatic", _l("Results described"),
              _l("The results are described in at least 100 characters.")),
    Criterion("lessons_described", "automatic", _l("Lessons described"),
              _l("The lessons learned are described in at least 150 characters.")),
    Criterion("effort_stated", "automatic", _l("Effort and duration stated"),
              _l("The effort in hours and the duration in months are given.")),
    Criterion("organisation_identified", "automatic", _l("Organisation identified"),
              _l("The organisation and its county are given, and the municipality lies in the county.")),
    Criterion("no_personal_data", "automatic", _l("No personal data"),
              _l("No Swedish personal identity or coordination number appears in the text.")),
    Criterion("links_valid", "automatic", _l("Links valid"),
              _l("Every link is an http(s) address.")),
    Criterion("best_interests", "judged", _l("The child's best interests"),
              _l("Article 3: shows how the child's best interests were assessed.")),
    Criterion("participation", "judged", _l("Children's participation"),
              _l("Article 12: children's views were gathered and given weight.")),
    Criterion("non_discrimination", "judged", _l("Non-discrimination"),
              _l("Article 2: which children were reached and which were not.")),
    Criterion("practice_and_results", "judged", _l("Practice and results"),
              _l("Real use with follow-up, not only plans.")),
    Criterion("transferability", "judged", _l("Transferability"),
              _l("Another municipality could repeat it from the description.")),
)
CRITERIA_BY_KEY: dict[str, Criterion] = {c.key: c for c in FALLBACK_CRITERIA}

STATUS_TITLES: dict[str, str] = {
    "met": _l("Met"),
    "not_applicable": _l("Not applicable"),
    "not_met": _l("Not met"),
}


def criterion_title(key: str, lang: str) -> str:
    criterion = CRITERIA_BY_KEY.get(key)
    if criterion is None:
        return key.replace("_", " ").capitalize()
    return gettext(lang, criterion.title)


def criteria_for_display(lang: str) -> list[dict[str, str]]:
    """The quality criteria as the about page lists them."""
    return [
        {"key": c.key, "kind": c.kind, "title": gettext(lang, c.title), "guidance": gettext(lang, c.guidance)}
        for c in FALLBACK_CRITERIA
    ]


_STATUS_ALIASES = {
    "met": "met", "passed": "met", "pass": "met", "ok": "met", "true": "met", "yes": "met",
    "not_applicable": "not_applicable", "n/a": "not_applicable", "na": "not_applicable",
    "not_met": "not_met", "failed": "not_met", "fail": "not_met", "false": "not_met", "no": "not_met",
}


_GROUPS = ("criteria", "automatic", "judged", "checks")
_NOT_CRITERIA = {"comment", "comments", "note", "reviewer", "reviewed_by", "reviewed_at", "version", "decision"}


def _status(value: Any) -> str | None:
    if isinstance(value, bool):
        return "met" if value else "not_met"
    if isinstance(value, str):
        return _STATUS_ALIASES.get(value.strip().lower())
    if isinstance(value, dict):
        for key in ("status", "result", "value", "verdict"):
            if key in value:
                return _status(value[key])
    return None


def quality_profile(quality: dict[str, Any] | None, lang: str) -> dict[str, Any]:
    """The quality profile of a published example, JSON-ready.

    ``quality`` is ``Example.quality``: ``None`` for examples the national admin published
    directly (import) without review; otherwise criterion keys with their outcome
    (``{"best_interests": "met", ...}``, optionally nested under ``"criteria"`` or
    ``"automatic"``/``"judged"``, or with ``{"status": ..., "comment": ...}`` values).
    """
    if not quality:
        return {
            "reviewed": False,
            "note": gettext(lang, _l("Published by the national admin without review.")),
            "criteria": [],
        }
    found: dict[str, str] = {}

    def walk(mapping: dict[str, Any]) -> None:
        for key, value in mapping.items():
            if key in _GROUPS and isinstance(value, dict) and _status(value) is None:
                walk(value)
                continue
            status = _status(value)
            if status is not None and str(key) not in _NOT_CRITERIA:
                found.setdefault(str(key), status)

    walk(quality)
    order = {c.key: i for i, c in enumerate(FALLBACK_CRITERIA)}
    keys = sorted(found, key=lambda k: (order.get(k, len(order)), k))
    return {
        "reviewed": True,
        "note": gettext(lang, _l("Reviewed by a county editor against the quality criteria.")),
        "criteria": [
            {
                "key": k,
                "title": criterion_title(k, lang),
                "status": found[k],
                "status_title": gettext(lang, STATUS_TITLES[found[k]]),
            }
            for k in keys
        ],
    }
