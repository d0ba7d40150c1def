"""Meilisearch engine. Import ``MeilisearchBackend`` from ``search.meili.backend``."""
