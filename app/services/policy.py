"""Who may do what: one table mapping (action, role) to a rule on the object.

Routes ask through ``authorize`` (via the dependencies in app/auth.py and the routers);
services enforce *when* (the state machine), this module decides *who*. A refused caller
gets 404 when they may not even see the object (a draft of another organisation, a
submission in another county), and 403 when they can see it but not act on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.errors import Forbidden, NotFound
from app.models import Example, ReuseReport, Submission, User

Rule = Callable[[User, Any], bool]


def _always(_user: User, _obj: Any) -> bool:
    return True


def _never(_user: User, _obj: Any) -> bool:
    return False


def _member(user: User, organisation_id: int | None) -> bool:
    """A member of the organisation, by id: two organisations that share a name (every
    municipality has a "Socialförvaltningen") share nothing else."""
    return organisation_id is not None and user.organisation_id == organisation_id


def _author(user: User, sub: Submission) -> bool:
    return sub.author_id is not None and sub.author_id == user.id


def _own_or_organisation(user: User, sub: Submission) -> bool:
    """The author, or a member of the organisation that owns the draft."""
    return _author(user, sub) or _member(user, sub.organisation_id)


def _county_submitted(user: User, sub: Submission) -> bool:
    """An editor's county, once it has left the draft stage."""
    return user.county_code is not None and sub.county_code == user.county_code and sub.status != "draft"


def _editor_sees(user: User, sub: Submission) -> bool:
    return _own_or_organisation(user, sub) or _county_submitted(user, sub)


def _county_not_own(user: User, sub: Submission) -> bool:
    return _county_submitted(user, sub) and not _author(user, sub)


def _not_own(user: User, sub: Submission) -> bool:
    return not _author(user, sub)


def _example_author(user: User, ex: Example) -> bool:
    """The author of the submission that published the example."""
    return ex.author_id is not None and ex.author_id == user.id


def _example_organisation(user: User, ex: Example) -> bool:
    """The example's author, or a member of its organisation (by id)."""
    return _example_author(user, ex) or _member(user, ex.organisation_id)


def _example_county(user: User, ex: Example) -> bool:
    return user.county_code is not None and ex.county_code == user.county_code


def _example_county_or_organisation(user: User, ex: Example) -> bool:
    return _example_county(user, ex) or _example_organisation(user, ex)


def _reuse_own(user: User, report: ReuseReport) -> bool:
    """The author of a reuse report, or a colleague of the reporting organisation."""
    return (report.author_id is not None and report.author_id == user.id) or _member(user, report.organisation_id)


def _reuse_county(user: User, report: ReuseReport) -> bool:
    return user.county_code is not None and report.county_code == user.county_code


def _reuse_editor_sees(user: User, report: ReuseReport) -> bool:
    return _reuse_own(user, report) or _reuse_county(user, report)


def _reuse_county_not_own(user: User, report: ReuseReport) -> bool:
    return _reuse_county(user, report) and report.author_id != user.id


def _reuse_not_own(user: User, report: ReuseReport) -> bool:
    return report.author_id != user.id
def _own_county(user: User, county_code: Any) -> bool:
    return user.county_code is not None and isinstance(county_code, str) and county_code == user.county_code
def _owner(user: User, obj: Any) -> bool:
    """Plans and saved searches belong to one user (by id)."""
    owner = getattr(obj, "owner_id", None) or getattr(obj, "user_id", None)
    return owner is not None and owner == user.id


ROLES = ("contributor", "editor", "admin")

