"""The layout holds: every module lives in one named part, the parts depend one way, there
is no import circle, routers are installed in one place, and the example's content fields
are declared once."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

# The named parts of app/ and what each may import (besides itself).
PARTS: dict[str, set[str]] = {
    "core": set(),                                   # foundations
    "models": {"core"},                              # domain: tables and shapes
    "services": {"core", "models"},                  # domain: rules, policy, outbox
    "web": {"core", "models", "services"},           # HTTP glue
    "routers": {"core", "models", "services", "web"},
}
# Entry points and data packages: the composition root, the command line, the version,
# the packaged reference and demo data.
ENTRY_POINTS = {"app/__init__.py", "app/main.py", "app/cli.py", "app/reference/__init__.py", "app/demo/__init__.py"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        rel = path.relative_to(ROOT)
        name = ".".join(rel.with_suffix("").parts)
        if name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every app module this file imports, at module level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "app":
                continue
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                names.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.split(".")[0] == "app")
    return {n for n in names if n in MODULES and n != "app"}


def _part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in PARTS) else None


def test_every_module_lives_in_a_named_part():
    loose = sorted(
        str(path.relative_to(ROOT)) for name, path in MODULES.items()
        if str(path.relative_to(ROOT)) not in ENTRY_POINTS and _part(name) not in PARTS
    )
    assert loose == [], f"modules outside app/{{{','.join(PARTS)}}}/: {loose}"


def test_parts_depend_one_way():
    wrong = []
    for name, path in MODULES.items():
        part = _part(name)
        if part not in PARTS:
            continue
        for target in _imports(path):
            other = _part(target)
            if other is None or other == part:
                continue
            if other not in PARTS[part]:
                wrong.append(f"{name} -> {target}")
    assert wrong == [], "imports against the layering: " + ", ".join(sorted(wrong))


def test_routers_do_not_import_each_other():
    borrowed = [
        f"{name} -> {target}" for name, path in MODULES.items() if _part(name) == "routers"
        for target in _imports(path) if _part(target) == "routers" and target != name
    ]
    assert borrowed == []


def test_no_import_circle():
    graph = {name: _imports(path) for name, path in MODULES.items()}
    # A package's __init__ re-exporting its submodules is not a circle of its own.
    for name in graph:
        graph[name] = {t for t in graph[name] if not (name.startswith(t + ".") and MODULES[t].name == "__init__.py")}
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                circles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert circles == [], "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_only_the_composition_root_installs_routers():
    installers = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "include_router", "add_middleware", "mount",
            ):
                installers.append(name)
    assert set(installers) == {"app.main"}, installers


def _example_only_fields() -> set[str]:
    """Content-field names no other table has (a reuse report also has an
    ``organisation_name``; its own field list is not the example's)."""
    from sqlmodel import SQLModel

    import app.models  # noqa: F401
    from app.models.content import CONTRACT_FIELDS

    example_tables = {"example", "submission"}
    elsewhere = {c.name for t in SQLModel.metadata.tables.values() if t.name not in example_tables for c in t.columns}
    return set(CONTRACT_FIELDS) - elsewhere


def _listed_fields(values) -> int:
    names = _example_only_fields()
    return sum(1 for v in values if isinstance(v, ast.Constant) and v.value in names)


def test_content_fields_are_listed_once():
    """The content fields are declared in app/models/content.py; no other file spells out
    a list of them (a literal list, tuple, set or dict of five or more field names in code,
    or a list literal in a template)."""
    import re

    offenders = []
    for path in APP.rglob("*.py"):
        if path == APP / "models" / "content.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
            if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and _listed_fields(values) >= 5:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    for path in APP.rglob("*.html"):
        for literal in re.findall(r"\[[^\[\]]*\]|\([^()]*\)", path.read_text(encoding="utf-8")):
            names = re.findall(r"[\"']([a-z_]+)[\"']", literal)
            if sum(1 for n in names if n in _example_only_fields()) >= 5:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], f"field lists repeated in {offenders}"
