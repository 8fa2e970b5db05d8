"""`ipsexpert diff`: two scenario files, two saved JSON reports, or one of each."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from ipsexpert.analysis.diff import diff_reports
from tests.conftest import SCENARIOS

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The national scenario, a year later: a DPIA done, an assisted channel, one answer withdrawn;
    and each saved as `evaluate --format json` output."""
    folder = tmp_path_factory.mktemp("diff")
    data = yaml.safe_load(NATIONAL.read_text())
    data["answers"].update(dpia_done=True, assisted_channel=True)
    del data["answers"]["feedback_acted_on"]
    data["as_of"] = "2025"
    old, new = folder / "old.yaml", folder / "new.yaml"
    old.write_text(NATIONAL.read_text())
    new.write_text(yaml.safe_dump(data, sort_keys=False))
    paths = {"old": old, "new": new}
    for name in ("old", "new"):
        result = invoke("evaluate", paths[name], "--format", "json")
        paths[name + "_json"] = folder / f"{name}.json"
        paths[name + "_json"].write_text(result.output)
    return paths


def diff_json(*args) -> dict:
    result = invoke("diff", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_two_scenario_files(files):
    data = diff_json(files["old"], files["new"])
    assert data["warnings"] == []
    assert data["answers"]["changed"] == [{"fact": "dpia_done", "old": False, "new": True},
                                          {"fact": "assisted_channel", "old": False, "new": True}]
    assert data["answers"]["removed"] == [{"fact": "feedback_acted_on", "old": False, "new": None}]
    assert data["answers"]["added"] == []
    advice = data["advice"]
    assert [(a["id"], a["old_severity"], a["new_outcome"]) for a in advice["resolved"]] == [
        ("R07", "critical", "satisfied")]
    assert [(a["id"], a["new_outcome"]) for a in advice["undetermined"]] == [("R16", "undetermined")]
    assert advice["new"] == []
    changed = {a["id"]: a for a in advice["changed"]}
    assert (changed["R14"]["old_severity"], changed["R14"]["new_severity"]) == ("critical", "high")
    assert (changed["R15"]["old_rank"], changed["R15"]["new_rank"]) == (3, 2)
    assert data["counts"] == {"old": {"not_applicable": 1, "advised": 6, "satisfied": 16, "undetermined": 0},
                              "new": {"not_applicable": 1, "advised": 4, "satisfied": 17, "undetermined": 1}}
    assert {(o["id"], o["old"], o["new"]) for o in data["outcomes"]} == {
        ("R07", "advised", "satisfied"), ("R16", "advised", "undetermined")}
    assert data["old"]["as_of"] == "2024" and data["new"]["as_of"] == "2025"


def test_two_saved_reports_give_the_same_diff(files):
    assert diff_json(files["old_json"], files["new_json"]) == diff_json(files["old"], files["new"])


def test_a_saved_report_against_a_scenario(files):
    data = diff_json(files["old_json"], files["new"])
    assert [a["id"] for a in data["advice"]["resolved"]] == ["R07"]


def test_the_library_function(expert, files):
    diff = diff_reports(expert.evaluate(files["new"]), expert.evaluate(files["old"]))
    assert [a.id for a in diff.advice.new] == ["R07", "R16"]
    assert diff.answers.added[0].fact == "feedback_acted_on"


def test_table_and_markdown(files):
    table = invoke("diff", files["old"], files["new"])
    assert table.exit_code == 0
    out = table.output
    assert out.startswith("== Diff: Illustrative: national")
    assert "Outcomes: 1 not applicable, 6 advised, 16 satisfied → 1 not applicable, 4 advised, 17 satisfied, " \
           "1 undetermined" in out
    assert "resolved" in out and "critical → high" in out and "Outcome counts:" in out
    markdown = invoke("diff", files["old"], files["new"], "--format", "markdown")
    assert markdown.exit_code == 0
    assert markdown.output.startswith("# Diff: ")
    assert "| changed | dpia_done | no | yes |" in markdown.output
    assert "| resolved | R07 | critical → — |" in markdown.output


def test_identical_assessments(files):
    result = invoke("diff", files["old"], files["old_json"])
    assert result.exit_code == 0
    assert "No differences in answers, outcomes or advice." in result.output


def test_different_knowledge_bases_are_flagged(files, tmp_path):
    reports = json.loads(files["new_json"].read_text())
    reports[0]["knowledge_base"].update(version="0.9.0", hash="0123456789abcdef")
    older = tmp_path / "older-kb.json"
    older.write_text(json.dumps(reports))
    data = diff_json(older, files["new"])
    assert len(data["warnings"]) == 1 and "0.9.0" in data["warnings"][0]
    assert "warning: OLD was made with knowledge base 0.9.0" in invoke("diff", older, files["new"]).output


def test_an_array_of_two_reports_is_refused(files, tmp_path):
    both = tmp_path / "both.json"
    result = invoke("evaluate", files["old"], files["new"], "--format", "json")
    both.write_text(result.output)
    result = invoke("diff", both, files["new"])
    assert result.exit_code == 2
    assert f"error: {both}:1: holds 2 reports; diff compares one report with one" in result.stderr


def test_a_missing_file(files, tmp_path):
    result = invoke("diff", files["old"], tmp_path / "missing.json")
    assert result.exit_code == 2
    assert f"error: {tmp_path / 'missing.json'}: no such file" in result.stderr


@pytest.mark.parametrize("content, message", [
    ("[]", "is an empty list"),
    ('[{"name": "x"}]', "is a list but not the output of `ipsexpert evaluate --format json`"),
])
def test_lists_that_are_not_one_report(files, tmp_path, content, message):
    path = tmp_path / "odd.json"
    path.write_text(content)
    result = invoke("diff", path, files["new"])
    assert result.exit_code == 2 and message in result.stderr


def test_a_broken_report_names_the_field(files, tmp_path):
    reports = json.loads(files["old_json"].read_text())
    reports[0]["advice"][0]["severity"] = "urgent"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(reports, indent=2))
    result = invoke("diff", broken, files["new"])
    assert result.exit_code == 2
    assert "[0].advice[0].severity: not a valid report" in result.stderr
