"""The README's tables say what the code does: every setting and every command is listed,
and nothing listed is missing from the code."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from app.cli import cli
from app.core.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    start = README.index(heading)
    end = README.find("\n## ", start + len(heading))
    return README[start:end if end != -1 else None]


def _first_cells(section: str) -> list[str]:
    return [re.split(r"(?<!\\)\|", line)[1] for line in section.splitlines() if line.startswith("| `")]


def test_every_setting_is_in_the_configuration_table():
    listed = {name for cell in _first_cells(_section("## Configuration")) for name in re.findall(r"`(BARNRATT_\w+)`", cell)}
    in_code = {f"BARNRATT_{name}" for name in Settings.model_fields}
    assert sorted(in_code - listed) == [], "settings missing from README"
    assert sorted(listed - in_code) == [], "README lists settings the code does not have"


def _commands(group, prefix: str = "") -> set[str]:
    names = set()
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if getattr(command, "commands", None) is not None:
            names |= _commands(command, path + " ")
        else:
            names.add(path)
    return names


def test_every_command_is_in_the_command_table():
    listed = set()
    for cell in _first_cells(_section("## The `barnratt` command")):
        text = re.match(r"\s*`barnratt ([^`]*)`", cell)
        assert text, cell
        path = []
        for word in text.group(1).split():
            if not re.fullmatch(r"[a-z]+", word):
                break
            path.append(word)
        listed.add(" ".join(path))
    in_code = _commands(typer.main.get_command(cli))
    assert sorted(in_code - listed) == [], "commands missing from README"
    assert sorted(listed - in_code) == [], "README lists commands the code does not have"
