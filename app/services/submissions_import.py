"""Import without --publish: every row becomes a submission in status ``submitted``
(actor "import"), awaiting its county editor, who is notified.

The file is all or nothing, as with --publish: every row must meet the example contract
and every automatic criterion, or nothing is written and each problem is listed by line.
"""

from __future__ import annotations

import typer

from app.core.config import get_settings
from app.core.db import make_engine, session_scope
from app.services import submissions as submissions_service
from app.services.transfer import (
    LineError,
    automatic_criteria,
    parse_file,
    validate_rows,
)

ACTOR = "import"


def import_as_submissions(filename: str, text: str) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            rows = parse_file(filename, text)
            if not rows:
                _fail([LineError(1, "file", "contains no examples")])
            valid, errors = validate_rows(session, rows)
            errors += automatic_criteria(session, valid)
            if errors:
                _fail(sorted(errors, key=lambda e: e.line))
            for _line, example in valid:
                submissions_service.create_imported(session, example=example, settings=settings, actor=ACTOR)
            return len(valid)
    finally:
        engine.dispose()


def _fail(errors: list[LineError]) -> None:
    for error in errors:
        typer.echo(str(error), err=True)
    typer.echo("Nothing was imported.", err=True)
    raise typer.Exit(1)
