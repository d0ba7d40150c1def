"""The editor's work in a real browser: an editor takes a submission ("Jag granskar"),
requests changes, the author edits one phrase and resubmits, and the editor sees exactly the
changed words; then the example, once its review date has passed, is re-reviewed. axe-core
finds nothing on the pages added or changed, at 1280 and at 320 px."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.review_helpers import (
    ACCOUNTS,
    axe_violations,
    database,
    log_in,
    start_review_server,
)
from tests.factories import example_payload

OLD = "Ungdomsrådet fick lämna synpunkter"
NEW = "Ungdomsrådet och två elevråd fick lämna synpunkter"
WIDTHS = (1280, 320)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.browser.conftest import _need_browser

    _need_browser()
    instance = start_review_server(tmp_path_factory.mktemp("editor-live"))
    yield instance
    instance.stop()


def _token(server, who: str) -> dict[str, str]:
    secret = server.cli("tokens", "create", ACCOUNTS[who][0]).stdout.split()[-1]
    return {"Authorization": f"Bearer {secret}"}


def test_an_editor_through_two_review_rounds(server, browser):
    api = httpx.Client(base_url=server.url, timeout=30)
    author_api = _token(server, "author")
    title = "Barnkonsekvensanalys i två omgångar"
    sub = api.post("/api/v1/submissions", json=example_payload(title=title), headers=author_api).json()
    assert api.post(f"/api/v1/submissions/{sub['id']}/submit", headers=author_api).status_code == 200
    sid = sub["id"]
    problems: dict[str, list] = {}

    def check(page, label):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found = axe_violations(page)
            if found:
                problems[f"{label} @ {width}px"] = found

    editor_ctx = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    editor = editor_ctx.new_page()
    editor.set_default_timeout(15_000)
    log_in(editor, server, "editor")

    # Round 1: the queue shows nobody has it; the editor takes it and requests changes.
    editor.goto(server.url + "/granska")
    row = editor.locator("tr", has_text=title)
    assert "Ingen än" in row.inner_text()
    check(editor, "queue")
    row.get_by_role("link", name=title).click()
    editor.wait_for_url(re.compile(rf".*/granska/{sid}$"))
    assert editor.locator(".since-seen").count() == 0
    editor.get_by_role("button", name="Jag granskar").click()
    editor.wait_for_url(re.compile(rf".*/granska/{sid}\?done=take.*"))
    assert "Du granskar det här." in editor.inner_text("#tilldelning")
    check(editor, "review page, round 1")
    editor.goto(server.url + "/granska")
    assert "Du" in editor.locator("tr", has_text=title).inner_text()
    editor.goto(f"{server.url}/granska/{sid}")
    editor.fill("#f-decision-comment", "Berätta vilka fler barn som var med.")
    editor.get_by_role("button", name="Begär ändringar").click()
    editor.wait_for_url(re.compile(r".*/granska\?done=changes_requested.*"))

    # The author edits one phrase in the form and resubmits.
    author_ctx = browser.new_context(locale="sv-SE")
    author = author_ctx.new_page()
    author.set_default_timeout(15_000)
    log_in(author, server, "author")
    author.goto(f"{server.url}/bidrag/{sid}")
    text = author.input_value("#f-child_participation")
    assert OLD in text
    author.fill("#f-child_participation", text.replace(OLD, NEW))
    author.wait_for_function("document.getElementById('save-status').textContent.includes('sparat')")
    author.get_by_role("button", name="Skicka in för granskning").click()
    author.wait_for_url(re.compile(rf".*/bidrag/{sid}\?done=submitted"))
    author_ctx.close()

    # Round 2: the editor sees exactly the changed words, still has it, and approves.
    editor.goto(f"{server.url}/granska/{sid}")
    section = editor.locator(".since-seen")
    assert "Ändrat sedan du senast tittade (omgång 1 → omgång 2)" in section.inner_text()
    assert [" ".join(t.split()) for t in section.locator("ins").all_inner_texts()] == ["[tillagt: och två elevråd ]"]
    assert section.locator("del").count() == 0
    assert section.locator("th[scope=row]").all_inner_texts() == ["Barns delaktighet"]
    assert "Du granskar det här." in editor.inner_text("#tilldelning")
    check(editor, "review page, round 2 with the changes")
    for key in ("best_interests", "participation", "non_discrimination", "practice_and_results", "transferability"):
        editor.check(f"#j-{key}-met")
    editor.get_by_role("button", name="Godkänn och publicera").click()
    editor.wait_for_url(re.compile(r".*/granska\?done=published.*"))

    # Two years later (the data, not the clock): the example page says when it was last
    # reviewed, and the editor confirms it in the re-review queue.
    example_id = database(server).execute("SELECT example_id FROM submission WHERE id = ?", (sid,)).fetchone()[0]
    with database(server) as db:
        db.execute("UPDATE example SET published_at = '2022-01-10 09:00:00' WHERE id = ?", (example_id,))
    editor.goto(f"{server.url}/exempel/{example_id}")
    assert "Granskades senast 2022-01-10" in editor.inner_text("#review-due")
    check(editor, "example page past its review date")
    editor.goto(server.url + "/granska/omgranskning")
    check(editor, "re-review queue")
    editor.locator("tr", has_text=title).get_by_role("button", name="Fortfarande giltigt").click()
    editor.wait_for_url(re.compile(r".*/granska/omgranskning\?done=.*"))
    assert title not in editor.inner_text("main")
    editor.goto(f"{server.url}/exempel/{example_id}")
    assert editor.locator("#review-due").count() == 0
    editor.goto(server.url + "/granska/installningar")
    check(editor, "review settings")
    editor.fill("#f-days_24", "10")
    editor.get_by_role("button", name="Spara").click()
    editor.wait_for_url(re.compile(r".*/granska/installningar\?done=saved"))
    assert editor.input_value("#f-days_24") == "10"
    editor_ctx.close()
    assert not problems, problems
