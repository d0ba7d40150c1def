"""Writing to the search outbox. Call inside the transaction that changes the example."""

from __future__ import annotations

from sqlmodel import Session

from app.core.time import utcnow
from app.models import OutboxEntry


def enqueue(session: Session, *, example_id: int, op: str = "upsert") -> None:
    now = utcnow()
    session.add(OutboxEntry(example_id=example_id, op=op, created_at=now, available_at=now))
