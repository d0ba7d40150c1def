"""Re-review: every published example carries a review date (two years after publication by
default); once it has passed the example page says when it was last reviewed, the county's
editors see it in their re-review queue, and confirming it or publishing a revision resets it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import Event, Example
from app.services import rereview
from app.services.review import DecisionIn, decide
from app.services.submissions import (
    parse_submission_in,
    start_revision,
    submit,
    update_content,
)
from tests.factories import example_payload
from tests.review.conftest import ALL_MET, published_example
from tests.review.test_pages_workflow import _other_client, post


def _age(session, example: Example, *, days: int) -> None:
    """Make the example look published ``days`` ago (the data, not the clock)."""
    example.published_at = datetime.now(UTC) - timedelta(days=days)
    session.add(example)
    session.flush()


def test_add_months_clamps_to_the_end_of_the_month():
    assert rereview.add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)
    assert rereview.add_months(date(2025, 8, 31), -18) == date(2024, 2, 29)
    assert rereview.add_months(date(2025, 1, 15), 24) == date(2027, 1, 15)


def test_the_default_review_date_is_two_years_after_publication(session, cast, settings):
    example = published_example(session, cast, settings=settings)
    published = example.published_at.date()
    when = rereview.review_date(session, example=example, settings=settings)
    assert when.due_on == rereview.add_months(published, 24) and not when.overdue
    later = datetime.combine(rereview.add_months(published, 24), datetime.min.time(), UTC)
    assert rereview.review_date(session, example=example, settings=settings, now=later - timedelta(days=1)).overdue is False
    assert rereview.review_date(session, example=example, settings=settings, now=later).overdue is True


def test_queue_confirm_and_page_notice(client, session, cast, settings):
    old = published_example(session, cast, settings=settings, title="Ett gammalt exempel")
    fresh = published_example(session, cast, settings=settings, title="Ett nytt exempel")
    elsewhere = published_example(session, cast, settings=settings, title="Ett exempel i Stockholm",
                                  county_code="01", municipality_code="0180")
    for example in (old, elsewhere):
        _age(session, example, days=2 * 365 + 10)

    # The public page says when it was last reviewed; a fresh one does not.
    page = client.get(f"/exempel/{old.id}").text
    assert f"Granskades senast {old.published_at.date().isoformat()}" in page
    assert client.get(f"/exempel/{old.id}?lang=en").text.count(f"Last reviewed {old.published_at.date().isoformat()}") == 1
    assert "Granskades senast" not in client.get(f"/exempel/{fresh.id}").text

    # The county's editors see it in their queue; the other county's only their own.
    items = client.get("/api/v1/rereview-queue", headers=cast.editor.headers).json()["items"]
    assert [i["id"] for i in items] == [old.id] and items[0]["overdue"] is True
    assert [i["id"] for i in client.get("/api/v1/rereview-queue", headers=cast.other_editor.headers).json()["items"]] == [elsewhere.id]
    assert {i["id"] for i in client.get("/api/v1/rereview-queue", headers=cast.admin.headers).json()["items"]} == {old.id, elsewhere.id}
    assert client.get("/api/v1/rereview-queue", headers=cast.author.headers).status_code == 403

    # Who may confirm: the county's editor or the admin.
    url = f"/api/v1/examples/{old.id}/rereview"
    assert client.post(url, headers=cast.author.headers).status_code == 403
    assert client.post(url, headers=cast.other_editor.headers).status_code == 403
    assert client.post(url, headers=cast.anonymous.headers).status_code == 401
    assert client.post(url, json={"comment": 5}, headers=cast.editor.headers).status_code == 422
    assert client.post("/api/v1/examples/99999999/rereview", headers=cast.editor.headers).status_code == 404

    # The editor confirms on the page: the date moves two years from today, the notice goes.
    editor = _other_client(client, session, cast.editor.user, settings)
    queue_page = editor.get("/granska/omgranskning").text
    assert "Ett gammalt exempel" in queue_page and "Ett exempel i Stockholm" not in queue_page
    done = post(editor, f"/granska/exempel/{old.id}/omgranskning", {"comment": "Stämmer fortfarande."},
                page_url="/granska/omgranskning")
    assert done.status_code == 303
    when = rereview.review_date(session, example=old, settings=settings)
    assert when.due_on == rereview.add_months(date.today(), 24) and not when.overdue
    assert "Granskades senast" not in client.get(f"/exempel/{old.id}?lang=sv").text
    assert "Ett gammalt exempel" not in editor.get("/granska/omgranskning").text
    event = session.exec(select(Event).where(Event.example_id == old.id, Event.action == "rereview_confirmed")).one()
    assert event.comment == "Stämmer fortfarande." and event.actor_id == cast.editor.id
    # The public history says it was re-reviewed.
    assert "Omgranskad: fortfarande giltig" in client.get(f"/versioner/{old.id}?lang=sv").text

    # Over the API, the same for the admin.
    confirmed = client.post(f"/api/v1/examples/{elsewhere.id}/rereview", headers=cast.admin.headers)
    assert confirmed.status_code == 200 and confirmed.json()["overdue"] is False
    assert confirmed.json()["review_due"] == rereview.add_months(date.today(), 24).isoformat()


def test_publishing_a_revision_resets_the_review_date(session, cast, settings):
    example = published_example(session, cast, settings=settings)
    _age(session, example, days=3 * 365)
    assert rereview.review_date(session, example=example, settings=settings).overdue
    rev = start_revision(session, example=example, user=cast.author.user)
    update_content(session, submission=rev, user=cast.author.user, expected_version=rev.version,
                   data=parse_submission_in(example_payload(summary="Uppdaterad efter tre år.")))
    submit(session, submission=rev, user=cast.author.user, settings=settings)
    decide(session, submission=rev, reviewer=cast.editor.user, settings=settings,
           data=DecisionIn(decision="approve", criteria=ALL_MET))
    when = rereview.review_date(session, example=example, settings=settings)
    assert not when.overdue and when.due_on == rereview.add_months(date.today(), 24)
    assert when.last_reviewed.date() == date.today()


def test_a_withdrawn_example_is_not_re_reviewed(session, cast, settings):
    from app.core.errors import Conflict
    from app.services.review import withdraw

    example = published_example(session, cast, settings=settings)
    _age(session, example, days=3 * 365)
    withdraw(session, example=example, user=cast.admin.user, reason="Inaktuellt", settings=settings)
    assert rereview.queue(session, user=cast.editor.user, settings=settings) == []
    with pytest.raises(Conflict):
        rereview.confirm(session, example=example, user=cast.editor.user, settings=settings)
