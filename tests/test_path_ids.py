"""Every id in a URL path is range-checked: a number the database cannot hold is a 422 in
the one error shape (API) or the 404 page (HTML), never a 500."""

from __future__ import annotations

import pytest

from tests.review.conftest import make_user
from tests.review.web import sign_in

HUGE = "15636246314475847680"        # > 2**63 - 1 (and > 2**31 - 1, the PostgreSQL id range)
NEGATIVE = "-105769627960389304320"  # < -(2**63)


@pytest.fixture
def auth(session):
    from app.services.auth import create_token

    user = make_user(session, email="anna@umea.se", role="admin")
    _token, secret = create_token(session, user=user)
    return user, {"Authorization": f"Bearer {secret}"}


def _is_error_shape(body: dict, status: int) -> None:
    error = body["error"]
    assert error["status"] == status and error["code"] and error["message"]
    assert isinstance(error["fields"], list)
    for field in error["fields"]:
        assert set(field) == {"field", "message"}


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", f"/api/v1/submissions/{NEGATIVE}"),
    ("POST", f"/api/v1/examples/{HUGE}/revisions"),
    ("GET", f"/api/v1/submissions/{HUGE}"),
    ("DELETE", f"/api/v1/submissions/{HUGE}"),
    ("POST", f"/api/v1/submissions/{HUGE}/submit"),
    ("POST", f"/api/v1/submissions/{HUGE}/decision"),
    ("GET", f"/api/v1/submissions/{HUGE}/history"),
    ("POST", f"/api/v1/submissions/{HUGE}/comments"),
    ("POST", f"/api/v1/examples/{HUGE}/withdraw"),
    ("POST", f"/api/v1/examples/{NEGATIVE}/revisions"),
    ("POST", "/api/v1/examples/0/revisions"),
    ("GET", f"/api/v1/examples/{HUGE}"),
])
def test_api_answers_422_naming_the_id(client, auth, method, path):
    _user, headers = auth
    response = client.request(method, path, headers={**headers, "If-Match": '"1"'}, json={})
    assert response.status_code == 422, response.text
    _is_error_shape(response.json(), 422)
    assert response.json()["error"]["fields"][0]["field"] in ("submission_id", "example_id")


@pytest.mark.parametrize("path", [f"/bidrag/{HUGE}", f"/granska/{NEGATIVE}", f"/versioner/{HUGE}",
                                  f"/versioner/1/{HUGE}", f"/admin/anvandare/{HUGE}", f"/exempel/{HUGE}",
                                  f"/admin/organisationer/{HUGE}", "/bidrag/0",
                                  # the pages added with plans, saved searches, contact and reuse
                                  f"/mina-planer/{HUGE}", f"/mina-planer/{HUGE}/utskrift", f"/provat/{HUGE}",
                                  f"/provat/{HUGE}/andra", f"/granska/provat/{HUGE}", f"/exempel/{HUGE}/provat/ny"])
def test_pages_answer_the_404_page(client, session, auth, settings, path):
    user, _headers = auth
    sign_in(client, session, user, settings)
    response = client.get(path)
    assert response.status_code == 404, response.text[:300]
    assert "text/html" in response.headers["content-type"]


def test_query_ids_are_range_checked(client, session, auth, settings):
    response = client.get(f"/versioner/1/jamfor?fran={HUGE}", headers={"Accept": "application/json"})
    assert response.status_code == 422


def test_taxonomy_label_with_a_huge_article_number_is_404(client, session, auth, settings):
    from tests.review.web import csrf_from

    user, _headers = auth
    sign_in(client, session, user, settings)
    token = csrf_from(client.get("/admin/taxonomier").text)
    response = client.post(f"/admin/taxonomier/articles/{HUGE}", data={"label_sv": "x", "label_en": "x",
                                                                        "csrf_token": token})
    assert response.status_code == 404


@pytest.fixture
def settings(app_settings):
    return app_settings


@pytest.mark.parametrize("path", ["/api/v1/submissions/2147483648", "/api/v1/examples/2147483648"])
def test_ids_beyond_the_postgresql_integer_range_are_422_on_both_databases(client, auth, path):
    _user, headers = auth
    response = client.get(path, headers=headers)
    assert response.status_code == 422, response.text


def test_draft_numbers_beyond_the_column_range_are_422_not_500(client, auth):
    _user, headers = auth
    created = client.post("/api/v1/submissions", json={}, headers=headers).json()
    response = client.put(f"/api/v1/submissions/{created['id']}", json={"cost_sek": 2**63},
                          headers={**headers, "If-Match": '"1"'})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "cost_sek"
    response = client.put(f"/api/v1/submissions/{created['id']}", json={"start_year": 2**40},
                          headers={**headers, "If-Match": '"1"'})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "start_year"
    # Costs are BIGINT: ten billion kronor (the contract's maximum) is stored on both databases.
    response = client.put(f"/api/v1/submissions/{created['id']}", json={"cost_sek": 10_000_000_000},
                          headers={**headers, "If-Match": '"1"'})
    assert response.status_code == 200 and response.json()["cost_sek"] == 10_000_000_000
