"""Every error response: an HTML page for pages, the one JSON error shape for the API.

``install_error_handlers`` registers the app's exception handlers. They ask ``wants_html``:
pages get ``error.html`` (a real 404 page with a search box), workflow pages get their
error page or a redirect to the login page (``PageError``), and everything machine-facing
keeps ``{"error": ...}`` (app.core.errors).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.core.errors import AppError, error_body
from app.web.rendering import PageError, page_error
from app.web.templating import render

log = logging.getLogger("barnratt")

MACHINE_PREFIXES = ("/api/", "/static/", "/openapi.json", "/healthz", "/readyz", "/oembed", "/feed.atom")


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(MACHINE_PREFIXES) or path.endswith(".json"):
        return False
    accept = request.headers.get("accept", "")
    return "application/json" not in accept or "text/html" in accept


def html_error(request: Request, status: int, message: str = "") -> Response:
    return render(
        request,
        "error.html",
        {"status": status, "detail": message},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PageError, page_error)

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if wants_html(request):
            return html_error(request, exc.status, exc.message)
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if errors and wants_html(request) and all(tuple(e.get("loc", ()))[:1] == ("path",) for e in errors):
            # A page whose id is no id (0, -1, 20 digits): there is no such page.
            return html_error(request, 404)
        fields = []
        for err in exc.errors():
            loc = tuple(err.get("loc", ()))
            name = ".".join(str(p) for p in loc[1:]) if len(loc) > 1 else ".".join(map(str, loc))
            fields.append({"field": name or "body", "message": str(err.get("msg", "invalid"))})
        body = error_body(422, "invalid_input", "Ogiltiga uppgifter")
        body["error"]["fields"] = fields
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_html(request) and exc.status_code in (404, 405):
            return html_error(request, exc.status_code)
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            error_body(exc.status_code, code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        if wants_html(request):
            try:
                return html_error(request, 500)
            except Exception:  # noqa: BLE001 - fall back to the JSON shape
                pass
        return JSONResponse(error_body(500, "internal_error", "Internt fel"), status_code=500)

