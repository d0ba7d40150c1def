"""Saved searches and alerts: saving any search (page and API, same parameters as the
search), matching new publications with the search engine itself (id filter), immediate
mails through the mail outbox, weekly digests with a fake clock (idempotent), and the
private Atom feed."""

from __future__ import annotations

from datetime import timedelta

import feedparser
from sqlmodel import select

from app.core.time import utcnow
from app.models import MailMessage, OutboxEntry, SavedSearch, SavedSearchHit
from app.services import alerts
from app.services.taxonomy import Taxonomy
from tests.reuse.conftest import BASE
from tests.review.web import form_post
from tests.site_data import index, publish


def indexed(session, engine, rows) -> None:
    """What the indexer does: the engine takes the documents and the outbox rows go."""
    index(engine, rows)
    ids = [r.id for r in rows]
    for row in session.exec(select(OutboxEntry).where(OutboxEntry.example_id.in_(ids))).all():
        session.delete(row)
    session.flush()


def _mails(session, to: str) -> list[MailMessage]:
    return list(session.exec(select(MailMessage).where(MailMessage.to_address == to).order_by(MailMessage.id)).all())


def _save(session, user, query: str, frequency: str, now=None) -> SavedSearch:
    return alerts.create_saved_search(session, user=user, query=query, taxonomy=Taxonomy.load(session),
                                      frequency=frequency, now=now)


def test_save_the_current_search_from_the_search_page(client, session, site, as_anna):
    page = client.get("/?q=fritidskort&sector=kultur-och-fritid&page=1")
    assert 'action="/bevakningar"' in page.text
    response = form_post(client, "/bevakningar", {"query": "q=fritidskort&sector=kultur-och-fritid",
                                                  "frequency": "immediate"}, page="/?q=fritidskort")
    assert response.status_code == 303
    saved = session.exec(select(SavedSearch).where(SavedSearch.user_id == as_anna.user.id)).one()
    assert saved.query == "q=fritidskort&sector=kultur-och-fritid" and saved.frequency == "immediate"
    assert "fritidskort" in saved.name and "Kultur" in saved.name
    listing = client.get("/bevakningar").text
    assert f"/bevakningar/flode/{saved.feed_token}.atom" in listing
    bad = form_post(client, "/bevakningar", {"query": "county=99"}, page="/bevakningar")
    assert bad.status_code == 422 and "county" in bad.text


def test_anonymous_save_leads_to_login(client, site):
    response = form_post(client, "/bevakningar", {"query": "q=barn"}, page="/?q=barn")
    assert response.status_code == 303
    assert response.headers["location"] == "/logga-in?next=/%3Fq%3Dbarn"


def test_immediate_alert_for_a_new_matching_publication_uses_the_engine(client, session, site, people):
    engine = client.app.state.search
    settings = client.app.state.settings
    social = _save(session, people.anna.user, "sector=socialtjanst", "immediate")
    text = _save(session, people.bo.user, "q=vräkning", "immediate")
    weekly = _save(session, people.anna.user, "sector=socialtjanst", "weekly")
    old = site.id("kort")  # published before the searches were saved: not new
    match = publish(session, "vrak", title="Vräkningsförebyggande arbete i Malmö", slug="vrak-malmo")
    other = publish(session, "bka", title="Budgetanalys med barnens röst", slug="budget-2")
    session.flush()
    index(engine, [match, other])
    run = alerts.match_published(session, backend=engine, settings=settings,
                                 example_ids=[match.id, other.id, old])
    assert run.mails == 2 and run.examples == 2
    anna = _mails(session, "anna@umea.se")
    assert len(anna) == 1 and f"{BASE}/exempel/{match.id}" in anna[0].body
    assert f"/exempel/{other.id}" not in anna[0].body and f"/exempel/{old}" not in anna[0].body
    assert "Vräkningsförebyggande arbete i Malmö" in anna[0].subject
    assert len(_mails(session, "bo@skane.se")) == 1
    # Indexed again (a revision, a label change): no second mail.
    again = alerts.match_published(session, backend=engine, settings=settings, example_ids=[match.id])
    assert again.mails == 0 and len(_mails(session, "anna@umea.se")) == 1
    hits = session.exec(select(SavedSearchHit.saved_search_id)).all()
    assert sorted(hits) == sorted([social.id, text.id]) and weekly.id not in hits


