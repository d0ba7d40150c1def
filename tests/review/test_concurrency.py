"""Two decisions at once on the same submission: exactly one wins, the other gets 409.
Real threads, real connections, real commits, on SQLite and on PostgreSQL.

Both threads load and validate the submission, then wait for each other at the status
change (a barrier wrapped around the conditional UPDATE), so both really race on the same
(id, status, version).
"""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.db import make_engine
from app.core.errors import AppError
from app.core.migrate import upgrade_to_head
from app.core.time import utcnow
from app.models import Event, Example, ReviewDecision, Submission, User
from app.services import review as review_service
from app.services import submissions as submissions_service
from app.services.reference import load_reference_data
from app.services.review import DecisionIn
from tests.factories import example_payload
from tests.review.conftest import ALL_MET, organisation_named


@pytest.fixture
def committed(backend, fresh_db, tmp_path):
    """An empty migrated database with two editors of county 24 and a submitted submission."""
    url = fresh_db.url(backend)
    engine = make_engine(url)
    upgrade_to_head(engine)
    settings = Settings(DATABASE_URL=url, DATA_DIR=tmp_path, ENV="development")
    with Session(engine, expire_on_commit=False) as session:
        load_reference_data(session)
        umea = organisation_named(session, "Umeå kommun")
        users = [User(email=f"{n}@x.se", name=n, role=r, county_code=c, organisation_id=o, created_at=utcnow())
                 for n, r, c, o in (("author", "contributor", None, umea.id), ("e1", "editor", "24", None),
                                    ("e2", "editor", "24", None))]
        session.add_all(users)
        session.flush()
        sub = submissions_service.create(session, user=users[0],
                                         data=submissions_service.parse_submission_in(example_payload()))
        submissions_service.submit(session, submission=sub, user=users[0], settings=settings)
        session.commit()
        ids = (sub.id, users[1].id, users[2].id, users[0].id)
    yield engine, settings, ids
    engine.dispose()


def _race(monkeypatch, target, name, work, parties=2):
    barrier = threading.Barrier(parties, timeout=30)
    original = getattr(target, name)

    def waiting(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, waiting)
    outcomes: list = [None] * parties

    def run(index):
        try:
            outcomes[index] = work(index)
        except AppError as exc:
            outcomes[index] = exc.status
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            outcomes[index] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(parties)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_two_simultaneous_decisions_exactly_one_wins(committed, monkeypatch):
    engine, settings, (sid, e1, e2, _author) = committed
    decisions = [DecisionIn(decision="approve", criteria=ALL_MET),
                 DecisionIn(decision="request_changes", comment="Mer om barnens delaktighet")]

    def work(index):
        with Session(engine, expire_on_commit=False) as session:
            reviewer = session.get(User, (e1, e2)[index])
            sub = session.get(Submission, sid)
            review_service.decide(session, submission=sub, reviewer=reviewer, data=decisions[index], settings=settings)
            session.commit()
            return sub.status

    outcomes = _race(monkeypatch, review_service, "_conditional", work)
    assert sorted(map(str, outcomes)) in (["409", "published"], ["409", "changes_requested"]), outcomes

    with Session(engine) as session:
        sub = session.get(Submission, sid)
        winner = next(o for o in outcomes if o != 409)
        assert sub.status == winner
        assert len(session.exec(select(ReviewDecision).where(ReviewDecision.submission_id == sid)).all()) == 1
        decided = session.exec(select(Event).where(Event.submission_id == sid, Event.from_status == "submitted")).all()
        assert len(decided) == 1
        examples = session.exec(select(Example)).all()
        assert len(examples) == (1 if winner == "published" else 0)


def test_many_simultaneous_decisions_without_pausing(committed):
    """No barrier: eight full decisions at once, however they interleave."""
    engine, settings, (sid, e1, e2, _author) = committed
    start = threading.Barrier(8, timeout=30)
    outcomes: list = []
    lock = threading.Lock()

    def run(index):
        start.wait()
        try:
            with Session(engine, expire_on_commit=False) as session:
                sub = session.get(Submission, sid)
                review_service.decide(session, submission=sub, reviewer=session.get(User, (e1, e2)[index % 2]),
                                      data=DecisionIn(decision="approve", criteria=ALL_MET), settings=settings)
                session.commit()
                result = 200
        except AppError as exc:
            result = exc.status
        except Exception as exc:  # noqa: BLE001
            result = repr(exc)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes, key=str) == [200] + [409] * 7, outcomes
    with Session(engine) as session:
        assert len(session.exec(select(Example)).all()) == 1


def test_two_simultaneous_saves_with_the_same_version_one_gets_412(committed, monkeypatch):
    engine, settings, (sid, _e1, _e2, author) = committed
    with Session(engine) as session:
        sub = session.get(Submission, sid)
        review_service.decide(session, submission=sub, reviewer=session.get(User, _e1), settings=settings,
                              data=DecisionIn(decision="request_changes", comment="Komplettera"))
        session.commit()
        version = sub.version

    def work(index):
        with Session(engine, expire_on_commit=False) as session:
            sub = session.get(Submission, sid)
            data = submissions_service.parse_submission_in(example_payload(summary=f"Version från flik {index}"))
            submissions_service.update_content(session, submission=sub, user=session.get(User, author), data=data,
                                               expected_version=version)
            session.commit()
            return 200

    outcomes = _race(monkeypatch, submissions_service, "_conditional", work)
    assert sorted(outcomes) == [200, 412], outcomes
    with Session(engine) as session:
        assert session.get(Submission, sid).version == version + 1


def test_simultaneous_decisions_over_http(committed):
    """The same race through the API: real requests in threads, each its own connection."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.services.auth import create_token

    engine, settings, (sid, e1, e2, _author) = committed
    with Session(engine) as session:
        secrets = [create_token(session, user=session.get(User, uid))[1] for uid in (e1, e2)]
        session.commit()
    app = create_app(settings)
    barrier = threading.Barrier(2, timeout=30)
    results: list = [None, None]
    bodies = [{"decision": "approve", "criteria": ALL_MET}, {"decision": "reject", "comment": "Nej"}]

    with TestClient(app) as client:  # one app, one event loop; the endpoints run in its thread pool

        def run(index):
            barrier.wait()
            response = client.post(f"/api/v1/submissions/{sid}/decision", json=bodies[index],
                                   headers={"Authorization": f"Bearer {secrets[index]}"})
            results[index] = (response.status_code, response.json())

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 409], results
    loser = next(r[1] for r in results if r[0] == 409)
    assert loser["error"]["code"] in ("already_decided", "invalid_transition")
    with Session(engine) as session:
        assert session.get(Submission, sid).status == next(r[1]["status"] for r in results if r[0] == 200)
