"""Between review rounds the editor reads only what changed since they last looked: an
editor through two rounds (request changes → the author edits → resubmits → the editor sees
exactly the changed words), over HTTP as a browser without JavaScript uses the pages."""

from __future__ import annotations

import re

from sqlmodel import select

from app.models import ReviewView, SubmissionRound
from app.services import review_rounds
from app.services.review import DecisionIn, decide
from app.services.submissions import parse_submission_in, submit, update_content
from tests.factories import example_payload
from tests.review.conftest import make_user, new_submission
from tests.review.test_pages_workflow import _other_client, form_fields, post

OLD_SENTENCE = "Ungdomsrådet fick lämna synpunkter på prioriteringarna innan nämnderna beslutade"
NEW_SENTENCE = "Ungdomsrådet och två elevråd fick lämna synpunkter på prioriteringarna innan nämnderna beslutade"


def marked(tag: str, html: str) -> list[str]:
    """The visible text of every <ins> or <del>."""
    return [re.sub(r'<span class="visually-hidden">.*?</span>', "", m).strip()
            for m in re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)]


def _since_seen_section(html: str) -> str:
    match = re.search(r'<section class="changes since-seen".*?</section>', html, re.S)
    assert match, "no 'changed since you last looked' section"
    return match.group(0)


def test_editor_through_two_rounds_sees_exactly_the_changed_words(client, session, cast, settings):
    sub = new_submission(session, cast, state="submitted", settings=settings)
    editor = _other_client(client, session, cast.editor.user, settings)
    author = _other_client(client, session, cast.author.user, settings)

    # Round 1: the editor reads it (no diff yet) and requests changes.
    first = editor.get(f"/granska/{sub.id}")
    assert first.status_code == 200 and "since-seen" not in first.text
    asked = post(editor, f"/granska/{sub.id}", [("version", str(sub.version)), ("decision", "request_changes"),
                                                ("comment", "Vilka fler barn var med?")])
    assert asked.status_code == 303

    # The author changes one phrase and the end year, and resubmits through the form.
    session.refresh(sub)
    payload = example_payload(child_participation=example_payload()["child_participation"].replace(OLD_SENTENCE, NEW_SENTENCE),
                              end_year=2024)
    sent = post(author, f"/bidrag/{sub.id}/skicka-in", [("version", str(sub.version))] + form_fields(payload),
                page_url=f"/bidrag/{sub.id}")
    assert sent.status_code == 303, sent.text
    session.refresh(sub)
    assert sub.status == "submitted"

    # Round 2: the editor sees exactly what changed, nothing else.
    html = editor.get(f"/granska/{sub.id}").text
    section = _since_seen_section(html)
    assert "omgång 1 → omgång 2" in section
    assert marked("ins", section) == ["och två elevråd", "2024"]
    assert marked("del", section) == ["2023"]
    # Screen readers hear what was added and removed.
    assert '<ins><span class="visually-hidden">[tillagt: </span>' in section
    rows = re.findall(r'<th scope="row">(.*?)</th>', section)
    assert rows == ["Barns delaktighet", "Slutår"]
    # The whole text is still on the page below.
    assert NEW_SENTENCE in html

    # Reloading keeps showing the changes of this round.
    assert _since_seen_section(editor.get(f"/granska/{sub.id}").text) == section


def test_the_baseline_is_the_round_this_editor_last_saw(session, cast, settings):
    """Round 1 seen by the editor, round 2 decided by a colleague without the editor looking:
    in round 3 the editor sees everything since round 1; the colleague only since round 2."""
    colleague = make_user(session, email="lisa@lansstyrelsen.se", role="editor", county="24")
    sub = new_submission(session, cast, state="submitted", settings=settings)
    review_rounds.mark_seen(session, submission=sub, user=cast.editor.user)

    def resubmit(**changes):
        decide(session, submission=sub, reviewer=colleague, settings=settings,
               data=DecisionIn(decision="request_changes", comment="Mer, tack."))
        update_content(session, submission=sub, user=cast.author.user, expected_version=sub.version,
                       data=parse_submission_in(example_payload(**changes)))
        submit(session, submission=sub, user=cast.author.user, settings=settings)

    resubmit(title="Barnkonsekvensanalys i budgetprocessen i Umeå")
    resubmit(title="Barnkonsekvensanalys i budgetprocessen i Umeå", start_year=2020)

    mine = review_rounds.since_seen(session, submission=sub, user=cast.editor.user)
    assert (mine.base_round, mine.round, mine.own) == (1, 3, True)
    assert [c.name for c in mine.changes] == ["title", "start_year"]
    assert mine.changes[0].segments == [("equal", "Barnkonsekvensanalys i budgetprocessen"), ("insert", " i Umeå")]

    theirs = review_rounds.since_seen(session, submission=sub, user=colleague)
    assert (theirs.base_round, theirs.own) == (2, True)
    assert [(c.name, c.old, c.new) for c in theirs.changes] == [("start_year", 2021, 2020)]

    # Someone who never looked sees the changes since the previous round, marked as such.
    newcomer = make_user(session, email="nils@lansstyrelsen.se", role="editor", county="24")
    fresh = review_rounds.since_seen(session, submission=sub, user=newcomer)
    assert (fresh.base_round, fresh.own) == (2, False)

    rounds = session.exec(select(SubmissionRound).where(SubmissionRound.submission_id == sub.id)
                          .order_by(SubmissionRound.number)).all()
    assert [r.number for r in rounds] == [1, 2, 3]
    assert rounds[0].content["title"] == "Barnkonsekvensanalys i budgetprocessen"
    seen = session.exec(select(ReviewView.user_id, ReviewView.round).where(ReviewView.submission_id == sub.id)).all()
    assert sorted(seen) == sorted([(cast.editor.id, 1), (colleague.id, 1), (colleague.id, 2)])


def test_marking_seen_twice_is_harmless(session, cast, settings):
    sub = new_submission(session, cast, state="submitted", settings=settings)
    for _ in range(2):
        review_rounds.mark_seen(session, submission=sub, user=cast.editor.user)
    count = session.exec(select(ReviewView).where(ReviewView.submission_id == sub.id)).all()
    assert len(count) == 1
