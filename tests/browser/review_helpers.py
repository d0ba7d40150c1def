"""Helpers for the review workflow's browser tests: a live server of their own (so the
published examples they create never meet other tests), accounts, logging in, axe-core."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.live import ROOT, LiveServer

PASSWORD = "ett långt lösenord för test"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ACCOUNTS = {
    "author": ("anna@umea.se", "contributor", None, "Umeå kommun", "Anna Andersson"),
    "editor": ("erik@lansstyrelsen.se", "editor", "24", "Länsstyrelsen Västerbotten", "Erik Eriksson"),
    "admin": ("admin@barnratt.se", "admin", None, "Barnrättsbanken", "Nationell samordnare"),
}
# (name, type, county, municipality) of the accounts' organisations.
ORGANISATIONS = (
    ("Umeå kommun", "kommun", "24", "2480"),
    ("Länsstyrelsen Västerbotten", "lansstyrelse", "24", None),
    ("Barnrättsbanken", "statlig-myndighet", "01", None),
)


def start_review_server(data_dir: Path) -> LiveServer:
    server = LiveServer(data_dir).start()
    existing = {tuple(line.split("\t")[1:3]) + (line.split("\t")[-1],)
                for line in server.cli("organisations", "list").stdout.splitlines()}
    for name, type_, county, municipality in ORGANISATIONS:
        if (county, municipality or "-", name) in existing:  # the demo examples made it
            continue
        args = ["organisations", "create", name, "--type", type_, "--county", county]
        server.cli(*args, *(["--municipality", municipality] if municipality else []))
    for email, role, county, organisation, name in ACCOUNTS.values():
        args = ["users", "create", email, "--role", role, "--name", name, "--organisation", organisation]
        if county:
            args += ["--county", county]
        server.cli(*args, "--password-stdin", stdin=PASSWORD + "\n")
    return server


def database(server: LiveServer) -> sqlite3.Connection:
    return sqlite3.connect(server.data_dir / "barnratt.db")


def log_in(page, server: LiveServer, who: str, *, next_path: str | None = None) -> None:
    page.goto(server.url + "/logga-in" + (f"?next={next_path}" if next_path else ""))
    page.fill("#f-email", ACCOUNTS[who][0])
    page.fill("#f-password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/logga-in" not in page.url, page.content()[:2000]


def log_out(page) -> None:
    page.locator("header form[action='/logga-ut'] button").click()
    page.wait_for_load_state()


def axe_violations(page, *, impacts=("serious", "critical", "moderate", "minor")) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]
