"""The shipped knowledge base: every rule's examples, every scenario's expectations,
and `kb check` finding each kind of defect in deliberately broken copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from ipsexpert.errors import KnowledgeBaseError
from ipsexpert.knowledge import semantics
from ipsexpert.knowledge.loading import load_knowledge_base
from ipsexpert.knowledge.scenario import load_scenario
from ipsexpert.report.expert import Expert
from tests.conftest import REPO, SCENARIOS

RULES = sorted((REPO / "rules" / "recommendations").glob("*.yaml"))
SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_all_23_recommendations_and_the_catalogue_are_loaded(kb):
    assert list(kb.recommendations) == [f"R{n:02d}" for n in range(1, 24)]
    assert len(kb.facts) == 57 and "end_users_interact" in kb.facts  # revision 2 added end_users_interact
    assert set(kb.derived) == {"multi_organisation", "cross_border", "large_scale", "sensitive_processing",
                               "exclusion_risk", "serves_citizens", "past_design", "dpia_expected"}


def rule_examples():
    for path in RULES:
        data = yaml.safe_load(path.read_text())
        for index, example in enumerate(data["examples"]):
            yield pytest.param(data["id"], example, id=f"{data['id']}-{index}")


@pytest.mark.parametrize("rec_id, example", list(rule_examples()))
def test_rule_example(expert, rec_id, example):
    report = expert.evaluate(example["answers"])
    assert report.outcomes[rec_id] == example["outcome"]
    if example.get("severity"):
        assert next(a.severity for a in report.advice if a.id == rec_id) == example["severity"]


def test_a_loaded_knowledge_base_copies_and_pickles_as_it_is(kb):
    """Its records are immutable, yet a library caller may copy one or send the whole
    knowledge base to another process."""
    import copy
    import pickle
    for clone in (copy.copy(kb), copy.deepcopy(kb), pickle.loads(pickle.dumps(kb))):
        assert (clone.meta, clone.facts, clone.derived, clone.recommendations, clone.eif, clone.maturity) == \
            (kb.meta, kb.facts, kb.derived, kb.recommendations, kb.eif, kb.maturity)
    with pytest.raises(TypeError, match="cannot be changed"):
        kb.facts["phase"].question = "?"
    assert kb.facts["phase"].replace(question="?").question == "?" != kb.facts["phase"].question


def test_every_rule_has_two_advised_and_two_other_examples(kb):
    for rec in kb.recommendations.values():
        outcomes = [example.outcome for example in rec.examples]
        assert outcomes.count("advised") >= 2, rec.id
        assert "satisfied" in outcomes, rec.id
        assert {"not_applicable", "undetermined"} & set(outcomes), rec.id


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_scenario_expectations(expert, kb, path):
    scenario = load_scenario(path, kb)
    assert set(scenario.expect) == set(kb.recommendations), "every recommendation has an expectation"
    report = expert.evaluate(scenario)
    severities = {a.id: a.severity for a in report.advice}
    for rec_id, expected in scenario.expect.items():
        assert report.outcomes[rec_id] == expected.outcome, rec_id
        if expected.severity:
            assert severities[rec_id] == expected.severity, rec_id


def test_illustrative_scenarios_exercise_every_recommendation(expert, kb):
    advised = set()
    for path in SCENARIO_FILES:
        scenario = load_scenario(path, kb)
        if scenario.illustrative:
            assert all(value is not None for value in scenario.answers.values())
            value_of = semantics.value_of(kb, scenario.answers)
            unasked = {f for f in kb.facts if f not in scenario.answers}
            assert all(not semantics.askable(kb, f, value_of) for f in unasked), \
                f"{path.name} answers every question that arises for it"
            advised |= {a.id for a in expert.evaluate(scenario).advice}
    assert advised == set(kb.recommendations)


# --- kb check ------------------------------------------------------------------------

def kb_check(path=None):
    return CliRunner().invoke(main, ["kb", "check"] + ([str(path)] if path else []))


def test_shipped_knowledge_base_passes_kb_check():
    result = kb_check()
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 23 recommendations, 57 facts, 8 derived facts")


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    shutil.copytree(REPO / "facts", tmp_path / "facts")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def rec_file(root: Path, rec_id: str) -> Path:
    return root / "rules" / "recommendations" / f"{rec_id}.yaml"


def expect_finding(root: Path, *fragments: str, exit_code: int = 1) -> str:
    result = kb_check(root)
    assert result.exit_code == exit_code, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
    return result.output


def test_finds_unknown_fact(kb_copy):
    edit(rec_file(kb_copy, "R02"), "fact: lead_organisation", "fact: lead_organization")
    out = expect_finding(kb_copy, "R02.yaml", "advised.fact", "unknown fact 'lead_organization'",
                         "did you mean lead_organisation")
    assert "Traceback" not in out


def test_finds_value_outside_the_facts_values(kb_copy):
    edit_yaml(rec_file(kb_copy, "R06"), lambda d: d["advised"].update({"in": ["not_assessed", "unresolved"]}))
    expect_finding(kb_copy, "R06.yaml", "advised.in", "'unresolved' is not a value of legal_barriers")


def test_finds_comparison_of_the_wrong_type(kb_copy):
    edit_yaml(rec_file(kb_copy, "R02"), lambda d: d.update(advised={"fact": "lead_organisation",
                                                                   "equals": "no"}))
    expect_finding(kb_copy, "R02.yaml", "advised.equals", "yes/no")


def test_finds_duplicate_id(kb_copy):
    shutil.copy(rec_file(kb_copy, "R02"), kb_copy / "rules" / "recommendations" / "R02-copy.yaml")
    expect_finding(kb_copy, "R02-copy.yaml", "duplicate id R02")


def test_finds_derivation_cycle(kb_copy):
    edit(kb_copy / "rules" / "derived.yaml", "when: {fact: organisations_involved, at_least: 2}",
         "when: {fact: large_scale, is: true}")
    edit(kb_copy / "rules" / "derived.yaml", "        - {fact: users_expected, at_least: 100000}",
         "        - {fact: multi_organisation, is: true}")
    expect_finding(kb_copy, "derived.yaml", "derivation cycle")


def test_finds_fact_nothing_reads(kb_copy):
    with open(kb_copy / "facts" / "roadmap.yaml", "a") as handle:
        handle.write("  - id: lessons_learned_log\n    type: bool\n    question: Is there a log?\n"
                     "    help: A written log.\n    actionable: true\n")
    expect_finding(kb_copy, "roadmap.yaml", "facts[lessons_learned_log]", "nothing reads this fact")


def test_finds_ask_if_that_hides_a_question_that_matters(kb_copy):
    edit_yaml(kb_copy / "facts" / "governance.yaml", lambda d: next(
        f for f in d["facts"] if f["id"] == "lead_organisation").update(
        ask_if={"fact": "processes_personal_data", "is": True}))
    expect_finding(kb_copy, "governance.yaml", "facts[lead_organisation].ask_if",
                   "can hide this question while its answer still changes R02")


def test_finds_derived_fact_nothing_can_derive(kb_copy):
    edit(kb_copy / "rules" / "derived.yaml", "when: {fact: organisations_involved, at_least: 2}",
         "when: {fact: organisations_involved, at_least: 0}")
    expect_finding(kb_copy, "derived[multi_organisation].when", "nothing can derive multi_organisation = false")


def test_finds_recommendation_that_can_never_be_advised(kb_copy):
    edit_yaml(rec_file(kb_copy, "R02"), lambda d: d.update(advised={"all": [
        {"fact": "lead_organisation", "is": False}, {"fact": "lead_organisation", "is": True}]}))
    expect_finding(kb_copy, "R02.yaml", "R02 can never be advised")


def test_finds_recommendation_advised_on_every_profile(kb_copy):
    edit_yaml(rec_file(kb_copy, "R02"), lambda d: d.update(applies="always", advised={"any": [
        {"fact": "lead_organisation", "is": False}, {"fact": "lead_organisation", "is": True}]}))
    expect_finding(kb_copy, "R02.yaml", "R02 is advised on every fully answered profile")


def test_finds_redundant_condition(kb_copy):
    edit_yaml(rec_file(kb_copy, "R02"), lambda d: d.update(advised={"any": [
        {"fact": "lead_organisation", "is": False},
        {"all": [{"fact": "lead_organisation", "is": False}, {"fact": "pilot", "equals": "none"}]}]}))
    expect_finding(kb_copy, "R02.yaml", "advised.any[1]", "redundant condition in R02")


def test_finds_missing_and_failing_examples(kb_copy):
    edit_yaml(rec_file(kb_copy, "R09"), lambda d: d.update(examples=[]))
    edit_yaml(rec_file(kb_copy, "R02"), lambda d: d["examples"][0].update(outcome="satisfied"))
    expect_finding(kb_copy, "R09 has no examples", "R02.yaml: examples[0]: expected satisfied, the rules give")


def test_unreadable_knowledge_base_exits_2(kb_copy):
    rec_file(kb_copy, "R03").write_text("id: R03\ntitle: [unclosed\n")
    expect_finding(kb_copy, "R03.yaml:3", "is not valid YAML", exit_code=2)


# --- reading the knowledge base ------------------------------------------------------

def test_kb_list_table_and_json():
    runner = CliRunner()
    table = runner.invoke(main, ["kb", "list"])
    assert table.exit_code == 0 and "R23" in table.output and "formal_agreements" in table.output
    import json
    rows = json.loads(runner.invoke(main, ["kb", "list", "--format", "json"]).output)
    assert [row["id"] for row in rows] == [f"R{n:02d}" for n in range(1, 24)]
    assert set(rows[0]) == {"id", "title", "construct", "phases", "severity"}


def test_kb_show_recommendation_page_is_generated_from_conditions():
    result = CliRunner().invoke(main, ["kb", "show", "R07"])
    assert result.exit_code == 0
    out = result.output
    assert "Applies when: processes_personal_data is yes" in out
    assert "Advised when: legal_basis_for_data_exchange is not established or (dpia_expected is yes " \
           "and dpia_done is no)" in out
    assert "raised one step when sensitive_processing is yes or past_design is yes" in out
    for heading in ("What to do", "Why", "EIF 2017 recommendations: 15, 46", "Source"):
        assert heading in out


def test_kb_show_fact_and_unknown_id():
    runner = CliRunner()
    fact = runner.invoke(main, ["kb", "show", "legal_barriers"])
    assert fact.exit_code == 0 and "Question:" in fact.output and "Read by: R06" in fact.output
    missing = runner.invoke(main, ["kb", "show", "R7O"])
    assert missing.exit_code == 2 and "did you mean" in missing.output


def test_the_phase_fact_is_named_by_the_metadata_and_must_take_its_phases(kb_copy):
    edit(kb_copy / "rules" / "knowledge-base.yaml", "phase_fact: phase", "phase_fact: scope")
    with pytest.raises(KnowledgeBaseError, match="the phase fact scope must be an enum whose values are among"):
        load_knowledge_base(kb_copy)


def test_reports_time_advice_by_the_fact_the_metadata_names(kb_copy):
    """Renaming the phase fact is an edit of the knowledge base, not of code."""
    for path in [*(kb_copy / "rules").rglob("*.yaml"), *(kb_copy / "facts").glob("*.yaml")]:
        text = path.read_text()
        path.write_text(text.replace("fact: phase,", "fact: stage,").replace("fact: phase}", "fact: stage}")
                        .replace("id: phase\n", "id: stage\n").replace("phase: ", "stage: ")
                        .replace("phase_fact: phase", "phase_fact: stage").replace("stages: [", "phases: ["))
    kb = load_knowledge_base(kb_copy)
    assert kb.meta.phase_fact == "stage" and "phase" not in kb.facts
    report = Expert(kb).evaluate({"stage": "delivery", "processes_personal_data": True,
                                  "legal_basis_for_data_exchange": "none"})
    r07 = next(item for item in report.advice if item.id == "R07")
    assert report.phase == "delivery" and r07.timing == "overdue"


@pytest.mark.parametrize("url", ["not a link", "javascript:alert(1)", "https://example.org/a b",
                                 "https://example.org/\")<script>"])
def test_finds_a_reference_without_a_well_formed_link(kb_copy, url):
    edit_yaml(rec_file(kb_copy, "R07"), lambda data: data["references"][0].update(url=url))
    expect_finding(kb_copy, "R07.yaml", "references[0].url: Value error, is not a well-formed http(s) link")


def test_finds_a_reference_without_kind_or_title(kb_copy):
    edit_yaml(rec_file(kb_copy, "R07"), lambda data: data["references"][0].pop("title"))
    expect_finding(kb_copy, "R07.yaml", "references[0].title: Field required")
