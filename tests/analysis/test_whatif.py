"""`ipsexpert whatif`: every proposal is checked by evaluating the changed answers again."""

from __future__ import annotations

import itertools
import json
import shutil

import pytest
import yaml
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from ipsexpert.report.expert import Expert
from ipsexpert.knowledge.loading import load_knowledge_base
from ipsexpert.analysis.whatif import (Trials, actionable, compare, key, merged, readers, single_changes, state_of,
                              what_if)
from tests.conftest import REPO, SCENARIOS

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"
CROSS_BORDER = SCENARIOS / "illustrative-cross-border-evaluation.yaml"
REGIONAL = SCENARIOS / "illustrative-regional-consortium-design.yaml"
ILLUSTRATIVE = [NATIONAL, CROSS_BORDER, REGIONAL]
DIGISOS = SCENARIOS / "digisos-norway.yaml"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def results(expert):
    """One full what-if (every option listed) per bundled scenario."""
    return {path: what_if(expert, path, top=0) for path in sorted(SCENARIOS.glob("*.yaml"))}


def advice_after(expert, path, changes) -> dict[str, str]:
    """The advice (id -> severity) that evaluate gives once ``changes`` are made to the scenario's answers."""
    scenario = expert.scenario(path)
    answers = {**scenario.answers, **{change.fact: change.after for change in changes}}
    return {item.id: item.severity for item in expert.evaluate(answers).advice}


@pytest.mark.parametrize("path, fact, removed", [(NATIONAL, "dpia_done", "R07"),
                                                 (CROSS_BORDER, "cross_border_recognition", "R10")])
def test_the_best_option_is_one_change_that_removes_a_critical_advice(expert, results, path, fact, removed):
    best = results[path].options[0]
    assert [change.fact for change in best.changes] == [fact]
    assert [(s.id, s.before_severity) for s in best.effect.removes] == [(removed, "critical")]
    before = results[path].advice
    after = advice_after(expert, path, best.changes)
    assert before[removed] == "critical" and removed not in after


def test_every_effect_is_what_evaluate_says(expert, results):
    for path in ILLUSTRATIVE:
        before = results[path].advice
        for option in results[path].options:
            after = advice_after(expert, path, option.changes)
            effect = option.effect
            assert {s.id for s in effect.removes} == set(before) - set(after)
            assert {s.id: s.after_severity for s in effect.adds} == {i: after[i] for i in set(after) - set(before)}
            assert {s.id: (s.before_severity, s.after_severity) for s in effect.severity_changes} == {
                i: (before[i], after[i]) for i in set(before) & set(after) if before[i] != after[i]}


def test_options_are_ranked_by_severity_removed_then_score_then_size(results):
    for result in results.values():
        keys = [(-o.effect.top_removed, -o.effect.reduction, len(o.changes)) for o in result.options]
        assert keys == sorted(keys)
        assert all(o.effect.improves() for o in result.options)


def test_never_proposes_context_or_non_actionable_facts(kb, results):
    proposed = {change.fact for result in results.values() for o in result.options for change in o.changes}
    assert proposed
    assert all(kb.facts[fact].actionable and kb.facts[fact].construct != "context" for fact in proposed)


def test_a_non_actionable_answer_that_would_remove_advice_is_not_proposed(expert, results):
    # Not outsourcing would remove R11, but whether to outsource is not the project's to change.
    answers = {**expert.scenario(CROSS_BORDER).answers, "outsourced_development": False}
    assert "R11" not in {item.id for item in expert.evaluate(answers).advice}
    assert not expert.kb.facts["outsourced_development"].actionable
    facts = {change.fact for o in results[CROSS_BORDER].options for change in o.changes}
    assert "outsourced_development" not in facts and "open_source" in facts


def test_a_pair_is_listed_only_when_it_does_more_than_each_of_its_changes(expert, results):
    pair = next(o for o in results[NATIONAL].options if len(o.changes) == 2)
    assert {c.fact for c in pair.changes} == {"assisted_channel", "accessibility"}
    assert "R14" not in advice_after(expert, NATIONAL, pair.changes)
    for change in pair.changes:
        assert "R14" in advice_after(expert, NATIONAL, [change])
    for result in results.values():
        singles = {key(o.changes[0]): o.effect for o in result.options if len(o.changes) == 1}
        for option in (o for o in result.options if len(o.changes) == 2):
            merit = (option.effect.top_removed, option.effect.reduction)
            for change in option.changes:
                single = singles.get(key(change))
                assert single is None or merit > (single.top_removed, single.reduction)


def test_pruning_loses_nothing(expert):
    """Brute force on one scenario: every single change, and every pair of relevant ones."""
    kb = expert.kb
    scenario = expert.scenario(NATIONAL)
    found = what_if(expert, NATIONAL, top=0)
    listed = {tuple(key(c) for c in o.changes): o.effect for o in found.options}
    trials = Trials(expert, scenario)
    base = state_of(trials.report({}))
    every = single_changes(kb, scenario.answers, set(kb.facts))
    states = {key(c): trials.state({c.fact: c.after}) for c in every}
    for change in every:
        effect = compare(kb, base, states[key(change)])
        assert effect.improves() == ((key(change),) in listed), change
    moved_by = readers(kb)
    relevant = [c for c in every if moved_by[c.fact] & set(found.advice)]
    single_states = set(states.values()) | {base}
    for a, b in itertools.combinations(relevant, 2):
        if a.fact == b.fact:
            continue
        state = trials.state({a.fact: a.after, b.fact: b.after})
        if not moved_by[a.fact] & moved_by[b.fact]:
            assert state == merged(base, states[key(a)], states[key(b)]), (a, b)
            continue
        effect = compare(kb, base, state)
        merit = (effect.top_removed, effect.reduction)
        better = all(merit > (s.top_removed, s.reduction)
                     for s in (compare(kb, base, states[key(a)]), compare(kb, base, states[key(b)])))
        if better and effect.improves() and state not in single_states \
                and state != merged(base, states[key(a)], states[key(b)]):
            assert any(len(k) == 2 and e == effect for k, e in listed.items()), (a, b)


