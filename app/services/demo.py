"""Demo content is marked as such: the examples ``barnratt demo`` loads are recorded in
``demo_content``, and every page, embed, feed entry and API answer that shows one says it
is an illustration (the organisations are real, the projects and results are invented)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from app.models import DemoContent


def _l(message: str) -> str:
    return message


DEMO_NOTICE = _l("Demo content: this example is invented to show how Barnrättsbanken works. The organisation "
                 "names are illustrative; the projects, figures and results are not real.")
DEMO_LIST_NOTICE = _l("Demo content: the examples here are invented to show how Barnrättsbanken works. "
                      "Organisation names are illustrative; the projects, figures and results are not real.")
ILLUSTRATIVE = _l("illustrative")


def demo_ids(session: Session, example_ids: Iterable[int]) -> set[int]:
    ids = list(example_ids)
    if not ids:
        return set()
    return set(session.exec(select(DemoContent.example_id).where(DemoContent.example_id.in_(ids))).all())  # type: ignore[attr-defined]


def is_demo(session: Session, example_id: int) -> bool:
    return session.get(DemoContent, example_id) is not None


def any_demo(session: Session) -> bool:
    return session.exec(select(DemoContent.example_id).limit(1)).first() is not None


def mark_demo(session: Session, example_ids: Iterable[int]) -> int:
    added = 0
    for example_id in set(example_ids):
        if session.get(DemoContent, example_id) is None:
            session.add(DemoContent(example_id=example_id))
            added += 1
    session.flush()
    return added
