"""API tokens on the account page (created and revoked by their owner, shown once, stored
as hashes) and the admin pages: users, criteria, taxonomies."""

from __future__ import annotations

import hashlib
import re

from fastapi.testclient import TestClient
from sqlmodel import select

from app.models import ApiToken, AuthSession, Criterion, OutboxEntry, Sector
from app.services.criteria import list_criteria
from tests.review.conftest import new_submission, organisation_named, published_example
from tests.review.web import csrf_from, sign_in


def _post(client, url, data=None):
    token = csrf_from(client.get("/logga-in").text)
    return client.post(url, data={**(data or {}), "csrf_token": token}, follow_redirects=False)


def test_users_create_use_and_revoke_their_own_tokens(client, session, cast, settings):
    sign_in(client, session, cast.author.user, settings)
    created = _post(client, "/konto/nycklar", {"label": "Skript för kommunens intranät"})
    assert created.status_code == 201
    secret = re.search(r'id="new-token">(brb_[^<]+)<', created.text).group(1)
    row = session.exec(select(ApiToken).where(ApiToken.label == "Skript för kommunens intranät")).one()
    assert row.user_id == cast.author.id and row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.get("/konto/nycklar").text  # shown once only
    assert row.prefix in client.get("/konto/nycklar").text

    api = TestClient(client.app)
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/submissions", headers=headers).status_code == 200
    session.refresh(row)
    assert row.last_used_at is not None

    # Someone else's token cannot be revoked from here (and is not shown).
    other = session.exec(select(ApiToken).where(ApiToken.user_id == cast.editor.id)).one()
    assert _post(client, f"/konto/nycklar/{other.id}/aterkalla").status_code == 404
    assert _post(client, f"/konto/nycklar/{row.id}/aterkalla").status_code == 303
    assert api.get("/api/v1/submissions", headers=headers).status_code == 401
    assert "Återkallad" in client.get("/konto/nycklar").text


def _admin(client, session, cast, settings) -> TestClient:
    sign_in(client, session, cast.admin.user, settings)
    return client


