"""The app's middleware: the request's language, the indexer nudge after writes, and the
public API's HTTP behaviour (CORS open for reading, a per-client rate limit).

* CORS: every ``GET``/``HEAD`` answer under ``/api/v1`` and ``/oembed`` carries
  ``Access-Control-Allow-Origin: *`` (partners call the API from their own pages; no
  cookies are involved), and preflight ``OPTIONS`` requests for GET are answered. Other
  methods get no CORS headers, so browsers on other sites cannot call them.
* Rate limit: per client IP address (behind a proxy, uvicorn's ``--proxy-headers``
  supplies the real address), at most ``API_RATE_LIMIT_PER_MINUTE`` requests in any 60
  seconds, counted in ``RATE_LIMIT_STORAGE`` (Redis: one limit across every worker and
  server; see app/web/ratelimit.py). Over the limit: 429 in the common error shape with
  ``Retry-After`` (seconds). Every answer carries ``X-RateLimit-Limit`` and
  ``X-RateLimit-Remaining``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import MutableHeaders

from app.core.errors import error_body
from app.core.i18n import COOKIE, negotiate
from app.web.asgi import Hook, HookResult, cookie_header
from app.web.ratelimit import ApiRateLimiter

CORS_PREFIXES = ("/api/v1", "/oembed")
LIMITED_PREFIX = "/api/v1"
EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, Content-Disposition"
ALLOWED_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def install_api_http(app: FastAPI) -> Hook:
    limiter = app.state.rate_limiter = ApiRateLimiter.from_settings(app.state.settings)

    async def api_http(request: Request) -> HookResult:
        path, method = request.scope["path"], request.scope["method"]
        cors = path.startswith(CORS_PREFIXES)
        if cors and method == "OPTIONS" and "access-control-request-method" in request.headers:
            wanted = request.headers["access-control-request-method"].upper()
            if wanted not in ("GET", "HEAD"):
                return Response(status_code=204, headers={"Vary": "Origin"})
            return Response(status_code=204, headers={
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": "86400",
            })
        limited = path.startswith(LIMITED_PREFIX)
        extra: dict[str, str] = {}
        if limited:
            decision = await limiter.hit(client_key(request))
            extra = {"X-RateLimit-Limit": str(decision.limit), "X-RateLimit-Remaining": str(decision.remaining)}
            if not decision.allowed:
                retry = str(decision.retry_after)
                response = JSONResponse(
                    error_body(429, "rate_limited", f"För många anrop. Försök igen om {retry} sekunder."),
                    status_code=429,
                    headers={**extra, "Retry-After": retry, "Cache-Control": "no-store"},
                )
                if cors:
                    response.headers["Access-Control-Allow-Origin"] = "*"
                    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
                return response
        if not (limited or cors):
            return None

        def on_start(status: int, headers: MutableHeaders) -> None:
            headers.update(extra)
            if cors and method in ("GET", "HEAD"):
                headers["Access-Control-Allow-Origin"] = "*"
                headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            if limited and status >= 400 and "cache-control" not in headers:
                headers["Cache-Control"] = "no-store"

        return on_start

    return api_http


def install_language(app: FastAPI) -> Hook:
    async def language(request: Request) -> HookResult:
        query = request.query_params.get("lang")
        request.state.lang = negotiate(query, request.cookies.get(COOKIE), request.headers.get("accept-language"))
        if query != request.state.lang:
            return None
        cookie = cookie_header(COOKIE, query, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return lambda _status, headers: headers.append("set-cookie", cookie)

    return language


def install_indexer_wakeup(app: FastAPI) -> Hook:
    """After a state-changing request, nudge the indexer so search catches up at once."""

    async def wake(request: Request) -> HookResult:
        if request.scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return None
        return lambda _status, _headers: app.state.indexer.wakeup.set()

    return wake


UPLOAD_SUFFIX = "/bilagor"
UPLOAD_OVERHEAD = 64 * 1024  # multipart headers and the other form fields


def install_upload_limit(app: FastAPI) -> Hook:
    """Refuse an attachment upload whose declared size is over the limit before its body
    is read (413 in the common shape); the service checks the real size again."""
    limit = app.state.settings.UPLOAD_MAX_BYTES + UPLOAD_OVERHEAD

    async def upload_limit(request: Request) -> HookResult:
        if request.scope["method"] == "POST" and request.scope["path"].endswith(UPLOAD_SUFFIX):
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return JSONResponse(
                    error_body(413, "too_large", "Filen är för stor", []), status_code=413,
                    headers={"Cache-Control": "no-store", "Connection": "close"},
                )
        return None

    return upload_limit
