from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is None:
        return None
    # PostgreSQL (psycopg) hands back its session zone (ZoneInfo("Etc/UTC")), not
    # datetime.UTC, which email.utils.format_datetime(usegmt=True) refuses: normalise.
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