def test_admin_changes_role_county_and_closes_accounts(client, session, cast, settings):
    admin = _admin(client, session, cast, settings)
    target = cast.author.user
    page = admin.get(f"/admin/anvandare/{target.id}")
    assert page.status_code == 200 and target.email in page.text
    # An editor needs a county.
    refused = _post(admin, f"/admin/anvandare/{target.id}", {"name": "Anna", "role": "editor", "county_code": "",
                                                             "is_active": "on"})
    assert refused.status_code == 422
    session.refresh(target)
    assert target.role == "contributor"
    lst = organisation_named(session, "Länsstyrelsen Västerbotten")
    ok = _post(admin, f"/admin/anvandare/{target.id}", {"name": "Anna A", "role": "editor", "county_code": "24",
                                                        "organisation_id": str(lst.id), "is_active": "on"})
    assert ok.status_code == 303
    session.refresh(target)
    assert (target.role, target.county_code, target.name, target.organisation_id) == ("editor", "24", "Anna A", lst.id)

    # Closing an account ends its sessions and its tokens stop working.
    victim = TestClient(client.app)
    sign_in(victim, session, cast.colleague.user, settings)
    assert victim.get("/mina-exempel").status_code == 200
    closed = _post(admin, f"/admin/anvandare/{cast.colleague.id}", {"name": "K", "role": "contributor"})
    assert closed.status_code == 303
    session.refresh(cast.colleague.user)
    assert cast.colleague.user.is_active is False
    assert session.exec(select(AuthSession).where(AuthSession.user_id == cast.colleague.id)).all() == []
    assert victim.get("/mina-exempel", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/submissions", headers=cast.colleague.headers).status_code == 401

    # The admin cannot lock themselves out.
    self_demote = _post(admin, f"/admin/anvandare/{cast.admin.id}", {"role": "contributor", "is_active": "on"})
    assert self_demote.status_code == 409
    session.refresh(cast.admin.user)
    assert cast.admin.user.role == "admin"


def test_only_the_admin_reaches_admin_pages(client, session, cast, settings):
    for who in (cast.author, cast.editor):
        other = TestClient(client.app)
        sign_in(other, session, who.user, settings)
        for url in ("/admin", "/admin/anvandare", "/admin/kriterier", "/admin/taxonomier"):
            assert other.get(url).status_code == 403, (who.user.role, url)
        assert _post(other, "/admin/kriterier/participation", {"title_sv": "x", "title_en": "y"}).status_code == 403
        assert _post(other, "/admin/taxonomier/sectors/skola", {"label_sv": "x", "label_en": "y"}).status_code == 403
    assert TestClient(client.app).get("/admin/anvandare", follow_redirects=False).status_code == 303


def test_admin_edits_criteria_titles_and_guidance(client, session, cast, settings):
    admin = _admin(client, session, cast, settings)
    assert admin.get("/admin/kriterier").status_code == 200
    saved = _post(admin, "/admin/kriterier/participation", {
        "title_sv": "Barns rätt att komma till tals", "title_en": "The child's right to be heard",
        "guidance_sv": "Visa hur barnen hördes.", "guidance_en": "Show how the children were heard."})
    assert saved.status_code == 303
    assert {c.key: c.title for c in list_criteria(session, lang="en")}["participation"] == "The child's right to be heard"
    # The new title appears on the form and the review page.
    sub = new_submission(session, cast, settings=settings)
    author = TestClient(client.app)
    sign_in(author, session, cast.author.user, settings)
    assert "Barns rätt att komma till tals" in author.get(f"/bidrag/{sub.id}").text
    assert _post(admin, "/admin/kriterier/participation", {"title_sv": "", "title_en": "x"}).status_code == 422
    assert session.get(Criterion, "participation").key == "participation"


def test_a_label_change_reaches_search_through_the_outbox(client, session, cast, settings):
    tagged = published_example(session, cast, settings=settings, sectors=["skola"])
    untagged = published_example(session, cast, settings=settings, title="Ett annat exempel om budget",
                                 sectors=["ledning-och-styrning"])
    before = {e.id: len(session.exec(select(OutboxEntry).where(OutboxEntry.example_id == e.id)).all())
              for e in (tagged, untagged)}
    admin = _admin(client, session, cast, settings)
    assert admin.get("/admin/taxonomier").status_code == 200
    response = _post(admin, "/admin/taxonomier/sectors/skola", {"label_sv": "Grundskola", "label_en": "Compulsory school"})
    assert response.status_code == 303 and "queued=1" in response.headers["location"]
    assert session.get(Sector, "skola").label_sv == "Grundskola"
    after = {e.id: len(session.exec(select(OutboxEntry).where(OutboxEntry.example_id == e.id)).all())
             for e in (tagged, untagged)}
    assert after[tagged.id] == before[tagged.id] + 1 and after[untagged.id] == before[untagged.id]
    # Articles too; an unchanged label queues nothing.
    assert "queued=2" in _post(admin, "/admin/taxonomier/articles/3", {"label_sv": "Barnets bästa i främsta rummet",
                                                                       "label_en": "Best interests first"}).headers["location"]
    again = _post(admin, "/admin/taxonomier/sectors/skola", {"label_sv": "Grundskola", "label_en": "Compulsory school"})
    assert "queued=0" in again.headers["location"]
    assert _post(admin, "/admin/taxonomier/sectors/skola", {"label_sv": "", "label_en": "x"}).status_code == 422
    assert _post(admin, "/admin/taxonomier/sectors/rymd", {"label_sv": "a", "label_en": "b"}).status_code == 404


def test_the_about_page_shows_the_criteria_as_the_admin_wrote_them(client, session, cast, settings):
    admin = _admin(client, session, cast, settings)
    _post(admin, "/admin/kriterier/transferability", {
        "title_sv": "Går att göra om", "title_en": "Can be repeated",
        "guidance_sv": "En annan kommun kan göra samma sak.", "guidance_en": "Another municipality can do the same."})
    anonymous = TestClient(client.app)
    assert "Går att göra om" in anonymous.get("/om").text
    assert "Can be repeated" in anonymous.get("/om?lang=en").text
