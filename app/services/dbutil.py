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
    table = model.__table__  # type: ignore[attr-defined]
    statement = (insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
                 .returning(table.c[conflict[0]]))
    # RETURNING, not rowcount: psycopg reports no reliable rowcount here.
    return session.execute(statement).first() is not None
