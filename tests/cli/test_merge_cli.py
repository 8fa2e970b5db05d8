"""`ipsexpert merge` through the command line."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import SCENARIOS


def respondent_file(tmp_path, name: str, who: str, replace: tuple[str, str] | None = None):
    text = (SCENARIOS / "illustrative-national-service-delivery.yaml").read_text()
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / name
    path.write_text(text + f"respondent: {who}\n")
    return path


def test_merge_writes_a_scenario_that_evaluate_reads(tmp_path):
    a = respondent_file(tmp_path, "ministry.yaml", "Ministry")
    b = respondent_file(tmp_path, "agency.yaml", "Agency", ("  dpia_done: false", "  dpia_done: true"))
    out = tmp_path / "merged.yaml"
    result = CliRunner().invoke(main, ["merge", str(a), str(b), "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text())
    assert data["respondents"] == ["Agency", "Ministry"]
    assert "dpia_done" in data["disputed"] and "dpia_done" not in data["answers"]
    report = CliRunner().invoke(main, ["evaluate", str(out)]).output
    assert "Disagreements (1):" in report and "if Ministry is right (no): R07 becomes advised (critical)" in report


def test_merge_never_writes_over_an_input(tmp_path):
    a = respondent_file(tmp_path, "ministry.yaml", "Ministry")
    b = respondent_file(tmp_path, "agency.yaml", "Agency")
    before = a.read_text()
    result = CliRunner().invoke(main, ["merge", str(a), str(b), "--output", str(a)])
    assert result.exit_code == 2 and "is also an input" in result.output
    assert a.read_text() == before


def test_merge_to_standard_output_and_bad_input(tmp_path):
    a = respondent_file(tmp_path, "ministry.yaml", "Ministry")
    result = CliRunner().invoke(main, ["merge", str(a)])
    assert result.exit_code == 0 and yaml.safe_load(result.output)["respondents"] == ["Ministry"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers: {phase: build}\n")
    result = CliRunner().invoke(main, ["merge", str(a), str(bad)])
    assert result.exit_code == 2 and "'build' is not one of" in result.output and "Traceback" not in result.output
