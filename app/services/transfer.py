"""Import and export of examples as JSON Lines or CSV (the open-data format).

CSV has the same columns as JSON Lines; list fields are joined by ``;`` and links are
written ``title|url``. Every row is validated before anything is written; a file with any
invalid row writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlmodel import Session

from app.core.errors import AppError, FieldError, InputError
from app.models import Example, ExampleIn
from app.models.content import CONTRACT_FIELDS, FIELDS_BY_NAME, INT_FIELDS, PUBLIC_FIELDS
from app.services import organisations as organisations_service
from app.services.examples import (
    existing_slugs,
    iter_published,
    make_slug,
    publish_new,
    sync_id_sequence,
)
from app.services.reference import ReferenceSets
from app.services.validation import validate_example

log = logging.getLogger("barnratt.import")

Format = Literal["jsonl", "csv"]
EXPORT_FIELDS: tuple[str, ...] = ("id", "slug", *CONTRACT_FIELDS)
INT_COLUMNS = {"id", *INT_FIELDS}
LIST_SEP = ";"


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ParsedRow:
    line: int
    data: dict[str, Any] | None
    errors: list[LineError] = field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def detect_format(filename: str, head: str) -> Format:
    lower = filename.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith(".csv"):
        return "csv"
    return "jsonl" if head.lstrip().startswith("{") else "csv"


def parse_jsonl(lines: Iterable[str]) -> Iterator[ParsedRow]:
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield ParsedRow(number, None, [LineError(number, "line", f"not valid JSON ({exc.msg})")])
            continue
        if not isinstance(value, dict):
            yield ParsedRow(number, None, [LineError(number, "line", "must be a JSON object")])
            continue
        yield ParsedRow(number, value)


def _csv_value(name: str, value: str, line: int, errors: list[LineError]) -> Any:
    value = value.strip()
    spec = FIELDS_BY_NAME.get(name)
    if spec is not None and spec.kind in ("articles", "codes"):
        items = [v.strip() for v in value.split(LIST_SEP) if v.strip()]
        if name != "articles":
            return items
        numbers = []
        for item in items:
            try:
                numbers.append(int(item))
            except ValueError:
                errors.append(LineError(line, name, f"'{item}' is not an article number"))
        return numbers
    if spec is not None and spec.kind == "links":
        links = []
        for item in (v for v in value.split(LIST_SEP) if v.strip()):
            title, sep, url = item.partition("|")
            if not sep:
                errors.append(LineError(line, name, f"'{item}' must be written title|url"))
                continue
            links.append({"title": title.strip(), "url": url.strip()})
        return links
    if name in INT_COLUMNS:
        if value == "":
            return None
        try:
            return int(value)
        except ValueError:
            errors.append(LineError(line, name, f"'{value}' is not a whole number"))
            return None
    if value == "" and not (spec is not None and spec.is_text):
        return None
    return value


def parse_csv(text: str) -> Iterator[ParsedRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    unknown = [h for h in header if h not in EXPORT_FIELDS]
    if unknown:
        yield ParsedRow(1, None, [LineError(1, h, "unknown column") for h in unknown])
        return
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield ParsedRow(line, None, [LineError(line, "line", f"has {len(row)} columns, expected {len(header)}")])
            continue
        errors: list[LineError] = []
        data = {name: _csv_value(name, cell, line, errors) for name, cell in zip(header, row)}
        yield ParsedRow(line, data, errors)


def parse_file(filename: str, text: str) -> list[ParsedRow]:
    fmt = detect_format(filename, text[:200])
    rows = parse_jsonl(text.splitlines()) if fmt == "jsonl" else parse_csv(text)
    return list(rows)


def validate_rows(session: Session, rows: list[ParsedRow]) -> tuple[list[tuple[int, ExampleIn]], list[LineError]]:
    refs = ReferenceSets.load(session)
    valid: list[tuple[int, ExampleIn]] = []
    errors: list[LineError] = []
    seen_ids: dict[int, int] = {}
    for row in rows:
        errors.extend(row.errors)
        if row.data is None or row.errors:
            continue
        try:
            example = validate_example(row.data, refs)
        except InputError as exc:
            errors.extend(LineError(row.line, e.field, e.message) for e in exc.fields)
            continue
        if example.id is not None:
            if example.id in seen_ids:
                errors.append(LineError(row.line, "id", f"{example.id} repeats line {seen_ids[example.id]}"))
                continue
            seen_ids[example.id] = row.line
            if session.get(Example, example.id) is not None:
                errors.append(LineError(row.line, "id", f"example {example.id} already exists"))
                continue
        valid.append((row.line, example))
    return valid, errors


PERSONAL_DATA = "no_personal_data"
OVERRIDE_FLAG = "--allow-personal-data-override"


def automatic_criteria(session: Session, valid: list[tuple[int, ExampleIn]]) -> list[LineError]:
    """Every failed automatic criterion of every row, by line: the same criteria a
    contributor's submission must meet (app.services.criteria)."""
    from app.services.criteria import check_automatic

    refs = ReferenceSets.load(session)
    return [LineError(line, result.key, result.message("en"))
            for line, example in valid for result in check_automatic(example.content(), refs) if not result.passed]


