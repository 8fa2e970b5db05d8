"""Messages about a scenario file say what to change: where answers go, the value as written,
the value meant, a tab; and a choice's value is read whatever its case."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ipsexpert.cli.commands import main


def evaluate(path, *args: str):
    return CliRunner().invoke(main, ["evaluate", str(path), *args])


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_fact_ids_at_the_top_level_are_sent_under_answers(tmp_path):
    path = tmp_path / "flat.yaml"
    path.write_text("name: flat\nphase: design\nscope: regional\n")
    result = evaluate(path)
    assert result.exit_code == 2
    assert errors(result) == [f"error: {path}:2: put fact answers under `answers:` (indented below it): "
                              "phase and scope are facts, not fields of a scenario"]
    assert "Extra inputs are not permitted" not in result.output


def test_an_unknown_field_names_the_fields_there_are(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("name: x\nnotse: {}\n")
    result = evaluate(path)
    assert errors(result) == [f"error: {path}:2: notse: unknown field (did you mean notes?); the fields here are "
                              "name, as_of, description, illustrative, sources, answers, expect, accepted, notes, "
                              "respondent, respondents, given_by, disputed"]


@pytest.mark.parametrize("line, message", [
    ("organisations_involved: yes", "answers.organisations_involved: yes is not a whole number"),
    ("organisations_involved: True", "answers.organisations_involved: True is not a whole number"),
    ("phase: no", "answers.phase: no is not one of design, delivery, evaluation"),
    ("users_expected: 1.50", "answers.users_expected: 1.50 is not a whole number"),
    ("funding: project", "answers.funding: 'project' is not one of none, project_only, multi_year "
                         "(did you mean project_only?)"),
    ("legal_barriers: unresolved  # not sure",
     "answers.legal_barriers: 'unresolved' is not one of not_assessed, found_unresolved, resolved, none_found "
     "(did you mean found_unresolved?)"),
])
def test_values_are_quoted_as_written_with_the_nearest_allowed_value(tmp_path, line, message):
    path = tmp_path / "wrong.yaml"
    path.write_text(f"answers:\n  {line}\n")
    assert errors(evaluate(path)) == [f"error: {path}:2: {message}"]


def test_json_values_quoted_as_written_and_told_how_to_fix(tmp_path):
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps({"answers": {"users_expected": "1200", "processes_personal_data": "yes",
                                            "lead_organisation": 1}}, indent=1))
    assert errors(evaluate(path)) == [
        f"error: {path}:3: answers.users_expected: '1200' is not a whole number: write the number without quotes",
        f"error: {path}:4: answers.processes_personal_data: 'yes' is not true or false: write true or false, "
        "without quotes",
        f"error: {path}:5: answers.lead_organisation: 1 is not true or false"]


def test_a_tab_in_the_indentation_is_named(tmp_path):
    path = tmp_path / "tabs.yaml"
    path.write_text("name: tabs\nanswers:\n  phase: design\n\tscope: regional\n")
    assert errors(evaluate(path)) == [f"error: {path}:4: is not valid YAML: line 4 is indented with a tab; "
                                      "indent with spaces only"]


def test_choice_values_are_read_whatever_their_case_and_stored_as_the_catalogue_spells_them(tmp_path):
    path = tmp_path / "cased.yaml"
    path.write_text("answers:\n  phase: Design\n  scope: REGIONAL\n  organisations_involved: 3\n")
    result = evaluate(path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["answers"] == {"phase": "design", "scope": "regional",
                                                       "organisations_involved": 3}
