"""Choose a search backend by name."""

from __future__ import annotations

from pathlib import Path

from search.base import SearchBackend

BACKENDS = ("embedded", "meilisearch")


def get_backend(
    kind: str,
    *,
    data_dir: Path,
    meili_url: str | None = None,
    meili_api_key: str | None = None,
    index_name: str = "examples",
) -> SearchBackend:
    """A backend of ``kind`` ("embedded" or "meilisearch"). Call ``configure()`` before use.

    ``data_dir`` holds the embedded index (``data_dir/search/<index_name>``);
    ``meili_url``/``meili_api_key`` are required for Meilisearch, where
    ``index_name`` is the index uid.
    """
    if kind == "embedded":
        from search.embedded.backend import EmbeddedBackend

        return EmbeddedBackend(Path(data_dir), index_name)
    if kind == "meilisearch":
        if not meili_url:
            raise ValueError("meili_url is required for the meilisearch backend")
        from search.meili.backend import MeilisearchBackend

        return MeilisearchBackend(meili_url, meili_api_key, index_name)
    raise ValueError(f"unknown search backend {kind!r}; choose one of {BACKENDS}")
