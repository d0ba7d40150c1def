"""The ``barnratt`` command."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from app.core.config import get_settings
from app.core.db import MAX_ID, make_engine, session_scope
from app.core.errors import AppError

cli = typer.Typer(help="Barnrättsbanken: kunskapsbank för barnrättsarbete.", no_args_is_help=True)
users_cli = typer.Typer(help="Manage accounts.", no_args_is_help=True)
tokens_cli = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")
cli.add_typer(tokens_cli, name="tokens")
organisations_cli = typer.Typer(help="Manage organisations.", no_args_is_help=True)
cli.add_typer(organisations_cli, name="organisations")

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


def _load_rows_and_import(filename: str, text: str, *, skip_existing_slugs: bool = False,
                          personal_data_override: str | None = None) -> int:
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
            created = import_examples(
                session, rows, actor_label=ADMIN_LABEL, personal_data_override=personal_data_override,
                warn=lambda e: typer.echo(f"warning: {e} (published anyway: --publish skips the editor's review)",
                                          err=True),
            )
            return len(created)
    except ImportFailed as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        raise typer.Exit(1) from None


def _sync_search() -> None:
    """Apply the search outbox now (the same path the server's indexer takes). If the
    engine is unavailable the rows stay queued and the server applies them later."""
    from app.services.alerts import indexed_hook
    from app.services.indexer import Indexer
    from app.services.search_engine import backend_from_settings

    settings = get_settings()
    backend = backend_from_settings(settings, configure=False)
    engine = _engine()
    try:
        indexer = Indexer(engine, backend, on_indexed=indexed_hook(engine, backend, settings))
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
    ("admin@example.com", "admin", None, None, "Demo: nationell samordnare"),
    ("redaktor.vasterbotten@example.com", "editor", "24", ("Länsstyrelsen Västerbotten", "lansstyrelse", "24", None),
     "Demo: länsredaktör Västerbotten"),
    ("bidrag.umea@example.com", "contributor", None, ("Umeå kommun", "kommun", "24", "2480"),
     "Demo: barnrättsstrateg Umeå"),
)


def _demo_organisation(session, spec) -> int | None:
    """The demo account's organisation: the one of that name in the county (the demo
    examples create Umeå kommun), or a new one."""
    from app.services import organisations as organisations_service

    if spec is None:
        return None
    name, type_, county, municipality = spec
    found = organisations_service.find_by_name(session, name=name, county_code=county)
    if found:
        return found[0].id
    data = organisations_service.parse_organisation_in(
        {"name": name, "type": type_, "county_code": county, "municipality_code": municipality})
    return organisations_service.create(session, data=data).id


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
                                                        organisation_id=_demo_organisation(session, organisation),
                                                        password=password))
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


@cli.command()
def alerts(
    now: Annotated[str | None, typer.Option("--now", help="The clock, ISO 8601 (tests, replays); default: now.")] = None,
) -> None:
    """Send the weekly digests of saved searches ("Bevaka") that are due. Run it weekly (cron);
    a rerun within six days sends nothing, and no example is ever mailed twice."""
    from datetime import UTC, datetime

    from app.services.alerts import send_weekly_digests
    from app.services.search_engine import backend_from_settings

    clock = None
    if now:
        try:
            clock = datetime.fromisoformat(now)
        except ValueError:
            _fail(f"--now: '{now}' is not an ISO 8601 date-time")
        clock = clock.replace(tzinfo=UTC) if clock.tzinfo is None else clock.astimezone(UTC)
    settings = get_settings()
    backend = backend_from_settings(settings, configure=False)
    try:
        with session_scope(_engine()) as session:
            result = send_weekly_digests(session, backend=backend, settings=settings, now=clock)
    except AppError as exc:
        _fail(f"Digests not sent: {exc.message}")
    finally:
        backend.close()
    typer.echo(f"Weekly digests: {result.searches} due search(es), {result.mails} mail(s), "
               f"{result.examples} example(s).")


@cli.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    publish: Annotated[bool, typer.Option("--publish", help="Publish directly, as the national admin.")] = False,
    allow_personal_data_override: Annotated[str | None, typer.Option(
        "--allow-personal-data-override", metavar="REASON",
        help="With --publish: publish rows that fail no_personal_data anyway; the reason is recorded in each "
        "such example's history and logged.")] = None,
) -> None:
    """Import examples from JSON Lines or CSV. Every row is validated and checked against the
    automatic criteria first; a file with any invalid row writes nothing. Without --publish
    every criterion must be met; with --publish a row with a personal identity number
    refuses the file unless --allow-personal-data-override gives a reason."""
    if allow_personal_data_override is not None and not publish:
        _fail("--allow-personal-data-override: only with --publish (submissions must meet every criterion)")
    if allow_personal_data_override is not None and not allow_personal_data_override.strip():
        _fail("--allow-personal-data-override: give the reason")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"line 1: file: not UTF-8 text ({exc.reason})")
    if not publish:
        from app.services import submissions_import

        count = submissions_import.import_as_submissions(file.name, text)
        typer.echo(f"Imported {count} example(s) as submissions awaiting review.")
        return
    count = _load_rows_and_import(file.name, text, personal_data_override=allow_personal_data_override)
    if allow_personal_data_override:
        typer.echo(f"Personal data check overridden where it failed; reason recorded: {allow_personal_data_override}",
                   err=True)
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
def reminders(
    day: Annotated[str | None, typer.Option("--date", help="Send as on this day (YYYY-MM-DD, UTC); default today.")] = None,
) -> None:
    """Mail each assignee a reminder about the submissions they review that are due within
    BARNRATT_REMINDER_LEAD_DAYS or overdue. Idempotent: at most one reminder per submission
    and day, however often it runs (safe to run from cron, e.g. daily at 07:00)."""
    from datetime import UTC, date, datetime, time

    from app.core.time import utcnow
    from app.services.assignment import send_reminders

    if day is None:
        now = utcnow()
    else:
        try:
            now = datetime.combine(date.fromisoformat(day), time(0), UTC)
        except ValueError:
            _fail(f"--date: not a date (YYYY-MM-DD): {day}")
    settings = get_settings()
    with session_scope(_engine()) as session:
        sent = send_reminders(session, settings=settings, now=now)
        lines = [f"reminder: submission {r.submission_id} to user {r.user_id}" for r in sent]
    for line in lines:
        typer.echo(line)
    typer.echo(f"Reminders sent for {now.date().isoformat()}: {len(lines)}.")


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
    organisation: Annotated[str | None, typer.Option(
        "--organisation", help="The organisation's id, or its exact name when only one organisation has it "
        "(within --county, if given).")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create an account. Editors need --county (their county's submissions are theirs to
    review); members of the same --organisation share drafts. Without --password-stdin
    the person is invited: an email with a one-time link to choose a password."""
    from app.services.auth import invite
    from app.services.users import create_user, parse_user_create

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        with session_scope(_engine()) as session:
            data = parse_user_create(
                email=email, role=role.value, county_code=county, name=name,
                organisation_id=_organisation_id(session, organisation, county), password=password,
            )
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


