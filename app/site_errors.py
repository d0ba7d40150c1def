"""Errors on the public site: an HTML page for pages, the JSON error shape for the API.

The app's exception handlers (app/main.py) ask ``wants_html``; pages get ``error.html``
(a real 404 page with a search box), everything machine-facing keeps ``{"error": ...}``.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

MACHINE_PREFIXES = ("/api/", "/static/", "/openapi.json", "/healthz", "/readyz", "/oembed", "/feed.atom")


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(MACHINE_PREFIXES) or path.endswith(".json"):
        return False
    accept = request.headers.get("accept", "")
    return "application/json" not in accept or "text/html" in accept


def html_error(request: Request, status: int, message: str = "") -> Response:
    from app.templating import render

    return render(
        request,
        "error.html",
        {"status": status, "detail": message},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )
