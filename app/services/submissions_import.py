"""Import without --publish: rows become submissions awaiting a county editor's review.

Until the review workflow lands, the rows are validated and nothing is written.
"""

from __future__ import annotations

import typer

from app.config import get_settings
from app.db import make_engine, session_scope
from app.services.transfer import parse_file, validate_rows


def import_as_submissions(filename: str, text: str) -> int:
    with session_scope(make_engine(get_settings().database_url)) as session:
        _valid, errors = validate_rows(session, parse_file(filename, text))
    for error in errors:
        typer.echo(str(error), err=True)
    typer.echo("Import without --publish needs the review workflow; nothing was written.", err=True)
    raise typer.Exit(1)