def test_single_changes_only(expert, results):
    single = what_if(expert, NATIONAL, max_changes=1, top=0)
    assert single.options and all(len(o.changes) == 1 for o in single.options)
    assert single.search.pairs_run == 0
    assert single.search.engine_runs < results[NATIONAL].search.engine_runs


@pytest.mark.parametrize("path", ILLUSTRATIVE)
def test_the_search_is_small(results, path):
    search = results[path].search
    assert search.engine_runs == 1 + search.single_changes + search.pairs_run
    assert search.engine_runs <= 60
    assert search.pairs_run < search.pairs_possible / 5


def test_open_questions_show_what_each_answer_would_do(expert, results):
    assert all(not results[path].open_questions for path in ILLUSTRATIVE)  # every question answered
    result = results[DIGISOS]
    scenario = expert.scenario(DIGISOS)
    report = expert.evaluate(DIGISOS)
    deciding = {fact for item in report.undetermined for fact in item.deciding_facts}
    assert result.open_questions
    for question in result.open_questions:
        assert scenario.answers.get(question.fact) is None
        assert actionable(expert.kb, question.fact) and question.fact in deciding
    question = next(q for q in result.open_questions if q.fact == "interoperability_agreements")
    by_label = {answer.label: answer.effect for answer in question.answers}
    assert set(by_label) == {"none", "some", "all_providers"}
    for label, effect in by_label.items():
        evaluated = expert.evaluate({**scenario.answers, "interoperability_agreements": label})
        assert {s.id: s.after_severity for s in effect.adds} == {
            a.id: a.severity for a in evaluated.advice if a.id not in {b.id for b in report.advice}}
        assert {s.id for s in effect.settles} == {
            rec for rec, outcome in evaluated.outcomes.items()
            if report.outcomes[rec] == "undetermined" and outcome in ("satisfied", "not_applicable")}
    assert [s.id for s in by_label["all_providers"].settles] == ["R08"]


def test_knowledge_lives_in_data(tmp_path):
    """Marking a fact actionable in the catalogue is all it takes for what-if to propose it."""
    for part in ("rules", "facts"):
        shutil.copytree(REPO / part, tmp_path / part)
    catalogue = tmp_path / "facts" / "formal_agreements.yaml"
    data = yaml.safe_load(catalogue.read_text())
    next(f for f in data["facts"] if f["id"] == "outsourced_development")["actionable"] = True
    catalogue.write_text(yaml.safe_dump(data, sort_keys=False))
    result = what_if(Expert(load_knowledge_base(tmp_path)), CROSS_BORDER, top=0)
    option = next(o for o in result.options if o.changes[0].fact == "outsourced_development")
    assert [s.id for s in option.effect.removes] == ["R11"]


def test_cli_table(results):
    result = invoke("whatif", NATIONAL)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("== What if: Illustrative: national")
    first = next(line for line in lines if line.strip().startswith("1 "))
    assert "dpia_done: no → yes" in first and "R07 critical" in first and "17 → 11" in first
    assert f"{results[NATIONAL].search.engine_runs} engine runs" in result.output


def test_cli_json_is_complete_and_deterministic(results):
    first = invoke("whatif", CROSS_BORDER, "--format", "json", "--top", "0")
    assert first.exit_code == 0
    assert first.output == invoke("whatif", CROSS_BORDER, "--format", "json", "--top", "0").output
    data = json.loads(first.output)
    assert data["found"] == len(data["options"]) == len(results[CROSS_BORDER].options)
    assert {"source", "name", "advice", "score", "options", "open_questions", "search",
            "knowledge_base"} <= set(data)
    assert data["options"][0]["changes"][0] == {"fact": "cross_border_recognition", "before": "in_negotiation",
                                                "after": "in_place", "label": "in_place"}


def test_cli_markdown_top_and_open_questions():
    result = invoke("whatif", DIGISOS, "--format", "markdown", "--top", "1")
    assert result.exit_code == 0
    assert result.output.startswith("# What if: Digisos")
    assert "## Open questions" in result.output
    assert "| interoperability_agreements (R08) | none | adds R08 (critical) |" in result.output
    assert "|  | all_providers | settles R08 (satisfied) |" in result.output


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("answers:\n  phase: build\n", "answers.phase: 'build' is not one of"),
])
def test_cli_bad_input_exits_2(tmp_path, content, message):
    path = tmp_path / "scenario.yaml"
    if content is not None:
        path.write_text(content)
    result = invoke("whatif", path)
    assert result.exit_code == 2
    assert f"error: {path}" in result.stderr and message in result.stderr
