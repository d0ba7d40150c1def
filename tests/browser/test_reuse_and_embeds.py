"""Issue 9 in a real browser: a contributor reports a reuse ("Vi har också provat"), it is
public only after the county editor's review; a filtered list embedded on a page of another
origin renders; axe-core finds nothing on the new pages at 1280 and 320 px; the oEmbed
lookup for the browser-bar address answers 200 on a server started like `PORT=8150 make run`."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from urllib.parse import quote

import httpx
import pytest

from tests.browser.review_helpers import (
    axe_violations,
    log_in,
    log_out,
    start_review_server,
)
from tests.live import LiveServer, free_port

WIDTHS = (1280, 320)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.browser.conftest import _need_browser

    _need_browser()
    instance = start_review_server(tmp_path_factory.mktemp("reuse-live"))
    yield instance
    instance.stop()


def _check_axe(page, url: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        assert axe_violations(page) == [], (url, width)


def _example_id(server, title_part: str) -> int:
    items = httpx.get(server.url + "/api/v1/examples", params={"q": title_part, "per_page": 1}).json()["items"]
    return items[0]["id"]


def test_report_a_reuse_and_see_it_after_review(server, browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    example_id = _example_id(server, "skolskjuts")  # Karlstad's example: no reports yet
    log_in(page, server, "author")
    page.goto(f"{server.url}/exempel/{example_id}")
    assert "Ingen annan organisation har rapporterat" in page.locator("#provat").inner_text()
    page.get_by_role("link", name="Vi har också provat – berätta hur det gick").click()
    page.wait_for_url(f"**/exempel/{example_id}/provat/ny")
    assert page.locator("#f-organisation_name").input_value() == "Umeå kommun"
    page.select_option("#f-county_code", "24")
    page.select_option("#f-municipality_code", "2480")
    page.fill("#f-used_year", "2025")
    page.fill("#f-adaptations", "Vi använde analysmallen för våra egna skolskjutsregler men lade till samtal med "
                                "elever i byarna, eftersom de har längst resväg.")
    page.fill("#f-effort_hours", "60")
    page.check("#o-as_expected")
    page.fill("#f-lesson", "Fråga eleverna om väntetiden, inte bara om restiden.")
    page.get_by_role("button", name="Skicka rapporten för granskning").click()
    page.wait_for_url("**/provat/*?done=submitted")
    report_url = page.url.split("?")[0]
    assert "Väntar på granskning" in page.content()
    _check_axe(page, report_url)
    _check_axe(page, f"{server.url}/exempel/{example_id}/provat/ny")
    log_out(page)

    # Not public before review.
    anonymous = httpx.get(report_url)
    assert anonymous.status_code == 404
    assert httpx.get(f"{server.url}/api/v1/examples/{example_id}/reuse").json()["items"] == []

    log_in(page, server, "editor")
    page.goto(server.url + "/granska/provat")
    _check_axe(page, server.url + "/granska/provat")
    page.locator("main table a", has_text="skolskjuts").click()
    page.wait_for_url("**/granska/provat/*")
    _check_axe(page, page.url)
    for key in ("adaptation_described", "outcome_supported", "no_identifiable_people"):
        page.check(f"#j-{key}-met")
    page.get_by_role("button", name="Godkänn och publicera").click()
    page.wait_for_url("**/granska/provat?done=published")
    log_out(page)

    page.goto(f"{server.url}/exempel/{example_id}")
    section = page.locator("#provat")
    text = section.inner_text()
    assert "1 annan organisation har rapporterat" in text
    assert "Umeå kommun" in text and "Västerbottens län" in text and "Som väntat" in text
    assert section.locator("table.reuse-counties td").first.inner_text() == "1"
    assert section.locator("svg.county-map[role=img] title").first.text_content().startswith("Karta")
    _check_axe(page, f"{server.url}/exempel/{example_id}")
    api = httpx.get(f"{server.url}/api/v1/examples/{example_id}").json()
    assert api["reuse_count"] == 1 and api["reuse"]["counties"] == {"24": 1}
    listed = httpx.get(f"{server.url}/api/v1/examples/{example_id}/reuse").json()["items"]
    assert [item["organisation_name"] for item in listed] == ["Umeå kommun"]
    # Search: the example is now among those "reused by others" (through the search outbox).
    found = {i["id"] for i in httpx.get(server.url + "/api/v1/examples", params={"reused": "1", "per_page": 100}).json()["items"]}
    assert example_id in found
    _check_axe(page, server.url + "/?reused=1&sort=reuse_desc&q=artikel+12")
    assert page.get_by_role("link", name="Filtrera på artikel 12: Rätt att uttrycka sina åsikter").is_visible()
    context.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - keep the test output clean
        pass


def test_a_filtered_list_embeds_on_a_page_of_another_origin(server, browser, tmp_path):
    search_url = f"{server.url}/?q=barnfattigdom&sector=socialtjanst"
    oembed = httpx.get(f"{server.url}/oembed", params={"url": search_url})
    assert oembed.status_code == 200
    snippet = oembed.json()["html"]
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='sv'><head><meta charset='utf-8'><title>SKR: barnfattigdom</title></head>"
        f"<body><main><h1>Barnfattigdom</h1>{snippet}</main></body></html>", encoding="utf-8")
    port = free_port()
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    partner = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=partner.serve_forever, daemon=True)
    thread.start()
    try:
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/index.html")  # another origin (another port)
        frame = page.frame_locator("iframe")
        heading = frame.locator("h1")
        assert "barnfattigdom" in heading.inner_text()
        expected = httpx.get(server.url + "/api/v1/examples",
                             params={"q": "barnfattigdom", "sector": "socialtjanst", "per_page": 10}).json()
        assert expected["total"] >= 1
        titles = frame.locator("ol.embed-items h2 a").all_inner_texts()
        assert [t.split("(öppnas i en ny flik)")[0].strip() for t in titles] == [i["title"] for i in expected["items"]]
        context.close()
        context = browser.new_context(locale="sv-SE")
        _check_axe(context.new_page(), f"{server.url}/embed/list?q=barnfattigdom&sector=socialtjanst")
        context.close()
    finally:
        partner.shutdown()


def _port_8150_or_free() -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", 8150))
            return 8150
        except OSError:  # another test run holds it: any port but 8000 shows the same
            return free_port()


def test_oembed_for_the_browser_bar_address_after_starting_on_port_8150(browser, tmp_path):
    from tests.browser.conftest import _need_browser

    _need_browser()
    live = LiveServer(tmp_path / "port", port=_port_8150_or_free(), base_url=False, via_cli=True).start()
    try:
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        page.goto(live.url + "/")
        page.locator("ol.result-list a").first.click()
        page.wait_for_url("**/exempel/*")
        address = page.url  # the browser bar
        answer = page.request.get(f"{live.url}/oembed?url={quote(address, safe='')}")
        assert answer.status == 200
        assert f"{live.url}/exempel/" in answer.json()["html"]
        discovered = page.locator("link[rel=alternate][type='application/json+oembed']").get_attribute("href")
        assert discovered.startswith(live.url) and page.request.get(discovered).status == 200
        assert page.locator("#permalink").input_value() == address
        # The demo content says so, Swedish first.
        assert page.locator(".notice-demo p[lang=sv]").first.inner_text().startswith("Demo.")
        context.close()
    finally:
        live.stop()
