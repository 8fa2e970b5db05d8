"""Nothing from input acts on a terminal or becomes Markdown structure; nothing misleads.

The scenarios in tests/hostile/text/ are valid and carry hostile free text; every output
that shows them is checked here through the command line a user runs.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import REPO, SCENARIOS

TEXT = REPO / "tests" / "hostile" / "text"
ESCAPES = TEXT / "terminal-escapes.yaml"
MARKDOWN = TEXT / "markdown-injection.yaml"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202e]")


def run(*args: str):
    return CliRunner().invoke(main, [*args])


@pytest.mark.parametrize("args", [
    ["evaluate", str(ESCAPES)],
    ["evaluate", str(ESCAPES), "--explain"],
    ["evaluate", str(ESCAPES), "--view", "roadmap"],
    ["evaluate", str(ESCAPES), "--view", "matrix"],
    ["whatif", str(ESCAPES)],
    ["diff", str(ESCAPES), str(SCENARIOS / "digisos-norway.yaml")],
])
def test_terminal_output_shows_control_characters_escaped_never_raw(args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert not RAW_CONTROL.search(result.output), repr(result.output)
    if args[0] == "evaluate" and "--view" not in args:
        assert "\\x1b[31mALL CLEAR" in result.output and "\\u202eevil" in result.output


def test_error_messages_escape_file_names_and_cut_long_values(tmp_path):
    hostile = tmp_path / "bad\x1b[31m.yaml"
    hostile.write_text("answers:\n  phase: " + "x" * 5000 + "\n")
    result = run("evaluate", str(hostile))
    assert result.exit_code == 2
    assert not RAW_CONTROL.search(result.output) and "\\x1b[31m.yaml" in result.output
    line = next(line for line in result.output.splitlines() if "answers.phase" in line)
    assert len(line) < 700 and "more characters)" in line


def test_kb_show_escapes_what_an_edited_knowledge_base_holds(tmp_path):
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    shutil.copytree(REPO / "facts", tmp_path / "facts")
    rule = tmp_path / "rules" / "recommendations" / "R01.yaml"
    text = rule.read_text()
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    rule.write_text(text.replace(title, 'title: "Secure \\e[2Jpolitical commitment"', 1))
    result = run("kb", "show", "R01", "--kb", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert not RAW_CONTROL.search(result.output) and "\\x1b[2J" in result.output


def markdown_lines(*args: str) -> list[str]:
    result = run("evaluate", str(MARKDOWN), "--format", "markdown", *args)
    assert result.exit_code == 0, result.output
    return result.output.split("\n")


@pytest.mark.parametrize("view", ["report", "roadmap"])
def test_markdown_from_input_opens_no_heading_list_link_image_or_html(view):
    lines = markdown_lines("--view", view)
    text = "\n".join(lines)
    assert "\r" not in text
    assert not any(line.startswith("## All clear") or line.startswith("> quoted") for line in lines)
    assert "<script>" not in text and "<img" not in text
    assert "](http://evil.example" not in text.replace("\\](", "")
    headings = [line for line in lines if line.startswith("# ")]
    assert headings and all("Fake heading" not in line or line.startswith(("# \\# Fake", "# Roadmap: \\# Fake"))
                            for line in headings)


def test_markdown_table_rows_keep_their_cells():
    for line in markdown_lines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert "injected cell" not in "".join(cells[2:]) or "\\| injected cell" in line


def test_html_escapes_the_same_hostile_text():
    result = run("evaluate", str(MARKDOWN), "--format", "html")
    assert result.exit_code == 0
    assert "<script>alert" not in result.output and "<img src=x" not in result.output
    assert "&lt;script&gt;" in result.output


# --- nothing misleads -----------------------------------------------------------------------

def test_an_expired_acceptance_is_shown_as_expired_in_every_format():
    table = run("evaluate", str(ESCAPES)).output
    assert "[acceptance expired]" in table and "EXPIRED on 2020-01-01" in table
    assert "[accepted]" not in table
    assert "**acceptance expired**" in run("evaluate", str(ESCAPES), "--format", "markdown").output
    assert "acceptance expired" in run("evaluate", str(ESCAPES), "--format", "html").output
    roadmap = run("evaluate", str(ESCAPES), "--view", "roadmap").output
    assert "    [~] R01" not in roadmap and "    [ ] R01" in roadmap and "EXPIRED" in roadmap
    matrix = run("evaluate", str(ESCAPES), "--view", "matrix").output
    assert "●C!" in matrix  # escalated to critical, and counted again
    report = json.loads(run("evaluate", str(ESCAPES), "--format", "json").output)[0]
    r01 = next(item for item in report["advice"] if item["id"] == "R01")
    assert r01["accepted"]["expired"] is True


def test_a_current_acceptance_is_not_expired():
    import ipsexpert
    from datetime import date
    scenario = ipsexpert.load_scenario(ESCAPES, ipsexpert.load_knowledge_base())
    report = ipsexpert.evaluate(scenario, today=date(2019, 12, 31))
    r01 = next(item for item in report.advice if item.id == "R01")
    assert r01.accepted.expired is False and r01.accepted_now


@pytest.mark.parametrize("fmt, expected", [
    ("table", "No advice yet, but 19 recommendations are still open"),
    ("markdown", "No advice yet, but 19 recommendations are still open"),
    ("html", "No advice yet, but 19 recommendations are still open"),
])
def test_open_recommendations_never_headline_as_no_advice(fmt, expected):
    result = run("evaluate", str(SCENARIOS / "digisos-norway.yaml"), "--format", fmt)
    assert expected in result.output
    assert "nothing is known to be missing" not in result.output


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_the_roadmap_lists_the_open_questions(fmt):
    out = run("evaluate", str(SCENARIOS / "digisos-norway.yaml"), "--view", "roadmap", "--format", fmt).output
    assert "Open questions" in out and "legal_basis_for_data_exchange" in out
    assert "still open" in out


def test_today_decides_which_acceptances_have_expired():
    before = json.loads(run("evaluate", str(ESCAPES), "--format", "json", "--today", "2019-12-31").output)[0]
    after = json.loads(run("evaluate", str(ESCAPES), "--format", "json", "--today", "2020-01-02").output)[0]
    accepted = [next(a for a in report["advice"] if a["id"] == "R01")["accepted"] for report in (before, after)]
    assert [item["expired"] for item in accepted] == [False, True]
