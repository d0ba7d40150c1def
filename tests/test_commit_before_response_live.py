"""A write is committed before its response leaves the server: a client that reads right
after a 201 (or follows a redirect) sees its own write.

Real parts only: a uvicorn server on PostgreSQL, where a deferred constraint trigger makes
every commit of a new submission take 1.5 s. If the commit ran after the response was sent
(SessionDep alone), the row would still be invisible to another connection when the 201
arrives; with the commit before the response it is always there.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from app.core.db import make_engine
from tests.conftest import skip_without_pg
from tests.live import LiveServer

SLOW_COMMIT = """
CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON submission
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
"""


@pytest.fixture
def slow_commit_server(fresh_db, tmp_path):
    skip_without_pg()
    url = fresh_db.url("postgresql")
    server = LiveServer(tmp_path / "live", db_url=url, demo=False, env={"BARNRATT_RUN_INDEXER": "false"})
    server.start()
    server.cli("organisations", "create", "Umeå kommun", "--type", "kommun", "--county", "24",
               "--municipality", "2480")
    server.cli("users", "create", "anna@umea.se", "--role", "contributor", "--organisation", "Umeå kommun",
               "--password-stdin", stdin="ett-langt-losenord-for-test\n")
    token = server.cli("tokens", "create", "anna@umea.se").stdout.split()[-1]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(SLOW_COMMIT))
    try:
        yield server, engine, token
    finally:
        server.stop()
        engine.dispose()


def test_api_write_is_visible_when_its_response_arrives(slow_commit_server):
    server, engine, token = slow_commit_server
    for n in range(2):
        response = httpx.post(
            server.url + "/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
            json={"title": f"Utkast {n} om elevråd"}, timeout=30,
        )
        assert response.status_code == 201, response.text
        submission_id = response.json()["id"]
        with engine.connect() as conn:
            found = conn.execute(text("SELECT title FROM submission WHERE id = :id"), {"id": submission_id}).scalar()
        assert found == f"Utkast {n} om elevråd"
