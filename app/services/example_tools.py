"""What the example page shows around the example for reuse: its attachments, whether it
can be contacted (never its address), and the visitor's plans for "Add to my plan"."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import Example, User
from app.services.attachments import ACCEPT, KINDS, list_attachments
from app.services.contact import can_contact
from app.services.plans import list_plans
from app.services.policy import allowed


def example_tools(session: Session, example: Example, user: User | None, *, upload_limit: int) -> dict[str, Any]:
    return {
        "user": user,
        "attachments": list_attachments(session, example_id=example.id),
        "attachment_kinds": KINDS,
        "attachment_accept": ACCEPT,
        "can_attach": allowed("example.attach", user, example),
        "upload_limit": upload_limit,
        "can_contact": can_contact(example),
        "plans": list_plans(session, user=user) if user is not None else [],
        "errors": {},
    }
