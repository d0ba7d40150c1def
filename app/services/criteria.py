"""The quality criteria: stored as data (keys stable, titles and guidance editable by the
admin), nine checked automatically on submit and five judged by the county editor.

``check_automatic`` is the one implementation of the automatic criteria: the submit
endpoint, the form's live checklist, approval, import and the demo-content test all use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from app.core.errors import FieldError, InputError, NotFound
from app.core.i18n import gettext
from app.core.time import utcnow
from app.models import Criterion, User
from app.models.content import TEXT_FIELDS
from app.services.labels import FIELD_LABELS
from app.services.personal_data import find_personal_numbers
from app.services.policy import authorize
from app.services.reference import ReferenceSets


def _l(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


AUTOMATIC_KEYS: tuple[str, ...] = (
    "articles_tagged",
    "method_described",
    "participation_described",
    "results_described",
    "lessons_described",
    "effort_stated",
    "organisation_identified",
    "no_personal_data",
    "links_valid",
)
JUDGED_KEYS: tuple[str, ...] = (
    "best_interests",
    "participation",
    "non_discrimination",
    "practice_and_results",
    "transferability",
)
JUDGEMENTS: tuple[str, ...] = ("met", "not_met", "not_applicable")
METHOD_MIN = 300
PARTICIPATION_MIN = 150
RESULTS_MIN = 100
LESSONS_MIN = 150
# The described-text criteria: (key, field, minimum, what the editor asks for). The message
# names the field by its label in the reader's language ("Barns delaktighet: beskriv …").
DESCRIBED: tuple[tuple[str, str, int, str], ...] = (
    ("method_described", "method", METHOD_MIN,
     _l("%(label)s: describe what you did, in what order and with whom, in at least %(minimum)d characters (now %(count)d).")),
    ("participation_described", "child_participation", PARTICIPATION_MIN,
     _l("%(label)s: describe how children took part and what weight their views were given, in at least %(minimum)d characters (now %(count)d).")),
    ("results_described", "results", RESULTS_MIN,
     _l("%(label)s: describe what changed and how you know, in at least %(minimum)d characters (now %(count)d).")),
    ("lessons_described", "lessons_learned", LESSONS_MIN,
     _l("%(label)s: describe what you would do the same way and what differently, in at least %(minimum)d characters (now %(count)d).")),
)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# The fields the personal-data check reads: every free-text field of the content.
SCANNED_FIELDS: tuple[str, ...] = ("title", "summary", *TEXT_FIELDS, "organisation_name", "contact_name")


@dataclass(frozen=True)
class CheckResult:
    key: str
    passed: bool
    # Untranslated message and its parameters; ``message(lang)`` renders it.
    template: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    # The form field to go to, for error summaries.
    field: str = ""

    def message(self, lang: str = "sv") -> str:
        if not self.template:
            return ""
        params = dict(self.params)
        if "%(label)s" in self.template:
            params["label"] = gettext(lang, FIELD_LABELS.get(self.field, self.field))
        return gettext(lang, self.template) % params

    def as_dict(self, lang: str = "sv") -> dict[str, Any]:
        return {"key": self.key, "passed": self.passed, "message": self.message(lang), "field": self.field}


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_automatic(data: Mapping[str, Any], refs: ReferenceSets) -> list[CheckResult]:
    """Evaluate the automatic criteria on content (complete or not), in order."""
    results: list[CheckResult] = []

    articles = data.get("articles") or []
    ok = isinstance(articles, list) and any(a in refs.articles for a in articles if _is_int(a))
    results.append(CheckResult("articles_tagged", ok, "" if ok else _l("Tag at least one article of the Convention."), field="articles"))

    for key, name, minimum, template in DESCRIBED:
        count = len(_text(data, name))
        ok = count >= minimum
        results.append(CheckResult(key, ok, "" if ok else template, {"minimum": minimum, "count": count}, field=name))

    missing = [n for n in ("duration_months", "effort_hours") if not _is_int(data.get(n))]
    ok = not missing
    results.append(
        CheckResult(
            "effort_stated", ok, "" if ok else _l("State both the duration in months and the effort in hours."),
            field=missing[0] if missing else "duration_months",
        )
    )

    county = data.get("county_code")
    municipality = data.get("municipality_code") or None
    if not _text(data, "organisation_name"):
        org = CheckResult("organisation_identified", False, _l("Give the name of the organisation."), field="organisation_name")
    elif not (isinstance(county, str) and county in refs.counties):
        org = CheckResult("organisation_identified", False, _l("Choose the county."), field="county_code")
    elif municipality is not None and refs.municipality_county.get(str(municipality)) != county:
        org = CheckResult("organisation_identified", False, _l("The municipality is not in the chosen county."), field="municipality_code")
    else:
        org = CheckResult("organisation_identified", True, field="organisation_name")
    results.append(org)

    offending = [name for name in SCANNED_FIELDS if find_personal_numbers(_text(data, name))]
    links = data.get("links") or []
    if isinstance(links, list):
        for index, link in enumerate(links):
            if isinstance(link, Mapping) and any(
                find_personal_numbers(str(link.get(part) or "")) for part in ("title", "url")
            ):
                offending.append(f"links.{index}")
    ok = not offending
    results.append(
        CheckResult(
            "no_personal_data", ok,
            "" if ok else _l("Remove the personal identity or coordination number from: %(fields)s."),
            {"fields": ", ".join(offending)}, field=offending[0] if offending else "",
        )
    )

    bad_links = []
    if not isinstance(links, list):
        bad_links = ["links"]
    else:
        for index, link in enumerate(links):
            url = link.get("url") if isinstance(link, Mapping) else None
            if not (isinstance(url, str) and _URL.match(url.strip())):
                bad_links.append(f"links.{index}")
    ok = not bad_links
    results.append(
        CheckResult(
            "links_valid", ok, "" if ok else _l("Every link must be a full address starting with http:// or https://."),
            field=bad_links[0] if bad_links else "links",
        )
    )
    return results


def failed(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.passed]


# ---- Stored criteria ------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionView:
    """A criterion in one language, for pages (the form, the review page, /om)."""

    key: str
    kind: str
    title: str
    guidance: str
    article: int | None


def list_criteria(session: Session, *, lang: str = "sv", kind: str | None = None) -> list[CriterionView]:
    """The criteria in display order with titles and guidance in ``lang`` (falls back to
    Swedish). For /om: ``{% include "partials/criteria.html" %}`` with ``criteria`` set."""
    query = select(Criterion).order_by(Criterion.position, Criterion.key)
    if kind:
        query = query.where(Criterion.kind == kind)
    rows = session.exec(query).all()
    en = lang == "en"
    return [
        CriterionView(
            key=row.key,
            kind=row.kind,
            title=(row.title_en if en and row.title_en else row.title_sv),
            guidance=(row.guidance_en if en and row.guidance_en else row.guidance_sv),
            article=row.article,
        )
        for row in rows
    ]


def criteria_by_key(session: Session, *, lang: str = "sv") -> dict[str, CriterionView]:
    return {c.key: c for c in list_criteria(session, lang=lang)}


def update_criterion(
    session: Session, *, user: User, key: str, title_sv: str, title_en: str, guidance_sv: str, guidance_en: str
) -> Criterion:
    authorize("admin.criteria", user)
    row = session.get(Criterion, key)
    if row is None:
        raise NotFound("Kriteriet finns inte")
    errors = []
    for name, value, limit in (("title_sv", title_sv, 200), ("title_en", title_en, 200),
                               ("guidance_sv", guidance_sv, 4000), ("guidance_en", guidance_en, 4000)):
        value = value.strip()
        if name.startswith("title") and not value:
            errors.append(FieldError(name, "must not be empty"))
        elif len(value) > limit:
            errors.append(FieldError(name, f"at most {limit} characters"))
    if errors:
        raise InputError(errors)
    row.title_sv, row.title_en = title_sv.strip(), title_en.strip()
    row.guidance_sv, row.guidance_en = guidance_sv.strip(), guidance_en.strip()
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def checklist(session: Session, *, data: dict[str, Any], lang: str, refs: ReferenceSets | None = None) -> dict[str, Any]:
    """The automatic criteria of ``data`` as the form's live checklist shows them."""
    refs = refs or ReferenceSets.load(session)
    results = check_automatic(data, refs)
    titles = criteria_by_key(session, lang=lang)
    items = [{"key": r.key, "passed": r.passed, "title": titles[r.key].title if r.key in titles else r.key,
              "message": r.message(lang), "field": r.field} for r in results]
    return {"items": items, "passed": sum(1 for r in results if r.passed), "total": len(results)}