def test_weekly_digest_is_idempotent_with_a_fake_clock(client, session, site, people):
    engine = client.app.state.search
    settings = client.app.state.settings
    start = utcnow() - timedelta(days=30)
    saved = _save(session, people.anna.user, "article=27", "weekly", now=start)
    first = publish(session, "vrak", title="Vräkningsförebyggande arbete i Lund", slug="vrak-lund")
    first.published_at = start + timedelta(days=2)
    miss = publish(session, "rad", title="Ungdomsråd i Lund", slug="rad-lund")
    miss.published_at = start + timedelta(days=3)
    session.add_all([first, miss])
    session.flush()
    indexed(session, engine, [first, miss])

    day8 = start + timedelta(days=8)
    run = alerts.send_weekly_digests(session, backend=engine, settings=settings, now=day8)
    assert (run.searches, run.mails, run.examples) == (1, 1, 1)
    digest = _mails(session, "anna@umea.se")
    assert len(digest) == 1 and f"/exempel/{first.id}" in digest[0].body and f"/exempel/{miss.id}" not in digest[0].body
    # The same week again: not due, nothing sent.
    assert alerts.send_weekly_digests(session, backend=engine, settings=settings, now=day8 + timedelta(days=1)).mails == 0
    # A week later with nothing new: due, no mail.
    later = alerts.send_weekly_digests(session, backend=engine, settings=settings, now=day8 + timedelta(days=7))
    assert (later.searches, later.mails) == (1, 0)
    second = publish(session, "kort", title="Fritidskort i Lund", slug="kort-lund")
    second.published_at = day8 + timedelta(days=8)
    session.add(second)
    session.flush()
    indexed(session, engine, [second])
    third = alerts.send_weekly_digests(session, backend=engine, settings=settings, now=day8 + timedelta(days=14))
    assert third.mails == 1
    mails = _mails(session, "anna@umea.se")
    assert len(mails) == 2 and f"/exempel/{second.id}" in mails[1].body and f"/exempel/{first.id}" not in mails[1].body
    session.refresh(saved)
    assert saved.last_digest_at is not None


def test_a_publication_not_yet_indexed_waits_for_the_next_digest(client, session, site, people):
    engine = client.app.state.search
    settings = client.app.state.settings
    start = utcnow() - timedelta(days=20)
    _save(session, people.anna.user, "article=27", "weekly", now=start)
    pending = publish(session, "vrak", title="Vräkning förebyggs i Kiruna", slug="vrak-kiruna")  # outbox row left
    pending.published_at = start + timedelta(days=1)
    session.add(pending)
    session.flush()
    assert alerts.send_weekly_digests(session, backend=engine, settings=settings, now=start + timedelta(days=7)).mails == 0
    indexed(session, engine, [pending])
    run = alerts.send_weekly_digests(session, backend=engine, settings=settings, now=start + timedelta(days=14))
    assert run.mails == 1 and f"/exempel/{pending.id}" in _mails(session, "anna@umea.se")[0].body


def test_private_feed_of_a_saved_search(client, session, site, people):
    saved = _save(session, people.anna.user, "target_group=ekonomisk-utsatthet", "never")
    response = client.get(f"/bevakningar/flode/{saved.feed_token}.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert {e.link for e in feed.entries} == {f"{BASE}/exempel/{site.id('kort')}", f"{BASE}/exempel/{site.id('vrak')}"}
    assert client.get("/bevakningar/flode/not-a-token.atom").status_code == 404
    old = saved.feed_token
    alerts.new_feed_token(session, saved=saved, user=people.anna.user)
    assert client.get(f"/bevakningar/flode/{old}.atom").status_code == 404


def test_saved_searches_json_api(client, site, people):
    headers = people.anna.headers
    created = client.post("/api/v1/saved-searches", json={"query": "?q=barnkonsekvensanalys&county=24",
                                                          "frequency": "immediate"}, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["query"] == "q=barnkonsekvensanalys&county=24"
    assert body["api_url"] == f"{BASE}/api/v1/examples?q=barnkonsekvensanalys&county=24"
    assert body["feed_url"].startswith(f"{BASE}/bevakningar/flode/")
    bad = client.post("/api/v1/saved-searches", json={"query": "article=99&sort=best", "frequency": "daily"},
                      headers=headers)
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} >= {"article", "sort"}
    assert client.post("/api/v1/saved-searches", json={"query": "q=x", "frequency": "daily"},
                       headers=headers).json()["error"]["fields"][0]["field"] == "frequency"
    url = created.headers["location"]
    assert client.get(url, headers=people.bo.headers).status_code == 404
    assert client.patch(url, json={"frequency": "weekly", "name": "BKA i Västerbotten"}, headers=headers).json()["name"] == "BKA i Västerbotten"
    assert [s["id"] for s in client.get("/api/v1/saved-searches", headers=headers).json()["items"]] == [body["id"]]
    assert client.delete(url, headers=headers).status_code == 204
