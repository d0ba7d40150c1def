"""Small database helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, SQLModel


def insert_ignoring_conflict(session: Session, model: type[SQLModel], values: dict[str, Any],
                             *, conflict: list[str]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was inserted. Two writers racing
    for the same unique key never both succeed and neither gets an error."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model.__table__).values(**values).on_conflict_do_nothing(index_elements=conflict)  # type: ignore[attr-defined]
    return session.execute(statement).rowcount == 1
