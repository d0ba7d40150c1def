"""Shared machinery of the workflow's HTML pages.

Page routes use ``PageRoute``: any AppError raised while handling them (in a dependency or
the endpoint) is re-raised as ``PageError``, so the request's unit of work still rolls back,
and is then answered as an HTML page (or, for LoginRequired, a redirect to the login page).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from app.core.errors import AppError
from app.core.i18n import gettext
from app.core.time import as_utc, utcnow
from app.models import User
from app.models.content import CONTRACT_FIELDS, TEXT_FIELDS
from app.models.vocabulary import ROLES
from app.services.labels import (
    ACTION_LABELS,
    DECISION_LABELS,
    FIELD_HINTS,
    FIELD_LABELS,
    JUDGEMENT_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
)
from app.services.policy import allowed
from app.web.auth import LoginRequired, csrf_token
from app.web.templating import add_global, is_htmx, render


class PageError(Exception):
    def __init__(self, error: AppError) -> None:
        super().__init__(error.message)
        self.error = error


class PageRoute(APIRoute):
    def get_route_handler(self):
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except AppError as exc:
                raise PageError(exc) from exc

        return page_handler


def lang_of(request: Request) -> str:
    return getattr(request.state, "lang", "sv")


_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
# In the path: encoded slashes, backslashes, control characters and spaces.
_UNSAFE_ENCODED = re.compile(r"%(?:2f|5c|[01][0-9a-f]|20|7f)", re.IGNORECASE)


def safe_next(value: str | None, default: str = "/mina-exempel") -> str:
    """Only local paths: never redirect to another site after login.

    Accepted: an absolute path on this site ("/x", "/x?y=1"). Refused: anything with a
    scheme or host, a second leading slash in any spelling ("//x", "///x", "/\\x"), control
    characters or whitespace (browsers drop tabs and newlines, turning "/\t/x" into "//x"),
    backslashes, and in the path percent-encoded slashes, backslashes, spaces or control
    characters (a proxy or browser that decodes them would see "//x").
    """
    if not value or not isinstance(value, str) or len(value) > 2000:
        return default
    if not value.startswith("/") or value.startswith("//") or _UNSAFE_CHARS.search(value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    if _UNSAFE_ENCODED.search(parts.path):
        return default
    return value


async def page_error(request: Request, exc: PageError) -> Response:
    error = exc.error
    if isinstance(error, LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = request.headers.get("HX-Current-URL") and urlsplit(request.headers["HX-Current-URL"]).path or request.url.path
        login = "/logga-in?next=" + quote(safe_next(target), safe="/")
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Reswap": "none"})
        return RedirectResponse(login, status_code=303)
    response = render(request, "review/error.html", {"error": error, "user": None}, status_code=error.status)
    for key, value in (error.headers or {}).items():
        response.headers[key] = value
    if is_htmx(request):
        response.headers["HX-Reswap"] = "none"
    return response


def page(request: Request, name: str, context: dict[str, Any] | None = None, *, user: User | None = None,
         status_code: int = 200, block: str | None = None, headers: dict[str, str] | None = None) -> Response:
    ctx = {"user": user, **(context or {})}
    response = render(request, name, ctx, status_code=status_code, block=block, headers=headers)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---- Template helpers ------------------------------------------------------------------

def _label(table: dict[str, str]):
    def label(key: str | None, lang: str = "sv") -> str:
        if key is None:
            return ""
        return gettext(lang, table[key]) if key in table else key

    return label


def role_label(role: str, lang: str = "sv") -> str:
    sv, en = ROLES.get(role, (role, role))
    return en if lang == "en" else sv


def action_label(event, lang: str = "sv") -> str:
    if event.action == "imported" and event.to_status == "published":
        return gettext(lang, ACTION_LABELS["imported_published"])
    return _label(ACTION_LABELS)(event.action, lang)


def age_text(value, lang: str = "sv") -> str:
    seconds = max(0, int((utcnow() - as_utc(value)).total_seconds())) if value else 0
    days, hours = seconds // 86400, seconds // 3600
    if days >= 1:
        return (f"{days} day" + ("s" if days != 1 else "")) if lang == "en" else (f"{days} dag" + ("ar" if days != 1 else ""))
    if hours >= 1:
        return (f"{hours} hour" + ("s" if hours != 1 else "")) if lang == "en" else (f"{hours} timm" + ("ar" if hours != 1 else "e"))
    minutes = max(1, seconds // 60)
    return f"{minutes} min"


def when(value) -> str:
    value = as_utc(value)
    return value.strftime("%Y-%m-%d %H:%M") + " UTC" if value else ""


def install_template_globals() -> None:
    """The helpers every workflow template may call."""
    add_global("csrf_token", csrf_token)
    add_global("allowed", allowed)
    add_global("content_fields", CONTRACT_FIELDS)
    add_global("markdown_fields", TEXT_FIELDS)
    add_global("field_label", _label(FIELD_LABELS))
    add_global("field_hint", lambda name, lang="sv": gettext(lang, FIELD_HINTS[name]) if name in FIELD_HINTS else "")
    add_global("status_label", _label(STATUS_LABELS))
    add_global("decision_label", _label(DECISION_LABELS))
    add_global("judgement_label", _label(JUDGEMENT_LABELS))
    add_global("kind_label", _label(KIND_LABELS))
    add_global("action_label", action_label)
    add_global("role_label", role_label)
    add_global("age_text", age_text)
    add_global("when", when)
