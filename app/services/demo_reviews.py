"""Demo examples that went through the real review, so the product's main promise is
visible: a contributor submits, the county editor judges the criteria and approves (the
quality profile), later a revision is approved as version 2; and other organisations'
reuse reports are reviewed and published. Everything is produced by the same service
functions the site uses (submissions, review, reuse) — no hand-written quality data.

The accounts used have no password (nobody can log in as them) unless
``barnratt demo --accounts`` gives them one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.core.config import Settings
from app.models import Example, User
from app.services import reuse as reuse_service
from app.services import review as review_service
from app.services import submissions as submissions_service
from app.services.demo import mark_demo
from app.services.users import create_user, get_user_by_email, parse_user_create

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
REVIEWED_FILE = DEMO_DIR / "reviewed.json"


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: str
    county: str | None
    organisation: str
    name: str


def _user(session: Session, who: dict) -> User:
    existing = get_user_by_email(session, who["email"])
    if existing is not None:
        return existing
    return create_user(session, data=parse_user_create(
        email=who["email"], role=who["role"], county_code=who.get("county"), name=who["name"],
        organisation_name=who["organisation"], password=None))


def load_reviewed(session: Session, *, settings: Settings, examples: list[dict]) -> dict[str, int]:
    """Runs the review for every entry of reviewed.json whose example is not there yet.
    ``examples`` are the demo lines (by slug). Idempotent. Returns what was created."""
    plan = json.loads(REVIEWED_FILE.read_text(encoding="utf-8"))
    by_title = {e["title"]: e for e in examples}
    created = {"reviewed_examples": 0, "revisions": 0, "reuse_reports": 0}
    for entry in plan["examples"]:
        content = by_title[entry["title"]]
        if session.exec(select(Example).where(Example.title == content["title"])).first() is not None:
            continue
        author = _user(session, entry["author"])
        editor = _user(session, entry["editor"])
        draft = submissions_service.create(session, user=author, data=submissions_service.parse_submission_in(content))
        submissions_service.submit(session, submission=draft, user=author, settings=settings)
        decision = review_service.parse_decision(entry["decision"])
        review_service.decide(session, submission=draft, reviewer=editor, data=decision, settings=settings)
        example = session.get(Example, draft.example_id)
        created["reviewed_examples"] += 1
        revision = entry.get("revision")
        if revision:
            sub = submissions_service.start_revision(session, example=example, user=author)
            changed = {**submissions_service.content_of(sub)}
            for name, addition in revision["append"].items():
                changed[name] = (changed.get(name) or "").rstrip() + "\n\n" + addition
            submissions_service.update_content(session, submission=sub, user=author,
                                               data=submissions_service.parse_submission_in(changed),
                                               expected_version=sub.version)
            submissions_service.submit(session, submission=sub, user=author, settings=settings)
            review_service.decide(session, submission=sub, reviewer=editor,
                                  data=review_service.parse_decision(revision["decision"]), settings=settings)
            created["revisions"] += 1
        for report in entry.get("reuse", []):
            reporter = _user(session, report["author"])
            reviewer = _user(session, report["editor"])
            data = reuse_service.parse_report(report["report"], session=session)
            row = reuse_service.create_report(session, user=reporter, example=example, data=data, settings=settings)
            reuse_service.decide(session, report=row, reviewer=reviewer,
                                 data=reuse_service.parse_decision(report["decision"]), settings=settings)
            created["reuse_reports"] += 1
        mark_demo(session, [example.id])
    session.flush()
    return created


def reviewed_titles() -> set[str]:
    return {e["title"] for e in json.loads(REVIEWED_FILE.read_text(encoding="utf-8"))["examples"]}
