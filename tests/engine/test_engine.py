"""The experta engine against the specification's own three-valued reading."""

from __future__ import annotations

from hypothesis import given, settings

from ipsexpert.knowledge import semantics
from ipsexpert.knowledge.rulebase import escalated
from tests.profiles import profiles
from tests.conftest import REPO, SCENARIOS

import pytest


def spec_outcomes(kb, answers):
    value_of = semantics.value_of(kb, answers)
    result = {}
    for rec_id, rec in kb.recommendations.items():
        outcome, up = semantics.recommendation_outcome(rec, value_of)
        result[rec_id] = (outcome, (escalated(rec.severity) if up else rec.severity) if outcome == "advised" else None)
    return result


def engine_outcomes(report):
    severities = {a.id: a.severity for a in report.advice}
    return {rec_id: (outcome, severities.get(rec_id)) for rec_id, outcome in report.outcomes.items()}


def test_engine_agrees_with_evaluator_on_generated_profiles(expert, kb):
    """At least 500 generated profiles with unknowns: same outcome and severity everywhere."""
    checked = []

    @settings(max_examples=600)
    @given(profiles(kb))
    def agree(answers):
        report = expert.evaluate(answers)
        assert engine_outcomes(report) == spec_outcomes(kb, answers)
        checked.append(1)

    agree()
    assert len(checked) >= 500


def test_every_outcome_is_reachable(expert, kb):
    seen = {rec_id: set() for rec_id in kb.recommendations}
    for rec in kb.recommendations.values():
        for example in rec.examples:
            report = expert.evaluate(example.answers)
            seen[rec.id].add(report.outcomes[rec.id])
    for rec_id, outcomes in seen.items():
        assert {"advised", "satisfied"} <= outcomes, rec_id
        assert outcomes & {"not_applicable", "undetermined"}, rec_id
    assert set().union(*seen.values()) == {"advised", "satisfied", "not_applicable", "undetermined"}


def test_unknown_is_never_read_as_no(expert):
    """legal_barriers unknown: R06 (advised when not_assessed or found_unresolved) stays open."""
    report = expert.evaluate({"phase": "design"})
    assert report.outcomes["R06"] == "undetermined"
    assert "legal_barriers" in next(u for u in report.undetermined if u.id == "R06").deciding_facts
    explicit = expert.evaluate({"phase": "design", "legal_barriers": "unknown"})
    assert explicit.outcomes == report.outcomes


def test_several_matching_branches_give_one_advice_item_listing_each(expert):
    """R07 advised through both of its branches: one item, both branches in its evidence."""
    answers = {"processes_personal_data": True, "legal_basis_for_data_exchange": "none",
               "special_category_data": True, "dpia_done": False, "phase": "design"}
    report = expert.evaluate(answers)
    items = [a for a in report.advice if a.id == "R07"]
    assert len(items) == 1
    rules = [step.rule for step in items[0].explanation.steps if step.kind == "condition"]
    assert len(rules) == 2 and len(set(rules)) == 2


def test_batch_compiles_once(expert):
    """A batch reuses one engine instance per thread: the class is compiled once."""
    engine_class = expert.compiled.engine_class
    engine = expert.compiled.engine()
    for answers in ({"phase": "design"}, {"phase": "delivery"}, {"organisations_involved": 5}):
        expert.evaluate(answers)
    assert expert.compiled.engine() is engine
    assert expert.compiled.engine_class is engine_class


def test_same_input_same_bytes(expert):
    path = REPO / "scenarios" / "illustrative-national-service-delivery.yaml"
    first = expert.evaluate(path).model_dump_json()
    assert all(expert.evaluate(path).model_dump_json() == first for _ in range(3))


def test_firing_order_is_identical_across_runs(expert):
    answers = {"phase": "delivery", "organisations_involved": 4, "processes_personal_data": True,
               "special_category_data": True, "scope": "national"}
    orders = {tuple(f.rule.name for f in expert.run(answers).firings) for _ in range(5)}
    assert len(orders) == 1


def test_escalation_explained_and_scored(expert):
    report = expert.evaluate({"processes_personal_data": True, "legal_basis_for_data_exchange": "unclear",
                              "phase": "delivery"})
    r07 = next(a for a in report.advice if a.id == "R07")
    assert (r07.base_severity, r07.severity, r07.escalated) == ("high", "critical", True)
    assert r07.timing == "overdue" and r07.score == 6.0
    kinds = [step.kind for step in r07.explanation.steps]
    assert kinds[-2:] == ["escalation", "score"]
    assert "phase = delivery" in r07.explanation.text


@pytest.mark.parametrize("phase, timing", [("design", "now"), ("delivery", "now"), ("evaluation", "overdue")])
def test_timing_against_phase(expert, phase, timing):
    report = expert.evaluate({"phase": phase, "funding": "none"})
    r05 = next(a for a in report.advice if a.id == "R05")
    assert r05.timing == timing


def test_ranks_unique_and_ordered(expert):
    report = expert.evaluate(REPO / "scenarios" / "illustrative-regional-consortium-design.yaml")
    ranks = [a.rank for a in report.advice]
    assert ranks == list(range(1, len(ranks) + 1))
    scores = [a.score for a in report.advice]
    assert scores == sorted(scores, reverse=True)


def test_an_evaluation_logs_nothing_at_info_or_above(caplog):
    """A host that logs at INFO must not get a line per firing, and never the user's answers."""
    import logging

    import ipsexpert
    caplog.set_level(logging.DEBUG)
    report = ipsexpert.evaluate(SCENARIOS / "illustrative-national-service-delivery.yaml")
    assert report.advice
    assert [record for record in caplog.records if record.levelno >= logging.INFO] == []
