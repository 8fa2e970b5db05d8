"""A batch's scenario records: the model's fields and values, or the model itself where in doubt.

``read_scenario`` makes a plain record of a file that holds only plain fields, and hands
every other file to the pydantic ``Scenario``; these tests hold the record to what the
model makes of the same file, and check that what the record cannot vouch for goes to
the model, with the model's messages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ipsexpert.errors import ScenarioError
from ipsexpert.knowledge.scenario import Scenario, load_scenario
from ipsexpert.knowledge.scenario_record import ScenarioRecord, read_scenario
from tests.conftest import REPO, SCENARIOS


def _fields(scenario) -> dict:
    return {name: getattr(scenario, name) for name in Scenario.model_fields}


def test_a_record_has_exactly_the_model_fields_and_defaults():
    assert ScenarioRecord.field_names == tuple(Scenario.model_fields)
    assert _fields(ScenarioRecord()) == _fields(Scenario())


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda path: path.stem)
def test_each_bundled_scenario_reads_as_the_model_reads_it(kb, path):
    read = read_scenario(path, kb)
    assert _fields(read) == _fields(load_scenario(path, kb))
    assert read.known_answers() == load_scenario(path, kb).known_answers()


PLAIN = {"name": "x", "as_of": 2021, "description": "d", "illustrative": True, "sources": ["a"],
         "respondent": "r", "respondents": ["r", "s"], "notes": {"phase": "n"}, "given_by": {"phase": ["r"]},
         "answers": {"phase": "Design", "organisations_involved": 3, "dpia_done": "unknown", "pilot": None}}


def test_a_file_of_plain_fields_becomes_a_record_with_the_model_values(kb, tmp_path):
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(PLAIN), encoding="utf-8")
    read = read_scenario(path, kb)
    assert type(read) is ScenarioRecord
    assert _fields(read) == _fields(load_scenario(path, kb))
    assert read.as_of == "2021" and read.answers["phase"] == "design" and read.answers["dpia_done"] is None


@pytest.mark.parametrize("change", [
    {"accepted": [{"id": "R01", "reason": "later"}]},
    {"expect": {"R01": "advised"}},
    {"disputed": {"pilot": [{"respondent": "a", "value": "none"}, {"respondent": "b", "value": "done"}]}},
    {"illustrative": "yes"}, {"illustrative": 1},  # the model converts these to true
    {"as_of": "2021-05-01T00:00"},  # still text: a record
])
def test_accepted_risks_expectations_and_disputes_go_to_the_model(kb, tmp_path, change):
    path = tmp_path / "rich.json"
    data = {**PLAIN, **change}
    if "disputed" in change:
        data["answers"] = {key: value for key, value in data["answers"].items() if key != "pilot"}
    path.write_text(json.dumps(data), encoding="utf-8")
    read = read_scenario(path, kb)
    assert type(read) is (ScenarioRecord if "as_of" in change else Scenario)
    assert _fields(read) == _fields(load_scenario(path, kb))


@pytest.mark.parametrize("change", [
    {"name": 3}, {"name": None}, {"description": ["a"]}, {"illustrative": "maybe"},
    {"sources": "a"}, {"sources": [1]}, {"notes": {"phase": 2}}, {"notes": {"no_such_fact": "n"}},
    {"given_by": {"phase": "r"}}, {"respondents": [None]}, {"answers": {"phase": "nowhere"}},
    {"answers": ["phase"]}, {"organisations_involved": 3}, {"colour": "red"},
])
def test_anything_the_model_would_refuse_gets_the_models_own_messages(kb, tmp_path, change):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**PLAIN, **change}), encoding="utf-8")
    with pytest.raises(ScenarioError) as model:
        load_scenario(path, kb)
    with pytest.raises(ScenarioError) as batch:
        read_scenario(path, kb)
    assert [str(problem) for problem in batch.value.problems] == [str(problem) for problem in model.value.problems]


def test_a_warm_evaluate_of_a_plain_scenario_defines_no_pydantic_model(tmp_path):
    """What makes a start quick: with the snapshot cached, neither the knowledge base nor the
    scenario needs a model, so pydantic's model machinery is never imported."""
    check = ("import runpy, sys\n"
             "sys.argv = ['ipsexpert', 'evaluate', sys.argv[1], '--format', 'json']\n"
             "try:\n    runpy.run_module('ipsexpert', run_name='__main__', alter_sys=True)\n"
             "except SystemExit:\n    pass\n"
             "print('PYDANTIC' if 'pydantic' in sys.modules else 'NONE', file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("IPSEXPERT_NO_CACHE", None)
    scenario = tmp_path / "plain.json"
    scenario.write_text(json.dumps(PLAIN), encoding="utf-8")
    runs = [subprocess.run([sys.executable, "-c", check, str(scenario)], capture_output=True, text=True, env=env,
                           timeout=120) for _ in range(2)]
    assert [run.stderr.strip().splitlines()[-1] for run in runs] == ["PYDANTIC", "NONE"]
    assert runs[0].stdout == runs[1].stdout
