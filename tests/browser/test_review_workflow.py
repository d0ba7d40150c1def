"""The review workflow in a real browser: a contributor writes and submits an example, the
county editor approves it; autosave keeps typed text through a closed tab and an expired
session; every page works without JavaScript; axe-core finds nothing on the pages."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.review_helpers import (
    axe_violations,
    database,
    log_in,
    log_out,
    start_review_server,
)

METHOD = (
    "Vi samlade elevråden på fem skolor och gick igenom skolans ordningsregler tillsammans med rektorerna. "
    "Varje elevråd fick en egen workshop där barnen fick pröva reglerna mot barnkonventionens artiklar, och "
    "elevrådens förslag lämnades till rektorn som svarade skriftligt inom en månad. Metoden upprepades varje "
    "termin och följdes upp med en enkät."
)
LESSONS = (
    "Att barnen fick ett skriftligt svar var avgörande: när svaret dröjde tappade elevrådet intresset. Börja med "
    "de regler som barnen själva tycker är orättvisa, inte med de som vuxna vill diskutera."
)

PARTICIPATION = (
    "Elevråden ledde arbetet: de valde vilka regler som skulle prövas, höll samtalen i klasserna och fick "
    "skriftliga svar från rektorn på vart och ett av förslagen."
)
RESULTS = "Tre regler ändrades och en togs bort. Enkäten visade att fler elever tyckte att reglerna var rättvisa."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.browser.conftest import _need_browser

    _need_browser()
    instance = start_review_server(tmp_path_factory.mktemp("review-live"))
    yield instance
    instance.stop()


def _new_draft(page, server) -> int:
    page.goto(server.url + "/mina-exempel")
    page.get_by_role("button", name="Skriv ett nytt exempel").click()
    page.wait_for_url(re.compile(r".*/bidrag/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _wait_saved(page) -> None:
    page.wait_for_function("document.getElementById('save-status').textContent.includes('sparat')", timeout=15_000)


def test_contributor_writes_and_submits_then_the_county_editor_approves(server, browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, "author")
    assert page.get_by_role("link", name="Mina exempel").is_visible()
    sid = _new_draft(page, server)

    checklist = page.locator("#checklist-summary")
    page.fill("#f-title", "Elevråd prövar skolans ordningsregler mot barnkonventionen")
    page.fill("#f-summary", "Fem skolor lät elevråden pröva ordningsreglerna mot barnkonventionen.")
    page.fill("#f-background", "Eleverna upplevde flera regler som **orättvisa**.")
    page.fill("#f-method", METHOD)
    page.fill("#f-child_participation", PARTICIPATION)
    page.fill("#f-results", RESULTS)
    page.fill("#f-lessons_learned", LESSONS)
    page.fill("#f-transferability", "Alla skolor med elevråd kan göra likadant.")
    # Markdown preview, rendered by the server.
    page.locator("button[name=preview][value=background]").click()
    page.wait_for_selector("#preview-background strong")
    assert page.inner_text("#preview-background strong") == "orättvisa"
    page.check("#f-articles-12")
    page.check("#f-articles-28")
    page.check("#f-sectors-skola")
    page.check("#f-age_groups-6-12")
    page.select_option("#f-organisation_type", "kommun")
    page.select_option("#f-county_code", "24")
    page.select_option("#f-municipality_code", "2480")
    page.fill("#f-start_year", "2022")
    page.fill("#f-end_year", "2024")
    page.fill("#f-duration_months", "24")
    # The live checklist: eight of nine before the last field, nine after.
    page.wait_for_function("document.getElementById('checklist-summary').textContent.startsWith('8 av 9')")
    page.fill("#f-effort_hours", "300")
    page.fill("#f-link_title_0", "Elevrådens förslag")
    page.fill("#f-link_url_0", "https://www.umea.se/elevrad")
    page.wait_for_function("document.getElementById('checklist-summary').textContent.startsWith('9 av 9')")
    assert checklist.get_attribute("aria-live") == "polite"
    _wait_saved(page)
    page.get_by_role("button", name="Skicka in för granskning").click()
    page.wait_for_url(re.compile(rf".*/bidrag/{sid}\?done=submitted"))
    assert "Tack!" in page.inner_text("main")
    log_out(page)

    log_in(page, server, "editor")
    assert page.locator(".count-badge").inner_text().startswith("1")
    page.get_by_role("link", name="Granska", exact=True).click()
    page.get_by_role("link", name="Elevråd prövar skolans ordningsregler mot barnkonventionen").click()
    page.wait_for_url(re.compile(rf".*/granska/{sid}$"))
    assert "Vi samlade elevråden" in page.inner_text(".review-text")
    for key in ("best_interests", "participation", "non_discrimination", "practice_and_results"):
        page.check(f"#j-{key}-met")
    page.check("#j-transferability-not_applicable")
    page.fill("#c-transferability", "Förutsätter elevråd.")
    page.get_by_role("button", name="Godkänn och publicera").click()
    page.wait_for_url(re.compile(r".*/granska\?done=published.*"))

    example_id = int(database(server).execute("SELECT example_id FROM submission WHERE id = ?", (sid,)).fetchone()[0])
    public = httpx.get(f"{server.url}/api/v1/examples/{example_id}").json()
    assert public["title"] == "Elevråd prövar skolans ordningsregler mot barnkonventionen"
    assert public["quality"]["criteria"]["transferability"]["result"] == "not_applicable"
    log_out(page)

    log_in(page, server, "author")
    page.goto(server.url + "/konto/notiser")
    assert "godkänts och är nu publicerat" in page.inner_text("main")
    page.goto(f"{server.url}/versioner/{example_id}")
    assert "Version 1" in page.inner_text("main")
    context.close()


def test_typed_text_survives_a_closed_tab(server, browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, "author")
    sid = _new_draft(page, server)
    page.fill("#f-title", "Sparas av autospar")
    _wait_saved(page)
    # Typed and closed at once, before autosave had a chance: the browser keeps it.
    page.fill("#f-method", "Text som skrevs precis innan fliken stängdes.")
    page.close()

    again = context.new_page()
    again.goto(f"{server.url}/bidrag/{sid}")
    assert again.input_value("#f-title") == "Sparas av autospar"  # from the server
    assert again.input_value("#f-method") == "Text som skrevs precis innan fliken stängdes."  # from the browser
    assert again.locator("#restore-notice").is_visible()
    # ... and it reaches the server by itself.
    _wait_saved(again)
    row = database(server).execute("SELECT method FROM submission WHERE id = ?", (sid,)).fetchone()
    assert row[0] == "Text som skrevs precis innan fliken stängdes."
    context.close()


def test_typed_text_survives_an_expired_session(server, browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, "author")
    sid = _new_draft(page, server)
    page.fill("#f-title", "Skrivet före utloggningen")
    _wait_saved(page)
    with database(server) as db:
        db.execute("UPDATE auth_session SET expires_at = '2000-01-01 00:00:00'")
    page.fill("#f-lessons_learned", "Skrivet efter att sessionen gått ut.")
    page.wait_for_selector("#session-notice:not([hidden])")
    assert "loggats ut" in page.inner_text("#session-notice")
    page.close()

    page = context.new_page()
    page.goto(f"{server.url}/bidrag/{sid}")
    assert "/logga-in" in page.url
    page.fill("#f-email", "anna@umea.se")
    from tests.browser.review_helpers import PASSWORD

    page.fill("#f-password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/bidrag/{sid}$"))
    assert page.input_value("#f-lessons_learned") == "Skrivet efter att sessionen gått ut."
    _wait_saved(page)
    row = database(server).execute("SELECT title, lessons_learned FROM submission WHERE id = ?", (sid,)).fetchone()
    assert row == ("Skrivet före utloggningen", "Skrivet efter att sessionen gått ut.")
    context.close()


def test_the_form_works_without_javascript(server, page_without_js):
    page = page_without_js
    log_in(page, server, "author")
    sid = _new_draft(page, server)
    page.fill("#f-title", "Utan javascript")
    page.fill("#f-method", "Bara lite **text**.")
    page.locator("button[name=preview][value=method]").click()
    page.wait_for_load_state()
    assert page.inner_text("#preview-method strong") == "text"
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_url(re.compile(rf".*/bidrag/{sid}\?done=saved"))
    assert page.input_value("#f-title") == "Utan javascript"
    page.get_by_role("button", name="Skicka in för granskning").click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.locator("a[href='#f-method']").count() == 1
    summary.locator("a[href='#f-articles']").click()


def _token(server, who: str) -> dict[str, str]:
    from tests.browser.review_helpers import ACCOUNTS

    secret = server.cli("tokens", "create", ACCOUNTS[who][0]).stdout.split()[-1]
    return {"Authorization": f"Bearer {secret}"}


def test_the_workflow_pages_pass_axe(server, browser):
    from tests.factories import example_payload

    api = httpx.Client(base_url=server.url, timeout=30)
    author, editor = _token(server, "author"), _token(server, "editor")
    # A published example with a pending revision: the review page then shows a diff.
    sub = api.post("/api/v1/submissions", json=example_payload(title="Tillgängligt exempel"), headers=author).json()
    assert api.post(f"/api/v1/submissions/{sub['id']}/submit", headers=author).status_code == 200
    judged = {k: "met" for k in ("best_interests", "participation", "non_discrimination", "practice_and_results",
                                 "transferability")}
    published = api.post(f"/api/v1/submissions/{sub['id']}/decision", headers=editor,
                         json={"decision": "approve", "criteria": judged}).json()
    eid = published["example_id"]
    rev = api.post(f"/api/v1/examples/{eid}/revisions", headers=author).json()
    changed = {k: v for k, v in rev.items() if k in example_payload()}
    changed["summary"] = "En ny sammanfattning efter ett år."
    assert api.put(f"/api/v1/submissions/{rev['id']}", json=changed,
                   headers={**author, "If-Match": str(rev["version"])}).status_code == 200
    assert api.post(f"/api/v1/submissions/{rev['id']}/submit", headers=author).status_code == 200
    second = api.post("/api/v1/submissions", json=example_payload(title="Andra versionen"), headers=author).json()
    api.post(f"/api/v1/submissions/{second['id']}/submit", headers=author)

    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = {}

    def check(path, label=None):
        if path:
            page.goto(server.url + path)
        found = axe_violations(page)
        if found:
            problems[label or path] = found

    check("/logga-in")
    check("/glomt-losenord")
    log_in(page, server, "admin")
    sid = _new_draft(page, server)
    page.fill("#f-title", "Tillgänglighet")
    _wait_saved(page)
    for path in ("/mina-exempel", f"/bidrag/{sid}", "/granska", f"/granska/{rev['id']}", f"/bidrag/{rev['id']}",
                 "/konto/nycklar", "/konto/notiser", "/admin", "/admin/anvandare", "/admin/kriterier",
                 "/admin/taxonomier", f"/versioner/{eid}", f"/versioner/{eid}/1",
                 f"/granska/exempel/{eid}/dra-tillbaka"):
        check(path)
    # The form with its error summary, and the review page refusing an incomplete decision.
    page.goto(f"{server.url}/bidrag/{sid}")
    page.get_by_role("button", name="Skicka in för granskning").click()
    page.wait_for_load_state()
    check(None, "form with errors")
    page.goto(f"{server.url}/granska/{second['id']}")
    page.get_by_role("button", name="Godkänn och publicera").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    check(None, "review with errors")
    # Approve the revision; then the comparison of versions 1 and 2.
    assert api.post(f"/api/v1/submissions/{rev['id']}/decision", headers=editor,
                    json={"decision": "approve", "criteria": judged}).status_code == 200
    check(f"/versioner/{eid}/jamfor?fran=1&till=2")
    assert "En ny sammanfattning" in page.inner_text("table.diff")
    page.goto(f"{server.url}/versioner/{eid}?lang=en")
    check(None, "versions in English")
    assert not problems, problems
    context.close()
