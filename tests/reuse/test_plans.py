"""Plans built from examples: pages without JavaScript, the JSON API, privacy, sharing by
an unguessable revocable link, and the DOCX and printable exports (read back with
python-docx) citing every example with its permalink and version."""

from __future__ import annotations

import io
import re

import docx
from sqlmodel import select

from app.models import PlanMeasure
from tests.reuse.conftest import BASE
from tests.review.web import csrf_from, form_post


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_build_a_plan_from_three_examples_with_forms_and_export_it(client, session, site, as_anna):
    created = form_post(client, "/mina-planer", {"title": "Handlingsplan för barns delaktighet"})
    assert created.status_code == 303
    plan_url = created.headers["location"]
    plan_id = int(plan_url.rsplit("/", 1)[1])
    keys = ("bka", "rad", "kort")
    for key in keys:
        added = form_post(client, f"/exempel/{site.id(key)}/lagg-till-i-plan", {"plan_id": str(plan_id)},
                          page=f"/exempel/{site.id(key)}")
        assert added.status_code == 303 and added.headers["location"].startswith(f"{plan_url}?done=added")
    # Adding the same example again keeps one measure.
    again = form_post(client, f"/exempel/{site.id('bka')}/lagg-till-i-plan", {"plan_id": str(plan_id)},
                      page=f"/exempel/{site.id('bka')}")
    assert "done=already" in again.headers["location"]
    measures = session.exec(select(PlanMeasure).where(PlanMeasure.plan_id == plan_id)).all()
    # The effort estimate is pre-filled from the example's effort_hours.
    assert {m.example_id: m.effort_hours for m in measures} == {
        site.id("bka"): 400, site.id("rad"): 30, site.id("kort"): 1500}

    saved = form_post(client, plan_url, {"title": "Handlingsplan för barns delaktighet",
                                         "mapping": "Barnen i Umeå saknar mötesplatser.",
                                         "follow_up": "Uppföljning varje termin med elevråden."})
    assert saved.status_code == 303
    first = next(m for m in measures if m.example_id == site.id("bka"))
    measure = form_post(client, f"{plan_url}/atgarder/{first.id}",
                        {"notes": "Vi börjar i två nämnder.", "responsible_unit": "Kommunledningskontoret",
                         "planned_start": "2026-09-01", "effort_hours": "200"}, page=plan_url)
    assert measure.status_code == 303
    bad = form_post(client, f"{plan_url}/atgarder/{first.id}",
                    {"notes": "", "responsible_unit": "", "planned_start": "1 september", "effort_hours": "många"},
                    page=plan_url)
    assert bad.status_code == 422
    assert 'id="m%d-planned_start-error"' % first.id in bad.text and 'id="m%d-effort_hours-error"' % first.id in bad.text
    session.refresh(first)
    assert first.effort_hours == 200 and first.responsible_unit == "Kommunledningskontoret"  # nothing half-saved

    page = client.get(plan_url)
    assert page.status_code == 200 and "Barnen i Umeå saknar mötesplatser." in page.text
    assert "1730" in page.text  # total effort 200 + 30 + 1500

    exported = client.get(f"{plan_url}/plan.docx")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in exported.headers["content-disposition"]
    text = _docx_text(exported.content)
    for key in keys:
        example = site.examples[key]
        assert f"{BASE}/exempel/{example.id}" in text
        assert example.title in text
    assert "version 1" in text
    assert "Kommunledningskontoret" in text and "2026-09-01" in text and "Vi börjar i två nämnder." in text
    assert "Barnen i Umeå saknar mötesplatser." in text and "Uppföljning varje termin med elevråden." in text

    printable = client.get(f"{plan_url}/utskrift")
    assert printable.status_code == 200
    for key in keys:
        assert f'href="{BASE}/exempel/{site.id(key)}"' in printable.text


