"""The public JSON API (/api/v1) on SQLite and PostgreSQL, against the real embedded engine:
every search parameter, the response shape, every error case, detail with conditional
requests, taxonomies, statistics, export, CORS, caching and the rate limit."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.models.content import PUBLIC_FIELDS as _PUBLIC
from app.services.transfer import EXPORT_FIELDS

PUBLIC_EXPORT_FIELDS = ("id", "slug", *_PUBLIC)
assert "contact_email" in EXPORT_FIELDS and "contact_email" not in PUBLIC_EXPORT_FIELDS
from app.web.ratelimit import ApiRateLimiter
from search import SearchUnavailable
from tests.conftest import run_async
from tests.site_data import build_site, index, publish

ITEM_KEYS = {
    "id", "slug", "url", "title", "summary", "articles", "sectors", "target_groups", "age_groups",
    "county_code", "municipality_code", "organisation_name", "organisation_type", "start_year",
    "duration_months", "effort_hours", "published_at", "highlight",
}
ENGLISH_ARTICLE_3 = "Best interests of the child"
FACETS = {"article", "sector", "county", "municipality", "target_group", "age_group", "organisation_type",
          "effort", "duration"}


@pytest.fixture
def app_settings(db_url, tmp_path):
    return Settings(DATABASE_URL=db_url, DATA_DIR=tmp_path / "data", ENV="development", RUN_INDEXER=False,
                    BASE_URL="https://barnratt.example.se")


@pytest.fixture
def site(client, session):
    return build_site(session, client.app.state.search)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def ordered(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# -- search: shape -------------------------------------------------------------------------
def test_search_shape_items_and_facets(client, site):
    response = client.get("/api/v1/examples")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"total", "page", "per_page", "items", "facets"}
    assert (body["total"], body["page"], body["per_page"]) == (4, 1, 20)
    assert {i["id"] for i in body["items"]} == site.ids("bka", "rad", "kort", "vrak")
    for item in body["items"]:
        assert ITEM_KEYS <= set(item)
        assert item["url"] == f"https://barnratt.example.se/exempel/{item['id']}"
        assert item["published_at"].endswith("Z")
    assert set(body["facets"]) == FACETS
    for values in body["facets"].values():
        for value in values:
            assert set(value) == {"value", "label", "count", "selected"}
    sectors = {v["value"]: v for v in body["facets"]["sector"]}
    assert sectors["socialtjanst"] == {"value": "socialtjanst", "label": "Socialtjänst", "count": 2, "selected": False}
    articles = {v["value"]: v["count"] for v in body["facets"]["article"]}
    assert articles == {3: 1, 12: 2, 26: 1, 27: 2, 31: 1}
    assert [v["value"] for v in body["facets"]["article"]] == [3, 12, 26, 27, 31]  # display order
    assert {v["value"]: v["count"] for v in body["facets"]["effort"]} == {"<40": 1, "40-200": 1, "200-1000": 1, ">1000": 1}
    assert {v["value"]: v["count"] for v in body["facets"]["duration"]} == {"<3": 1, "3-12": 1, ">12": 1, "ongoing": 1}
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["access-control-allow-origin"] == "*"


def test_item_fields_match_the_example(client, site):
    item = next(i for i in client.get("/api/v1/examples").json()["items"] if i["id"] == site.id("kort"))
    assert item["title"] == "Fritidskort för barn i ekonomisk utsatthet"
    assert item["articles"] == [26, 27, 31]
    assert item["sectors"] == ["kultur-och-fritid", "socialtjanst"]
    assert item["county_code"] == "12" and item["municipality_code"] == "1280"
    assert (item["organisation_name"], item["organisation_type"]) == ("Region Skåne", "region")
    assert (item["start_year"], item["duration_months"], item["effort_hours"]) == (2022, 2, 1500)


def test_text_search_highlights(client, site):
    response = client.get("/api/v1/examples", params={"q": "barnkonsekvensanalys"})
    assert ids(response) == site.ids("bka")
    item = response.json()["items"][0]
    assert "<mark>" in item["highlight"]["title"]
    assert item["title"] == "Barnkonsekvensanalys i budgetprocessen"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"article": 12}, {"bka", "rad"}),
        ({"article": [12, 27]}, {"bka", "rad", "kort", "vrak"}),
        ({"sector": "socialtjanst"}, {"kort", "vrak"}),
        ({"sector": ["socialtjanst", "ledning-och-styrning"]}, {"bka", "kort", "vrak"}),
        ({"sector": "socialtjanst", "article": 26}, {"kort"}),
        ({"county": "24"}, {"bka"}),
        ({"county": ["01", "12"]}, {"rad", "kort"}),
        ({"municipality": "1480"}, {"vrak"}),
        ({"municipality": ["1480", "2480"]}, {"vrak", "bka"}),
        ({"target_group": "ekonomisk-utsatthet"}, {"kort", "vrak"}),
        ({"age_group": "0-5"}, {"vrak"}),
        ({"age_group": ["0-5", "13-17"]}, {"vrak", "bka", "rad"}),
        ({"organisation_type": "region"}, {"kort"}),
        ({"organisation_type": ["region", "civilsamhalle"]}, {"kort", "vrak"}),
        ({"effort": "<40"}, {"rad"}),
        ({"effort": ">1000"}, {"kort"}),
        ({"effort": ["40-200", "200-1000"]}, {"bka", "vrak"}),
        ({"duration": "ongoing"}, {"rad"}),
        ({"duration": "<3"}, {"kort"}),
        ({"duration": "3-12"}, {"vrak"}),
        ({"duration": ">12"}, {"bka"}),
        ({"max_hours": 400}, {"bka", "rad", "vrak"}),
        ({"max_hours": 0}, set()),
        ({"max_months": 6}, {"kort", "vrak"}),
        ({"year_from": 2022}, {"bka", "rad", "kort"}),
        ({"year_to": 2019}, {"rad", "vrak"}),
        ({"year_from": 2020, "year_to": 2020}, {"rad", "vrak"}),
        ({"q": "fritidskort", "county": "12"}, {"kort"}),
        ({"q": "fritidskort", "county": "24"}, set()),
        ({"sector": "socialtjanst", "county": "", "q": ""}, {"kort", "vrak"}),  # empty = absent
    ],
)
def test_every_filter(client, site, params, expected):
    assert ids(client.get("/api/v1/examples", params=params)) == site.ids(*expected)


def test_facet_counts_are_disjunctive_and_mark_selected_values(client, site):
    body = client.get("/api/v1/examples", params={"sector": "socialtjanst"}).json()
    sectors = {v["value"]: (v["count"], v["selected"]) for v in body["facets"]["sector"]}
    # The sector facet ignores its own filter, so other sectors stay choosable.
    assert sectors == {"ledning-och-styrning": (1, False), "kultur-och-fritid": (2, False), "socialtjanst": (2, True)}
    counties = {v["value"]: v["count"] for v in body["facets"]["county"]}
    assert counties == {"12": 1, "14": 1}
    # A selected value that matches nothing is still listed (count 0), so it can be removed.
    body = client.get("/api/v1/examples", params={"sector": "psykiatri", "county": "24"}).json()
    assert body["total"] == 0
    assert {"value": "psykiatri", "label": "Barn- och ungdomspsykiatri", "count": 0, "selected": True} in body["facets"]["sector"]
    assert {"value": "24", "label": "Västerbottens län", "count": 0, "selected": True} in body["facets"]["county"]


def test_facet_labels_follow_the_request_language(client, site):
    english = client.get("/api/v1/examples", params={"lang": "en"}).json()["facets"]
    assert {v["value"]: v["label"] for v in english["article"]}[3] == ENGLISH_ARTICLE_3
    assert any(v["label"] == "Social services" for v in english["sector"])
    assert any(v["label"] == "Less than 40 hours" for v in english["effort"])
    by_header = client.get("/api/v1/examples", headers={"Accept-Language": "en-GB,en;q=0.8"}).json()["facets"]
    assert any(v["label"] == "Social services" for v in by_header["sector"])
    swedish = client.get("/api/v1/examples", params={"lang": "sv"}).json()["facets"]
    assert any(v["label"] == "Socialtjänst" for v in swedish["sector"])
    assert any(v["label"] == "Mindre än 40 timmar" for v in swedish["effort"])
    assert "Accept-Language" in client.get("/api/v1/examples").headers["vary"]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("newest", ["vrak", "kort", "rad", "bka"]),
        ("effort_asc", ["rad", "vrak", "bka", "kort"]),
        ("duration_asc", ["kort", "vrak", "bka", "rad"]),  # unknown duration last
        ("relevance", ["vrak", "kort", "rad", "bka"]),  # no text: newest
    ],
)
def test_sorts(client, site, sort, expected):
    assert ordered(client.get("/api/v1/examples", params={"sort": sort})) == [site.id(k) for k in expected]


def test_pagination(client, site):
    everything = ordered(client.get("/api/v1/examples", params={"sort": "effort_asc"}))
    first = client.get("/api/v1/examples", params={"sort": "effort_asc", "per_page": 3})
    second = client.get("/api/v1/examples", params={"sort": "effort_asc", "per_page": 3, "page": 2})
    beyond = client.get("/api/v1/examples", params={"sort": "effort_asc", "per_page": 3, "page": 3})
    assert ordered(first) + ordered(second) == everything
    assert (second.json()["page"], second.json()["per_page"], second.json()["total"]) == (2, 3, 4)
    assert beyond.json()["items"] == [] and beyond.json()["total"] == 4
    assert len(client.get("/api/v1/examples", params={"per_page": 100}).json()["items"]) == 4
    assert len(client.get("/api/v1/examples", params={"per_page": 1}).json()["items"]) == 1


# -- search: bad parameters ------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, field",
    [
        ("q=" + "a" * 501, "q"),
        ("article=0", "article"),
        ("article=55", "article"),
        ("article=abc", "article"),
        ("article=3&article=99", "article"),
        ("sector=no-such-sector", "sector"),
        ("sector=skola%20OR%201%3D1", "sector"),
        ("county=99", "county"),
        ("county=1", "county"),
        ("municipality=9999", "municipality"),
        ("municipality=abcd", "municipality"),
        ("target_group=nobody", "target_group"),
        ("age_group=99-100", "age_group"),
        ("organisation_type=sekt", "organisation_type"),
        ("effort=lots", "effort"),
        ("duration=forever", "duration"),
        ("max_hours=-1", "max_hours"),
        ("max_hours=many", "max_hours"),
        ("max_months=1.5", "max_months"),
        ("year_from=1800", "year_from"),
        ("year_to=3000", "year_to"),
        ("year_from=2022&year_to=2020", "year_to"),
        ("sort=random", "sort"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("page=1&page=2", "page"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=ten", "per_page"),
    ],
)
def test_bad_parameters_give_422_naming_the_parameter(client, site, query, field):
    response = client.get("/api/v1/examples?" + query)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (422, "invalid_input")
    assert field in [f["field"] for f in error["fields"]]
    assert response.headers["cache-control"] == "no-store"


def test_q_of_500_characters_is_accepted(client, site):
    assert client.get("/api/v1/examples", params={"q": "a" * 500}).status_code == 200


@pytest.mark.parametrize(
    "q",
    ['title:budget', 'budget OR 1=1', '"unterminated', "(budget", "*", "budget AND NOT x", "id:1",
     "sectors = 'skola'", "\\", "barn~2", "+-&&||!(){}[]^\"~*?:\\/", "<script>alert(1)</script>"],
)
def test_query_syntax_is_only_text(client, site, q):
    response = client.get("/api/v1/examples", params={"q": q})
    assert response.status_code == 200, response.text
    for item in response.json()["items"]:
        assert "<script>" not in item["highlight"]["title"] + item["highlight"]["summary"]


def test_stale_index_entries_of_withdrawn_examples_are_not_listed(client, session, site):
    row = site.examples["rad"]
    row.status = "withdrawn"
    session.add(row)
    session.flush()  # the index still has it (the indexer has not run)
    assert site.id("rad") not in ids(client.get("/api/v1/examples"))


def test_search_engine_down_gives_503_in_the_error_shape(client, site):
    class Down:
        def search(self, query):
            raise SearchUnavailable("index missing")

    real, client.app.state.search = client.app.state.search, Down()
    try:
        response = client.get("/api/v1/examples")
    finally:
        client.app.state.search = real
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "search_unavailable"
    assert response.headers["retry-after"] == "30"


# -- detail ---------------------------------------------------------------------------------------
def test_detail_has_every_field_quality_and_version(client, site):
    example = site.examples["bka"]
    response = client.get(f"/api/v1/examples/{example.id}")
    assert response.status_code == 200
    body = response.json()
    from app.models.content import PUBLIC_FIELDS

    for field in PUBLIC_FIELDS:
        assert field in body
    # The contact address is never public: the example's contact form mails it.
    assert "contact_email" not in body and "@" not in json.dumps(body.get("contact_name"))
    assert body["id"] == example.id and body["version"] == 1 and body["status"] == "published"
    assert body["url"] == f"https://barnratt.example.se/exempel/{example.id}"
    assert body["api_url"] == f"https://barnratt.example.se/api/v1/examples/{example.id}"
    assert body["cost_sek"] == 350000
    assert body["quality_profile"]["reviewed"] is False
    assert "utan granskning" in body["quality_profile"]["note"]
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"].endswith("GMT")
    assert response.headers["access-control-allow-origin"] == "*"


def test_detail_quality_profile_of_a_reviewed_example(client, session):
    quality = {"criteria": {"articles_tagged": "met", "best_interests": {"status": "met", "comment": "ok"},
                            "participation": "not_applicable"}}
    row = publish(session, "kort")
    row.quality = quality
    session.add(row)
    session.flush()
    profile = client.get(f"/api/v1/examples/{row.id}").json()["quality_profile"]
    assert profile["reviewed"] is True
    assert [(c["key"], c["status"]) for c in profile["criteria"]] == [
        ("articles_tagged", "met"), ("best_interests", "met"), ("participation", "not_applicable")]
    assert profile["criteria"][1]["title"] == "Barnets bästa"


def test_detail_conditional_requests(client, site):
    url = f"/api/v1/examples/{site.id('bka')}"
    first = client.get(url)
    tag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert client.get(url, headers={"If-None-Match": f'"other", {tag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    # The body depends on the language (labels), and so does the tag.
    assert client.get(url + "?lang=en").headers["etag"] != tag


def test_detail_changes_its_etag_when_the_example_changes(client, session, site):
    url = f"/api/v1/examples/{site.id('bka')}"
    tag = client.get(url).headers["etag"]
    row = site.examples["bka"]
    row.version = 2
    session.add(row)
    session.flush()
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 200


def test_detail_unknown_unpublished_and_malformed(client, session, site):
    assert client.get("/api/v1/examples/999999").status_code == 404
    assert client.get("/api/v1/examples/999999").json()["error"]["code"] == "not_found"
    row = site.examples["vrak"]
    row.status = "withdrawn"
    session.add(row)
    session.flush()
    assert client.get(f"/api/v1/examples/{row.id}").status_code == 404
    for bad in ("abc", "-1", "0", "1.5", "99999999999999999999"):
        response = client.get(f"/api/v1/examples/{bad}")
        assert response.status_code == 422, bad
        assert response.json()["error"]["fields"][0]["field"] == "example_id"
    assert client.get("/api/v1/nothing-here").json()["error"]["code"] == "not_found"


# -- taxonomies, statistics, export ------------------------------------------------------------
def test_taxonomies(client):
    response = client.get("/api/v1/taxonomies")
    assert response.status_code == 200
    body = response.json()
    assert len(body["articles"]) == 54
    assert body["articles"][2] == {"number": 3, "title_sv": "Barnets bästa",
                                   "title_en": body["articles"][2]["title_en"], "general_principle": True}
    assert len(body["counties"]) == 21
    assert all(set(c) == {"code", "name", "short_name", "network_node"} and c["network_node"] for c in body["counties"])
    assert len(body["municipalities"]) == 290
    assert {"code": "2480", "name": "Umeå", "county_code": "24"} in body["municipalities"]
    assert {"slug": "socialtjanst", "label_sv": "Socialtjänst", "label_en": "Social services"} in body["sectors"]
    assert {t["slug"] for t in body["target_groups"]} >= {"alla-barn", "ekonomisk-utsatthet"}
    assert [a["slug"] for a in body["age_groups"]] == ["0-5", "6-12", "13-17", "18-24"]
    assert {o["slug"] for o in body["organisation_types"]} >= {"kommun", "region", "civilsamhalle"}
    assert [b["value"] for b in body["effort_bands"]] == ["<40", "40-200", "200-1000", ">1000"]
    assert response.headers["cache-control"] == "public, max-age=3600"


def test_statistics(client, site):
    body = client.get("/api/v1/statistics").json()
    assert body["total"] == 4
    articles = {a["value"]: a["count"] for a in body["article"]}
    assert len(articles) == 54 and articles[27] == 2 and articles[1] == 0
    assert {s["value"]: s["count"] for s in body["sector"]}["socialtjanst"] == 2
    assert {c["value"]: c["count"] for c in body["county"]}["03"] == 0


def test_export_jsonl_streams_the_published_examples_in_the_import_format(client, session, site):
    row = site.examples["vrak"]
    row.status = "withdrawn"
    session.add(row)
    session.flush()
    response = client.get("/api/v1/export", params={"format": "jsonl"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "public, max-age=3600"
    records = [json.loads(line) for line in response.text.splitlines()]
    assert [r["id"] for r in records] == sorted(site.ids("bka", "rad", "kort"))
    assert list(records[0]) == list(PUBLIC_EXPORT_FIELDS)
    assert "contact_email" not in response.text
    from app.services.transfer import parse_file, validate_rows

    # The export is valid import input (ids aside, which exist already).
    rows = parse_file("x.jsonl", "".join(json.dumps({k: v for k, v in r.items() if k != "id"} | {"slug": r["slug"] + "-kopia"}) + "\n" for r in records))
    valid, errors = validate_rows(session, rows)
    assert not errors and len(valid) == 3


def test_export_csv(client, site):
    response = client.get("/api/v1/export?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(PUBLIC_EXPORT_FIELDS)
    kort = next(r for r in rows if r["id"] == str(site.id("kort")))
    assert kort["articles"] == "26;27;31" and kort["sectors"] == "kultur-och-fritid;socialtjanst"
    bad = client.get("/api/v1/export?format=xml")
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "format"


# -- CORS, rate limit ---------------------------------------------------------------------------
def test_cors_is_open_for_reading_only(client, site):
    response = client.get("/api/v1/taxonomies", headers={"Origin": "https://www.skr.se"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/api/v1/examples", headers={
        "Origin": "https://www.skr.se", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "POST" not in preflight.headers["access-control-allow-methods"]
    post = client.options("/api/v1/examples", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in post.headers
    assert "access-control-allow-origin" not in client.get("/om").headers
    assert "ETag" in response.headers["access-control-expose-headers"]


def test_rate_limit_answers_429_with_retry_after(db_url, tmp_path):
    settings = Settings(DATABASE_URL=db_url, DATA_DIR=tmp_path / "d", RUN_INDEXER=False, API_RATE_LIMIT_PER_MINUTE=3)
    from app.main import create_app

    with TestClient(create_app(settings)) as limited:
        answers = [limited.get("/api/v1/taxonomies") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["x-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
        last = answers[-1]
        assert last.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(last.headers["retry-after"]) <= 60
        assert last.headers["access-control-allow-origin"] == "*"
        assert last.headers["cache-control"] == "no-store"
        assert last.headers["x-ratelimit-limit"] == "3"
        # Pages are not rate limited.
        assert limited.get("/om").status_code == 200


class LibraryClock:
    """Stands in for the ``time`` module inside the ``limits`` storages (they stamp window
    entries with ``time.time()``), so the window can move without sleeping."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_moving_window_allows_the_limit_per_client_in_any_60_seconds(monkeypatch):
    import limits.aio.storage.memory

    clock = LibraryClock(1_000_000.0)
    monkeypatch.setattr(limits.aio.storage.memory, "time", clock)
    limiter = ApiRateLimiter(2, "memory://", wall=clock.time)

    async def run():
        first = await limiter.hit("a")
        clock.now += 20
        second = await limiter.hit("a")
        refused = await limiter.hit("a")
        other = await limiter.hit("b")  # per client
        clock.now += 41  # the first hit is now 61 s old: it has left the window
        freed = await limiter.hit("a")
        still_full = await limiter.hit("a")
        return first, second, refused, other, freed, still_full

    first, second, refused, other, freed, still_full = run_async(run())
    assert (first.allowed, first.remaining, first.limit) == (True, 1, 2)
    assert (second.allowed, second.remaining) == (True, 0)
    # Refused until the oldest hit is 60 s old: 40 s after the second hit.
    assert (refused.allowed, refused.retry_after) == (False, 40)
    assert other.allowed and other.remaining == 1
    assert freed.allowed and freed.remaining == 0
    # Now the oldest hit in the window is the second one, 41 s ago: 19 s to wait.
    assert (still_full.allowed, still_full.retry_after) == (False, 19)
    assert not any(d.fallback for d in (first, second, refused, other, freed, still_full))


