"""The public pages, in-process on SQLite and PostgreSQL: search page (full and HTMX
fragment, sharing parsing and results with the API), example pages with JSON-LD and Open
Graph, 404s, about, statistics, the Atom feed, oEmbed, embeds, languages, escaping."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

import extruct
import feedparser
import pytest

from app.core.config import Settings
from app.models import ExampleIn
from app.services.examples import publish_new
from tests.site_data import build_site, index, publish
from tests.xss import MARKER, live_markup, payload_examples

BASE = "https://barnratt.example.se"


@pytest.fixture
def app_settings(db_url, tmp_path):
    return Settings(DATABASE_URL=db_url, DATA_DIR=tmp_path / "data", ENV="development", RUN_INDEXER=False,
                    BASE_URL=BASE)


@pytest.fixture
def site(client, session):
    return build_site(session, client.app.state.search)


def result_ids(page_html: str) -> list[int]:
    """Ids of the result cards of a search page, in order."""
    match = re.search(r'<ol class="result-list".*?</ol>', page_html, re.S)
    if not match:
        return []
    return [int(i) for i in re.findall(r'class="result-title" lang="sv"><a href="/exempel/(\d+)"', match.group(0))]


# -- search page ---------------------------------------------------------------------------------
def test_search_page_lists_results_facets_and_links_to_its_json(client, site):
    response = client.get("/?sector=socialtjanst")
    assert response.status_code == 200
    text = response.text
    assert set(result_ids(text)) == site.ids("kort", "vrak")
    assert '<link id="json-alternate" rel="alternate" type="application/json" href="/api/v1/examples?sector=socialtjanst"' in text
    # Facets with counts; articles as number and name; the selected value checked.
    assert re.search(r'id="f-sector-socialtjanst" name="sector" value="socialtjanst" checked', text)
    assert re.search(r'<span class="facet-num">27\.</span> [^<]+ <span class="count">\(2<', text)
    assert 'role="status"' in text and "2 exempel hittades" in text
    # An active filter is a removable chip; its link is the same search without it.
    assert 'aria-label="Ta bort filter: Sektor: Socialtjänst"' in text
    assert 'href="/"' in text
    assert "Vary" in response.headers and "HX-Request" in response.headers["vary"]


@pytest.mark.parametrize(
    "query",
    ["", "q=barnkonsekvensanalys", "sector=socialtjanst&article=26", "county=01&county=12", "effort=<40",
     "sort=effort_asc", "sort=duration_asc&per_page=2&page=2", "year_from=2020&year_to=2020",
     "max_months=6", "q=fritidskort&county=24"],
)
def test_page_and_api_give_the_same_results(client, site, query):
    page = client.get("/?" + query)
    api = client.get("/api/v1/examples?" + query).json()
    assert result_ids(page.text) == [item["id"] for item in api["items"]]
    assert f"{api['total']} exempel" in page.text


def test_htmx_request_gets_the_results_fragment(client, site):
    response = client.get("/?q=fritidskort", headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.text
    assert "<html" not in text and "<header" not in text
    assert text.lstrip().startswith("<title>")
    assert 'id="search-body"' in text
    assert '<p id="result-status" hx-swap-oob="innerHTML">1 exempel hittades för ”fritidskort”.</p>' in text
    assert result_ids(text) == [site.id("kort")]
    # The page's link to its JSON follows the new state.
    assert '<link id="json-alternate" hx-swap-oob="true" rel="alternate" type="application/json" href="/api/v1/examples?q=fritidskort"' in text
    # A history restore (back button after a cache miss) gets the whole page.
    full = client.get("/?q=fritidskort", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.text


def test_search_form_works_without_javascript(client, site):
    page = client.get("/").text
    assert '<form id="search-form" class="search-form" role="search" action="/" method="get"' in page
    assert 'hx-push-url="true"' in page and 'hx-trigger="submit, input changed delay:300ms from:#q, change"' in page
    assert '<button type="submit" class="apply-filters">' in page
    # An empty field from a plain form submit is no filter.
    response = client.get("/?q=&sector=socialtjanst&max_hours=&year_from=&sort=relevance")
    assert response.status_code == 200 and set(result_ids(response.text)) == site.ids("kort", "vrak")


def test_pagination_links_keep_the_state(client, site):
    text = client.get("/?sector=kultur-och-fritid&sector=socialtjanst&per_page=1&page=2").text
    assert result_ids(text) and len(result_ids(text)) == 1
    assert '<ol class="result-list" start="2">' in text
    links = re.findall(r'<nav class="pagination".*?</nav>', text, re.S)[0]
    assert 'aria-current="page"' in links
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', links)]
    for href in hrefs:
        query = parse_qsl(urlsplit(href).query)
        assert ("sector", "kultur-och-fritid") in query and ("sector", "socialtjanst") in query
        assert ("per_page", "1") in query
    assert any(("page", "3") in parse_qsl(urlsplit(h).query) for h in hrefs)
    assert 'rel="prev"' in links and 'rel="next"' in links


def test_chips_remove_one_filter_each(client, site):
    text = client.get("/?q=barn&sector=socialtjanst&max_hours=500").text
    chips = re.findall(r'<a href="([^"]+)"[^>]*class="chip" aria-label="([^"]+)"', text)
    assert {(html.unescape(u), l) for u, l in chips} == {
        ("/?q=barn&max_hours=500", "Ta bort filter: Sektor: Socialtjänst"),
        ("/?q=barn&sector=socialtjanst", "Ta bort filter: Högst 500 timmar"),
    }
    assert 'href="/?q=barn"' in text  # clear all filters keeps the words


def test_no_results_offers_wider_searches_and_nearest_matches(client, site):
    text = client.get("/?q=fritidskort&county=24").text
    assert "Inga exempel matchar din sökning." in text
    assert re.search(r'href="/\?q=fritidskort"[^>]*>Utan filtret ”Län”</a> \(1 exempel\)', text)
    assert "Närmaste träffar" in text and f'href="/exempel/{site.id("kort")}"' in text
    words = client.get("/?q=fritidskort+zzzqqxx").text
    assert "Inga exempel matchar" in words and f'href="/exempel/{site.id("kort")}"' in words


def test_invalid_search_parameters_on_the_page(client, site):
    response = client.get("/?article=99&page=0")
    assert response.status_code == 422
    assert "ogiltiga sökparametrar" in response.text
    assert "<code>article</code>" in response.text and "<code>page</code>" in response.text
    assert "<html" in response.text


def test_search_page_in_english(client, site):
    text = client.get("/?lang=en&q=fritidskort").text
    assert '<html lang="en">' in text and "1 example found for “fritidskort”" in text
    assert 'href="/?q=fritidskort&amp;lang=sv"' in text  # the switch keeps the search
    assert "Sök exempel" not in text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en"}).text


# -- example page -------------------------------------------------------------------------------
def test_example_page(client, site):
    example = site.examples["bka"]
    response = client.get(f"/exempel/{example.id}")
    assert response.status_code == 200
    text = response.text
    assert f'<h1 id="example-title" lang="sv">{example.title}</h1>' in text
    # Sections in the fixed order, key facts first and prominent.
    order = [m for m in re.findall(r'<h2 id="(?:h-)?([a-z_-]+)"', text)]
    sections = [s for s in order if s in ("background", "method", "child_participation", "results",
                                          "lessons_learned", "adaptations", "trade_offs", "transferability")]
    assert sections == ["background", "method", "child_participation", "results", "lessons_learned",
                        "adaptations", "trade_offs", "transferability"]
    assert order.index("facts-heading") < order.index("background")
    facts = re.search(r'<dl class="facts">.*?</dl>', text, re.S).group(0)
    assert "400 timmar" in facts and "24 månader (2021–2023)" in facts and "350\u00a0000 kr" in facts
    # Tags link to the filtered search.
    assert '<a class="tag" href="/?article=3">3. Barnets bästa</a>' in text
    assert '<a class="tag" href="/?sector=ledning-och-styrning">' in text
    assert '<a class="tag" href="/?county=24">Västerbottens län</a>' in text
    assert '<a class="tag" href="/?effort=200-1000">' in text
    # Quality profile (imported without review), link box, alternates, print stylesheet.
    assert "Publicerat av den nationella administratören utan granskning." in text
    assert f'value="{BASE}/exempel/{example.id}" readonly' in text
    assert f'value="{BASE}/api/v1/examples/{example.id}" readonly' in text
    assert f'<link rel="alternate" type="application/json" href="{BASE}/api/v1/examples/{example.id}"' in text
    assert 'type="application/json+oembed"' in text
    assert 'media="print"' in text
    assert f'<link rel="canonical" href="{BASE}/exempel/{example.id}">' in text


def test_example_page_shows_related_examples(client, site):
    text = client.get(f"/exempel/{site.id('kort')}").text
    related = re.search(r'<section class="related.*?</section>', text, re.S).group(0)
    linked = {int(i) for i in re.findall(r'href="/exempel/(\d+)"', related)}
    assert site.id("vrak") in linked  # shares article 27 and socialtjänst
    assert site.id("kort") not in linked


def test_example_page_quality_profile_when_reviewed(client, session):
    row = publish(session, "bka")
    row.quality = {"best_interests": "met", "participation": "met", "non_discrimination": "not_applicable"}
    session.add(row)
    session.flush()
    text = client.get(f"/exempel/{row.id}").text
    assert "Granskat av en länsredaktör mot kvalitetskriterierna." in text
    assert "Barnets bästa: <strong>Uppfyllt</strong>" in text
    assert "Icke-diskriminering: <strong>Inte tillämpligt</strong>" in text


def test_example_json_ld_and_open_graph_read_by_a_structured_data_parser(client, site):
    example = site.examples["kort"]
    text = client.get(f"/exempel/{example.id}").text
    data = extruct.extract(text, base_url=f"{BASE}/exempel/{example.id}", syntaxes=["json-ld", "opengraph"],
                           uniform=True)
    (ld,) = data["json-ld"]
    assert ld["@type"] == "Article"
    assert ld["headline"] == example.title and ld["url"] == f"{BASE}/exempel/{example.id}"
    assert ld["author"] == {"@type": "Organization", "name": "Region Skåne"}
    assert ld["datePublished"].startswith(str(example.published_at.year))
    assert "Malmö" in ld["spatialCoverage"]["name"]
    assert {a["name"] for a in ld["about"]} >= {"Artikel 27: Skälig levnadsstandard"}
    (og,) = data["opengraph"]
    assert og["og:title"] == example.title
    assert og["og:url"] == f"{BASE}/exempel/{example.id}"
    assert og["@type"] == "article"


def test_example_slug_url_redirects_to_the_canonical_one(client, site):
    example = site.examples["bka"]
    response = client.get(f"/exempel/{example.id}/{example.slug}", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == f"/exempel/{example.id}"
    other = client.get(f"/exempel/{example.id}/fel-slug?lang=en", follow_redirects=False)
    assert other.headers["location"] == f"/exempel/{example.id}?lang=en"


def test_not_found_pages(client, session, site):
    for url in ("/exempel/999999", "/exempel/abc", "/exempel/999999/slug", "/no-such-page"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.headers["content-type"].startswith("text/html")
        assert "<h1>Sidan finns inte</h1>" in response.text
        assert 'role="search"' in response.text
    row = site.examples["rad"]
    row.status = "withdrawn"
    session.add(row)
    session.flush()
    assert client.get(f"/exempel/{row.id}").status_code == 404
    api = client.get("/api/v1/examples/999999")
    assert api.headers["content-type"].startswith("application/json") and api.json()["error"]["status"] == 404


def test_markdown_is_sanitised(client, session):
    row = publish(session, "bka", method="Steg:\n\n- **ett** <script>alert(1)</script>\n- [länk](javascript:alert(1))\n"
                  "- [bra](https://example.org)\n\n" + "text " * 60)
    session.flush()
    text = client.get(f"/exempel/{row.id}").text
    assert "<strong>ett</strong>" in text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    assert 'href="javascript:' not in text
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">bra</a>' in text


# -- about, statistics ---------------------------------------------------------------------------
def test_about_page_lists_the_quality_criteria(client):
    text = client.get("/om").text
    assert "<h1>Om Barnrättsbanken</h1>" in text
    for title in ("Metoden beskriven", "Inga personuppgifter", "Barnets bästa", "Barns delaktighet", "Överförbarhet"):
        assert f"<dt>{title}</dt>" in text
    assert 'id="kvalitetskriterier"' in text
    english = client.get("/om?lang=en").text
    assert "<dt>Children&#39;s participation</dt>" in english or "<dt>Children's participation</dt>" in english


def test_statistics_page(client, site):
    text = client.get("/statistik").text
    assert "Barnrättsbanken innehåller 4 publicerade exempel." in text
    assert text.count('<svg class="bar-chart" role="img"') == 3
    assert text.count("<table>") == 3
    # Missing coverage is highlighted, in the chart and in the table.
    assert "Artiklar utan exempel:" in text and "<li>1. " in text
    assert '<g class="bar bar-missing">' in text
    assert re.search(r'<th scope="row"><a href="/\?article=27">27\. [^<]+</a></th>\s*<td class="num">2</td>', text)
    assert '<tr class="row-missing">' in text
    assert '<link rel="alternate" type="application/json" href="/api/v1/statistics"' in text


# -- feed, oEmbed, embed --------------------------------------------------------------------------
def test_atom_feed_read_by_a_feed_parser(client, site):
    response = client.get("/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Barnrättsbanken: nyaste exemplen"
    assert [e.link for e in feed.entries] == [f"{BASE}/exempel/{site.id(k)}" for k in ("vrak", "kort", "rad", "bka")]
    first = feed.entries[0]
    assert first.title == "Vräkningsförebyggande arbete med barnfamiljer"
    assert first.author == "Stadsmissionen"
    assert first.summary.startswith("Ingen vräkning")
    assert first.id == f"{BASE}/exempel/{site.id('vrak')}"
    assert "27. Skälig levnadsstandard" in [t.label for t in first.tags]


def test_oembed(client, site):
    example = site.examples["bka"]
    response = client.get("/oembed", params={"url": f"{BASE}/exempel/{example.id}"})
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "1.0" and body["type"] == "rich"
    assert body["title"] == example.title and body["provider_name"] == "Barnrättsbanken"
    assert f'src="{BASE}/exempel/{example.id}/embed"' in body["html"] and body["html"].startswith("<iframe")
    assert (body["width"], body["height"]) == (480, 320)
    assert response.headers["access-control-allow-origin"] == "*"
    small = client.get("/oembed", params={"url": f"{BASE}/exempel/{example.id}/{example.slug}", "maxwidth": 300}).json()
    assert small["width"] == 300 and 'width="300"' in small["html"]
    assert client.get("/oembed", params={"url": f"https://other.example/exempel/{example.id}"}).status_code == 404
    assert client.get("/oembed", params={"url": f"{BASE}/om"}).status_code == 404
    assert client.get("/oembed", params={"url": f"{BASE}/exempel/999999"}).status_code == 404
    assert client.get("/oembed").status_code == 422
    assert client.get("/oembed", params={"url": f"{BASE}/exempel/{example.id}", "maxwidth": "x"}).status_code == 422
    assert client.get("/oembed", params={"url": f"{BASE}/exempel/{example.id}", "format": "xml"}).status_code == 501


def test_embed_card_may_be_framed(client, site):
    example = site.examples["bka"]
    response = client.get(f"/exempel/{example.id}/embed")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == "frame-ancestors *"
    assert f'<a href="{BASE}/exempel/{example.id}" target="_blank" rel="noopener">{example.title}</a>' in response.text
    assert "<header" not in response.text


# -- escaping ---------------------------------------------------------------------------------------
def test_stored_payloads_are_escaped_on_every_page_and_output(client, session):
    rows = [publish_new(session, example=ExampleIn.model_validate(p), actor_label="test") for p in payload_examples()]
    session.flush()
    index(client.app.state.search, rows)
    pages = [f"/?q={MARKER}", f"/?q={MARKER}&lang=en", f"/?q={MARKER}&per_page=3&page=2", "/?q=zzqqxx+" + MARKER,
             "/statistik", "/feed.atom"]
    for row in rows:
        pages += [f"/exempel/{row.id}", f"/exempel/{row.id}/embed"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert live_markup(response.text) == [], url
    # Escaped text is there (the payload is shown as text, not dropped).
    example_page = client.get(f"/exempel/{rows[0].id}").text
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in example_page
    # JSON-LD cannot be closed early by a title containing </script>.
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', client.get(f"/exempel/{rows[4].id}").text, re.S)
    assert "</script" not in ld.group(1) and "\\u003c/script\\u003e" in ld.group(1)
    # Highlights in the API are escaped too.
    items = client.get("/api/v1/examples", params={"q": MARKER, "per_page": 50}).json()["items"]
    assert len(items) == len(rows)
    for item in items:
        assert live_markup(item["highlight"]["title"] + item["highlight"]["summary"]) == []
        assert "<mark>" in item["highlight"]["title"]
    oembed = client.get("/oembed", params={"url": f"{BASE}/exempel/{rows[1].id}"}).json()
    assert "onerror" not in oembed["html"].replace("onerror=&quot;", "")  # only as escaped text
    assert "<img" not in oembed["html"]


def test_reflected_query_is_escaped(client, site):
    payload = '"><script>window.__xss=1</script>'
    for url in ("/?q=" + payload, "/?q=" + payload + "&article=99"):
        text = client.get(url).text
        assert live_markup(text) == []
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in text or "%3Cscript%3E" in text


def test_the_live_markup_detector_itself():
    assert live_markup('<p><img src=x onerror="window.__xss=2"></p>')
    assert live_markup('<a href=" javascript:window.__xss=6">x</a>')
    assert live_markup("<script>window.__xss=1</script>")
    assert live_markup('<div><svg onload=window.__xss=3></div>')
    assert not live_markup('<p>&lt;img src=x onerror="window.__xss=2"&gt;</p>')
    assert not live_markup('<meta content="&lt;script&gt;window.__xss=1&lt;/script&gt;">')
    assert not live_markup('<script type="application/ld+json">{"a": "\\u003cscript\\u003ewindow.__xss"}</script>')


def test_english_interface_marks_the_swedish_content(client, site):
    text = client.get(f"/exempel/{site.id('bka')}?lang=en").text
    assert '<html lang="en">' in text
    assert '<h1 id="example-title" lang="sv">' in text and '<div class="prose" lang="sv">' in text
    assert "<dt>Effort</dt>" in text and "Published by the national admin without review." in text
    search = client.get("/?lang=en").text
    assert 'class="result-title" lang="sv"' in search and 'class="result-summary" lang="sv"' in search


def test_pages_when_the_search_engine_is_down(client, site):
    from search import SearchUnavailable

    class Down:
        def search(self, query):
            raise SearchUnavailable("index missing")

    real, client.app.state.search = client.app.state.search, Down()
    try:
        page = client.get("/?q=barn")
        example = client.get(f"/exempel/{site.id('bka')}")
    finally:
        client.app.state.search = real
    assert page.status_code == 503
    assert "Sökningen är tillfälligt otillgänglig" in page.text and 'role="search"' in page.text
    # Example pages do not need the engine (only their related examples do).
    assert example.status_code == 200 and "Relaterade exempel" not in example.text


def test_pages_answer_head_requests(client, site):
    for url in ("/", f"/exempel/{site.id('bka')}", "/om", "/statistik", "/feed.atom", "/docs"):
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b""
    assert client.head("/exempel/999999").status_code == 404
