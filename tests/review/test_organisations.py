"""Organisations are entities: sharing of drafts and revision rights follow the
organisation's id (never its name), the author may revise their own published example,
organisation numbers pass their check digit, and the admin manages organisations on a page
that works without JavaScript."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.core.errors import InputError
from app.models import Example, Organisation, User
from app.services import organisations as organisations_service
from tests.review.conftest import (
    actor,
    make_user,
    new_submission,
    organisation_named,
    published_example,
)
from tests.review.web import csrf_from, sign_in


@pytest.fixture
def social(session):
    """Two contributors whose organisations are both called "Socialförvaltningen": one in
    Umeå (county 24), one in Skellefteå (also county 24), plus a real colleague in Umeå."""
    umea = organisation_named(session, "Socialförvaltningen", type="kommun", county="24", municipality="2480")
    skelleftea = organisation_named(session, "Socialförvaltningen", type="kommun", county="24", municipality="2482")
    assert umea.id != skelleftea.id
    return {
        "umea": actor(session, make_user(session, email="sara@umea.se", role="contributor", organisation=umea)),
        "colleague": actor(session, make_user(session, email="siv@umea.se", role="contributor", organisation=umea)),
        "skelleftea": actor(session, make_user(session, email="sam@skelleftea.se", role="contributor",
                                               organisation=skelleftea)),
    }


def test_same_name_in_two_municipalities_shares_no_drafts(client, session, cast, settings, social):
    draft = new_submission(session, cast, settings=settings, author=social["umea"], organisation_name="Socialförvaltningen")
    url = f"/api/v1/submissions/{draft.id}"
    assert client.get(url, headers=social["colleague"].headers).status_code == 200
    assert client.get(url, headers=social["skelleftea"].headers).status_code == 404
    stale = client.put(url, json={"title": "Kapat"}, headers={**social["skelleftea"].headers, "If-Match": '"1"'})
    assert stale.status_code == 404
    assert client.post(f"{url}/submit", headers=social["skelleftea"].headers).status_code == 404
    listed = client.get("/api/v1/submissions", headers=social["skelleftea"].headers).json()["items"]
    assert draft.id not in [item["id"] for item in listed]
    assert draft.id in [item["id"] for item in client.get("/api/v1/submissions", headers=social["colleague"].headers).json()["items"]]


def test_same_name_in_two_municipalities_shares_no_revision_rights(client, session, cast, settings, social):
    example = published_example(session, cast, settings=settings, author=social["umea"],
                                organisation_name="Socialförvaltningen", municipality_code="2480")
    assert example.organisation_id == social["umea"].user.organisation_id
    url = f"/api/v1/examples/{example.id}/revisions"
    assert client.post(url, headers=social["skelleftea"].headers).status_code == 403
    started = client.post(url, headers=social["colleague"].headers)
    assert started.status_code == 201, started.text
    assert started.json()["organisation_id"] == social["umea"].user.organisation_id
    # Sam's page has no "revise" button either.
    sign_in(client, session, social["skelleftea"].user, settings)
    assert f"/bidrag/revidera/{example.id}" not in client.get(f"/exempel/{example.id}").text


def test_author_revises_own_published_example_whatever_its_displayed_name(client, session, cast, settings):
    # The example's displayed organisation is free text that names no organisation of the author.
    example = published_example(session, cast, settings=settings, organisation_name="Umeå kommun, socialtjänsten")
    assert example.author_id == cast.author.id
    started = client.post(f"/api/v1/examples/{example.id}/revisions", headers=cast.author.headers)
    assert started.status_code == 201, started.text
    assert started.json()["kind"] == "revision" and started.json()["example_id"] == example.id


def test_author_without_organisation_revises_own_example_and_the_page_offers_it(client, session, cast, settings):
    loner = actor(session, make_user(session, email="ensam@umea.se", role="contributor"))
    example = published_example(session, cast, settings=settings, author=loner)
    assert (example.author_id, example.organisation_id) == (loner.id, None)
    sign_in(client, session, loner.user, settings)
    page = client.get("/mina-exempel").text
    assert f"/bidrag/revidera/{example.id}" in page
    token = csrf_from(page)
    response = client.post(f"/bidrag/revidera/{example.id}", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/bidrag/")
    # Someone outside the organisation is still refused.
    assert client.post(f"/api/v1/examples/{example.id}/revisions", headers=cast.outsider.headers).status_code == 403


def test_editing_the_displayed_name_changes_no_rights(client, session, cast, settings):
    """Renaming the example's organisation text to the outsider's organisation's name gives
    the outsider nothing."""
    luleå = organisation_named(session, "Luleå kommun")
    example = published_example(session, cast, settings=settings, organisation_name=luleå.name)
    assert client.post(f"/api/v1/examples/{example.id}/revisions", headers=cast.outsider.headers).status_code == 403
    assert client.post(f"/api/v1/examples/{example.id}/revisions", headers=cast.colleague.headers).status_code == 201


@pytest.mark.parametrize("number", ["212000-2627", "2120002627", "556036-0793", "802002-4280"])
def test_valid_organisation_numbers(number):
    assert organisations_service.normalise_org_number(number) == number if "-" in number else number[:6] + "-" + number[6:]


@pytest.mark.parametrize(("number", "why"), [("212000-2628", "check digit"), ("556036-0794", "check digit"),
                                             ("21200-2627", "10 digits"), ("212000 2627", "10 digits"),
                                             ("abcdef-ghij", "10 digits"), ("212000-26270", "10 digits")])
def test_invalid_organisation_numbers(number, why):
    with pytest.raises(ValueError, match=why):
        organisations_service.normalise_org_number(number)


def _org_form(**changes):
    return {"name": "Socialförvaltningen", "type": "kommun", "county_code": "24", "municipality_code": "2482",
            "org_number": "212000-2627", **changes}


def test_organisation_service_names_each_refused_field(session):
    with pytest.raises(InputError) as refused:
        organisations_service.create(session, data=organisations_service.parse_organisation_in(
            _org_form(municipality_code="0180")))
    assert [f.field for f in refused.value.fields] == ["municipality_code"]
    with pytest.raises(InputError) as refused:
        organisations_service.parse_organisation_in(_org_form(org_number="212000-2628", type="kyrka"))
    assert {f.field for f in refused.value.fields} == {"org_number", "type"}
    with pytest.raises(InputError) as refused:
        organisations_service.create(session, data=organisations_service.parse_organisation_in(
            _org_form(municipality_code="")))
    assert [f.field for f in refused.value.fields] == ["municipality_code"]  # a kommun needs its municipality
    first = organisations_service.create(session, data=organisations_service.parse_organisation_in(_org_form()))
    assert first.org_number == "212000-2627"
    with pytest.raises(InputError) as refused:
        organisations_service.create(session, data=organisations_service.parse_organisation_in(
            _org_form(municipality_code="2480")))
    assert [f.field for f in refused.value.fields] == ["org_number"]  # the number is taken


def test_admin_manages_organisations_without_javascript(client, session, cast, settings):
    sign_in(client, session, cast.admin.user, settings)
    page = client.get("/admin/organisationer")
    assert page.status_code == 200 and "<h1>Organisationer</h1>" in page.text
    token = csrf_from(page.text)
    # A wrong check digit: the form comes back, naming the field in Swedish, keeping the input.
    refused = client.post("/admin/organisationer", data={**_org_form(org_number="212000-2628"), "csrf_token": token})
    assert refused.status_code == 422
    assert 'href="#f-org_number"' in refused.text and "kontrollsiffra" in refused.text
    assert 'value="212000-2628"' in refused.text and 'aria-invalid="true"' in refused.text
    assert session.exec(select(Organisation).where(Organisation.org_number == "212000-2628")).first() is None
    created = client.post("/admin/organisationer", data={**_org_form(), "csrf_token": token}, follow_redirects=False)
    assert created.status_code == 303
    org = session.exec(select(Organisation).where(Organisation.org_number == "212000-2627")).one()
    assert (org.name, org.type, org.county_code, org.municipality_code) == ("Socialförvaltningen", "kommun", "24", "2482")
    listed = client.get("/admin/organisationer?lan=24").text
    assert f'href="/admin/organisationer/{org.id}"' in listed and "Skellefteå" in listed
    # Edit.
    edit_url = f"/admin/organisationer/{org.id}"
    assert client.get(edit_url).status_code == 200
    saved = client.post(edit_url, data={**_org_form(name="Socialtjänsten Skellefteå"), "csrf_token": token},
                        follow_redirects=False)
    assert saved.status_code == 303
    session.refresh(org)
    assert org.name == "Socialtjänsten Skellefteå"
    # Invite someone into it (by id); the account page shows it selected.
    invited = client.post("/admin/anvandare/bjud-in", data={"email": "ny@skelleftea.se", "role": "contributor",
                                                            "organisation_id": str(org.id), "csrf_token": token},
                          follow_redirects=False)
    assert invited.status_code == 303
    member = session.exec(select(User).where(User.email == "ny@skelleftea.se")).one()
    assert member.organisation_id == org.id
    assert f'<option value="{org.id}" selected>' in client.get(f"/admin/anvandare/{member.id}").text
    assert "ny@skelleftea.se" in client.get(edit_url).text
    # Unknown or out-of-range ids: 422 naming the field / the 404 page, never a 500.
    bad = client.post("/admin/anvandare/bjud-in", data={"email": "x@y.se", "role": "contributor",
                                                        "organisation_id": "99999999", "csrf_token": token})
    assert bad.status_code == 422 and "organisation_id" in bad.text
    huge = client.post("/admin/anvandare/bjud-in", data={"email": "x@y.se", "role": "contributor",
                                                         "organisation_id": "1" * 25, "csrf_token": token})
    assert huge.status_code == 422
    assert client.get("/admin/organisationer/999999").status_code == 404
    assert client.get("/admin/organisationer/" + "9" * 25).status_code == 404


def test_only_the_admin_manages_organisations(client, session, cast, settings):
    sign_in(client, session, cast.editor.user, settings)
    assert client.get("/admin/organisationer").status_code == 403


def test_published_example_stores_author_and_organisation(session, cast, settings):
    example = published_example(session, cast, settings=settings)
    row = session.get(Example, example.id)
    assert row.author_id == cast.author.id and row.organisation_id == cast.author.user.organisation_id