def _organisation_id(session, value: str | None, county: str | None) -> int | None:
    """--organisation as an id, or as a name that exactly one organisation has."""
    from app.core.errors import FieldError, InputError
    from app.services import organisations as organisations_service

    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return organisations_service.require_existing(session, int(value), field="organisation")
    found = organisations_service.find_by_name(session, name=value, county_code=county)
    if len(found) == 1:
        return found[0].id
    if not found:
        raise InputError([FieldError("organisation", f"no organisation named '{value}'"
                                     + (f" in county {county}" if county else "")
                                     + "; create it with `barnratt organisations create`")])
    ids = ", ".join(f"{o.id} ({o.name}, county {o.county_code})" for o in found)
    raise InputError([FieldError("organisation", f"several organisations are named '{value}': {ids}; give the id")])


class OrganisationTypeName(str, Enum):
    kommun = "kommun"
    region = "region"
    lansstyrelse = "lansstyrelse"
    statlig_myndighet = "statlig-myndighet"
    civilsamhalle = "civilsamhalle"
    naringsliv = "naringsliv"
    akademi = "akademi"
    annan = "annan"


def _echo_errors(exc: AppError) -> None:
    for f in exc.fields or []:
        typer.echo(f"{f.field}: {f.message}", err=True)
    _fail(exc.message)


@organisations_cli.command("create")
def organisations_create(
    name: str,
    type_: Annotated[OrganisationTypeName, typer.Option("--type")],
    county: Annotated[str, typer.Option("--county", help="County code, e.g. 24.")],
    municipality: Annotated[str | None, typer.Option("--municipality", help="Municipality code (type kommun).")] = None,
    number: Annotated[str | None, typer.Option("--number", help="Organisation number NNNNNN-NNNN.")] = None,
) -> None:
    """Create an organisation; prints its id as the last word."""
    from app.services import organisations as organisations_service

    try:
        with session_scope(_engine()) as session:
            data = organisations_service.parse_organisation_in({
                "name": name, "type": type_.value, "county_code": county, "municipality_code": municipality,
                "org_number": number})
            row = organisations_service.create(session, data=data)
            typer.echo(f"Created organisation {row.name} (county {row.county_code}), id {row.id}")
    except AppError as exc:
        _echo_errors(exc)


@organisations_cli.command("list")
def organisations_list(county: Annotated[str | None, typer.Option("--county")] = None) -> None:
    """Every organisation: id, county, municipality, type, organisation number, name."""
    from app.services import organisations as organisations_service

    with session_scope(_engine()) as session:
        for o in organisations_service.list_all(session, county_code=county):
            typer.echo(f"{o.id}\t{o.county_code}\t{o.municipality_code or '-'}\t{o.type}\t{o.org_number or '-'}\t{o.name}")


@organisations_cli.command("unmatched")
def organisations_unmatched() -> None:
    """What the migration to organisations could not link (and is still unlinked): kind, id,
    the name it gave, its county and why. Exit 0 either way."""
    from app.services import organisations as organisations_service

    with session_scope(_engine()) as session:
        rows = organisations_service.unmatched(session)
        for u in rows:
            typer.echo(f"{u.kind}\t{u.row_id}\t{u.county_code or '-'}\t{u.name}\t{u.reason}")
    typer.echo(f"{len(rows)} row(s) not linked to an organisation.", err=True)


@organisations_cli.command("link")
def organisations_link(
    kind: Annotated[str, typer.Argument(help="user, submission or example")],
    row_id: Annotated[int, typer.Argument(min=1, max=MAX_ID)],
    organisation_id: Annotated[int, typer.Argument(min=1, max=MAX_ID)],
) -> None:
    """Link a user, submission or example to an organisation (e.g. an unmatched one)."""
    from app.services import organisations as organisations_service

    try:
        with session_scope(_engine()) as session:
            organisations_service.set_organisation(session, kind=kind, row_id=row_id, organisation_id=organisation_id)
    except AppError as exc:
        _echo_errors(exc)
    typer.echo(f"Linked {kind} {row_id} to organisation {organisation_id}.")


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
