"""Turning rows into their public shapes."""

from __future__ import annotations

from app.core.time import as_utc
from app.models import Example, ExamplePublic


def permalink(base_url: str, example_id: int) -> str:
    return f"{base_url.rstrip('/')}/exempel/{example_id}"


def example_public(example: Example, *, base_url: str) -> ExamplePublic:
    return ExamplePublic(
        **example.content(),
        id=example.id,
        slug=example.slug,
        url=permalink(base_url, example.id),
        status=example.status,
        version=example.version,
        published_at=as_utc(example.published_at),
        updated_at=as_utc(example.updated_at),
        quality=example.quality,
    )
