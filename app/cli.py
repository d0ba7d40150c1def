"""The ``barnratt`` command."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from app.core.config import get_settings
from app.core.db import make_engine, session_scope
from app.core.errors import AppError

cli = typer.Typer(help="Barnrättsbanken: kunskapsbank för barnrättsarbete.", no_args_is_help=True)
users_cli = typer.Typer(help="Manage accounts.", no_args_is_help=True)
tokens_cli = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")
cli.add_typer(tokens_cli, name="tokens")

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "examples.jsonl"
ADMIN_LABEL = "Nationell administratör (kommandorad)"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


class RoleName(str, Enum):
    contributor = "contributor"
    editor = "editor"
    admin = "admin"


def _engine():
    return make_engine(get_settings().database_url)


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


@cli.command()
def init() -> None:
    """Upgrade the database to the newest schema and load reference data (idempotent)."""
    from app.core.migrate import upgrade_to_head
    from app.services.reference import load_reference_data

    settings = get_settings()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    upgrade_to_head(engine)
    with session_scope(engine) as session:
        added = load_reference_data(session)
    typer.echo("Database at head; reference rows added: " + ", ".join(f"{k} {v}" for k, v in added.items()))
    from app.services.search_engine import backend_from_settings

    backend_from_settings(settings).close()  # creates the index and applies its settings


def _load_rows_and_import(filename: str, text: str, *, skip_existing_slugs: bool = False) -> int:
    from app.services.examples import existing_slugs, make_slug
    from app.services.transfer import ImportFailed, import_examples, parse_file

    engine = _engine()
    rows = parse_file(filename, text)
    try:
        with session_scope(engine) as session:
            if skip_existing_slugs:
                taken = existing_slugs(session)
                rows = [
                    r for r in rows
                    if r.data is None or (r.data.get("slug") or make_slug(str(r.data.get("title", "")))) not in taken
                ]
                if not rows:
                    return 0
            created = import_examples(session, rows, actor_label=ADMIN_LABEL)
            return len(created)
    except ImportFailed as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        raise typer.Exit(1) from None


def _sync_search() -> None:
    """Apply the search outbox now (the same path the server's indexer takes). If the
    engine is unavailable the rows stay queued and the server applies them later."""
    from app.services.indexer import Indexer
    from app.services.search_engine import backend_from_settings

    backend = backend_from_settings(get_settings(), configure=False)
    try:
        indexer = Indexer(_engine(), backend)
        result = indexer.drain()
        if not result.error and indexer.reconcile() == "rebuilt":  # e.g. an index emptied by a schema change
            typer.echo("Search index rebuilt from the database.")
    finally:
        backend.close()
    if result.error:
        typer.echo(f"Search not updated yet ({result.error}); the server will retry.", err=True)
    elif result.applied:
        typer.echo(f"Search index updated ({result.applied} change(s)).")


@cli.command()
def demo(
    accounts: Annotated[bool, typer.Option("--accounts", help="Also create demo accounts (development only).")] = False,
) -> None:
    """Load the demo examples (idempotent: examples already present are left alone). With
    --accounts, in development only, also create one account per role with a random
    password, printed once."""
    import json

    from app.services.demo_reviews import load_reviewed, reviewed_titles

    text = DEMO_FILE.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    # A few demo examples go through the real review (quality profile, a revision, reuse
    # reports); the rest are imported as published examples.
    with session_scope(_engine()) as session:
        reviewed = load_reviewed(session, settings=get_settings(), examples=lines)
    routed = reviewed_titles()
    rest = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines if line["title"] not in routed)
    count = _load_rows_and_import(DEMO_FILE.name, rest + "\n", skip_existing_slugs=True)
    _mark_demo_content(lines)
    typer.echo(f"Demo content loaded: {count} new example(s); {reviewed['reviewed_examples']} through review "
               f"({reviewed['revisions']} revision(s), {reviewed['reuse_reports']} reuse report(s)).")
    _sync_search()
    if accounts:
        _demo_accounts()


def _mark_demo_content(lines: list[dict]) -> None:
    """Every example of the demo file is marked as demo content (pages say so)."""
    from sqlmodel import select

    from app.models import Example
    from app.services.demo import mark_demo

    titles = [line["title"] for line in lines]
    with session_scope(_engine()) as session:
        ids = session.exec(select(Example.id).where(Example.title.in_(titles))).all()  # type: ignore[attr-defined]
        mark_demo(session, ids)


DEMO_ACCOUNTS = (
    ("admin@example.com", "admin", None, "Barnrättsbanken", "Demo: nationell samordnare"),
    ("redaktor.vasterbotten@example.com", "editor", "24", "Länsstyrelsen Västerbotten", "Demo: länsredaktör Västerbotten"),
    ("bidrag.umea@example.com", "contributor", None, "Umeå kommun", "Demo: barnrättsstrateg Umeå"),
)


def _demo_accounts() -> None:
    import secrets as _secrets

    from app.services.users import create_user, get_user_by_email, parse_user_create

    if not get_settings().is_development:
        _fail("Demo accounts are only created when BARNRATT_ENV=development.")
    with session_scope(_engine()) as session:
        for email, role, county, organisation, name in DEMO_ACCOUNTS:
            existing = get_user_by_email(session, email)
            if existing is not None and existing.password_hash:
                typer.echo(f"{role:12} {email}: already exists (password unchanged)")
                continue
            password = _secrets.token_urlsafe(12)
            if existing is not None:  # created by the reviewed demo content, without a password
                from app.core.security import hash_password

                existing.password_hash = hash_password(password)
                session.add(existing)
                typer.echo(f"{role:12} {email}  password: {password}")
                continue
            create_user(session, data=parse_user_create(email=email, role=role, county_code=county, name=name,
                                                        organisation_name=organisation, password=password))
            typer.echo(f"{role:12} {email}  password: {password}")


@cli.command()
def reindex() -> None:
    """Rebuild the search index from the database (built aside, then swapped in)."""
    from app.services.indexer import Indexer
    from app.services.search_engine import backend_from_settings

    backend = backend_from_settings(get_settings())
    try:
        count = Indexer(_engine(), backend).rebuild()
    except Exception as exc:  # noqa: BLE001 - report any engine failure plainly
        _fail(f"Reindex failed: {type(exc).__name__}: {exc}")
    finally:
        backend.close()
    typer.echo(f"Search index rebuilt with {count} example(s).")


@cli.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    publish: Annotated[bool, typer.Option("--publish", help="Publish directly, as the national admin.")] = False,
) -> None:
    """Import examples from JSON Lines or CSV. Every row is validated first; a file with any
    invalid row writes nothing."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"line 1: file: not UTF-8 text ({exc.reason})")
    if not publish:
        from app.services import submissions_import

        count = submissions_import.import_as_submissions(file.name, text)
        typer.echo(f"Imported {count} example(s) as submissions awaiting review.")
        return
    count = _load_rows_and_import(file.name, text)
    typer.echo(f"Imported and published {count} example(s).")
    _sync_search()


@cli.command()
def export(
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.jsonl,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")] = None,
) -> None:
    """Export the published examples (imports back unchanged)."""
    from app.services.transfer import iter_export

    engine = _engine()
    with session_scope(engine) as session:
        handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            for chunk in iter_export(session, format.value):
                handle.write(chunk)
        finally:
            if output:
                handle.close()


def per_process_limit_warning(settings, workers: int) -> str | None:
    """Several workers counting the rate limit in memory each allow the whole limit."""
    if workers > 1 and not settings.rate_limit_is_shared:
        return (f"Warning: {workers} workers with BARNRATT_RATE_LIMIT_STORAGE=memory:// allow each "
                f"client up to {workers} times the API rate limit; point it at Redis to share one limit.")
    return None


@cli.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT")] = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Serve the site and the API with uvicorn."""
    import uvicorn

    # The app (in this process or uvicorn's workers) learns the port it is served on.
    os.environ["BARNRATT_PORT"] = str(port)
    get_settings.cache_clear()
    if warning := per_process_limit_warning(get_settings(), workers):
        typer.echo(warning, err=True)
    uvicorn.run("app.main:app", host=host, port=port, workers=workers, proxy_headers=True, log_level="info")


@users_cli.command("create")
def users_create(
    email: str,
    role: Annotated[RoleName, typer.Option("--role")],
    county: Annotated[str | None, typer.Option("--county", help="County code (editors).")] = None,
    name: Annotated[str, typer.Option("--name")] = "",
    organisation: Annotated[str | None, typer.Option("--organisation")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create an account. Editors need --county (their county's submissions are theirs to
    review); contributors of the same --organisation share drafts. Without --password-stdin
    the person is invited: an email with a one-time link to choose a password."""
    from app.services.auth import invite
    from app.services.users import create_user, parse_user_create

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        data = parse_user_create(
            email=email, role=role.value, county_code=county, name=name,
            organisation_name=organisation, password=password,
        )
        with session_scope(_engine()) as session:
            user = create_user(session, data=data)
            typer.echo(f"Created {user.role} {user.email} (id {user.id}).")
            if password is None:
                link = invite(session, settings=get_settings(), user=user, invited_by=ADMIN_LABEL)
                typer.echo(f"Invitation sent to {user.email}; the link to choose a password works for 7 days:")
                typer.echo(link.url)
    except AppError as exc:
        for f in exc.fields or []:
            typer.echo(f"{f.field}: {f.message}", err=True)
        _fail(exc.message if not exc.fields else "User not created.")


@tokens_cli.command("create")
def tokens_create(
    email: str,
    label: Annotated[str, typer.Option("--label")] = "",
) -> None:
    """Create an API token for a user; the token is the last word printed."""
    from app.services.auth import create_token
    from app.services.users import require_user

    try:
        with session_scope(_engine()) as session:
            user = require_user(session, email)
            if not user.is_active:
                _fail(f"email: {email} is deactivated")
            _token, secret = create_token(session, user=user, label=label)
    except AppError as exc:
        _fail(exc.message)
    typer.echo(f"API token for {email} (shown once, store it safely): {secret}")


def main() -> None:
    os.environ.setdefault("PYTHONUTF8", "1")
    cli()


if __name__ == "__main__":
    main()
