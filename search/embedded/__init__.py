"""Embedded search engine (tantivy). Import ``EmbeddedBackend`` from ``search.embedded.backend``."""