def test_plans_are_private_and_shared_read_only_by_a_revocable_link(client, session, site, people, as_anna):
    plan_id = int(form_post(client, "/mina-planer", {"title": "Min plan"}).headers["location"].rsplit("/", 1)[1])
    form_post(client, f"/exempel/{site.id('vrak')}/lagg-till-i-plan", {"plan_id": str(plan_id)},
              page=f"/exempel/{site.id('vrak')}")
    # Another user sees nothing of it, page or API.
    assert client.get(f"/api/v1/plans/{plan_id}", headers=people.bo.headers).status_code == 404
    assert client.patch(f"/api/v1/plans/{plan_id}", json={"title": "Kapad"}, headers=people.bo.headers).status_code == 404

    shared = form_post(client, f"/mina-planer/{plan_id}/dela", page=f"/mina-planer/{plan_id}")
    assert shared.status_code == 303
    page = client.get(f"/mina-planer/{plan_id}").text
    link = re.search(r'id="share-url" value="([^"]+)"', page).group(1)
    assert link.startswith(f"{BASE}/delad-plan/") and len(link.rsplit("/", 1)[1]) >= 40
    path = link[len(BASE):]
    client.cookies.clear()
    read = client.get(path)
    assert read.status_code == 200 and "Min plan" in read.text
    assert "<form" not in read.text.split('id="main"')[1].split("</main>")[0]  # read-only
    assert read.headers["x-robots-tag"].startswith("noindex")
    assert f"{BASE}/exempel/{site.id('vrak')}" in _docx_text(client.get(path + "/plan.docx").content)
    assert client.get(path[:-1] + ("A" if path[-1] != "A" else "B")).status_code == 404

    from tests.review.web import sign_in
    sign_in(client, session, people.anna.user, client.app.state.settings)
    form_post(client, f"/mina-planer/{plan_id}/sluta-dela", page=f"/mina-planer/{plan_id}")
    client.cookies.clear()
    assert client.get(path).status_code == 404


def test_add_to_plan_without_an_account_leads_to_login(client, site):
    page = client.get(f"/exempel/{site.id('bka')}").text
    assert f'href="/logga-in?next=/exempel/{site.id("bka")}"' in page
    response = client.post(f"/exempel/{site.id('bka')}/lagg-till-i-plan", data={"csrf_token": csrf_from(page)},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/logga-in?next=")


def test_htmx_add_answers_the_block_only(client, site, as_anna):
    page = client.get(f"/exempel/{site.id('rad')}").text
    response = client.post(f"/exempel/{site.id('rad')}/lagg-till-i-plan",
                           data={"csrf_token": csrf_from(page), "plan_id": "new"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<div id=\"add-to-plan\"") or 'id="add-to-plan"' in response.text[:400]
    assert "<html" not in response.text and "Ungdomsråd som remissinstans" in response.text


def test_plans_json_api(client, site, people):
    headers = people.anna.headers
    created = client.post("/api/v1/plans", json={"title": "API-plan", "mapping": "Kartläggning"}, headers=headers)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["mapping"] == "Kartläggning" and plan["measures"] == [] and plan["share_url"] is None
    url = created.headers["location"]
    measure = client.post(f"{url}/measures", json={"example_id": site.id("kort"), "responsible_unit": "Fritid"},
                          headers=headers)
    assert measure.status_code == 201, measure.text
    body = measure.json()
    assert body["effort_hours"] == 1500 and body["permalink"] == f"{BASE}/exempel/{site.id('kort')}"
    assert body["version"] == 1 and body["responsible_unit"] == "Fritid"
    assert client.post(f"{url}/measures", json={"example_id": site.id("kort")}, headers=headers).status_code == 200
    bad = client.patch(measure.headers["location"], json={"planned_start": "snart", "effort_hours": -3}, headers=headers)
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"planned_start", "effort_hours"}
    missing = client.post(f"{url}/measures", json={"example_id": 999999}, headers=headers)
    assert missing.status_code == 422 and missing.json()["error"]["fields"][0]["field"] == "example_id"
    assert client.post("/api/v1/plans", json={"title": ""}, headers=headers).json()["error"]["fields"][0]["field"] == "title"
    assert client.post("/api/v1/plans", json=["x"], headers=headers).status_code == 422
    shared = client.patch(url, json={"shared": True}, headers=headers).json()
    assert shared["share_url"].startswith(f"{BASE}/delad-plan/")
    assert client.get("/api/v1/plans", headers=headers).json()["items"][0]["id"] == plan["id"]
    assert client.get("/api/v1/plans").status_code == 401
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
