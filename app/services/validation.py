"""Validation of a complete example: shape (pydantic) and references (database).

Both run on every input, so one pass reports every bad field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from app.core.errors import FieldError, InputError, field_errors_from_pydantic
from app.models import ExampleIn
from app.services.reference import ReferenceSets


def reference_errors(data: Mapping[str, Any], refs: ReferenceSets) -> list[FieldError]:
    """Check tags and codes against the reference tables. Values of the wrong type are
    left to the shape check."""
    errors: list[FieldError] = []
    for name, allowed in (("sectors", refs.sectors), ("target_groups", refs.target_groups)):
        values = data.get(name)
        if isinstance(values, list):
            for slug in values:
                if isinstance(slug, str) and slug not in allowed:
                    errors.append(FieldError(name, f"unknown value '{slug}'"))
    county = data.get("county_code")
    county_known = isinstance(county, str) and county in refs.counties
    if isinstance(county, str) and len(county) == 2 and county.isdigit() and not county_known:
        errors.append(FieldError("county_code", f"unknown county '{county}'"))
    municipality = data.get("municipality_code")
    if isinstance(municipality, str) and municipality.strip():
        owner = refs.municipality_county.get(municipality)
        if owner is None:
            errors.append(FieldError("municipality_code", f"unknown municipality '{municipality}'"))
        elif county_known and owner != county:
            errors.append(FieldError("municipality_code", f"{municipality} is not in county {county}"))
    return errors


def validate_example(data: Mapping[str, Any], refs: ReferenceSets) -> ExampleIn:
    """Return the validated example or raise InputError naming every bad field."""
    if not isinstance(data, Mapping):
        raise InputError([FieldError("body", "must be an object")])
    errors: list[FieldError] = []
    example = None
    try:
        example = ExampleIn.model_validate(dict(data))
    except ValidationError as exc:
        errors = field_errors_from_pydantic(exc)
    named = {e.field.split(".")[0] for e in errors}
    errors += [e for e in reference_errors(data, refs) if e.field not in named]
    if errors or example is None:
        raise InputError(errors)
    return example
