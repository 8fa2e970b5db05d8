"""Tables on a terminal: colour that input can never choose, widths that follow the terminal,
a legend for the table's marks, and --explain only where it can work."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from ipsexpert.render.colour import STYLES
from tests.conftest import REPO, SCENARIOS

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"
REGIONAL = SCENARIOS / "illustrative-regional-consortium-design.yaml"
ESCAPES = REPO / "tests" / "hostile" / "text" / "terminal-escapes.yaml"
SGR = re.compile(r"\x1b\[([0-9;]*)m")
OURS = set(STYLES.values()) | {"0"}


def run(*args, env: dict | None = None):
    return CliRunner().invoke(main, [str(arg) for arg in args], env=env)


def plain(text: str) -> str:
    return SGR.sub("", text)


@pytest.mark.parametrize("args", [["evaluate", NATIONAL, REGIONAL], ["evaluate", NATIONAL, "--view", "roadmap"],
                                  ["evaluate", NATIONAL, REGIONAL, "--view", "matrix"], ["whatif", NATIONAL],
                                  ["diff", NATIONAL, REGIONAL]])
def test_color_always_colours_without_moving_a_column_and_never_leaves_none(args):
    coloured = run(*args, "--color", "always")
    assert coloured.exit_code == 0, coloured.output
    assert SGR.search(coloured.stdout)
    assert plain(coloured.stdout) == run(*args, "--color", "never").stdout == run(*args).stdout
    assert "\x1b" not in run(*args).stdout  # not a terminal: auto means no colour


def test_severities_and_outcomes_have_their_colours():
    out = run("evaluate", NATIONAL, "--color", "always").stdout
    assert "\x1b[1;31mcritical ↑\x1b[0m" in out and "\x1b[33mmedium\x1b[0m" in out
    assert "Outcomes: \x1b[2m1 not applicable\x1b[0m, \x1b[31m6 advised\x1b[0m, \x1b[32m16 satisfied\x1b[0m" in out


def test_input_never_chooses_a_colour():
    out = run("evaluate", ESCAPES, "--color", "always", "--explain").stdout
    assert {code for code in SGR.findall(out)} <= OURS
    assert "\x1b" not in SGR.sub("", out)
    assert "\\x1b[31mALL CLEAR" in out and "\\x1b[2J" in out


def test_tables_follow_columns_wrapping_long_titles():
    narrow = run("evaluate", REGIONAL, env={"COLUMNS": "80"}).stdout
    table = narrow.split("\n\n")[1]
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "     1  R01   high        now             3  Secure political commitment and a\n" in narrow
    wide = run("evaluate", REGIONAL).stdout
    assert "Secure political commitment and a senior sponsor\n" in wide  # a pipe without COLUMNS: one row a line
    facts = run("kb", "facts", env={"COLUMNS": "120"}).stdout
    assert max(len(line) for line in facts.split("\n\n")[0].splitlines()) <= 120


def test_a_legend_under_the_table_explains_the_arrow_score_and_timing():
    out = run("evaluate", NATIONAL).stdout
    lines = out.splitlines()
    legend = lines.index("↑ escalated severity; score = severity points × timing weight, highest first; "
                         "timing: now = the project's phase, next = a later one, overdue = one it has passed.")
    assert "Evaluate with stakeholders" in lines[legend - 1]


@pytest.mark.parametrize("view", ["roadmap", "matrix"])
def test_explain_with_roadmap_or_matrix_is_refused_in_words(view):
    result = run("evaluate", NATIONAL, "--view", view, "--explain")
    assert result.exit_code == 2
    assert f"error: --explain works with --view report; the {view} has no room for explanations" in result.stderr


def on_a_terminal(*args: str, **env: str) -> str:
    """What ``ipsexpert ARGS`` prints when its standard output is a terminal."""
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    environment = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm", **env}
    environment.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
    process = subprocess.Popen([sys.executable, "-m", "ipsexpert", *args], stdout=follower,
                               stderr=subprocess.DEVNULL, env=environment)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        try:
            data = os.read(leader, 65536) if ready else b""
        except OSError:
            data = b""
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode()


@pytest.mark.slow
def test_auto_colours_a_terminal_unless_no_color_is_set():
    assert SGR.search(on_a_terminal("evaluate", str(NATIONAL), COLUMNS="120"))
    assert not SGR.search(on_a_terminal("evaluate", str(NATIONAL), COLUMNS="120", NO_COLOR="1"))
    assert SGR.search(on_a_terminal("evaluate", str(NATIONAL), "--color", "always", NO_COLOR="1"))
