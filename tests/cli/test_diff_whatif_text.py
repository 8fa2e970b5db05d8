"""diff: rank-only moves as one line, a warning for two different projects; whatif: one row
for the values of one fact that do the same, and its columns explained."""

from __future__ import annotations

import json
import re

import yaml
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import SCENARIOS

REGIONAL = SCENARIOS / "illustrative-regional-consortium-design.yaml"
NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def regional_with(tmp_path, name: str, **answers) -> str:
    data = yaml.safe_load(REGIONAL.read_text(encoding="utf-8"))
    data["answers"].update(answers)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return str(path)


def test_advice_that_only_moved_in_rank_is_one_line(tmp_path):
    new = regional_with(tmp_path, "2025.yaml", lead_organisation=True)
    result = run("diff", REGIONAL, new)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert ("Rank only (same severity and score, moved by other advice): R03 3 → 2, R04 4 → 3, R05 5 → 4, "
            "R06 6 → 5, R08 7 → 6, R19 8 → 7, R22 9 → 8, R09 10 → 9") in lines
    advice_rows = [line for line in lines if re.match(r"(resolved|new|changed|undetermined) +R\d\d", line)]
    assert len(advice_rows) == 1 and advice_rows[0].startswith("resolved  R02")
    markdown = run("diff", REGIONAL, new, "--format", "markdown").stdout
    assert "Rank only (same severity and score, moved by other advice): R03 3 → 2," in markdown
    assert "| changed | R0" not in markdown
    assert len(json.loads(run("diff", REGIONAL, new, "-f", "json").stdout)["advice"]["changed"]) == 8


def test_two_different_projects_are_warned_of_in_every_format():
    table = run("diff", REGIONAL, NATIONAL)
    warning = ("the two assessments name different projects ('Illustrative: regional consortium designing a joint "
               "permit service' and 'Illustrative: national long-term care benefit service in delivery'): is this "
               "the project you meant to compare?")
    assert f"warning: {warning}" in table.stdout.splitlines()
    as_json = run("diff", REGIONAL, NATIONAL, "--format", "json")
    assert warning in json.loads(as_json.stdout)["warnings"]
    assert "different projects" not in run("diff", REGIONAL, REGIONAL).output


def test_diff_help_points_at_the_readme_for_the_json_keys():
    help_text = " ".join(run("diff", "--help").output.split())
    assert "the json keys are listed in the README" in help_text and "diff.py" not in help_text


def test_whatif_merges_values_of_one_fact_that_do_the_same_and_explains_its_columns(tmp_path):
    path = regional_with(tmp_path, "barriers.yaml", legal_barriers="found_unresolved")
    result = run("whatif", path, "--max-changes", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    row = next(line for line in lines if "legal_barriers:" in line)
    assert re.match(r"\s+\d+\s+legal_barriers: found_unresolved → resolved or none_found\s+R06 high\s+26 → 23$", row)
    assert sum("legal_barriers" in line for line in lines) == 1
    assert ("removes: advice the change would settle; adds: advice it would bring; also: severities it would "
            "change and open recommendations it settles or leaves open; score: the total priority score now → "
            "after.") in lines
    options = json.loads(run("whatif", path, "--max-changes", "1", "-f", "json").stdout)["options"]
    assert sum(option["changes"][0]["fact"] == "legal_barriers" for option in options) == 2  # JSON keeps both
