"""Settings in ipsexpert.toml or [tool.ipsexpert], found upwards; the command line wins.
Folders skip what ipsexpert wrote and what `exclude` names, and say how many."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import REPO, SCENARIOS

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"
LATVIA = SCENARIOS / "latvija-lv.yaml"


def run(*args: str):
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A repository with a portfolio of two scenarios and a drafts folder, run from a subfolder."""
    portfolio = tmp_path / "portfolio"
    (portfolio / "drafts").mkdir(parents=True)
    shutil.copy(NATIONAL, portfolio / "national.yaml")
    shutil.copy(LATVIA, portfolio / "latvia.yaml")
    shutil.copy(LATVIA, portfolio / "latvia-old.yaml")
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    return tmp_path


def test_pyproject_settings_are_found_upwards_and_give_paths_format_fail_on_and_exclude(project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.ipsexpert]\npaths = ["portfolio"]\n'
                                            'format = "json"\nfail-on = "critical"\nexclude = ["*-old.yaml"]\n')
    result = run("evaluate")
    assert result.exit_code == 1, result.output  # the national scenario has critical advice
    assert [r["source"] for r in json.loads(result.stdout)] == ["../portfolio/latvia.yaml",
                                                                "../portfolio/national.yaml"]
    assert "skipped 1 file: 1 matched by exclude" in result.stderr
    assert "--fail-on critical: 2 advice at or above critical:" in result.stderr


def test_the_command_line_wins_over_the_settings(project):
    (project / "ipsexpert.toml").write_text('format = "json"\nfail-on = "low"\nexclude = ["drafts"]\n')
    result = run("evaluate", project / "portfolio" / "latvia.yaml", "--format", "markdown", "--fail-on", "critical")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Latvija.lv (Latvia)")


def test_ipsexpert_toml_comes_before_pyproject_and_a_pyproject_without_the_table_is_passed_over(project):
    (project / "ipsexpert.toml").write_text('format = "markdown"\n')
    (project / "pyproject.toml").write_text('[tool.ipsexpert]\nformat = "json"\n')
    (project / "docs" / "pyproject.toml").write_text('[project]\nname = "docs"\n')
    assert run("evaluate", LATVIA).stdout.startswith("# Latvija.lv (Latvia)")


def test_the_kb_setting_serves_every_command_and_a_bad_one_names_the_file(project):
    shutil.copytree(REPO / "rules", project / "kb" / "rules")
    shutil.copytree(REPO / "facts", project / "kb" / "facts")
    settings = project / "ipsexpert.toml"
    settings.write_text('kb = "kb"\n')
    assert run("kb", "check").output.endswith("in ../kb\n")  # relative to the settings file, seen from docs/
    settings.write_text('kb = "no-kb"\n')
    result = run("kb", "list")
    assert result.exit_code == 2
    assert result.stderr == f"error: {settings}: kb: ../no-kb does not exist\n"


@pytest.mark.parametrize("text, message", [
    ('fail_on = "high"\n', "fail_on: unknown setting (did you mean fail-on?); the settings are paths, exclude, "
                          "select, ignore, fail-on, format, kb"),
    ('format = "xml"\n', "format: must be one of table, markdown, json, html, junit"),
    ('paths = "scenarios"\nexclude = [1]\n', "exclude: must be a list of strings"),
    ('fail-on = \n', "is not valid TOML"),
])
def test_a_wrong_setting_is_an_error_naming_the_file(project, text, message):
    (project / "ipsexpert.toml").write_text(text)
    result = run("evaluate", LATVIA)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {project / 'ipsexpert.toml'}: ") and message in result.stderr


def test_select_and_ignore_keep_some_recommendations_ranked_again():
    result = run("evaluate", NATIONAL, "--select", "r1", "--ignore", "R14", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)[0]
    assert list(report["outcomes"]) == ["R10", "R11", "R12", "R13", "R15", "R16", "R17", "R18", "R19"]
    assert [(a["rank"], a["id"]) for a in report["advice"]] == [(1, "R15"), (2, "R16"), (3, "R18")]
    assert sum(report["counts"].values()) == 9
    assert run("evaluate", NATIONAL, "--select", "R7", "--fail-on", "critical").exit_code == 1
    assert run("evaluate", NATIONAL, "--ignore", "R07,R14", "--fail-on", "critical").exit_code == 0


def test_a_selector_that_matches_nothing_is_an_error(project):
    result = run("evaluate", LATVIA, "--select", "R99")
    assert result.exit_code == 2
    assert "--select 'R99': no recommendation id is or begins with it (did you mean R09?)" in result.stderr
    (project / "ipsexpert.toml").write_text('ignore = ["X1"]\n')
    assert "--ignore 'X1'" in run("evaluate", LATVIA).stderr


def test_a_folder_skips_the_reports_and_schema_ipsexpert_wrote_into_it(tmp_path):
    shutil.copy(LATVIA, tmp_path / "latvia.yaml")
    assert run("evaluate", tmp_path, "--output", tmp_path / "report.json").exit_code == 0
    assert run("schema", "--output", tmp_path / "ipsexpert-scenario.schema.json").exit_code == 0
    (tmp_path / "facts.json").write_text(run("kb", "facts", "--format", "json").stdout)
    (tmp_path / "list.json").write_text('[{"answers": {"phase": "design"}}]')
    result = run("evaluate", tmp_path, "--format", "json")
    assert [r["source"] for r in json.loads(result.stdout)[:1]] == [str(tmp_path / "latvia.yaml")]
    assert ("skipped 3 files: 1 written by ipsexpert (a JSON list of facts), 1 written by ipsexpert (a JSON report), "
            "1 written by ipsexpert (the scenario schema)") in result.stderr
    assert result.exit_code == 2 and "list.json:1: a scenario must be a mapping" in result.stderr
    named = run("evaluate", tmp_path / "report.json")
    assert named.exit_code == 2  # a file named on the command line is always read


def test_without_paths_or_a_paths_setting_evaluate_says_what_to_give(project):
    result = run("evaluate")
    assert result.exit_code == 2
    assert result.stderr == ("error: no FILE or FOLDER given: name scenario files or folders (`-` for standard "
                             "input), or set `paths` in ipsexpert.toml or [tool.ipsexpert] in pyproject.toml\n")
