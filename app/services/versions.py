"""Every published version of an example, and a readable diff between two of them
(word by word for texts, item by item for lists)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from app.core.errors import NotFound
from app.models import Event, ExampleVersion
from app.models.content import CONTENT_FIELDS

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class FieldDiff:
    name: str
    kind: str  # "text", "list" or "value"
    # text: [(op, text)] with op "equal" | "delete" | "insert"
    segments: list[tuple[str, str]] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)
    added: list[Any] = field(default_factory=list)
    old: Any = None
    new: Any = None


def versions(session: Session, *, example_id: int) -> list[ExampleVersion]:
    return list(session.exec(
        select(ExampleVersion).where(ExampleVersion.example_id == example_id).order_by(ExampleVersion.version)
    ).all())


def version(session: Session, *, example_id: int, number: int) -> ExampleVersion:
    row = session.exec(
        select(ExampleVersion).where(ExampleVersion.example_id == example_id, ExampleVersion.version == number)
    ).first()
    if row is None:
        raise NotFound("Versionen finns inte")
    return row


def events(session: Session, *, example_id: int) -> list[Event]:
    return list(session.exec(select(Event).where(Event.example_id == example_id).order_by(Event.created_at, Event.id)).all())


PUBLIC_ACTIONS = frozenset({"published", "imported", "withdrawn", "rereview_confirmed"})


def public_events(session: Session, *, example_id: int) -> list[Event]:
    """What the public history shows: publications and withdrawals only. The work on
    drafts and revisions, and what editors and authors wrote to each other, stay inside."""
    return [e for e in events(session, example_id=example_id) if e.action in PUBLIC_ACTIONS and e.to_status in ("published", "withdrawn")]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level changes, grouped so a rewritten phrase reads as one deletion and one
    insertion; a text that is mostly new is shown as replaced whole."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if a and b and matcher.ratio() < 0.4:
        return [("delete", old), ("insert", new)]
    segments: list[tuple[str, str]] = []
    pending_delete: list[str] = []
    pending_insert: list[str] = []

    def flush() -> None:
        deleted, inserted = "".join(pending_delete), "".join(pending_insert)
        if deleted.strip():
            segments.append(("delete", deleted))
        if inserted.strip():
            segments.append(("insert", inserted))
        if not deleted.strip() and not inserted.strip() and deleted:
            segments.append(("equal", deleted))
        pending_delete.clear()
        pending_insert.clear()

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            text = "".join(a[i1:i2])
            if (pending_delete or pending_insert) and not text.strip():
                # Only whitespace between two changes: keep them in one group.
                pending_delete.append(text)
                pending_insert.append(text)
                continue
            flush()
            segments.append(("equal", text))
            continue
        if op in ("delete", "replace"):
            pending_delete.append("".join(a[i1:i2]))
        if op in ("insert", "replace"):
            pending_insert.append("".join(b[j1:j2]))
    flush()
    return [(op, text) for op, text in segments if text]


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldDiff]:
    """The fields that differ, in contract order."""
    changes: list[FieldDiff] = []
    for spec in CONTENT_FIELDS:
        name = spec.name
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if spec.diff_kind == "text":
            changes.append(FieldDiff(name, "text", segments=word_diff(a or "", b or "")))
        elif spec.diff_kind == "list":
            a_list, b_list = a or [], b or []
            changes.append(FieldDiff(
                name, "list",
                removed=[x for x in a_list if x not in b_list],
                added=[x for x in b_list if x not in a_list],
            ))
        else:
            changes.append(FieldDiff(name, "value", old=a, new=b))
    return changes
