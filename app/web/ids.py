"""The one type of every id in a URL path: a whole number that fits the databases' id
columns (``app.core.db.MAX_ID``: INTEGER, 32 bits on PostgreSQL). Anything else (0, negative, 20 digits, not a number) is refused before a
query runs: 422 in the one error shape for the API, the 404 page for HTML pages
(app.web.error_pages), never a database overflow and a 500."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from app.core.db import MAX_ID

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive whole number (at most 2^31 − 1).")]

# An optional id in the query string (e.g. ?fran=2), range-checked the same way.
OptionalQueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
