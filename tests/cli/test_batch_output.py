"""A batch's summary line, the format chosen by --output's extension, and --debug's exit code."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import SCENARIOS

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"
DIGISOS = SCENARIOS / "digisos-norway.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_a_table_batch_ends_with_scenarios_advice_by_severity_undetermined_and_failures(tmp_path):
    result = run("evaluate", NATIONAL, DIGISOS, tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert result.stdout.endswith("\nSummary: 2 scenarios; 6 advice (2 critical, 4 medium); 19 undetermined; "
                                  "1 file not evaluated.\n")


TOTALS = "2 scenarios; 6 advice (2 critical, 4 medium); 19 undetermined.\n"


@pytest.mark.parametrize("args, ending", [
    (["--format", "markdown"], f"\n---\n\n**Summary:** {TOTALS}"),
    (["--view", "roadmap"], f"\nSummary: {TOTALS}"),
    (["--view", "matrix", "-f", "markdown"], f"\n---\n\n**Summary:** {TOTALS}"),
])
def test_markdown_roadmap_and_matrix_batches_end_with_it_too(args, ending):
    result = run("evaluate", NATIONAL, DIGISOS, *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(ending)


def test_one_scenario_and_json_have_no_summary_line():
    assert "Summary:" not in run("evaluate", NATIONAL).stdout
    assert isinstance(json.loads(run("evaluate", NATIONAL, DIGISOS, "-f", "json").stdout), list)


@pytest.mark.parametrize("name, opening", [("report.html", "<!DOCTYPE html>"), ("report.MD", "# Illustrative"),
                                           ("report.json", "["), ("results.xml", "<?xml"), ("report.txt", "== ")])
def test_the_format_follows_the_output_extension_and_the_run_says_where_it_wrote(tmp_path, name, opening):
    target = tmp_path / name
    result = run("evaluate", NATIONAL, "--output", target)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith(opening)
    assert result.stdout == "" and result.stderr.startswith(f"wrote {target}: ")


def test_an_explicit_format_wins_over_the_extension(tmp_path):
    target = tmp_path / "report.html"
    result = run("evaluate", NATIONAL, DIGISOS, "--output", target, "--format", "markdown")
    assert target.read_text(encoding="utf-8").startswith("# Illustrative")
    assert result.stderr == f"wrote {target}: markdown, 2 scenarios\n"


def test_debug_shows_the_traceback_and_keeps_the_exit_code(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers:\n  phase: build\n")
    result = run("--debug", "evaluate", bad)
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr and "ScenarioError" in result.stderr
    assert f"error: {bad}:2: answers.phase: 'build' is not one of" in result.stderr
    assert run("--debug", "kb", "show", "R99").exit_code == 2
