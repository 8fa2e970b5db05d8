"""Fuzzing: whatever a file or a caller holds, the only exception is IpsExpertError.

Random bytes, YAML-like token soup, random nested structures written as YAML and JSON,
mutated real scenarios, random answers of the wrong types and random conditions in a
knowledge-base file: each either gives a valid result (a Scenario, a Report, a
KnowledgeBase) or an IpsExpertError whose problems print cleanly; never any other
exception. The seeded profile in conftest.py keeps runs reproducible; max_examples is
bounded so the whole file runs in seconds.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from hypothesis import given, settings, strategies as st

import ipsexpert
from ipsexpert import IpsExpertError, Report, Scenario
from ipsexpert.documents import Document, parse_document
from ipsexpert.knowledge.scenario import scenario_from_data
from tests.conftest import REPO, SCENARIOS

pytestmark = pytest.mark.slow

KB = ipsexpert.load_knowledge_base()
FACT_IDS = list(KB.facts)
NAMES = FACT_IDS + list(KB.derived) + list(KB.recommendations) + [
    "answers", "name", "as_of", "expect", "accepted", "notes", "id", "reason", "until", "outcome",
    "severity", "unknown", "<<"]
ENUM_VALUES = sorted({value for spec in KB.facts.values() for value in spec.values})
SCENARIO_TEXTS = [path.read_bytes() for path in sorted(SCENARIOS.glob("*.yaml"))]

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-5, max_value=3_000_000),
    st.integers(),  # arbitrarily large
    st.sampled_from([2**63 - 1, 2**63, -(2**63), 10**30]),
    st.floats(),  # nan and infinities included
    st.text(max_size=12),
    st.sampled_from(ENUM_VALUES + ["unknown", "Unknown ", "yes", "no", "2024-01-01", ""]),
)
keys = st.one_of(st.sampled_from(NAMES), st.text(max_size=10), st.integers(-3, 3), st.booleans(), st.none())
structures = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(keys, children, max_size=4)),
    max_leaves=16)

YAML_PIECES = ["answers:", "\n", "\n  ", "  ", " ", "- ", "[", "]", "{", "}", ", ", ": ", "? ", "phase",
               "design", "users_expected", "12", "0x1F", "1e400", ".nan", "~", "null", "true", "yes", "'",
               '"', "\\", "#", "---", "...", "|", ">", "&a ", "*a", "&b ", "*b", "<<: ", "!!int ", "!!str ",
               "!!binary ", "!!set ", "!!omap ", "!!python/object/apply:os.system ", "!local ", "%YAML 1.1",
               "2020-13-45", "99999999999999999999999999", "\t", "\r\n", "\ufeff", "é", "\x00", "\x85", "\u2028"]


def only_user_errors(call):
    """``call()``'s result, or None when it raised IpsExpertError (whose problems must print)."""
    try:
        return call()
    except IpsExpertError as exc:
        assert exc.problems, "an error with no problem to show"
        for problem in exc.problems:
            assert isinstance(problem.message, str) and problem.message
            assert problem.line is None or (isinstance(problem.line, int) and problem.line >= 1)
        assert str(exc)
        return None


def load_bytes(raw: bytes, json_format: bool):
    """The library path of a scenario file, from bytes: parse, then check against the catalogue."""
    name = "fuzz.json" if json_format else "fuzz.yaml"

    def load():
        doc = parse_document(raw, name, json_format=json_format)
        assert isinstance(doc, Document)
        return scenario_from_data(doc.data, KB, doc)
    scenario = only_user_errors(load)
    if scenario is not None:
        assert isinstance(scenario, Scenario)
        report = only_user_errors(lambda: ipsexpert.evaluate(scenario, KB))
        assert report is None or isinstance(report, Report)
    return scenario


@settings(max_examples=400)
@given(raw=st.binary(max_size=600), json_format=st.booleans())
def test_random_bytes(raw, json_format):
    load_bytes(raw, json_format)


@settings(max_examples=400)
@given(text=st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join))
def test_yaml_token_soup(text):
    load_bytes(text.encode("utf-8", "surrogatepass"), json_format=False)


@settings(max_examples=250)
@given(data=structures, json_format=st.booleans())
def test_random_structures_written_as_yaml_or_json(data, json_format):
    if json_format:
        text = json.dumps(data)  # NaN and Infinity included: not JSON, and must be refused
    else:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    load_bytes(text.encode(), json_format)


@settings(max_examples=200)
@given(document=st.fixed_dictionaries({}, optional={
    "name": structures, "as_of": structures, "illustrative": structures, "sources": structures,
    "answers": st.dictionaries(st.one_of(st.sampled_from(NAMES), keys), structures, max_size=6),
    "expect": st.dictionaries(st.one_of(st.sampled_from(list(KB.recommendations)), keys), structures, max_size=3),
    "accepted": st.lists(st.dictionaries(st.sampled_from(["id", "reason", "until"]), structures), max_size=3),
    "notes": st.dictionaries(st.one_of(st.sampled_from(FACT_IDS), keys), structures, max_size=3),
}), json_format=st.booleans())
def test_random_scenario_shaped_documents(document, json_format):
    text = json.dumps(document) if json_format else yaml.safe_dump(document, sort_keys=False)
    load_bytes(text.encode(), json_format)


@settings(max_examples=300)
@given(source=st.sampled_from(SCENARIO_TEXTS), edits=st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 3), st.binary(max_size=4)), min_size=1, max_size=4))
def test_mutated_real_scenarios(source, edits):
    raw = bytearray(source)
    for where, cut, insert in edits:
        index = int(where * len(raw))
        raw[index:index + cut] = insert
    load_bytes(bytes(raw), json_format=False)


wrong_values = st.one_of(structures, st.sampled_from([True, False, 1, 0, 1.5, -1, "1", "true", [], {}]))


@settings(max_examples=400)
@given(answers=st.dictionaries(st.one_of(st.sampled_from(NAMES), keys), wrong_values, max_size=8))
def test_random_answers_given_to_the_library(answers):
    report = only_user_errors(lambda: ipsexpert.evaluate(answers, KB))
    if report is not None:
        assert isinstance(report, Report)
        assert json.loads(report.model_dump_json())["answers"] == report.answers


condition_keys = st.sampled_from(["fact", "is", "equals", "in", "at_least", "at_most", "all", "any", "not",
                                  "always"])
conditions = st.recursive(
    st.one_of(scalars, st.sampled_from(FACT_IDS + list(KB.derived)), st.just("always")),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(condition_keys, children, max_size=3)),
    max_leaves=10)


@pytest.fixture(scope="module")
def kb_copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzzed-kb")
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "facts", root / "facts")
    return root


@settings(max_examples=60)
@given(field=st.sampled_from(["applies", "advised", "escalate"]), condition=conditions)
def test_random_conditions_in_a_knowledge_base(kb_copy, field, condition):
    path = kb_copy / "rules" / "recommendations" / "R01.yaml"
    original = (REPO / "rules" / "recommendations" / "R01.yaml").read_text()
    data = yaml.safe_load(original)
    data[field] = condition
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        kb = only_user_errors(lambda: ipsexpert.load_knowledge_base(kb_copy))
        if kb is not None:
            report = only_user_errors(lambda: ipsexpert.evaluate({"phase": "delivery"}, kb))
            assert report is None or isinstance(report, Report)
    finally:
        path.write_text(original)
