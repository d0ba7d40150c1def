"""Permission checks as route dependencies: load the object by id and ask the policy table
(app.services.policy), so a refused caller gets 404 (may not see it) or 403 (may see it,
may not act) before the endpoint runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.core.errors import NotFound
from app.models import Submission
from app.services.policy import authorize
from app.web.auth import PageUser
from app.web.deps import SessionDep
from app.web.ids import Id


def page_submission(action: str):
    def dependency(submission_id: Id, user: PageUser, session: SessionDep) -> Submission:
        submission = session.get(Submission, submission_id)
        if submission is None:
            raise NotFound("Bidraget finns inte")
        authorize(action, user, submission)
        return submission

    return Depends(dependency)


ViewSubmission = Annotated[Submission, page_submission("submission.view")]
EditSubmission = Annotated[Submission, page_submission("submission.edit")]
SubmitSubmission = Annotated[Submission, page_submission("submission.submit")]
DeleteSubmission = Annotated[Submission, page_submission("submission.delete")]
CommentSubmission = Annotated[Submission, page_submission("submission.comment")]
DecideSubmission = Annotated[Submission, page_submission("submission.decide")]
