"""How long an example ran: "5 months" with no years is not "ongoing"."""

from __future__ import annotations

import re

import pytest

from search.bands import duration_band
from search.documents import build_document
from tests.site_data import index, publish


@pytest.mark.parametrize(("start", "end", "ongoing"), [(None, None, False), (2021, None, True), (2021, 2022, False),
                                                       (None, 2022, False)])
def test_only_a_started_example_without_end_year_is_ongoing(start, end, ongoing):
    from search.bands import is_ongoing

    assert is_ongoing(start, end) is ongoing


def test_search_document_of_five_months_without_years_is_in_the_3_to_12_band():
    doc = build_document({"id": 1, "slug": "x", "title": "Fem månader", "duration_months": 5, "start_year": None,
                          "end_year": None, "published_at": "2024-01-01T00:00:00Z"})
    assert doc["duration"] == "3-12" == duration_band(5, ongoing=False)


def _facts(page: str) -> str:
    """The text of the example page's "Tidsåtgång" fact."""
    match = re.search(r'<dt>Tidsåtgång</dt>\s*<dd>(.*?)</dd>', page, re.S)
    assert match, "no duration fact"
    return match.group(1).strip()


def test_example_page_of_five_months_without_years_says_five_months(client, session):
    row = publish(session, title="Fem månader utan årtal", start_year=None, end_year=None, duration_months=5)
    session.flush()
    index(client.app.state.search, [row])
    page = client.get(f"/exempel/{row.id}").text
    assert "Pågående" not in page and "pågående" not in page
    assert _facts(page) == "5 månader"
    # Its duration tag is the 3–12 months band, and that filter finds it.
    assert "3–12 månader" in page
    found = client.get("/api/v1/examples", params={"duration": "3-12"}).json()
    assert row.id in [item["id"] for item in found["items"]]
    assert row.id not in [item["id"] for item in client.get("/api/v1/examples", params={"duration": "ongoing"}).json()["items"]]


def test_example_without_duration_or_years_is_not_stated(client, session):
    row = publish(session, title="Varken år eller månader", start_year=None, end_year=None, duration_months=None)
    session.flush()
    page = client.get(f"/exempel/{row.id}").text
    assert "Pågående" not in page
    assert _facts(page) == "Ej angivet"


def test_started_example_without_end_year_is_still_ongoing(client, session):
    row = publish(session, title="Pågår sedan 2022", start_year=2022, end_year=None, duration_months=None)
    session.flush()
    page = client.get(f"/exempel/{row.id}").text
    assert _facts(page) == "Pågående (2022–pågående)"
