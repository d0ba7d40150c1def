"""Published examples: create, read, list. Services own their transactions' content; the
caller (a request's unit of work or the CLI) commits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from slugify import slugify
from sqlalchemy import func, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from app.core.errors import Conflict, NotFound
from app.core.time import utcnow
from app.models import Event, Example, ExampleIn, ExampleVersion
from app.services.outbox import enqueue

SLUG_MAX = 80


def make_slug(title: str) -> str:
    return slugify(title, max_length=SLUG_MAX, word_boundary=True) or "exempel"


def publish_new(
    session: Session,
    *,
    example: ExampleIn,
    actor_label: str,
    actor_id: int | None = None,
    action: str = "published",
    comment: str = "",
    quality: dict[str, Any] | None = None,
    submission_id: int | None = None,
    from_status: str | None = None,
    author_id: int | None = None,
    organisation_id: int | None = None,
) -> Example:
    """Create a published example (version 1), its version record, a history event and an
    outbox row, all in the caller's transaction. ``author_id`` and ``organisation_id`` (the
    author of the publishing submission and its organisation) decide who may revise it."""
    now = utcnow()
    if example.id is not None and session.get(Example, example.id) is not None:
        raise Conflict(f"id: example {example.id} already exists", code="duplicate_id")
    row = Example(
        **example.content(),
        id=example.id,
        slug=example.slug or make_slug(example.title),
        status="published",
        version=1,
        quality=quality,
        published_at=now,
        created_at=now,
        updated_at=now,
        author_id=author_id,
        organisation_id=organisation_id,
    )
    session.add(row)
    session.flush()
    session.add(
        ExampleVersion(
            example_id=row.id,
            version=1,
            data=example.content(),
            quality=quality,
            submission_id=submission_id,
            published_by_id=actor_id,
            published_at=now,
        )
    )
    session.add(
        Event(
            example_id=row.id,
            submission_id=submission_id,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            from_status=from_status,
            to_status="published",
            comment=comment,
            created_at=now,
        )
    )
    enqueue(session, example_id=row.id)
    return row


def sync_id_sequence(session: Session) -> None:
    """After inserting explicit ids on PostgreSQL, move the sequence past them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('example', 'id'), "
                "COALESCE((SELECT MAX(id) FROM example), 0) + 1, false)"
            )
        )


def get_published(session: Session, example_id: int) -> Example:
    row = session.get(Example, example_id)
    if row is None or row.status != "published":
        raise NotFound("Exemplet finns inte eller är inte publicerat")
    return row


def iter_published(session: Session, *, batch: int = 500) -> Iterator[Example]:
    """Every published example in id order, read in batches (constant memory)."""
    last_id = 0
    while True:
        rows = session.exec(
            select(Example)
            .where(Example.status == "published", Example.id > last_id)
            .order_by(Example.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()


def iter_published_rows(session: Session, names: Sequence[str], *, batch: int = 1000) -> Iterator[list[Mapping[str, Any]]]:
    """Every published example's columns ``names`` (``id`` among them), in id order and in
    batches of plain mappings: no ORM objects, for the full reindex (constant memory)."""
    table = Example.__table__
    columns = [table.c[name] for name in dict.fromkeys(["id", *names])]
    last_id = 0
    while True:
        rows = session.execute(
            sa_select(*columns)
            .where(table.c.status == "published", table.c.id > last_id)
            .order_by(table.c.id)
            .limit(batch)
        ).mappings().all()
        if not rows:
            return
        yield rows
        last_id = rows[-1]["id"]


def count_published(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Example).where(Example.status == "published")).one()


def existing_slugs(session: Session) -> set[str]:
    return set(session.exec(select(Example.slug)).all())
