"""The one error shape in the OpenAPI document: a component schema (``ErrorResponse``) and
``errors(...)``, the ``responses=`` of a route listing each status it really answers.

    {"error": {"status": 422, "code": "invalid_input", "message": "...",
               "fields": [{"field": "articles", "message": "..."}]}}
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorField(BaseModel):
    field: str = Field(description="The field, parameter or criterion key the message is about.")
    message: str


class ErrorDetail(BaseModel):
    status: int = Field(description="The HTTP status, repeated.")
    code: str = Field(description="A stable machine-readable code, e.g. invalid_input, not_found, version_mismatch.")
    message: str = Field(description="A human-readable message (Swedish).")
    fields: list[ErrorField] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    """Every error answer of the API."""

    error: ErrorDetail


DESCRIPTIONS: dict[int, str] = {
    400: "The request cannot be processed as sent.",
    401: "Not authenticated: send `Authorization: Bearer <token>` (or a session cookie).",
    403: "Authenticated but not allowed (or a session call without its `X-CSRF-Token`).",
    404: "No such object, or not one the caller may see.",
    409: "Not possible in the object's current state (e.g. already decided, not a draft).",
    412: "`If-Match` names a version that is no longer current; the `ETag` header has the current one.",
    422: "Invalid input; `error.fields` names each field, parameter or failed criterion.",
    428: "`If-Match: <version>` is required.",
    429: "Rate limit exceeded; see `Retry-After`.",
}


def errors(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status with the error shape. A description may be
    overridden as ``_404="..."``."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        out[status] = {"model": ErrorResponse,
                       "description": descriptions.get(f"_{status}", DESCRIPTIONS[status])}
    return out
