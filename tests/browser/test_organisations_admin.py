"""The admin's organisation pages in a real browser: Swedish, usable without JavaScript,
axe-clean at 1280 and 320 px (list, a refused form with its error summary, the edit page)."""

from __future__ import annotations

import pytest

from tests.browser.review_helpers import axe_violations, log_in, start_review_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.browser.conftest import _need_browser

    _need_browser()
    instance = start_review_server(tmp_path_factory.mktemp("organisations-live"))
    yield instance
    instance.stop()


@pytest.mark.parametrize(("width", "javascript"), [(1280, True), (320, True), (1280, False)])
def test_organisation_pages_pass_axe_and_work_without_javascript(server, browser, width, javascript):
    context = browser.new_context(locale="sv-SE", java_script_enabled=javascript,
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = {}

    def check(label):
        if not javascript:  # axe-core runs in the page; without JavaScript only the flow is checked
            return
        found = axe_violations(page)
        if found:
            problems[label] = found

    log_in(page, server, "admin")
    page.goto(server.url + "/admin/organisationer")
    assert page.locator("h1").inner_text() == "Organisationer"
    check("list")
    # A refused form (wrong check digit): the summary links to the field, the input is kept.
    name = f"Socialförvaltningen {width} {'js' if javascript else 'utan js'}"
    page.fill("#f-name", name)
    page.select_option("#f-type", "kommun")
    page.select_option("#f-county_code", "24")
    page.select_option("#f-municipality_code", "2482")
    page.fill("#f-org_number", "212000-2628")
    page.get_by_role("button", name="Skapa organisation").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary a[href='#f-org_number']").is_visible()
    assert page.input_value("#f-org_number") == "212000-2628"
    check("refused form")
    page.fill("#f-org_number", "")
    page.get_by_role("button", name="Skapa organisation").click()
    page.wait_for_load_state()
    assert "Organisationen har skapats." in page.inner_text("main")
    page.get_by_role("link", name=name).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == name
    check("edit page")
    if width == 320:
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"horizontal scroll of {overflow}px at 320px"
    assert not problems, problems
    context.close()
