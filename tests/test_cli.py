"""The barnratt command end to end, on empty databases of both kinds."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import run_cli
from tests.factories import example_payload


@pytest.fixture
def cli(backend, fresh_db, tmp_path):
    url = fresh_db.url(backend)

    def run(*args, stdin=None):
        return run_cli(*args, db_url=url, data_dir=tmp_path / "data", stdin=stdin)

    result = run("init")
    assert result.returncode == 0, result.stderr
    return run


def test_init_is_idempotent(cli):
    again = cli("init")
    assert again.returncode == 0, again.stderr
    assert "article 0" in again.stdout


def test_import_bad_file_writes_nothing_then_good_file_round_trips(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps(example_payload(title="Gott exempel ett")) + "\n"
        + json.dumps(example_payload(title="Dåligt", articles=[99], sectors=["rymd"])) + "\n",
        encoding="utf-8",
    )
    result = cli("import", str(bad), "--publish")
    assert result.returncode == 1
    assert "line 2: articles.0:" in result.stderr
    assert "line 2: sectors: unknown value 'rymd'" in result.stderr
    assert cli("export").stdout == ""

    good = tmp_path / "good.jsonl"
    good.write_text(
        "".join(json.dumps(example_payload(title=f"Gott exempel {n}"), ensure_ascii=False) + "\n" for n in range(3)),
        encoding="utf-8",
    )
    assert cli("import", str(good), "--publish").returncode == 0
    exported = cli("export", "--format", "csv")
    assert exported.returncode == 0 and exported.stdout.count("\n") == 4


def test_not_utf8_file_is_a_clear_error(cli, tmp_path):
    f = tmp_path / "latin1.csv"
    f.write_bytes("title\nBarnråd\n".encode("latin-1"))
    result = cli("import", str(f), "--publish")
    assert result.returncode == 1 and "line 1: file: not UTF-8" in result.stderr


def test_users_and_tokens(cli):
    created = cli("users", "create", "Redaktor@Lansstyrelsen.se", "--role", "editor", "--county", "24",
                  "--name", "Länsredaktör", "--password-stdin", stdin="ett långt lösenord\n")
    assert created.returncode == 0, created.stderr
    duplicate = cli("users", "create", "redaktor@lansstyrelsen.se", "--role", "admin", "--password-stdin",
                    stdin="ett långt lösenord\n")
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    no_county = cli("users", "create", "x@example.se", "--role", "editor", "--password-stdin", stdin="ett långt lösenord\n")
    assert no_county.returncode == 1 and "county_code" in no_county.stderr
    short = cli("users", "create", "y@example.se", "--role", "contributor", "--password-stdin", stdin="kort\n")
    assert short.returncode == 1 and "password" in short.stderr

    token = cli("tokens", "create", "redaktor@lansstyrelsen.se", "--label", "test")
    assert token.returncode == 0, token.stderr
    secret = token.stdout.split()[-1]
    assert secret.startswith("brb_") and len(secret) > 40
    missing = cli("tokens", "create", "nobody@example.se")
    assert missing.returncode == 1
