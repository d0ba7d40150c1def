"""The automatic criteria notice what editors look for: children's participation and the
results are described, not only the method and the lessons; each message is in the reader's
language and names the field by its label."""

from __future__ import annotations

import pytest

from app.services.criteria import AUTOMATIC_KEYS, check_automatic, list_criteria
from app.services.reference import ReferenceSets
from tests.factories import example_payload
from tests.review.conftest import new_submission


@pytest.fixture
def refs(session):
    return ReferenceSets.load(session)


def failed(data, refs):
    return {r.key: r for r in check_automatic(data, refs) if not r.passed}


@pytest.mark.parametrize(("key", "name", "minimum"), [
    ("participation_described", "child_participation", 150),
    ("results_described", "results", 100),
])
def test_participation_and_results_need_a_real_description(refs, key, name, minimum):
    assert set(failed(example_payload(**{name: ""}), refs)) == {key}
    assert set(failed(example_payload(**{name: "  " + "x" * (minimum - 1) + "  "}), refs)) == {key}
    assert failed(example_payload(**{name: "x" * minimum}), refs) == {}


def test_messages_name_the_field_by_its_label_in_the_readers_language(refs):
    found = failed(example_payload(child_participation="Barnen tyckte till.", results="", method="kort",
                                   lessons_learned="Få."), refs)
    assert found["participation_described"].message("sv") == (
        "Barns delaktighet: beskriv hur barn var delaktiga och vilken betydelse deras åsikter fick, "
        "med minst 150 tecken (nu 19).")
    assert found["participation_described"].message("en") == (
        "Children's participation: describe how children took part and what weight their views were given, "
        "in at least 150 characters (now 19).")
    assert found["results_described"].message("sv").startswith("Resultat: beskriv vad som förändrades")
    assert found["results_described"].message("en").startswith("Results: describe what changed")
    assert found["method_described"].message("sv").startswith("Metod: ")
    assert found["lessons_described"].message("en").startswith("Lessons learned: ")
    assert found["participation_described"].field == "child_participation"


def test_the_new_criteria_are_stored_as_data_with_stable_keys(session):
    stored = {c.key: c for c in list_criteria(session, lang="en")}
    assert stored["participation_described"].kind == "automatic"
    assert stored["participation_described"].title == "Children's participation described"
    assert list_criteria(session, lang="sv")[2].title == "Barns delaktighet beskriven"
    assert [c.key for c in list_criteria(session, kind="automatic")] == list(AUTOMATIC_KEYS)
    assert AUTOMATIC_KEYS[:4] == ("articles_tagged", "method_described", "participation_described",
                                  "results_described")


def test_submit_is_refused_naming_the_criterion_in_the_request_language(client, session, cast, settings):
    sub = new_submission(session, cast, settings=settings, child_participation="Barnen fick tycka till.")
    for lang, start in (("sv", "Barns delaktighet: beskriv"), ("en", "Children's participation: describe")):
        response = client.post(f"/api/v1/submissions/{sub.id}/submit?lang={lang}", headers=cast.author.headers)
        assert response.status_code == 422
        fields = {f["field"]: f["message"] for f in response.json()["error"]["fields"]}
        assert set(fields) == {"participation_described"}
        assert fields["participation_described"].startswith(start)
    session.refresh(sub)
    assert sub.status == "draft"
