"""Application errors and the one shape every error response takes.

    {"error": {"status": 422, "code": "invalid_input", "message": "...",
               "fields": [{"field": "articles", "message": "..."}]}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass
class AppError(Exception):
    message: str
    status: int = 400
    code: str = "bad_request"
    fields: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] | None = None

    def __str__(self) -> str:  # pragma: no cover - for logs
        return self.message

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.code, self.message, self.fields)


class InputError(AppError):
    def __init__(self, fields: list[FieldError], message: str = "Ogiltiga uppgifter") -> None:
        super().__init__(message=message, status=422, code="invalid_input", fields=fields)


class NotFound(AppError):
    def __init__(self, message: str = "Hittades inte") -> None:
        super().__init__(message=message, status=404, code="not_found")


class Conflict(AppError):
    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(message=message, status=409, code=code)


class Forbidden(AppError):
    def __init__(self, message: str = "Åtgärden är inte tillåten") -> None:
        super().__init__(message=message, status=403, code="forbidden")


def error_body(
    status: int, code: str, message: str, fields: list[FieldError] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": code,
            "message": message,
            "fields": [f.as_dict() for f in fields or []],
        }
    }


def loc_to_field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def field_errors_from_pydantic(exc: ValidationError, prefix: tuple[Any, ...] = ()) -> list[FieldError]:
    errors: list[FieldError] = []
    for err in exc.errors(include_url=False):
        loc = tuple(prefix) + tuple(err.get("loc", ()))
        message = str(err.get("msg", "invalid"))
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        name = loc_to_field(loc)
        # Cross-field validators phrase their message as "field: message".
        if name == "body" or not err.get("loc"):
            head, sep, tail = message.partition(": ")
            if sep and head.isidentifier():
                name, message = head, tail
        errors.append(FieldError(name, message))
    return errors
