"""Accepted risks, evidence notes and the scenario JSON Schema, through the CLI and library."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

import ipsexpert
from ipsexpert.cli.commands import main
from tests.conftest import SCENARIOS

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"


def scenario_with(tmp_path, **extra):
    data = yaml.safe_load(NATIONAL.read_text())
    data.update(extra)
    path = tmp_path / "project.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def critical_ids(path):
    return [a.id for a in ipsexpert.evaluate(path).advice if a.severity == "critical"]


def test_accepted_risk_is_shown_and_spares_fail_on_until_its_date(tmp_path):
    plain = scenario_with(tmp_path)
    ids = critical_ids(plain)
    assert ids, "the illustrative national service has critical advice"
    accepted = [{"id": rec_id, "reason": "board decision 2024-03: accepted for the pilot",
                 "until": "2027-01-31"} for rec_id in ids]
    path = scenario_with(tmp_path, accepted=accepted)
    report = ipsexpert.evaluate(path)
    item = next(a for a in report.advice if a.id == ids[0])
    assert item.accepted.reason.startswith("board decision") and str(item.accepted.until) == "2027-01-31"

    def fail_on(today):
        return CliRunner().invoke(main, ["evaluate", str(path), "--fail-on", "critical", "--today", today])

    assert fail_on("2027-01-31").exit_code == 0
    assert fail_on("2027-02-01").exit_code == 1
    shown = json.loads(CliRunner().invoke(main, ["evaluate", str(path), "--format", "json"]).output)[0]
    assert next(a for a in shown["advice"] if a["id"] == ids[0])["accepted"]["until"] == "2027-01-31"
    table = CliRunner().invoke(main, ["evaluate", str(path)]).output
    assert "board decision 2024-03" in table


def test_acceptance_without_date_holds(tmp_path):
    ids = critical_ids(scenario_with(tmp_path))
    path = scenario_with(tmp_path, accepted=[{"id": i, "reason": "out of scope"} for i in ids])
    assert CliRunner().invoke(main, ["evaluate", str(path), "--fail-on", "critical"]).exit_code == 0


def test_acceptance_of_unknown_recommendation_is_an_error(tmp_path):
    path = scenario_with(tmp_path, accepted=[{"id": "R70", "reason": "typo"}])
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 2 and "accepted[0].id: unknown recommendation" in result.output


def test_notes_appear_beside_the_answers_they_explain(tmp_path):
    first = ipsexpert.evaluate(scenario_with(tmp_path)).advice[0]
    fact = next(step.fact for step in first.explanation.steps if step.kind == "answer")
    path = scenario_with(tmp_path, notes={fact: "legal unit, memo of 2024-05-02"})
    report = ipsexpert.evaluate(path)
    assert report.notes[fact].startswith("legal unit")
    steps = [s for a in report.advice for s in a.explanation.steps if s.fact == fact]
    assert steps and all(s.note and "memo of 2024-05-02" in s.text for s in steps)


def test_note_on_unknown_fact_is_an_error(tmp_path):
    path = scenario_with(tmp_path, notes={"legal_basis": "x"})
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 2 and "notes.legal_basis: unknown fact" in result.output


@pytest.fixture(scope="module")
def schema():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(data)
    return data


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_schema_accepts_every_bundled_scenario(schema, path):
    jsonschema.validate(yaml.safe_load(path.read_text()), schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("bad", [
    {"answers": {"phase": "build"}},
    {"answers": {"lead_organisation": 1}},
    {"answers": {"organisations_involved": True}},
    {"answers": {"organisations_involved": 0}},
    {"answers": {"multi_organisation": True}},
    {"expect": {"R99": "advised"}},
    {"notes": {"not_a_fact": "x"}},
])
def test_schema_rejects_what_the_loader_rejects(schema, kb, bad):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema, cls=jsonschema.Draft202012Validator)
    with pytest.raises(ipsexpert.ScenarioError):
        from ipsexpert.knowledge.scenario import scenario_from_data
        scenario_from_data(bad, kb)


@pytest.mark.parametrize("as_of", ["2024-05", 2024, None])
def test_schema_accepts_what_the_loader_accepts_for_as_of(schema, kb, as_of):
    """An unquoted year is read as text by the loader, so the editor must not flag it."""
    scenario = {"as_of": as_of, "answers": {"phase": "design"}}
    jsonschema.validate(scenario, schema, cls=jsonschema.Draft202012Validator)
    from ipsexpert.knowledge.scenario import scenario_from_data
    assert scenario_from_data(scenario, kb).as_of == (None if as_of is None else str(as_of))


def test_schema_describes_each_fact_with_its_question(schema, kb):
    answers = schema["properties"]["answers"]["properties"]
    assert set(answers) == set(kb.facts)
    assert answers["legal_barriers"]["title"] == kb.facts["legal_barriers"].question
    assert {"enum": list(kb.facts["legal_barriers"].values)} in answers["legal_barriers"]["anyOf"]
