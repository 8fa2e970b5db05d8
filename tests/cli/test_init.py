"""`ipsexpert init` writes a template a new user fills in, and never replaces a file."""

from __future__ import annotations

from datetime import date

import yaml
from click.testing import CliRunner

from ipsexpert.cli.commands import main


def run(*args: str, cwd=None):
    return CliRunner().invoke(main, list(args))


def test_init_writes_every_fact_as_unknown_grouped_by_construct_with_question_and_values(kb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "scenario.yaml").read_text(encoding="utf-8")
    assert f"wrote scenario.yaml: {len(kb.facts)} questions, all unknown" in result.stderr
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=ipsexpert-scenario.schema.json"
    data = yaml.safe_load(text)
    assert data["name"] == "scenario" and data["as_of"] == date.today().isoformat()
    assert list(data["answers"]) == list(kb.facts) and set(data["answers"].values()) == {"unknown"}
    phase = lines.index("  phase: unknown")
    assert lines[phase - 2:phase] == [f"  # {kb.facts['phase'].question}", "  # design | delivery | evaluation"]
    headings = [line.strip() for line in lines if line.strip().startswith("# --- ")]
    assert headings[:2] == ["# --- Context ---", "# --- Formal agreements ---"]
    assert "  # a whole number >= 1" in lines and "  # true | false" in lines


def test_the_template_loads_with_evaluate(tmp_path):
    target = tmp_path / "my-project.yaml"
    assert run("init", str(target)).exit_code == 0
    result = run("evaluate", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"== my-project — {target} — as of {date.today().isoformat()}")
    assert "Outcomes: 23 undetermined" in result.stdout


def test_init_never_replaces_an_existing_file(tmp_path):
    target = tmp_path / "mine.yaml"
    target.write_text("name: my answers\n")
    result = run("init", str(target))
    assert result.exit_code == 2
    assert f"error: {target}: exists already and is left as it is" in result.output
    assert target.read_text() == "name: my answers\n"


def test_init_dash_writes_to_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", "-")
    assert result.exit_code == 0 and list(tmp_path.iterdir()) == []
    assert yaml.safe_load(result.stdout)["name"] == "My project"
