"""Reuse in a real browser (Chromium) against a real server: a plan built from three
examples and downloaded as DOCX (read back with python-docx); a saved search whose mail
arrives in the mail outbox when a matching example is published; the contact form and an
attachment; axe-core finds nothing on any new page at 1280 and 320 px."""

from __future__ import annotations

import io
import json
import re

import docx
import feedparser
import httpx
import pytest

from tests.browser.review_helpers import (
    axe_violations,
    database,
    log_in,
    start_review_server,
)
from tests.factories import example_payload

WIDTHS = (1280, 320)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.browser.conftest import _need_browser

    _need_browser()
    instance = start_review_server(tmp_path_factory.mktemp("reuse-live"))
    yield instance
    instance.stop()


def assert_accessible(page, what: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_violations(page)
        assert violations == [], f"{what} at {width}px: {violations}"
        if width == 320:
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{what} scrolls sideways at 320px ({overflow}px)"
    page.set_viewport_size({"width": 1280, "height": 900})


def assert_accessible_html(browser, server, html: str, what: str) -> None:
    """axe needs JavaScript: a page answered to a browser without it is checked by loading
    the same HTML into a JavaScript page on the same origin (styles included)."""
    checker = browser.new_context(locale="sv-SE").new_page()
    checker.goto(server.url + "/om")
    checker.set_content(html)
    assert_accessible(checker, what)
    checker.context.close()


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_a_plan_from_three_examples_downloads_as_docx_and_is_shared(server, browser):
    db = database(server)
    rows = db.execute("SELECT id, title FROM example WHERE status = 'published' ORDER BY id LIMIT 3").fetchall()
    assert len(rows) == 3
    context = browser.new_context(locale="sv-SE", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, "author")
    page.goto(server.url + "/mina-planer")
    assert_accessible(page, "my plans, empty")
    page.fill("#f-title", "Handlingsplan för barnets rättigheter 2026")
    page.get_by_role("button", name="Skapa plan").click()
    page.wait_for_url(re.compile(r".*/mina-planer/\d+$"))
    plan_url = page.url
    plan_id = plan_url.rsplit("/", 1)[1]

    for example_id, title in rows:
        page.goto(f"{server.url}/exempel/{example_id}")
        page.select_option("#f-plan_id", plan_id)
        page.get_by_role("button", name="Lägg till i min plan").click()
        # HTMX swaps the block in place: the page itself stays.
        page.wait_for_selector("#add-to-plan [role=status]")
        assert "Tillagt i" in page.inner_text("#add-to-plan")
        assert page.url.endswith(f"/exempel/{example_id}")
    assert_accessible(page, "example page with the plan block")

    page.goto(plan_url)
    page.fill("#f-mapping", "Barnen i kommunen saknar mötesplatser på landsbygden.")
    page.fill("#f-follow_up", "Elevråden följer upp varje termin.")
    page.get_by_role("button", name="Spara planen").click()
    page.wait_for_url(re.compile(r".*\?done=saved"))
    first_measure = page.locator(".measure").first
    first_measure.locator("input[name=responsible_unit]").fill("Kommunledningskontoret")
    first_measure.locator("input[name=planned_start]").fill("2026-09-01")
    first_measure.get_by_role("button", name=re.compile("Spara åtgärden")).click()
    page.wait_for_url(re.compile(r".*\?done=measure"))
    assert page.locator(".measure").count() == 3
    efforts = [int(v) for v in db.execute(
        "SELECT e.effort_hours FROM plan_measure m JOIN example e ON e.id = m.example_id WHERE m.plan_id = ? ORDER BY m.position",
        (plan_id,)).fetchall() for v in v]
    assert [page.locator(".measure input[name=effort_hours]").nth(i).input_value() for i in range(3)] == [str(e) for e in efforts]
    assert_accessible(page, "plan page")

    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner som Word (DOCX)").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    text = docx_text(open(download.path(), "rb").read())
    for example_id, title in rows:
        assert f"{server.url}/exempel/{example_id}" in text
        assert title in text
    assert "Barnen i kommunen saknar mötesplatser" in text and "Kommunledningskontoret" in text

    page.get_by_role("link", name="Utskriftsvänlig sida").click()
    page.wait_for_url(re.compile(r".*/utskrift$"))
    assert_accessible(page, "printable plan")

    page.goto(plan_url)
    page.get_by_role("button", name="Skapa en läslänk").click()
    page.wait_for_url(re.compile(r".*done=shared.*"))
    link = page.input_value("#share-url")
    colleague = browser.new_context(locale="sv-SE").new_page()
    colleague.goto(link)
    assert "Handlingsplan för barnets rättigheter 2026" in colleague.inner_text("main")
    assert colleague.locator("main form").count() == 0
    for example_id, _title in rows:
        assert colleague.locator(f"a[href='{server.url}/exempel/{example_id}']").count() == 1
    assert_accessible(colleague, "shared plan")
    page.get_by_role("button", name="Sluta dela").click()
    page.wait_for_url(re.compile(r".*done=unshared.*"))
    assert httpx.get(link).status_code == 404
    page.goto(server.url + "/mina-planer")
    assert_accessible(page, "my plans, one plan")
    colleague.context.close()
    context.close()


def test_adding_to_a_plan_works_without_javascript(server, browser):
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    log_in(page, server, "author")
    example_id = database(server).execute("SELECT id FROM example WHERE status = 'published' ORDER BY id DESC").fetchone()[0]
    page.goto(f"{server.url}/exempel/{example_id}")
    page.select_option("#f-plan_id", "new")
    page.get_by_role("button", name="Lägg till i min plan").click()
    page.wait_for_url(re.compile(r".*/mina-planer/\d+\?done=added.*"))
    assert page.locator(".measure").count() == 1
    context.close()


def test_a_saved_search_mails_a_new_matching_publication(server, browser, tmp_path):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, "author")
    page.goto(server.url + "/?q=l%C3%A4xhj%C3%A4lp")
    page.get_by_role("button", name="Spara bevakning: mejla mig direkt").click()
    page.wait_for_url(re.compile(r".*/bevakningar\?done=saved.*"))
    assert "läxhjälp" in page.inner_text("main")
    assert_accessible(page, "saved searches")
    feed_url = page.locator("input[id$='-feed']").first.input_value()

    matching = example_payload(
        title="Läxhjälp på biblioteket för barn i trångboddhet", slug="laxhjalp-biblioteket-umea",
        summary="Biblioteket erbjuder läxhjälp varje vardag tillsammans med ideella läxhjälpare.",
        organisation_name="Umeå kommun", contact_email="laxhjalp@umea.se", contact_name="Biblioteket")
    other = example_payload(title="Trygga skolvägar planerade med eleverna", slug="trygga-skolvagar-umea",
                            summary="Eleverna kartlade sina skolvägar.")
    data = tmp_path / "new.jsonl"
    data.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (matching, other)) + "\n", encoding="utf-8")
    server.cli("import", str(data), "--publish")  # publishes; the indexer path then runs the alerts

    db = database(server)
    new_id, other_id = (db.execute("SELECT id FROM example WHERE slug = ?", (slug,)).fetchone()[0]
                        for slug in ("laxhjalp-biblioteket-umea", "trygga-skolvagar-umea"))
    mails = db.execute("SELECT subject, body FROM mail_outbox WHERE to_address = 'anna@umea.se' "
                       "AND subject LIKE '%bevakning%'").fetchall()
    assert len(mails) == 1, mails
    subject, body = mails[0]
    assert "Läxhjälp på biblioteket" in subject
    assert f"{server.url}/exempel/{new_id}" in body and f"/exempel/{other_id}" not in body
    feed = feedparser.parse(httpx.get(feed_url).content)
    assert f"{server.url}/exempel/{new_id}" in {e.link for e in feed.entries}

    # The new example: contact form (address never shown) and an attachment.
    page.goto(f"{server.url}/exempel/{new_id}")
    assert "laxhjalp@umea.se" not in page.content()
    page.set_input_files("#f-file", files=[{"name": "Läxhjälp schema.pdf", "mimeType": "application/pdf",
                                            "buffer": PDF}])
    page.get_by_role("button", name="Ladda upp").click()
    page.wait_for_url(re.compile(r".*bilaga=sparad.*"))
    assert "Läxhjälp schema.pdf" in page.inner_text("#bilagor") and "PDF" in page.inner_text("#bilagor")
    page.fill("#c-name", "Anna Andersson")
    page.fill("#c-email", "anna@umea.se")
    page.fill("#c-message", "Hur många läxhjälpare behövs per kväll?")
    assert_accessible(page, "example page with contact form and attachments")
    page.get_by_role("button", name="Skicka meddelandet").click()
    page.wait_for_selector("#contact-form [role=status]")
    assert "Tack!" in page.inner_text("#contact-form") and "laxhjalp@umea.se" not in page.content()
    assert_accessible(page, "contact form sent")
    contact = db.execute("SELECT body FROM mail_outbox WHERE to_address = 'laxhjalp@umea.se'").fetchall()
    assert len(contact) == 1 and "Hur många läxhjälpare" in contact[0][0]
    context.close()


