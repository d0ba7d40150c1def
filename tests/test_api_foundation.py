from __future__ import annotations

import json

from app.services.transfer import import_examples, parse_file
from tests.factories import example_payload


def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"]["ok"] is True


def test_example_detail_and_unknown_id(client, session):
    (example,) = import_examples(
        session, parse_file("x.jsonl", json.dumps(example_payload()) + "\n"), actor_label="a"
    )
    session.flush()
    body = client.get(f"/api/v1/examples/{example.id}").json()
    assert body["title"] == example_payload()["title"]
    assert body["url"].endswith(f"/exempel/{example.id}")
    for field in example_payload():
        # Every field the contributor wrote, except the contact address: never public.
        assert (field in body) == (field != "contact_email"), field
    missing = client.get("/api/v1/examples/999999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    bad = client.get("/api/v1/examples/abc")
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "example_id"
