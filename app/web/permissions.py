"""Permission checks as route dependencies: load the object by its id and ask the policy
table (app.services.policy), so a refused caller gets 404 (may not see it) or 403 (may see
it, may not act) before the endpoint runs. The API's aliases answer an anonymous caller
with 401; the pages' aliases send them to the login page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from sqlmodel import Session

from app.core.errors import NotFound
from app.models import Example, Submission, User
from app.services.policy import authorize
from app.web.auth import CurrentUser, PageUser
from app.web.deps import SessionDep
from app.web.ids import Id

MISSING = {Submission: "Bidraget finns inte", Example: "Exemplet finns inte"}


def load_authorized(session: Session, model: type, obj_id: int, *, action: str, user: User) -> Any:
    obj = session.get(model, obj_id)
    if obj is None:
        raise NotFound(MISSING[model])
    authorize(action, user, obj)
    return obj


def submission_for(action: str, *, page: bool = False):
    if page:
        def dependency(submission_id: Id, user: PageUser, session: SessionDep) -> Submission:
            return load_authorized(session, Submission, submission_id, action=action, user=user)
    else:
        def dependency(submission_id: Id, user: CurrentUser, session: SessionDep) -> Submission:  # type: ignore[misc]
            return load_authorized(session, Submission, submission_id, action=action, user=user)
    return Depends(dependency)


def example_for(action: str):
    def dependency(example_id: Id, user: CurrentUser, session: SessionDep) -> Example:
        return load_authorized(session, Example, example_id, action=action, user=user)

    return Depends(dependency)


# Pages
ViewSubmission = Annotated[Submission, submission_for("submission.view", page=True)]
EditSubmission = Annotated[Submission, submission_for("submission.edit", page=True)]
SubmitSubmission = Annotated[Submission, submission_for("submission.submit", page=True)]
DeleteSubmission = Annotated[Submission, submission_for("submission.delete", page=True)]
CommentSubmission = Annotated[Submission, submission_for("submission.comment", page=True)]
DecideSubmission = Annotated[Submission, submission_for("submission.decide", page=True)]

# API
Viewable = Annotated[Submission, submission_for("submission.view")]
Editable = Annotated[Submission, submission_for("submission.edit")]
Submittable = Annotated[Submission, submission_for("submission.submit")]
Deletable = Annotated[Submission, submission_for("submission.delete")]
Decidable = Annotated[Submission, submission_for("submission.decide")]
Commentable = Annotated[Submission, submission_for("submission.comment")]
Revisable = Annotated[Example, example_for("example.revise")]
Withdrawable = Annotated[Example, example_for("example.withdraw")]
