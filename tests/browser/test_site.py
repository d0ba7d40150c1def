"""The public site in real headless Chromium against a real server (demo content plus the
XSS payload examples): search as you type, facets, paging, back and forward, opening an
example, the same without JavaScript, keyboard only, axe-core on every public page,
320 px layout, and stored payloads never running."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import extruct
import feedparser
import httpx
import pytest

from tests.live import ROOT, LiveServer
from tests.xss import MARKER, payload_jsonl

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
NARROW = {"width": 320, "height": 700}


@pytest.fixture(scope="module")
def site_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("site-live")
    server = LiveServer(data, demo=False)
    server.cli("init")
    # The demo content and the payload examples, published in one import (and indexed).
    content = data / "content.jsonl"
    demo = (ROOT / "app" / "demo" / "examples.jsonl").read_text(encoding="utf-8")
    content.write_text(demo.rstrip("\n") + "\n" + payload_jsonl(), encoding="utf-8")
    server.cli("import", str(content), "--publish")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def errors(page):
    """JavaScript errors on the page (none are expected)."""
    found: list[str] = []
    page.on("pageerror", lambda exc: found.append(str(exc)))
    return found


def api(server: LiveServer, query: str = "") -> dict:
    response = httpx.get(f"{server.url}/api/v1/examples?{query}", timeout=10)
    response.raise_for_status()
    return response.json()


def api_ids(server: LiveServer, query: str = "") -> list[int]:
    return [item["id"] for item in api(server, query)["items"]]


def shown_ids(page) -> list[int]:
    hrefs = page.locator(".result-list .result-title a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return [int(h.rsplit("/", 1)[1]) for h in hrefs]


def query_of(url: str) -> str:
    return urlsplit(url).query


def wait_for_query(page, predicate) -> None:
    """Wait until the address shows the wanted search state (htmx pushes it after the swap)."""
    page.wait_for_url(lambda url: bool(predicate(dict(parse_qsl(query_of(url))))), timeout=10_000)


def history(page, action) -> None:
    """Go back or forward within the search page and wait for htmx to restore the state
    (the history cache is off, so htmx loads the page for that address from the server)."""
    page.evaluate("window.__restored = false; document.addEventListener('htmx:historyRestore',"
                  " () => { window.__restored = true }, {once: true})")
    action()
    page.wait_for_function("window.__restored === true", timeout=10_000)


def settle(page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')",
                           timeout=10_000)


def run_axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
    ]


# -- with JavaScript ----------------------------------------------------------------------------
def test_search_as_you_type(site_server, page, errors):
    page.goto(site_server.url + "/")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.headers.get("hx-request") else None)
    page.locator("#q").press_sequentially("barnkonsekvensanalys", delay=40)
    wait_for_query(page, lambda q: q.get("q") == "barnkonsekvensanalys")
    settle(page)
    expected = api(site_server, "q=barnkonsekvensanalys")
    assert expected["total"] > 0
    assert shown_ids(page) == [i["id"] for i in expected["items"]]
    assert page.locator("#results-heading").inner_text().strip() == f"{expected['total']} exempel"
    status = page.locator("#result-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == f"{expected['total']} exempel hittades för ”barnkonsekvensanalys”."
    assert page.locator(".result-list mark").count() > 0
    assert page.locator("link#json-alternate").get_attribute("href") == "/api/v1/examples?q=barnkonsekvensanalys"
    assert page.title().startswith("barnkonsekvensanalys – Sök exempel")
    assert len(requests) <= 3, requests  # debounced, not one request per key
    assert errors == []


def test_facets_back_and_forward(site_server, page, errors):
    page.goto(site_server.url + "/?q=barn")
    first = api(site_server, "q=barn")
    assert shown_ids(page) == [i["id"] for i in first["items"]]
    sector = next(v for v in first["facets"]["sector"] if v["count"] < first["total"])
    county_query = f"q=barn&sector={sector['value']}"

    page.locator(f"label[for='f-sector-{sector['value']}']").click()
    wait_for_query(page, lambda q: q.get("sector") == sector["value"])
    settle(page)
    assert shown_ids(page) == api_ids(site_server, county_query)
    assert page.locator(".chip").count() == 1
    assert page.locator(f"#f-sector-{sector['value']}").is_checked()

    # Tick a second facet (AND across facets), then untick the first.
    second = api(site_server, county_query)
    county = second["facets"]["county"][0]["value"]
    page.locator(f"label[for='f-county-{county}']").click()
    wait_for_query(page, lambda q: q.get("county") == county)
    settle(page)
    assert shown_ids(page) == api_ids(site_server, f"{county_query}&county={county}")
    page.locator(f"label[for='f-sector-{sector['value']}']").click()
    wait_for_query(page, lambda q: "sector" not in q and q.get("county") == county)
    settle(page)
    assert shown_ids(page) == api_ids(site_server, f"q=barn&county={county}")
    assert not page.locator(f"#f-sector-{sector['value']}").is_checked()

    # Back: both filters; back again: only the sector; forward again.
    history(page, page.go_back)
    wait_for_query(page, lambda q: q.get("sector") == sector["value"] and q.get("county") == county)
    settle(page)
    assert shown_ids(page) == api_ids(site_server, f"{county_query}&county={county}")
    assert page.locator(f"#f-sector-{sector['value']}").is_checked()
    history(page, page.go_back)
    wait_for_query(page, lambda q: q.get("sector") == sector["value"] and "county" not in q)
    settle(page)
    assert shown_ids(page) == api_ids(site_server, county_query)
    assert page.locator("#q").input_value() == "barn"
    assert not page.locator(f"#f-county-{county}").is_checked()
    history(page, page.go_forward)
    wait_for_query(page, lambda q: q.get("county") == county)
    settle(page)
    assert shown_ids(page) == api_ids(site_server, f"{county_query}&county={county}")
    assert errors == []


def test_paging_back_and_forward_and_opening_an_example(site_server, page, errors):
    page.goto(site_server.url + "/")
    total = api(site_server)["total"]
    assert total > 20, "the demo content should fill more than one page"
    page.get_by_role("link", name="Nästa").click()
    wait_for_query(page, lambda q: q.get("page") == "2")
    settle(page)
    assert shown_ids(page) == api_ids(site_server, "page=2")
    assert page.locator(".result-list").get_attribute("start") == "21"
    assert page.evaluate("document.activeElement.id") == "results-heading"
    history(page, page.go_back)
    wait_for_query(page, lambda q: "page" not in q)
    settle(page)
    assert shown_ids(page) == api_ids(site_server)
    history(page, page.go_forward)
    wait_for_query(page, lambda q: q.get("page") == "2")
    settle(page)
    assert shown_ids(page) == api_ids(site_server, "page=2")

    first = page.locator(".result-list .result-title a").first
    target = int(first.get_attribute("href").rsplit("/", 1)[1])
    first.click()
    page.wait_for_url(f"**/exempel/{target}")
    detail = httpx.get(f"{site_server.url}/api/v1/examples/{target}").json()
    assert page.locator("h1").inner_text() == detail["title"]
    assert page.locator(".key-facts").is_visible()
    page.go_back()
    page.wait_for_url(lambda url: query_of(url) == "page=2")
    assert shown_ids(page) == api_ids(site_server, "page=2")
    assert errors == []


def test_keyboard_only_search_and_facets(site_server, page, errors):
    page.goto(site_server.url + "/")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    assert focus_is_visible(page)
    page.keyboard.type("skola")
    wait_for_query(page, lambda q: q.get("q") == "skola")
    settle(page)
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "checkbox":
            break
    checkbox = page.evaluate("[document.activeElement.id, document.activeElement.name, document.activeElement.value]")
    assert checkbox[0].startswith("f-")
    assert focus_is_visible(page)
    page.keyboard.press("Space")
    wait_for_query(page, lambda q: q.get(checkbox[1]) == checkbox[2])
    settle(page)
    # The swap kept focus on the same checkbox, now ticked.
    assert page.evaluate("document.activeElement.id") == checkbox[0]
    assert page.locator(f"#{checkbox[0]}").is_checked()
    assert shown_ids(page) == api_ids(site_server, f"q=skola&{checkbox[1]}={checkbox[2]}")
    page.keyboard.press("Space")
    wait_for_query(page, lambda q: checkbox[1] not in q)
    settle(page)
    assert page.evaluate("document.activeElement.id") == checkbox[0]
    # Sorting by keyboard (relevance -> newest -> effort_asc).
    page.locator("#sort").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    wait_for_query(page, lambda q: q.get("sort") == "effort_asc")
    settle(page)
    assert shown_ids(page) == api_ids(site_server, "q=skola&sort=effort_asc")
    assert errors == []


def focus_is_visible(page) -> bool:
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()")
    return (style[0] != "none" and float(style[1].rstrip("px") or 0) >= 2) or style[2] != "none"


def test_long_facets_collapse_and_can_be_filtered(site_server, page):
    page.goto(site_server.url + "/")
    facet = page.locator("#facet-article")
    more = facet.locator("details.facet-more")
    assert not more.evaluate("d => d.open")
    hidden_before = facet.locator(".facet-values li").count()
    finder = page.locator("#ff-article")
    assert finder.is_visible()
    finder.fill("lek")
    visible = facet.locator(".facet-values li:visible")
    assert more.evaluate("d => d.open")
    assert 0 < visible.count() < hidden_before
    assert all("lek" in t.lower() for t in visible.all_inner_texts())
    assert "q=" not in query_of(page.url) and "article" not in query_of(page.url)  # filtering is not searching


def test_no_results_offers_a_way_out(site_server, page):
    page.goto(site_server.url + "/?q=barnkonsekvensanalys&age_group=18-24&county=25")
    assert "Inga exempel matchar din sökning." in page.locator(".no-results").inner_text()
    links = page.locator(".suggestions a")
    assert links.count() >= 1
    links.last.click()
    wait_for_query(page, lambda q: "county" not in q and "age_group" not in q)
    settle(page)
    assert shown_ids(page) == api_ids(site_server, "q=barnkonsekvensanalys")


# -- without JavaScript --------------------------------------------------------------------------
def test_the_same_flows_without_javascript(site_server, page_without_js):
    page = page_without_js
    page.goto(site_server.url + "/")
    assert page.locator(".apply-filters").is_visible()
    page.locator("#q").fill("barn")
    page.locator("#q").press("Enter")
    page.wait_for_url(lambda url: dict(parse_qsl(query_of(url))).get("q") == "barn")
    assert shown_ids(page) == api_ids(site_server, "q=barn")
    sector = api(site_server, "q=barn")["facets"]["sector"][0]["value"]
    page.locator(f"label[for='f-sector-{sector}']").click()
    page.locator(".apply-filters").click()
    page.wait_for_url(lambda url: dict(parse_qsl(query_of(url))).get("sector") == sector)
    assert shown_ids(page) == api_ids(site_server, f"q=barn&sector={sector}")
    assert page.locator(f"#f-sector-{sector}").is_checked()
    # Remove the filter with its chip, page, go back and forward, open an example.
    page.locator(".chip").first.click()
    page.wait_for_url(lambda url: "sector" not in query_of(url))
    page.goto(site_server.url + "/")
    page.get_by_role("link", name="Nästa").click()
    page.wait_for_url(lambda url: dict(parse_qsl(query_of(url))).get("page") == "2")
    assert shown_ids(page) == api_ids(site_server, "page=2")
    page.go_back()
    page.wait_for_url(lambda url: "page" not in query_of(url))
    assert shown_ids(page) == api_ids(site_server)
    page.go_forward()
    page.wait_for_url(lambda url: "page=2" in query_of(url))
    link = page.locator(".result-list .result-title a").first
    target = link.get_attribute("href")
    link.click()
    page.wait_for_url("**" + target)
    assert page.locator(".key-facts").is_visible()


def test_sort_without_javascript(site_server, page_without_js):
    page = page_without_js
    page.goto(site_server.url + "/?q=barn")
    page.locator("#sort").select_option("duration_asc")
    page.locator(".searchbar button[type=submit]").click()
    page.wait_for_url(lambda url: dict(parse_qsl(query_of(url))).get("sort") == "duration_asc")
    assert shown_ids(page) == api_ids(site_server, "q=barn&sort=duration_asc")


# -- accessibility ---------------------------------------------------------------------------------
PUBLIC_PAGES = (
    "/", "/?q=skola&sector=skola", f"/?q={MARKER}", "/?q=zzqqxxyy", "/?q=barnkonsekvensanalys&county=25",
    "/?article=99", "/?page=2", "/exempel/{first}", "/exempel/{first}/embed", "/om", "/statistik",
    "/exempel/999999", "/no-such-page", "/?lang=en", "/exempel/{first}?lang=en", "/statistik?lang=en",
    "/om?lang=en", "/docs",
)


def public_pages(server: LiveServer) -> list[str]:
    first = api(server, "sort=newest&per_page=1")["items"][0]["id"]
    return [p.replace("{first}", str(first)) for p in PUBLIC_PAGES]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_axe_finds_no_violations(site_server, page, path):
    first = api(site_server, "sort=newest&per_page=1")["items"][0]["id"]
    page.goto(site_server.url + path.replace("{first}", str(first)))
    assert run_axe(page) == []


def test_axe_reports_violations_when_there_are_some(page):
    # The check above is only worth something if axe really runs and reports.
    page.set_content('<html><body><img src="data:,"><a href="#"></a><input type="text"></body></html>')
    ids = {v.split(" ")[0] for v in run_axe(page)}
    assert {"image-alt", "link-name", "label", "html-has-lang"} <= ids


def test_axe_after_interaction_and_with_everything_open(site_server, page):
    page.goto(site_server.url + "/")
    page.locator("label[for='f-sector-skola']").click()
    wait_for_query(page, lambda q: q.get("sector") == "skola")
    settle(page)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.locator("#ff-article").fill("barn")
    assert run_axe(page) == []
    page.goto(site_server.url + "/statistik")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert run_axe(page) == []


def test_no_horizontal_scrolling_at_320_px(site_server, browser):
    context = browser.new_context(viewport=NARROW, locale="sv-SE")
    page = context.new_page()
    try:
        wide = {}
        for path in public_pages(site_server):
            page.goto(site_server.url + path)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > NARROW["width"]:
                wide[path] = width
        assert wide == {}
        # The filter panel starts closed on a small screen and opens on demand.
        page.goto(site_server.url + "/")
        panel = page.locator("#filter-panel")
        assert not panel.evaluate("d => d.open")
        page.locator("#filter-panel > summary").click()
        assert panel.evaluate("d => d.open")
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/?q=skola&sector=skola", "/exempel/{first}", "/statistik"])
def test_axe_at_320_px(site_server, browser, path):
    context = browser.new_context(viewport=NARROW, locale="sv-SE")
    page = context.new_page()
    try:
        first = api(site_server, "sort=newest&per_page=1")["items"][0]["id"]
        page.goto(site_server.url + path.replace("{first}", str(first)))
        assert run_axe(page) == []
    finally:
        context.close()


def test_every_page_links_to_its_json(site_server, page):
    first = api(site_server, "per_page=1")["items"][0]["id"]
    for path, expected in (("/?q=skola", "/api/v1/examples?q=skola"), (f"/exempel/{first}", f"/api/v1/examples/{first}"),
                           ("/statistik", "/api/v1/statistics"), ("/om", "/api/v1/taxonomies")):
        page.goto(site_server.url + path)
        href = page.locator('link[rel=alternate][type="application/json"]').get_attribute("href")
        assert href.endswith(expected)
        assert httpx.get(href if href.startswith("http") else site_server.url + href).status_code == 200


def test_print_stylesheet_hides_navigation(site_server, page):
    first = api(site_server, "per_page=1")["items"][0]["id"]
    page.goto(f"{site_server.url}/exempel/{first}")
    assert page.locator(".site-header").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".link-box").is_visible()
    assert page.locator(".key-facts").is_visible()


# -- escaping in the browser ---------------------------------------------------------------------
def test_stored_payloads_never_run(site_server, page, errors):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    found = api(site_server, f"q={MARKER}&per_page=50")
    assert found["total"] >= 8
    paths = [f"/?q={MARKER}", f"/?q={MARKER}&sort=newest"]
    paths += [f"/exempel/{item['id']}" for item in found["items"]]
    paths += [f"/exempel/{item['id']}/embed" for item in found["items"][:3]]
    for path in paths:
        page.goto(site_server.url + path)
        page.mouse.move(200, 300)
        page.wait_for_timeout(100)
        assert page.evaluate("window.__xss") is None, path
    # The payload is shown as text.
    script = next(i for i in found["items"] if "<script>window.__xss=1</script>" in i["title"])
    page.goto(site_server.url + f"/exempel/{script['id']}")
    assert page.locator("h1").inner_text() == script["title"]
    # Through HTMX: results with payloads swapped into the live page.
    page.goto(site_server.url + "/")
    page.locator("#q").press_sequentially(MARKER, delay=20)
    wait_for_query(page, lambda q: q.get("q") == MARKER)
    settle(page)
    assert len(shown_ids(page)) >= 8
    page.locator(".result-list").hover()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert "<script>window.__xss=1</script>" in page.locator(".result-list").inner_text()
    # Reflected through the query too.
    page.goto(site_server.url + '/?q="><script>window.__xss=1</script>')
    assert page.evaluate("window.__xss") is None
    assert dialogs == [] and errors == []


# -- the live server's feed and structured data -------------------------------------------------
def test_live_feed_and_structured_data(site_server):
    feed = feedparser.parse(httpx.get(site_server.url + "/feed.atom").content)
    assert not feed.bozo and len(feed.entries) >= 30
    assert all(e.link.startswith(site_server.url + "/exempel/") for e in feed.entries)
    link = feed.entries[-1].link
    data = extruct.extract(httpx.get(link).text, base_url=link, syntaxes=["json-ld"])
    assert data["json-ld"][0]["url"] == link


# -- the partner guide's curl commands work as written -----------------------------------------
def guide_commands() -> list[tuple[str, str, int]]:
    """(setup, command, expected status) for every curl command in docs/api.md."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        setup: list[str] = []
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("#") or line.startswith("BASE="):
                continue
            if line.startswith("ETAG="):
                setup.append(line)
                continue
            command, _, comment = line.partition("  #")
            status = re.search(r"\b(\d{3})\b", comment)
            expected = int(status.group(1)) if status else (304 if "If-None-Match" in command else 200)
            commands.append(("; ".join(setup), command.strip(), expected))
    return commands


def test_guide_curl_commands_run_against_the_server(site_server, tmp_path):
    import subprocess

    commands = guide_commands()
    assert len(commands) >= 15
    failures = []
    for setup, command, expected in commands:
        script = f"BASE={site_server.url}; {setup + '; ' if setup else ''}{command} -s -w '\\n%{{http_code}}'"
        result = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        status = result.stdout.rstrip().rsplit("\n", 1)[-1]
        if result.returncode != 0 or status != str(expected):
            failures.append((command, expected, status, result.stderr[-200:]))
    assert failures == []
    assert (tmp_path / "barnrattsbanken.csv").read_text(encoding="utf-8").startswith("id,slug,title")