POLICY: dict[tuple[str, str], Rule] = {
    # Submissions
    ("submission.create", "contributor"): _always,
    ("submission.create", "editor"): _always,
    ("submission.create", "admin"): _always,
    ("submission.view", "contributor"): _own_or_organisation,
    ("submission.view", "editor"): _editor_sees,
    ("submission.view", "admin"): _always,
    ("submission.edit", "contributor"): _own_or_organisation,
    ("submission.edit", "editor"): _own_or_organisation,
    ("submission.edit", "admin"): _always,
    ("submission.submit", "contributor"): _own_or_organisation,
    ("submission.submit", "editor"): _own_or_organisation,
    ("submission.submit", "admin"): _always,
    ("submission.delete", "contributor"): _own_or_organisation,
    ("submission.delete", "editor"): _own_or_organisation,
    ("submission.delete", "admin"): _always,
    ("submission.comment", "contributor"): _own_or_organisation,
    ("submission.comment", "editor"): _editor_sees,
    ("submission.comment", "admin"): _always,
    # Nobody decides on their own submission; editors only for their county.
    ("submission.decide", "contributor"): _never,
    ("submission.decide", "editor"): _county_not_own,
    ("submission.decide", "admin"): _not_own,
    # Taking a submission for review, releasing it, moving its due date: whoever may decide.
    ("submission.assign", "contributor"): _never,
    ("submission.assign", "editor"): _county_not_own,
    ("submission.assign", "admin"): _not_own,
    ("queue.view", "contributor"): _never,
    ("queue.view", "editor"): _always,
    ("queue.view", "admin"): _always,
    # Published examples (visible to everyone, so refusals are 403)
    ("example.revise", "contributor"): _example_organisation,
    ("example.revise", "editor"): _example_county_or_organisation,
    ("example.revise", "admin"): _always,
    ("example.withdraw", "contributor"): _never,
    ("example.withdraw", "editor"): _example_county,
    ("example.withdraw", "admin"): _always,
    # Re-review: confirming a published example is still valid.
    ("example.rereview", "contributor"): _never,
    ("example.rereview", "editor"): _example_county,
    ("example.rereview", "admin"): _always,
    # A withdrawn example's versions stay visible to its county's editors and the admin.
    ("example.view_withdrawn", "contributor"): _never,
    ("example.view_withdrawn", "editor"): _example_county,
    ("example.view_withdrawn", "admin"): _always,
    # Reuse reports ("Vi har också provat"): reviewed by the reporting organisation's county.
    ("reuse.create", "contributor"): _always,
    ("reuse.create", "editor"): _always,
    ("reuse.create", "admin"): _always,
    ("reuse.view", "contributor"): _reuse_own,
    ("reuse.view", "editor"): _reuse_editor_sees,
    ("reuse.view", "admin"): _always,
    ("reuse.edit", "contributor"): _reuse_own,
    ("reuse.edit", "editor"): _reuse_own,
    ("reuse.edit", "admin"): _reuse_own,
    ("reuse.decide", "contributor"): _never,
    ("reuse.decide", "editor"): _reuse_county_not_own,
    ("reuse.decide", "admin"): _reuse_not_own,
    ("reuse.decide_any", "contributor"): _never,
    ("reuse.decide_any", "editor"): _reuse_county,
    ("reuse.decide_any", "admin"): _always,
    ("reuse.queue", "contributor"): _never,
    ("reuse.queue", "editor"): _always,
    ("reuse.queue", "admin"): _always,
    # Attachments of a published example: whoever may revise it.
    ("example.attach", "contributor"): _example_organisation,
    ("example.attach", "editor"): _example_county_or_organisation,
    ("example.attach", "admin"): _always,
    # Plans ("Min plan") and saved searches ("Bevaka"): private to their owner, for every
    # role (the admin too: they are personal working documents, not content).
    ("plan.create", "contributor"): _always,
    ("plan.create", "editor"): _always,
    ("plan.create", "admin"): _always,
    ("plan.manage", "contributor"): _owner,
    ("plan.manage", "editor"): _owner,
    ("plan.manage", "admin"): _owner,
    ("saved_search.create", "contributor"): _always,
    ("saved_search.create", "editor"): _always,
    ("saved_search.create", "admin"): _always,
    ("saved_search.manage", "contributor"): _owner,
    ("saved_search.manage", "editor"): _owner,
    ("saved_search.manage", "admin"): _owner,
    # Administration
    ("admin.users", "admin"): _always,
    ("admin.organisations", "admin"): _always,
    ("admin.criteria", "admin"): _always,
    ("admin.taxonomies", "admin"): _always,
    # A county's review settings (the object is the county code): the admin, or its editors.
    ("review.settings", "contributor"): _never,
    ("review.settings", "editor"): _own_county,
    ("review.settings", "admin"): _always,
    # Own account
    ("account.tokens", "contributor"): _always,
    ("account.tokens", "editor"): _always,
    ("account.tokens", "admin"): _always,
}

# What decides between 404 and 403 when an action is refused.
VISIBILITY: dict[str, str] = {
    "submission.edit": "submission.view",
    "submission.submit": "submission.view",
    "submission.delete": "submission.view",
    "submission.comment": "submission.view",
    "submission.decide": "submission.view",
    "reuse.edit": "reuse.view",
    "reuse.decide": "reuse.view",
    "reuse.decide_any": "reuse.view",
    "submission.assign": "submission.view",
}


def allowed(action: str, user: User | None, obj: Any = None) -> bool:
    if user is None or not user.is_active:
        return False
    rule = POLICY.get((action, user.role), _never)
    return rule(user, obj)


def authorize(action: str, user: User, obj: Any = None) -> None:
    """Raise NotFound if the user may not even see ``obj``, Forbidden if they may see it
    but not do ``action``."""
    if allowed(action, user, obj):
        return
    visibility = VISIBILITY.get(action)
    if action in ("submission.view", "reuse.view") or (visibility and not allowed(visibility, user, obj)):
        raise NotFound("Bidraget finns inte")
    raise Forbidden()
