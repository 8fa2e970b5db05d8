"""Paths and choices: a near miss gets the nearest suggested, subfolders are searched when asked,
--kb says what is wrong with a folder, `-` reads standard input, choices ignore case."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import REPO, SCENARIOS

LATVIA = SCENARIOS / "latvija-lv.yaml"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, [str(arg) for arg in args], input=input)


@pytest.mark.parametrize("typed, meant", [("digisos.yaml", "digisos-norway.yaml"),
                                          ("digisos-norwy.yaml", "digisos-norway.yaml"),
                                          ("Latvija-LV.yaml", "latvija-lv.yaml")])
def test_a_missing_file_gets_the_nearest_one_suggested(tmp_path, typed, meant):
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    result = run("evaluate", tmp_path / "scenarios" / typed)
    assert result.exit_code == 2
    assert (f"error: {tmp_path / 'scenarios' / typed}: no such file or folder "
            f"(did you mean {tmp_path / 'scenarios' / meant}?)") in result.stderr


def test_a_misspelt_folder_on_the_way_is_corrected_too(tmp_path):
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    result = run("evaluate", tmp_path / "scenario" / "digisos-norway.yaml")
    assert f"(did you mean {tmp_path / 'scenarios' / 'digisos-norway.yaml'}?)" in result.stderr


def test_nothing_is_suggested_when_nothing_is_near(tmp_path):
    (tmp_path / "project.yaml").write_text("name: x\n")
    result = run("evaluate", tmp_path / "elsewhere.yaml")
    assert result.stderr.splitlines()[0] == f"error: {tmp_path / 'elsewhere.yaml'}: no such file or folder"


def test_subfolders_are_searched_only_with_recursive_and_the_message_says_so(tmp_path):
    (tmp_path / "portfolio" / "north").mkdir(parents=True)
    (tmp_path / "portfolio" / ".git").mkdir()
    shutil.copy(LATVIA, tmp_path / "portfolio" / "north" / "latvia.yaml")
    shutil.copy(LATVIA, tmp_path / "portfolio" / ".git" / "hidden.yaml")
    flat = run("evaluate", tmp_path / "portfolio")
    assert flat.exit_code == 2
    assert ("is a folder with no scenario files (*.yaml, *.yml, *.json); subfolders are not searched unless "
            "you add --recursive") in flat.stderr
    deep = run("evaluate", tmp_path / "portfolio", "--recursive", "--format", "json")
    assert deep.exit_code == 0, deep.output
    assert [report["source"] for report in json.loads(deep.stdout)] == [
        str(tmp_path / "portfolio" / "north" / "latvia.yaml")]


@pytest.mark.parametrize("folder, message", [
    ("nowhere", "error: --kb: {path} does not exist"),
    ("empty", "error: --kb: {path} is not a knowledge base: it has no rules/ and no facts/ (a knowledge base is a "
              "folder holding rules/ and facts/)"),
    ("half", "error: --kb: {path} is not a knowledge base: it has no facts/"),
    ("file.txt", "error: --kb: {path} is a file; a knowledge base is a folder holding rules/ and facts/"),
])
def test_kb_tells_a_missing_folder_from_one_that_is_no_knowledge_base(tmp_path, folder, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "half" / "rules").mkdir(parents=True)
    (tmp_path / "file.txt").write_text("x")
    result = run("evaluate", LATVIA, "--kb", tmp_path / folder)
    assert result.exit_code == 2
    assert result.stderr.startswith(message.format(path=tmp_path / folder))


def test_a_misspelt_kb_folder_gets_a_real_knowledge_base_suggested(tmp_path):
    shutil.copytree(REPO / "rules", tmp_path / "my-kb" / "rules")
    shutil.copytree(REPO / "facts", tmp_path / "my-kb" / "facts")
    result = run("kb", "list", "--kb", tmp_path / "my-bk")
    assert result.exit_code == 2
    assert f"does not exist (did you mean {tmp_path / 'my-kb'}?)" in result.stderr
    assert run("kb", "check", tmp_path / "my-bk").stderr.startswith(f"error: {tmp_path / 'my-bk'} does not exist")


def test_dash_reads_one_scenario_from_standard_input():
    result = run("evaluate", "-", "--format", "json", input=LATVIA.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)[0]
    assert report["source"] == "<stdin>" and report["name"] == "Latvija.lv (Latvia)"
    bad = run("evaluate", "-", input="answers:\n  phase: build\n")
    assert bad.exit_code == 2 and "error: <stdin>:2: answers.phase: 'build' is not one of" in bad.stderr
    twice = run("evaluate", "-", "-", input="name: x\n")
    assert twice.exit_code == 2 and "`-` (standard input) can be read once" in twice.stderr


def test_json_on_standard_input_is_read_as_json():
    result = run("evaluate", "-", "--format", "json", input='{"name": "j", "answers": {"phase": "design"}}')
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["answers"] == {"phase": "design"}


def test_choices_ignore_case_and_a_typo_gets_the_nearest():
    assert run("evaluate", LATVIA, "-f", "JSON").exit_code == 0
    assert run("evaluate", LATVIA, "--view", "Roadmap").exit_code == 0
    result = run("evaluate", LATVIA, "-f", "jsn")
    assert result.exit_code == 2
    assert ("'jsn' is not one of table, markdown, json, html, junit (did you mean json?)") in result.output
    assert "(did you mean high?)" in run("evaluate", LATVIA, "--fail-on", "hihg").output
