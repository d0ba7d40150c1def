"""The FastAPI application."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import __version__
from app.config import Settings, get_settings
from app.db import make_engine
from app.errors import AppError, error_body, field_errors_from_pydantic
from app.i18n import COOKIE, negotiate
from app.indexer import Indexer
from app.search_service import backend_from_settings
from app.api_http import install_api_http
from app.routers import api_examples, docs, health, pages
from app.site_errors import html_error, wants_html
from app.workflow import install_workflow

log = logging.getLogger("barnratt")
APP_DIR = Path(__file__).resolve().parent
# Front-end packages installed from the npm registry (package.json), served by the app.
NODE_MODULES = APP_DIR.parent / "node_modules"


def install_language(app: FastAPI) -> None:
    @app.middleware("http")
    async def _language(request: Request, call_next):
        query = request.query_params.get("lang")
        request.state.lang = negotiate(query, request.cookies.get(COOKIE), request.headers.get("accept-language"))
        response = await call_next(request)
        if query == request.state.lang:
            response.set_cookie(COOKIE, query, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response


def install_indexer_wakeup(app: FastAPI) -> None:
    """After a state-changing request, nudge the indexer so search catches up at once."""

    @app.middleware("http")
    async def _wake(request: Request, call_next):
        response = await call_next(request)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            app.state.indexer.wakeup.set()
        return response


def mount_static(app: FastAPI) -> None:
    app.mount("/static/vendor/swagger-ui", StaticFiles(directory=NODE_MODULES / "swagger-ui-dist", check_dir=False), name="swagger-ui")
    app.mount("/static/vendor/htmx", StaticFiles(directory=NODE_MODULES / "htmx.org" / "dist", check_dir=False), name="htmx")
    app.mount("/static", StaticFiles(directory=APP_DIR / "static"), name="static")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if wants_html(request):
            return html_error(request, exc.status, exc.message)
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
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
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}.get(
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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = asyncio.Event()
        task = asyncio.create_task(app.state.indexer.run(stop)) if settings.RUN_INDEXER else None
        try:
            yield
        finally:
            stop.set()
            app.state.indexer.wakeup.set()
            if task is not None:
                await task
            app.state.search.close()
            app.state.engine.dispose()

    app = FastAPI(
        title="Barnrättsbanken API",
        version=__version__,
        description="Öppet API för Barnrättsbankens publicerade exempel. / Open API of Barnrättsbanken's published examples.",
        lifespan=lifespan,
        docs_url=None,  # served by app.routers.docs with Swagger UI from npm, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.search = backend_from_settings(settings)
    app.state.indexer = Indexer(
        app.state.engine,
        app.state.search,
        base_backoff=settings.INDEX_RETRY_SECONDS,
        check_interval=settings.INDEX_CHECK_SECONDS,
    )
    app.state.readiness_probes = {"search": app.state.indexer.readiness}
    install_error_handlers(app)
    install_language(app)
    install_indexer_wakeup(app)
    install_api_http(app)
    mount_static(app)
    app.include_router(health.router)
    app.include_router(api_examples.router)
    app.include_router(docs.router)
    install_workflow(app)
    app.include_router(pages.router)
    return app


_app: FastAPI | None = None


def __getattr__(name: str) -> FastAPI:
    # `uvicorn app.main:app` builds the app lazily (once per process), so importing this
    # module has no side effects and tests can build their own apps.
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(name)