def import_examples(
    session: Session,
    rows: list[ParsedRow],
    *,
    actor_label: str,
    actor_id: int | None = None,
    personal_data_override: str | None = None,
    warn: Callable[[LineError], None] | None = None,
) -> list[Example]:
    """Validate every row, run the automatic criteria, then publish all of them; raise
    ImportFailed and write nothing if any row is invalid.

    A row that fails ``no_personal_data`` (a personal identity number in its text) refuses
    the file unless ``personal_data_override`` gives a reason: then it is published, the
    reason is recorded in that example's history and logged. Other failed criteria are
    reported through ``warn`` (the admin publishes directly, without review). The caller
    commits."""
    if not rows:
        raise ImportFailed([LineError(1, "file", "contains no examples")])
    valid, errors = validate_rows(session, rows)
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.line))
    failed = automatic_criteria(session, valid)
    personal = [e for e in failed if e.field == PERSONAL_DATA]
    override = (personal_data_override or "").strip()
    if personal and not override:
        raise ImportFailed([LineError(e.line, e.field, f"{e.message}; nothing was published (to publish anyway, "
                                      f"give {OVERRIDE_FLAG} REASON)") for e in personal])
    for error in failed:
        if error.field != PERSONAL_DATA and warn is not None:
            warn(error)
    overridden = {e.line for e in personal}
    taken = existing_slugs(session)
    created = []
    for line, example in valid:
        slug = example.slug or make_slug(example.title)
        base, n = slug, 2
        while slug in taken and example.slug is None:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        try:
            created.append(
                row := publish_new(
                    session,
                    example=example.model_copy(update={"slug": slug}),
                    actor_label=actor_label,
                    actor_id=actor_id,
                    action="imported",
                    comment="Importerad och publicerad direkt av nationell administratör",
                    organisation_id=organisations_service.for_import(session, example.content()).id,
                )
            )
        except AppError as exc:
            raise ImportFailed([LineError(line, *_split(exc.message))]) from None
        if line in overridden:
            _record_override(session, example=row, line=line, reason=override, actor_label=actor_label,
                             actor_id=actor_id)
    if any(example.id is not None for _, example in valid):
        session.flush()
        sync_id_sequence(session)
    return created


def _record_override(session: Session, *, example: Example, line: int, reason: str, actor_label: str,
                     actor_id: int | None) -> None:
    from app.core.time import utcnow
    from app.models import Event

    session.add(Event(
        example_id=example.id, actor_id=actor_id, actor_label=actor_label, action="personal_data_override",
        from_status="published", to_status="published", created_at=utcnow(),
        comment=f"Publicerad trots att kriteriet Inga personuppgifter inte uppfylldes (importrad {line}). "
                f"Skäl: {reason}",
    ))
    log.warning("import: example %s (line %d) published despite failing no_personal_data; override reason: %s",
                example.id, line, reason)


