"""`ipsexpert kb test`: the knowledge base's fixtures as a command, through the engine."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import REPO, SCENARIOS


def kb_test(*args: str):
    return CliRunner().invoke(main, ["kb", "test", *args])


@pytest.fixture
def kb_copy(tmp_path):
    shutil.copytree(REPO / "rules", tmp_path / "kb" / "rules")
    shutil.copytree(REPO / "facts", tmp_path / "kb" / "facts")
    return tmp_path / "kb"


def test_the_shipped_examples_and_bundled_expectations_hold():
    result = kb_test(str(SCENARIOS))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ") and "scenario expectations hold" in result.output


def test_a_broken_example_is_reported_at_its_line_with_expected_and_got(kb_copy):
    rule = kb_copy / "rules" / "recommendations" / "R05.yaml"
    lines = rule.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("- outcome: satisfied"))
    lines[index] = lines[index].replace("satisfied", "advised")
    rule.write_text("".join(lines))
    result = kb_test("--kb", str(kb_copy))
    assert result.exit_code == 1
    assert f"{rule}:{index + 1}: R05: expected advised, got satisfied" in result.output
    assert "1 failure(s) in" in result.output


def test_a_broken_scenario_expectation_is_reported_at_its_line(tmp_path):
    source = (SCENARIOS / "illustrative-national-service-delivery.yaml").read_text()
    assert "  R07: {outcome: advised, severity: critical}" in source
    broken = tmp_path / "broken.yaml"
    broken.write_text(source.replace("  R07: {outcome: advised, severity: critical}",
                                     "  R07: {outcome: advised, severity: high}"))
    line = next(number for number, text in enumerate(broken.read_text().splitlines(), start=1)
                if text.startswith("  R07: {outcome: advised, severity: high}"))
    result = kb_test(str(broken))
    assert result.exit_code == 1
    assert f"{broken}:{line}: R07: expected advised (high), got advised (critical)" in result.output


def test_a_scenario_without_expectations_fails_and_an_unreadable_one_exits_2(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text("name: no expectations\nanswers: {phase: design}\n")
    assert kb_test(str(plain)).exit_code == 1
    assert kb_test(str(tmp_path / "missing.yaml")).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers: [\n")
    result = kb_test(str(bad))
    assert result.exit_code == 2 and "Traceback" not in result.output
