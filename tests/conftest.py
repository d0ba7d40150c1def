"""Test fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL comes from BARNRATT_TEST_DATABASE_URL (default: the local server CI uses). Each
test run works in its own schema, so parallel runs never meet. Where no PostgreSQL is
reachable the PostgreSQL half skips with the reason; with BARNRATT_REQUIRE_POSTGRES=1 (set by
.ci/run) it fails instead.

Redis (the shared rate limit) comes from BARNRATT_TEST_REDIS_URL (default the local server);
tests that need it skip where it does not answer, and fail with BARNRATT_REQUIRE_REDIS=1
(set by .ci/run). Each test gets its own key prefix, so parallel runs never meet.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app.core.db import make_engine
from app.core.migrate import upgrade_to_head
from app.services.reference import load_reference_data

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_URL = os.environ.get("BARNRATT_TEST_DATABASE_URL", DEFAULT_PG)
REQUIRE_PG = os.environ.get("BARNRATT_REQUIRE_POSTGRES") == "1"
REDIS_URL = os.environ.get("BARNRATT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def run_async(coro):
    """``asyncio.run(coro)`` on a thread of its own: an earlier test in the same worker may
    have left an event loop registered on the main thread (Playwright's sync API does), and
    ``asyncio.run`` refuses to start beside it."""
    with ThreadPoolExecutor(max_workers=1) as runner:
        return runner.submit(asyncio.run, coro).result(timeout=60)
REQUIRE_REDIS = os.environ.get("BARNRATT_REQUIRE_REDIS") == "1"
BACKENDS = ["sqlite", "postgresql"]

_pg_problem: str | None = None


def _pg_reachable() -> str | None:
    global _pg_problem
    if _pg_problem is None:
        try:
            engine = make_engine(PG_URL)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_problem = ""
        except Exception as exc:  # noqa: BLE001
            _pg_problem = f"PostgreSQL not reachable at {make_url(PG_URL).render_as_string()}: {type(exc).__name__}"
    return _pg_problem or None


def skip_without_pg() -> None:
    problem = _pg_reachable()
    if problem:
        if REQUIRE_PG:
            pytest.fail(problem + " (BARNRATT_REQUIRE_POSTGRES=1)")
        pytest.skip(problem)


_redis_problem: str | None = None


def _redis_reachable() -> str | None:
    global _redis_problem
    if _redis_problem is None:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
            _redis_problem = ""
        except redis.RedisError as exc:
            _redis_problem = f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}"
        finally:
            client.close()
    return _redis_problem or None


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the test Redis (skips, or fails in CI, without
    Redis); its keys are deleted afterwards."""
    problem = _redis_reachable()
    if problem:
        if REQUIRE_REDIS:
            pytest.fail(problem + " (BARNRATT_REQUIRE_REDIS=1)")
        pytest.skip(problem)
    import redis

    prefix = f"brb-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


class FreshDatabase:
    """Makes empty databases: a new SQLite file or a new PostgreSQL schema."""

    def __init__(self, tmp_root: Path) -> None:
        self.tmp_root = tmp_root
        self.schemas: list[str] = []

    def url(self, backend: str) -> str:
        if backend == "sqlite":
            path = self.tmp_root / f"db-{uuid.uuid4().hex[:8]}.sqlite"
            return f"sqlite:///{path}"
        skip_without_pg()
        schema = f"brb_test_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        self.schemas.append(schema)
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.schemas:
            return
        admin = make_engine(PG_URL)
        # One transaction per schema: dropping them all at once can exceed PostgreSQL's lock
        # table (max_locks_per_transaction) now that each schema holds some forty tables.
        for schema in self.schemas:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def fresh_db(tmp_path_factory) -> Iterator[FreshDatabase]:
    factory = FreshDatabase(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def db_url(backend: str, fresh_db: FreshDatabase) -> str:
    """A database migrated to head with reference data, shared by a backend's tests."""
    url = fresh_db.url(backend)
    engine = make_engine(url)
    upgrade_to_head(engine)
    with Session(engine) as session:
        load_reference_data(session)
        session.commit()
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture
def app_settings(db_url, tmp_path):
    from app.core.config import Settings

    return Settings(DATABASE_URL=db_url, DATA_DIR=tmp_path / "data", ENV="development", RUN_INDEXER=False)


@pytest.fixture
def client(app_settings, session):
    """An in-process client whose requests share the test's rolled-back transaction."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.web.deps import get_session

    app = create_app(app_settings)

    def _session():
        yield session
        session.flush()

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as test_client:
        yield test_client


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One clear line on whether the Meilisearch half ran (tests/meili.py)."""
    from tests import meili

    where = meili.source()
    if where:
        terminalreporter.write_line(f"Meilisearch half: RAN against {where}")
    else:
        terminalreporter.write_line(f"Meilisearch half: DID NOT RUN ({meili.SKIP_REASON})", yellow=True)
