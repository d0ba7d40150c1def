"""The submission form: reading posted fields into draft content, and the inline
validation shown beside each field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from app.core.errors import FieldError, InputError
from app.models.content import (
    CONTENT_FIELDS,
    CONTRACT_FIELDS,
    FIELDS_BY_NAME,
    TEXT_FIELDS,
)
from app.services.reference import ReferenceSets
from app.services.validation import validate_example

LINK_ROWS_EXTRA = 2


def _l(message: str) -> str:
    return message


NOT_A_NUMBER = _l("Write a whole number, without spaces or units.")
TOO_LONG = _l("The text is too long.")


def read_form(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """Draft content from the posted form, and the fields that could not be read."""
    problems: dict[str, str] = {}
    data: dict[str, Any] = {}
    for spec in CONTENT_FIELDS:
        name = spec.name
        if spec.kind == "links":
            continue
        if spec.kind == "int":
            raw = form.get(name)
            raw = raw.strip().replace(" ", "").replace("\u00a0", "") if isinstance(raw, str) else ""
            if not raw:
                data[name] = None
            elif raw.lstrip("-").isdigit() and len(raw) < 12:
                data[name] = int(raw)
            else:
                data[name] = None
                problems[name] = NOT_A_NUMBER
        elif spec.kind == "articles":
            data[name] = sorted({int(raw) for raw in form.getlist(name) if isinstance(raw, str) and raw.isdigit()})
        elif spec.kind == "codes":
            data[name] = list(dict.fromkeys(v for v in form.getlist(name) if isinstance(v, str) and v))
        elif spec.is_text:
            value = form.get(name)
            data[name] = value.replace("\r\n", "\n") if isinstance(value, str) else ""
        else:
            value = form.get(name)
            data[name] = value.strip() if isinstance(value, str) and value.strip() else None
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
            spec = FIELDS_BY_NAME[name]
            errors[name] = gettext(lang, spec.form_error or (TOO_LONG if name in TEXT_FIELDS else error.message))
    return errors


def _form_field(error: FieldError) -> str:
    return error.field.split(".")[0]


def link_rows(links: list[dict[str, Any]]) -> list[dict[str, str]]:
    rows = [{"title": str(link.get("title") or ""), "url": str(link.get("url") or "")} for link in links]
    return rows + [{"title": "", "url": ""} for _ in range(LINK_ROWS_EXTRA)]
