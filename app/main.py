"""The composition root: ``create_app`` builds the application from settings and installs
every part of it (engines, middleware, error handlers, template helpers, routers). Nothing
else installs routers or middleware."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.core.config import Settings, get_settings
from app.core.db import make_engine
from app.routers import (
    api_editor,
    api_examples,
    api_plans,
    api_review,
    docs,
    health,
    pages,
    pages_account,
    pages_admin,
    pages_alerts,
    pages_contact,
    pages_editor,
    pages_organisations,
    pages_plans,
    pages_reuse,
    pages_review,
    pages_submissions,
)
from app.services.alerts import indexed_hook
from app.services.indexer import Indexer
from app.services.search_engine import backend_from_settings
from app.services.storage import storage_from_settings
from app.web.asgi import HookMiddleware
from app.web.auth import install_accounts
from app.web.error_pages import install_error_handlers
from app.web.middleware import (
    install_api_http,
    install_indexer_wakeup,
    install_language,
    install_upload_limit,
)
from app.web.rendering import install_template_globals

APP_DIR = Path(__file__).resolve().parent
# Front-end packages installed from the npm registry (package.json), served by the app.
NODE_MODULES = APP_DIR.parent / "node_modules"

# Every router, in the order their routes are matched. Pages last: "/" is a catch-all page.
ROUTERS = (
    health.router,
    api_examples.router,
    docs.router,
    api_review.router,
    api_editor.router,
    api_plans.router,
    pages_account.router,
    pages_plans.router,
    pages_alerts.router,
    pages_contact.router,
    pages_submissions.router,
    pages_reuse.router,  # before pages_review: /granska/provat is not a submission id
    pages_editor.router,
    pages_review.router,
    pages_organisations.router,
    pages_admin.router,
    pages.router,
)


def mount_static(app: FastAPI) -> None:
    app.mount("/static/vendor/swagger-ui", StaticFiles(directory=NODE_MODULES / "swagger-ui-dist", check_dir=False), name="swagger-ui")
    app.mount("/static/vendor/htmx", StaticFiles(directory=NODE_MODULES / "htmx.org" / "dist", check_dir=False), name="htmx")
    app.mount("/static", StaticFiles(directory=APP_DIR / "static"), name="static")


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
    app.state.storage = storage_from_settings(settings)
    app.state.indexer = Indexer(
        app.state.engine,
        app.state.search,
        base_backoff=settings.INDEX_RETRY_SECONDS,
        check_interval=settings.INDEX_CHECK_SECONDS,
        on_indexed=indexed_hook(app.state.engine, app.state.search, settings),
    )
    app.state.readiness_probes = {"search": app.state.indexer.readiness}
    install_error_handlers(app)
    # Middleware: the last installed runs first (accounts, API limits, indexer nudge, language).
    for install in (install_language, install_indexer_wakeup, install_api_http, install_upload_limit,
                    install_accounts):
        app.add_middleware(HookMiddleware, hook=install(app))
    install_template_globals()
    mount_static(app)
    for router in ROUTERS:
        app.include_router(router)
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
