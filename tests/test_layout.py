"""The package's rooms import one way only, and only cli/ and render/ touch the terminal libraries."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ipsexpert"

LAYERS = ["top", "knowledge", "engine", "report", "analysis", "render", "cli"]
"""Bottom first: a module may import its own room and the rooms before it."""

TERMINAL_LIBRARIES = {"click", "tabulate"}
TERMINAL_ROOMS = {"render", "cli"}


def room_of(module: str) -> str:
    """``ipsexpert.report.expert`` -> ``report``; the top-level modules are ``top``."""
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[1] in LAYERS else "top"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module a file imports (absolute names), relative imports resolved, with lines."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                found += [(f"{target}.{alias.name}" if not node.module else target, node.lineno)
                          for alias in node.names]
            else:
                found.append((node.module or "", node.lineno))
    return found


def violations(path: Path) -> list[str]:
    room = room_of(module_name(path))
    if module_name(path) in ("ipsexpert", "ipsexpert.__main__"):
        return []  # the public API and `python -m` entry stand above every room
    found = []
    for target, line in imports(path):
        where = f"{path.relative_to(PACKAGE.parent)}:{line}"
        if target.split(".")[0] in TERMINAL_LIBRARIES and room not in TERMINAL_ROOMS:
            found.append(f"{where}: {room} imports {target}")
        if target.startswith("ipsexpert."):
            if LAYERS.index(room_of(target)) > LAYERS.index(room):
                found.append(f"{where}: {room} imports {target}, a room above it")
    return found


def test_imports_point_down_and_terminal_libraries_stay_in_cli_and_render():
    problems = [problem for path in sorted(PACKAGE.rglob("*.py")) for problem in violations(path)]
    assert problems == []


@pytest.mark.parametrize("source, expected", [
    ("from ..cli import commands\n", "report imports ipsexpert.cli, a room above it"),
    ("import click\n", "report imports click"),
    ("from tabulate import tabulate\n", "report imports tabulate"),
])
def test_the_layout_check_catches_an_upward_import(tmp_path, monkeypatch, source, expected):
    room = tmp_path / "ipsexpert" / "report"
    room.mkdir(parents=True)
    module = room / "leak.py"
    module.write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "ipsexpert")
    assert any(expected in problem for problem in violations(module))


def test_each_room_says_what_it_owns_and_may_import():
    for room in LAYERS[1:]:
        doc = ast.get_docstring(ast.parse((PACKAGE / room / "__init__.py").read_text())) or ""
        assert "May import" in doc, room


def test_no_module_is_much_over_four_hundred_lines():
    sizes = {str(path.relative_to(PACKAGE)): len(path.read_text().splitlines()) for path in PACKAGE.rglob("*.py")}
    assert {name: size for name, size in sizes.items() if size > 420} == {}
