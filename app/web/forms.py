"""The submission form: reading posted fields into draft content, and the inline
validation shown beside each field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from app.core.errors import FieldError, InputError
from app.models.example import CONTRACT_FIELDS, TEXT_FIELDS
from app.services.reference import ReferenceSets
from app.services.validation import validate_example

INT_FIELDS = ("start_year", "end_year", "duration_months", "effort_hours", "cost_sek")
LIST_FIELDS = ("sectors", "target_groups", "age_groups")
LINK_ROWS_EXTRA = 2


def _l(message: str) -> str:
    return message


NOT_A_NUMBER = _l("Write a whole number, without spaces or units.")
TOO_LONG = _l("The text is too long.")
# What the form says when the contract refuses a field (the API gives the technical message).
FRIENDLY: dict[str, str] = {
    "title": _l("Write a title of 5–200 characters."),
    "summary": _l("The summary may be at most 600 characters."),
    "articles": _l("Choose at least one article."),
    "sectors": _l("Choose at least one sector."),
    "target_groups": _l("Choose among the listed target groups."),
    "age_groups": _l("Choose among the listed age groups."),
    "organisation_name": _l("Give the name of the organisation (at least 2 characters)."),
    "organisation_type": _l("Choose the type of organisation."),
    "county_code": _l("Choose the county."),
    "municipality_code": _l("Choose a municipality in the chosen county."),
    "start_year": _l("Give a year between 1990 and 2100."),
    "end_year": _l("Give a year between 1990 and 2100, not before the start year."),
    "duration_months": _l("Give the number of months (0–600)."),
    "effort_hours": _l("Give the number of hours (0–10,000,000)."),
    "cost_sek": _l("Give the cost in whole kronor."),
    "contact_name": _l("At most 200 characters."),
    "contact_email": _l("Give a valid email address."),
    "links": _l("Every link needs a title and an address starting with http:// or https://."),
}


def read_form(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """Draft content from the posted form, and the fields that could not be read."""
    problems: dict[str, str] = {}
    data: dict[str, Any] = {}
    for name in ("title", "summary", *TEXT_FIELDS, "organisation_name"):
        value = form.get(name)
        data[name] = value.replace("\r\n", "\n") if isinstance(value, str) else ""
    for name in ("organisation_type", "county_code", "municipality_code", "contact_name", "contact_email"):
        value = form.get(name)
        data[name] = value.strip() if isinstance(value, str) and value.strip() else None
    for name in INT_FIELDS:
        raw = form.get(name)
        raw = raw.strip().replace(" ", "").replace("\u00a0", "") if isinstance(raw, str) else ""
        if not raw:
            data[name] = None
        elif raw.lstrip("-").isdigit() and len(raw) < 12:
            data[name] = int(raw)
        else:
            data[name] = None
            problems[name] = NOT_A_NUMBER
    articles = []
    for raw in form.getlist("articles"):
        if isinstance(raw, str) and raw.isdigit():
            articles.append(int(raw))
    data["articles"] = sorted(set(articles))
    for name in LIST_FIELDS:
        data[name] = list(dict.fromkeys(v for v in form.getlist(name) if isinstance(v, str) and v))
    links = []
    index = 0
    while f"link_url_{index}" in form or f"link_title_{index}" in form:
        title = str(form.get(f"link_title_{index}") or "").strip()
        url = str(form.get(f"link_url_{index}") or "").strip()
        if title or url:
            links.append({"title": title, "url": url})
        index += 1
        if index > 40:
            break
    data["links"] = links
    return {name: data[name] for name in CONTRACT_FIELDS}, problems


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def inline_errors(data: Mapping[str, Any], refs: ReferenceSets, *, problems: Mapping[str, str],
                  lang: str, complete: bool) -> dict[str, str]:
    """Field name -> message. While writing (``complete=False``) only what is filled in and
    wrong is reported; on submit, missing required fields too."""
    from app.core.i18n import gettext

    errors = {name: gettext(lang, message) for name, message in problems.items()}
    try:
        validate_example(data, refs)
    except InputError as exc:
        for error in exc.fields:
            name = _form_field(error)
            if name not in CONTRACT_FIELDS or name in errors:
                continue
            if not complete and _is_empty(data.get(name)):
                continue
            errors[name] = gettext(lang, FRIENDLY.get(name, TOO_LONG if name in TEXT_FIELDS else error.message))
    return errors


def _form_field(error: FieldError) -> str:
    return error.field.split(".")[0]


def link_rows(links: list[dict[str, Any]]) -> list[dict[str, str]]:
    rows = [{"title": str(link.get("title") or ""), "url": str(link.get("url") or "")} for link in links]
    return rows + [{"title": "", "url": ""} for _ in range(LINK_ROWS_EXTRA)]