def test_no_javascript_contact_and_upload_error_pages(server, browser):
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    log_in(page, server, "author")
    row = database(server).execute("SELECT id FROM example WHERE contact_email IS NOT NULL AND status = 'published'").fetchone()
    if row is None:  # the saved-search test creates it; run alone, publish one here
        data = server.data_dir / "contact.jsonl"
        data.write_text(json.dumps(example_payload(title="Kontaktbart exempel om läxhjälp", slug="kontaktbart",
                                                   organisation_name="Umeå kommun"), ensure_ascii=False) + "\n")
        server.cli("import", str(data), "--publish")
        row = database(server).execute("SELECT id FROM example WHERE slug = 'kontaktbart'").fetchone()
    example_id = row[0]
    page.goto(f"{server.url}/exempel/{example_id}")
    page.fill("#c-name", "Per")
    page.fill("#c-email", "per@lund.se")
    page.fill("#c-message", "Hej")  # the browser lets it through; the server wants 10 characters
    page.get_by_role("button", name="Skicka meddelandet").click()
    page.wait_for_load_state()
    assert "/kontakt" in page.url and page.locator("#c-message-error").count() == 1
    assert_accessible_html(browser, server, page.content(), "contact page with errors")
    page.goto(f"{server.url}/exempel/{example_id}")
    page.set_input_files("#f-file", files=[{"name": "program.pdf", "mimeType": "application/pdf",
                                            "buffer": b"MZ" + b"\x00" * 64}])
    page.get_by_role("button", name="Ladda upp").click()
    page.wait_for_load_state()
    assert "filens innehåll" in page.inner_text("main")
    assert_accessible_html(browser, server, page.content(), "attachment refused")
    context.close()