def test_two_apps_on_memory_storage_each_count_alone(db_url, tmp_path):
    """Why Redis: two processes with memory:// allow the limit twice (the issue being
    fixed); the shared-storage tests in test_rate_limit_shared.py show one limit."""
    from app.main import create_app

    settings = Settings(DATABASE_URL=db_url, DATA_DIR=tmp_path / "d", RUN_INDEXER=False, API_RATE_LIMIT_PER_MINUTE=3)
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        codes = [(one if i % 2 == 0 else two).get("/api/v1/taxonomies").status_code for i in range(8)]
    assert codes.count(200) == 6 and codes.count(429) == 2


def test_unreachable_redis_falls_back_to_this_process_and_logs_once(db_url, tmp_path, caplog):
    """A real port where nothing listens: no 500; the limit still holds (in this process),
    with one warning for the outage."""
    from app.main import create_app
    from tests.live import free_port

    port = free_port()
    settings = Settings(DATABASE_URL=db_url, DATA_DIR=tmp_path / "d", RUN_INDEXER=False, API_RATE_LIMIT_PER_MINUTE=3,
                        RATE_LIMIT_STORAGE=f"redis://:secret@127.0.0.1:{port}/0")
    caplog.set_level("WARNING", logger="barnratt.ratelimit")
    with TestClient(create_app(settings)) as limited:
        answers = [limited.get("/api/v1/taxonomies", headers={"Origin": "https://www.skr.se"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    last = answers[-1]
    assert last.json()["error"]["code"] == "rate_limited"
    assert last.headers["cache-control"] == "no-store" and last.headers["access-control-allow-origin"] == "*"
    warnings = [r for r in caplog.records if r.name == "barnratt.ratelimit"]
    assert len(warnings) == 1, warnings
    message = warnings[0].getMessage()
    assert f"127.0.0.1:{port}" in message and "unreachable" in message
    assert "secret" not in message  # the password stays out of the log


def test_a_redis_that_accepts_but_never_answers_falls_back_too():
    """A real listening socket that never replies (a hung Redis): the socket timeout ends
    the wait and the request is counted in this process."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        limiter = ApiRateLimiter(2, f"redis://127.0.0.1:{port}/0")

        async def run():
            return [await limiter.hit("a") for _ in range(3)]

        decisions = run_async(run())
    assert [d.allowed for d in decisions] == [True, True, False]
    assert all(d.fallback for d in decisions)


def test_openapi_documents_every_search_parameter(client):
    spec = client.get("/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/api/v1/examples"]["get"]["parameters"]}
    assert params == {"q", "article", "sector", "county", "municipality", "target_group", "age_group",
                      "organisation_type", "effort", "duration", "max_hours", "max_months", "year_from",
                      "year_to", "reused", "sort", "page", "per_page"}
    for path in ("/api/v1/examples/{example_id}", "/api/v1/taxonomies", "/api/v1/export", "/api/v1/statistics"):
        assert path in spec["paths"]
    swagger = client.get("/docs/swagger")
    assert swagger.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in swagger.text
    assert "cdn" not in swagger.text.lower()
    guide = client.get("/docs")
    assert guide.status_code == 200
    assert '<h1 id="barnrattsbanken-api">Barnrättsbanken API</h1>' in guide.text
    assert 'curl "$BASE/api/v1/examples?q=barnkonsekvensanalys"' in guide.text
    assert '<div class="api-doc" lang="en">' in guide.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_newly_indexed_example_is_found(client, session, site):
    row = publish(session, "kort", title="Sommarlovsaktiviteter för alla barn", slug="sommarlov")
    session.flush()
    index(client.app.state.search, [row])
    assert ids(client.get("/api/v1/examples", params={"q": "sommarlovsaktiviteter"})) == {row.id}
