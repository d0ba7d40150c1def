"""Property-based API tests (schemathesis) against /openapi.json, on SQLite and PostgreSQL,
authenticated as a real admin so the review API is reached: no server errors, every status
code documented, every error in the one shape (ErrorResponse). Bounded: a few examples per
operation, so each database's run takes seconds."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from app.core.config import Settings
from app.core.db import make_engine
from app.core.migrate import upgrade_to_head
from app.services.reference import load_reference_data

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
STATELESS = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
STATEFUL = settings(max_examples=40, stateful_step_count=6, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.generate])


@pytest.fixture(scope="module")
def api(backend, fresh_db, tmp_path_factory):
    """A migrated database with an admin (and their API token), one published example and
    one draft; the app built on it."""
    from app.core.time import utcnow
    from app.main import create_app
    from app.models import User
    from app.services import submissions as submissions_service
    from app.services.auth import create_token
    from tests.review.conftest import organisation_named, password_hash
    from tests.site_data import publish

    url = fresh_db.url(backend)
    engine = make_engine(url)
    upgrade_to_head(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_reference_data(session)
        org = organisation_named(session, "Umeå kommun")
        admin = User(email="admin@barnratt.se", name="Admin", role="admin", organisation_id=org.id,
                     password_hash=password_hash("ett långt lösenord"), created_at=utcnow())
        session.add(admin)
        session.flush()
        _token, secret = create_token(session, user=admin, label="schemathesis")
        publish(session)
        submissions_service.create(session, user=admin, data=submissions_service.SubmissionIn(title="Utkast"))
        session.commit()
    engine.dispose()
    data_dir = tmp_path_factory.mktemp(f"schemathesis-{backend}")
    app = create_app(Settings(DATABASE_URL=url, DATA_DIR=data_dir, ENV="development", RUN_INDEXER=False,
                              API_RATE_LIMIT_PER_MINUTE=1_000_000))
    yield app, {"Authorization": f"Bearer {secret}"}
    app.state.search.close()
    app.state.engine.dispose()


def without_lifespan(app):
    """The app for schemathesis' in-process client, which opens (and so starts and shuts
    down) the app once per call: the app's lifespan (indexer task, closing the search
    engine) runs once, in the fixture, not per call."""

    async def asgi(scope, receive, send):
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    return asgi


@pytest.fixture(scope="module")
def api_schema(api):
    app, _headers = api
    return schemathesis.openapi.from_asgi("/openapi.json", without_lifespan(app))


def test_api_stateless(api_schema, api):
    """Every operation, with valid and with invalid input (schemathesis' positive and
    negative generation)."""
    _app, headers = api
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    calls = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @STATELESS
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                nonlocal calls
                calls += 1
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid: an operation without parameters or body.
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert calls >= len(operations) * 4


def test_api_stateful(api_schema, api):
    _app, headers = api

    seen: list[tuple[str, int]] = []

    # The review workflow is where the links are: drafts created, then read, changed, submitted.
    workflow_schema = api_schema.include(path_regex=r"^/api/v1/submissions")

    class Workflow(workflow_schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            seen.append((case.operation.label, response.status_code))
            case.validate_response(response, checks=CHECKS)

    Workflow.run(settings=STATEFUL)
    # The machine followed the links: drafts it created were then read, changed or submitted.
    created = [s for label, s in seen if label == "POST /api/v1/submissions" and s == 201]
    followed = [label for label, _s in seen if "{submission_id}" in label]
    assert created and followed, sorted(set(seen))


def test_every_error_status_is_documented_with_the_error_shape(api_schema):
    spec = api_schema.raw_schema
    assert {"ErrorResponse", "ErrorDetail", "ErrorField"} <= set(spec["components"]["schemas"])
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) >= {"status", "code", "message"} and "fields" in detail["properties"]
    put = spec["paths"]["/api/v1/submissions/{submission_id}"]["put"]["responses"]
    assert {"401", "403", "404", "409", "412", "422", "428", "429"} <= set(put)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorResponse", (method, path, status)
