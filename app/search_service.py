"""The search engine as the app sees it: built from settings, one per process."""

from __future__ import annotations

import logging

from app.config import Settings
from search import SearchBackend, SearchError, get_backend

log = logging.getLogger("barnratt.search")


def backend_from_settings(settings: Settings) -> SearchBackend:
    backend = get_backend(
        settings.SEARCH_BACKEND,
        data_dir=settings.DATA_DIR,
        meili_url=settings.MEILI_URL,
        meili_api_key=settings.MEILI_API_KEY,
        index_name=settings.MEILI_INDEX,
    )
    try:
        backend.configure()
    except SearchError as exc:
        # Not fatal: /readyz reports it, writes go to the outbox, the indexer retries.
        log.warning("search engine not ready at start-up: %s", exc)
    return backend
