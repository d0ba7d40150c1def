"""The one type of every id in a URL path: a whole number that fits the databases' 64-bit
integer columns. Anything else (0, negative, 20 digits, not a number) is refused before a
query runs: 422 in the one error shape for the API, the 404 page for HTML pages
(app.web.error_pages), never a database overflow and a 500."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**63 - 1

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive whole number (at most 2^63 − 1).")]

# An optional id in the query string (e.g. ?fran=2), range-checked the same way.
OptionalQueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
