"""Services that act for a user authorize through the policy table themselves, so a caller
that is not a route (the CLI, a future route, a script) cannot bypass it. Each call here
goes straight to the service, with no route dependency in front."""

from __future__ import annotations

import pytest

from app.core.errors import Forbidden, NotFound
from app.services import admin as admin_service
from app.services import criteria as criteria_service
from app.services import review as review_service
from app.services import submissions as submissions_service
from app.services.review import DecisionIn
from tests.review.conftest import ALL_MET, new_submission, published_example


def test_drafts_of_another_organisation_are_invisible_to_services(session, cast, settings):
    draft = new_submission(session, cast, settings=settings)
    data = submissions_service.parse_submission_in({"title": "Kapad titel"})
    with pytest.raises(NotFound):
        submissions_service.update_content(session, submission=draft, user=cast.outsider.user, data=data,
                                           expected_version=draft.version)
    with pytest.raises(NotFound):
        submissions_service.submit(session, submission=draft, user=cast.outsider.user, settings=settings)
    with pytest.raises(NotFound):
        submissions_service.delete_draft(session, submission=draft, user=cast.outsider.user)
    with pytest.raises(NotFound):
        review_service.add_comment(session, submission=draft, user=cast.outsider.user, text="Hej", settings=settings)
    # The author's colleague may, by the same table.
    submissions_service.update_content(session, submission=draft, user=cast.colleague.user, data=data,
                                       expected_version=draft.version)
    assert draft.title == "Kapad titel"


def test_only_the_countys_editor_decides(session, cast, settings):
    submitted = new_submission(session, cast, state="submitted", settings=settings)
    decision = DecisionIn(decision="approve", comment="", criteria=ALL_MET)
    with pytest.raises(NotFound):
        review_service.decide(session, submission=submitted, reviewer=cast.other_editor.user, data=decision,
                              settings=settings)
    with pytest.raises(Forbidden):
        review_service.decide(session, submission=submitted, reviewer=cast.author.user, data=decision,
                              settings=settings)
    assert submitted.status == "submitted"


def test_withdrawal_revision_and_admin_work_need_their_rights(session, cast, settings):
    example = published_example(session, cast, settings=settings)
    with pytest.raises(Forbidden):
        review_service.withdraw(session, example=example, user=cast.other_editor.user, reason="Nej", settings=settings)
    with pytest.raises(Forbidden):
        submissions_service.start_revision(session, example=example, user=cast.outsider.user)
    with pytest.raises(Forbidden):
        admin_service.update_label(session, user=cast.editor.user, kind="sectors", key="skola",
                                   label_sv="Skolan", label_en="School")
    with pytest.raises(Forbidden):
        criteria_service.update_criterion(session, user=cast.editor.user, key="participation", title_sv="x",
                                          title_en="x", guidance_sv="", guidance_en="")
    with pytest.raises(Forbidden):
        admin_service.update_user(session, admin=cast.editor.user, user=cast.author.user, name="x",
                                  role="admin", county_code=None, organisation_id=None, is_active=True)
    assert example.status == "published"
