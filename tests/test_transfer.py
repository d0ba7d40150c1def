"""Import validates every row first and writes nothing from a file with a bad row;
export -> import -> export is the identity."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import func, select

from app.models import Event, Example, ExampleVersion, OutboxEntry
from app.services.transfer import ImportFailed, import_examples, iter_export, parse_file
from tests.factories import example_payload


def jsonl(*rows) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_publish_import_writes_example_version_history_and_outbox(session):
    created = import_examples(
        session, parse_file("x.jsonl", jsonl(example_payload())), actor_label="admin"
    )
    session.flush()
    (example,) = created
    assert example.status == "published" and example.version == 1
    assert example.slug == "barnkonsekvensanalys-i-budgetprocessen"
    version = session.exec(select(ExampleVersion).where(ExampleVersion.example_id == example.id)).one()
    assert version.data["title"] == example.title
    event = session.exec(select(Event).where(Event.example_id == example.id)).one()
    assert event.action == "imported" and event.to_status == "published"
    assert session.exec(select(OutboxEntry).where(OutboxEntry.example_id == example.id)).one().op == "upsert"


def test_one_bad_line_among_good_writes_nothing_and_names_the_line(session):
    before = count(session, Example)
    text = jsonl(
        example_payload(title="Första goda exemplet"),
        example_payload(title="Andra goda exemplet", municipality_code="0180"),
        example_payload(title="Tredje goda exemplet"),
    ) + "{not json\n"
    with pytest.raises(ImportFailed) as info:
        import_examples(session, parse_file("x.jsonl", text), actor_label="admin")
    messages = [str(e) for e in info.value.errors]
    assert "line 2: municipality_code: 0180 is not in county 24" in messages
    assert any(m.startswith("line 4: line: not valid JSON") for m in messages)
    assert count(session, Example) == before
    assert count(session, OutboxEntry) == 0


def test_csv_errors_name_line_and_field(session):
    text = (
        "title,articles,sectors,organisation_name,organisation_type,county_code,effort_hours\n"
        "Ett bra exempel,3;12,skola,Umeå kommun,kommun,24,100\n"
        "Ett annat exempel,3;x,skola,Umeå kommun,kommun,24,många\n"
    )
    with pytest.raises(ImportFailed) as info:
        import_examples(session, parse_file("x.csv", text), actor_label="admin")
    messages = {str(e) for e in info.value.errors}
    assert "line 3: articles: 'x' is not an article number" in messages
    assert "line 3: effort_hours: 'många' is not a whole number" in messages
    assert count(session, Example) == 0


def test_unknown_csv_column_is_refused(session):
    with pytest.raises(ImportFailed) as info:
        import_examples(session, parse_file("x.csv", "title,colour\nHej hej,röd\n"), actor_label="a")
    assert [str(e) for e in info.value.errors] == ["line 1: colour: unknown column"]


def test_existing_or_repeated_id_is_refused(session):
    import_examples(session, parse_file("x.jsonl", jsonl(example_payload(id=500))), actor_label="a")
    with pytest.raises(ImportFailed) as info:
        import_examples(
            session,
            parse_file("x.jsonl", jsonl(example_payload(id=500), example_payload(id=501), example_payload(id=501))),
            actor_label="a",
        )
    assert [str(e) for e in info.value.errors] == [
        "line 1: id: example 500 already exists",
        "line 3: id: 501 repeats line 2",
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_import_export_is_identity(session, engine, fresh_db, backend, fmt):
    rows = [
        example_payload(title="Barnråd i skolan", links=[], contact_email=None, municipality_code=None),
        example_payload(title="Läxhjälp på biblioteket", summary='Med "citat", komma; och\nradbrytning',
                        articles=[28, 31], cost_sek=25000, end_year=None),
        example_payload(title="Samma titel"),
        example_payload(title="Samma titel"),
    ]
    import_examples(session, parse_file("x.jsonl", jsonl(*rows)), actor_label="a")
    session.flush()
    first = "".join(iter_export(session, fmt))
    if fmt == "csv":
        parsed = list(csv.DictReader(io.StringIO(first)))
        assert len(parsed) == 4 and parsed[1]["articles"] == "28;31"
        assert parsed[3]["slug"] == "samma-titel-2"

    from sqlmodel import Session

    from app.core.db import make_engine
    from app.core.migrate import upgrade_to_head
    from app.services.reference import load_reference_data

    other = make_engine(fresh_db.url(backend))
    try:
        upgrade_to_head(other)
        with Session(other) as empty:
            load_reference_data(empty)
            import_examples(empty, parse_file(f"export.{fmt}", first), actor_label="a")
            empty.commit()
            second = "".join(iter_export(empty, fmt))
            # The sequence moved past the imported ids.
            again = import_examples(empty, parse_file("y.jsonl", jsonl(example_payload(title="Nytt exempel"))), actor_label="a")
            empty.commit()
            assert again[0].id > max(json.loads(line)["id"] for line in "".join(iter_export(empty, "jsonl")).splitlines()[:-1])
    finally:
        other.dispose()
    assert second == first
