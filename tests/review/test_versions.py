"""The readable diff between two published versions."""

from __future__ import annotations

from app.services.versions import diff, word_diff
from tests.factories import example_payload


def _text(segments, ops=("equal", "insert")):
    return "".join(t for op, t in segments if op in ops)


def test_word_diff_reconstructs_both_versions():
    old = "Varje nämnd gjorde en förenklad analys av budgeten varje år."
    new = "Varje nämnd och bolag gjorde en enkel analys av budgeten varje år."
    segments = word_diff(old, new)
    assert ("insert", " och bolag") in segments or ("insert", "och bolag ") in segments
    assert ("delete", "förenklad") in segments and ("insert", "enkel") in segments
    assert _text(segments, ("equal", "delete")).split() == old.split()
    assert _text(segments, ("equal", "insert")).split() == new.split()


def test_a_rewritten_text_is_shown_replaced_whole():
    segments = word_diff("Kommunen införde analyser i budgeten.", "En helt ny sammanfattning efter ett år.")
    assert segments == [("delete", "Kommunen införde analyser i budgeten."),
                        ("insert", "En helt ny sammanfattning efter ett år.")]


def test_adjacent_word_changes_are_grouped():
    segments = word_diff("barnen fick svar inom en vecka", "barnen fick skriftligt svar inom två veckor")
    changes = [s for s in segments if s[0] != "equal"]
    assert ("delete", "en vecka") in changes and ("insert", "två veckor") in changes


def test_diff_lists_only_changed_fields_in_contract_order():
    old = example_payload()
    new = example_payload(title="Ny rubrik", sectors=["skola", "ledning-och-styrning"], duration_months=30,
                          links=[])
    changes = diff(old, new)
    assert [c.name for c in changes] == ["title", "sectors", "duration_months", "links"]
    by_name = {c.name: c for c in changes}
    assert by_name["sectors"].added == ["skola"] and by_name["sectors"].removed == []
    assert (by_name["duration_months"].old, by_name["duration_months"].new) == (24, 30)
    assert by_name["links"].removed == old["links"]
    assert diff(old, old) == []


def test_as_utc_normalises_every_zone_to_datetime_utc():
    from datetime import UTC, datetime
    from email.utils import format_datetime
    from zoneinfo import ZoneInfo

    from app.core.time import as_utc

    for value in (datetime(2026, 1, 1, 12), datetime(2026, 1, 1, 12, tzinfo=ZoneInfo("Etc/UTC")),
                  datetime(2026, 1, 1, 13, tzinfo=ZoneInfo("Europe/Stockholm"))):
        normalised = as_utc(value)
        assert normalised.tzinfo is UTC and normalised.hour == 12
        assert format_datetime(normalised, usegmt=True).endswith("GMT")
