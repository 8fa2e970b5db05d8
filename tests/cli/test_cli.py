"""`ipsexpert evaluate` and the library, through the interfaces users use."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

import ipsexpert
from ipsexpert.cli.commands import main
from tests.conftest import REPO, SCENARIOS, run_cli

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"
REGIONAL = SCENARIOS / "illustrative-regional-consortium-design.yaml"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_json_contract_keys_and_input_order():
    result = invoke("evaluate", SCENARIOS, "--format", "json")
    assert result.exit_code == 0, result.output
    reports = json.loads(result.output)
    assert [r["source"] for r in reports] == [str(p) for p in sorted(SCENARIOS.glob("*.yaml"))]
    report = next(r for r in reports if r["source"].endswith(NATIONAL.name))
    for key in ("source", "name", "answers", "outcomes", "advice", "undetermined", "knowledge_base"):
        assert key in report
    advice = report["advice"][0]
    for key in ("id", "title", "construct", "severity", "base_severity", "timing", "score", "rank", "explanation"):
        assert key in advice
    assert {"steps", "text"} <= set(advice["explanation"])
    assert {"answer", "condition", "score"} <= {step["kind"] for step in advice["explanation"]["steps"]}
    assert set(report["knowledge_base"]) == {"name", "version", "hash"}
    assert all({"id", "deciding_facts"} <= set(u) for u in
               next(r for r in reports if "latvija" in r["source"])["undetermined"])


def test_library_and_cli_agree():
    cli = json.loads(invoke("evaluate", NATIONAL, "--format", "json").output)[0]
    library = json.loads(ipsexpert.evaluate(NATIONAL).model_dump_json())
    assert cli == library


def test_table_is_the_default_and_explains_on_request():
    plain = invoke("evaluate", NATIONAL)
    assert plain.exit_code == 0
    assert "rank" in plain.output and "R07" in plain.output and "How:" not in plain.output
    explained = invoke("evaluate", NATIONAL, "--explain")
    assert "How:" in explained.output and "You answered" in explained.output


def test_markdown_report():
    out = invoke("evaluate", REGIONAL, "--format", "markdown").output
    assert out.startswith("# Illustrative")
    assert "## Advice by priority" in out and "<details>" in out and "knowledge base 2.0.0" in out


@pytest.mark.parametrize("threshold, code", [("critical", 1), ("high", 1), ("low", 1)])
def test_fail_on_exits_1_when_advice_reaches_the_threshold(threshold, code):
    assert invoke("evaluate", NATIONAL, "--fail-on", threshold).exit_code == code


def test_fail_on_exits_0_below_the_threshold():
    latvia = SCENARIOS / "latvija-lv.yaml"
    assert invoke("evaluate", latvia, "--fail-on", "low").exit_code == 0


def test_user_error_wins_over_fail_on(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers:\n  phase: build\n")
    result = invoke("evaluate", NATIONAL, bad, "--fail-on", "low")
    assert result.exit_code == 2
    assert "bad.yaml:2: answers.phase: 'build' is not one of design, delivery, evaluation" in result.output


def test_trace_lists_rules_in_firing_order():
    result = CliRunner().invoke(main, ["evaluate", str(NATIONAL), "--trace", "--format", "json"])
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("FIRE ")]
    assert lines[0].startswith("FIRE 1 ") and len(lines) > 20
    json.loads(result.stdout)


def test_output_file_is_written_whole(tmp_path):
    target = tmp_path / "report.json"
    result = invoke("evaluate", SCENARIOS, "--format", "json", "--output", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"wrote {target}: json, {len(list(SCENARIOS.glob('*.yaml')))} scenarios\n"
    assert len(json.loads(target.read_text())) == len(list(SCENARIOS.glob("*.yaml")))
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_jobs_give_byte_identical_output(tmp_path):
    for index in range(6):
        shutil.copy(NATIONAL if index % 2 else REGIONAL, tmp_path / f"s{index}.yaml")
    serial = run_cli("evaluate", str(tmp_path), "--format", "json")
    parallel = run_cli("evaluate", str(tmp_path), "--format", "json", "--jobs", "2")
    assert serial.returncode == parallel.returncode == 0, serial.stderr + parallel.stderr
    assert serial.stdout == parallel.stdout


def test_reruns_are_byte_identical():
    first = run_cli("evaluate", str(SCENARIOS), "--format", "json")
    second = run_cli("evaluate", str(SCENARIOS), "--format", "json")
    assert first.returncode == 0 and first.stdout == second.stdout


def test_help_and_version_do_not_import_the_engine():
    probe = ("import sys, runpy; sys.argv = ['ipsexpert', '{arg}']\n"
             "try:\n    runpy.run_module('ipsexpert', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('experta', 'pydantic')))")
    import subprocess
    import sys
    for arg in ("--help", "--version"):
        out = subprocess.run([sys.executable, "-c", probe.format(arg=arg)], capture_output=True, text=True,
                             cwd=REPO).stdout
        assert "LOADED []" in out, out


def test_library_accepts_mapping_scenario_and_path(kb):
    from ipsexpert import Scenario
    answers = {"phase": "design", "organisations_involved": 3, "lead_organisation": False}
    by_mapping = ipsexpert.evaluate(answers)
    by_scenario = ipsexpert.evaluate(Scenario(name="x", answers=answers))
    assert by_mapping.outcomes == by_scenario.outcomes
    assert by_mapping.outcomes["R02"] == "advised"
    with pytest.raises(ipsexpert.ScenarioError, match="did you mean lead_organisation"):
        ipsexpert.evaluate({"lead_organization": False})
    with pytest.raises(ipsexpert.ScenarioError, match="multi_organisation is derived"):
        ipsexpert.evaluate({"multi_organisation": True})
