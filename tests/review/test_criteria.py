"""The automatic quality criteria, exactly as the issue defines them, and the stored
criteria (keys stable, titles and guidance in both languages)."""

from __future__ import annotations

import json

import pytest

from app.cli import DEMO_FILE
from app.services.criteria import (
    AUTOMATIC_KEYS,
    JUDGED_KEYS,
    check_automatic,
    list_criteria,
    update_criterion,
)
from app.services.reference import ReferenceSets
from tests.factories import example_payload


@pytest.fixture
def refs(session):
    return ReferenceSets.load(session)


def results(data, refs):
    return {r.key: r for r in check_automatic(data, refs)}


def test_a_complete_example_passes_every_automatic_criterion(refs):
    checked = results(example_payload(), refs)
    assert list(checked) == list(AUTOMATIC_KEYS)
    assert all(r.passed for r in checked.values()), {k: r.message() for k, r in checked.items() if not r.passed}


@pytest.mark.parametrize(
    ("key", "changes"),
    [
        ("articles_tagged", {"articles": []}),
        ("articles_tagged", {"articles": [99]}),
        ("method_described", {"method": "x" * 299}),
        ("method_described", {"method": "   " + "x" * 298 + "   "}),
        ("lessons_described", {"lessons_learned": "y" * 149}),
        ("effort_stated", {"duration_months": None}),
        ("effort_stated", {"effort_hours": None}),
        ("organisation_identified", {"organisation_name": "  "}),
        ("organisation_identified", {"county_code": None}),
        ("organisation_identified", {"county_code": "99"}),
        ("organisation_identified", {"municipality_code": "0180"}),  # Stockholm is not in county 24
        ("no_personal_data", {"background": "Pojken (811218-9876) deltog."}),
        ("no_personal_data", {"title": "Fallet 198112189876"}),
        ("no_personal_data", {"contact_name": "Anna 850671-2341"}),
        ("no_personal_data", {"links": [{"title": "Akt 8112189876", "url": "https://example.se/"}]}),
        ("links_valid", {"links": [{"title": "Intranät", "url": "intranet/sidan"}]}),
        ("links_valid", {"links": [{"title": "Fil", "url": "ftp://example.se/fil"}]}),
        ("links_valid", {"links": [{"title": "Tom", "url": ""}]}),
    ],
)
def test_each_automatic_criterion_fails_on_its_own(refs, key, changes):
    checked = results(example_payload(**changes), refs)
    failed = {k for k, r in checked.items() if not r.passed}
    assert failed == {key}
    assert checked[key].message("sv") and checked[key].message("en")
    assert checked[key].field


def test_boundaries_are_inclusive(refs):
    checked = results(example_payload(method="m" * 300, lessons_learned="l" * 150, duration_months=0,
                                      effort_hours=0, municipality_code=None, links=[]), refs)
    assert all(r.passed for r in checked.values())


def test_messages_name_the_numbers(refs):
    checked = results(example_payload(method="kort"), refs)
    assert "300" in checked["method_described"].message("en") and "4" in checked["method_described"].message("en")
    assert "300" in checked["method_described"].message("sv")


def test_ordinary_numbers_in_texts_do_not_trip_the_personal_data_check(refs):
    checked = results(example_payload(
        results="Ring 070-123 45 67 eller 0701234567. Org.nr 212000-2627. 1 200 000 kr under 2021-2023.",
    ), refs)
    assert checked["no_personal_data"].passed


def test_every_demo_example_passes_every_automatic_criterion(refs):
    lines = [json.loads(line) for line in DEMO_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines
    for number, data in enumerate(lines, start=1):
        failed = [(r.key, r.message("en")) for r in check_automatic(data, refs) if not r.passed]
        assert not failed, f"demo line {number} ({data.get('title')}): {failed}"


def test_stored_criteria_have_the_stable_keys_in_both_languages(session):
    sv = list_criteria(session, lang="sv")
    en = list_criteria(session, lang="en")
    assert [c.key for c in sv] == list(AUTOMATIC_KEYS) + list(JUDGED_KEYS)
    assert [c.kind for c in sv] == ["automatic"] * 9 + ["judged"] * 5
    assert all(c.title and c.guidance for c in sv + en)
    by_key = {c.key: c for c in en}
    assert by_key["participation"].article == 12 and by_key["best_interests"].article == 3
    assert by_key["non_discrimination"].article == 2
    assert sv[0].title != en[0].title
    assert [c.key for c in list_criteria(session, kind="judged")] == list(JUDGED_KEYS)


def test_admin_edits_titles_and_guidance_but_not_keys(session, cast):
    admin = cast.admin.user
    update_criterion(session, user=admin, key="participation", title_sv="Delaktighet", title_en="Participation",
                     guidance_sv="Ny vägledning", guidance_en="New guidance")
    c = {c.key: c for c in list_criteria(session, lang="en")}["participation"]
    assert (c.title, c.guidance) == ("Participation", "New guidance")
    from app.core.errors import InputError, NotFound

    with pytest.raises(InputError):
        update_criterion(session, user=admin, key="participation", title_sv="", title_en="x", guidance_sv="", guidance_en="")
    with pytest.raises(NotFound):
        update_criterion(session, user=admin, key="nope", title_sv="a", title_en="b", guidance_sv="", guidance_en="")
