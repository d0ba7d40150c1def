"""The search engine as the app sees it: built from settings, one per process."""

from __future__ import annotations

import logging

from app.core.config import Settings
from search import SearchBackend, SearchError, get_backend

log = logging.getLogger("barnratt.search")


def backend_from_settings(settings: Settings, *, configure: bool = True) -> SearchBackend:
    """The configured engine. ``configure`` creates a missing index and applies settings:
    the server and ``reindex`` do; one-off commands that only apply queued changes do not,
    so they never replace a temporarily missing index with an empty one."""
    backend = get_backend(
        settings.SEARCH_BACKEND,
        data_dir=settings.DATA_DIR,
        meili_url=settings.MEILI_URL,
        meili_api_key=settings.MEILI_API_KEY,
        index_name=settings.MEILI_INDEX,
    )
    if not configure:
        return backend
    try:
        backend.configure()
    except SearchError as exc:
        # Not fatal: /readyz reports it, writes go to the outbox, the indexer retries.
        log.warning("search engine not ready at start-up: %s", exc)
    return backend