def _split(message: str) -> tuple[str, str]:
    head, sep, tail = message.partition(": ")
    return (head, tail) if sep else ("line", message)


def export_record(example: Example, *, public: bool = False) -> dict[str, Any]:
    """An example in the import format. ``public``: the open-data export, without the fields
    the public never sees (the contact address); the admin's export (CLI) has them all."""
    content = example.content()
    names = PUBLIC_FIELDS if public else CONTRACT_FIELDS
    return {"id": example.id, "slug": example.slug, **{name: content[name] for name in names}}


def matching_ids(backend: Any, params: Any) -> list[int]:
    """Every example id a search matches (through the search engine itself, page by page)."""
    from app.services.browse import run_engine
    from search.query import MAX_PAGE

    ids: list[int] = []
    page = 1
    while page <= MAX_PAGE:
        result = run_engine(backend, params.to_query(facets=[], sort="newest", page=page, per_page=100))
        ids.extend(hit.id for hit in result.hits)
        if len(result.hits) < 100 or len(ids) >= result.total:
            break
        page += 1
    return sorted(set(ids))


def _examples(session: Session, ids: list[int] | None, *, batch: int = 500) -> Iterator[Example]:
    if ids is None:
        yield from iter_published(session)
        return
    from sqlmodel import select

    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        yield from session.exec(select(Example).where(Example.id.in_(chunk), Example.status == "published")
                                .order_by(Example.id)).all()


def iter_export(session: Session, fmt: Format, *, ids: list[int] | None = None,
                public: bool = False) -> Iterator[str]:
    """The published examples (all, or those with ``ids``) in id order, as lines of the chosen
    format; ``public`` leaves out what the public never sees (see ``export_record``)."""
    if fmt == "jsonl":
        for example in _examples(session, ids):
            yield json.dumps(export_record(example, public=public), ensure_ascii=False) + "\n"
        return
    columns = ("id", "slug", *PUBLIC_FIELDS) if public else EXPORT_FIELDS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for example in _examples(session, ids):
        record = export_record(example, public=public)
        writer.writerow([_csv_cell(name, record[name]) for name in columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


REUSE_EXPORT_FIELDS: tuple[str, ...] = (
    "id", "example_id", "url", "organisation_name", "county_code", "municipality_code", "used_year", "used_month",
    "adaptations", "effort_hours", "outcome", "lesson", "published_at",
)


def iter_reuse_export(session: Session, fmt: Format, *, ids: list[int] | None, base_url: str) -> Iterator[str]:
    """The reviewed reuse reports of the published examples (all, or those with ``ids``)."""
    from sqlmodel import select

    from app.models import ReuseReport
    from app.services.reuse import report_public

    query = (select(ReuseReport).join(Example, Example.id == ReuseReport.example_id)
             .where(ReuseReport.status == "published", Example.status == "published"))
    if ids is not None:
        query = query.where(ReuseReport.example_id.in_(ids or [0]))
    rows = session.exec(query.order_by(ReuseReport.example_id, ReuseReport.id)).all()
    if fmt == "jsonl":
        for row in rows:
            yield json.dumps(report_public(row, base_url=base_url), ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REUSE_EXPORT_FIELDS)
    for row in rows:
        record = report_public(row, base_url=base_url)
        writer.writerow(["" if record[name] is None else str(record[name]) for name in REUSE_EXPORT_FIELDS])
    yield buffer.getvalue()


def _csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "links":
        return LIST_SEP.join(f"{link['title']}|{link['url']}" for link in value)
    if isinstance(value, list):
        return LIST_SEP.join(str(v) for v in value)
    return str(value)


__all__ = [
    "FieldError",
    "ImportFailed",
    "LineError",
    "import_examples",
    "iter_export",
    "parse_file",
    "validate_rows",
]
