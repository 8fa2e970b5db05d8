"""The tuned Rete matcher against experta's own: same network, same firings.

``ipsexpert.engine.matcher`` changes how tokens travel through the network experta builds (no
copies, hashed alpha dispatch, lean joins and conflict sets); these tests run the same
compiled rule base on experta's stock ``ReteMatcher`` beside it and require the same
rules to fire, in the same order, on the same facts.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsexpert.engine.compiled import UNKNOWN, Answers, CompiledKnowledgeBase
from ipsexpert.engine.compat import FeatureCheck, L, P, ReteMatcher
from ipsexpert.engine.matcher import (LeanConflictSetNode, LeanJoinNode, LeanTesterNode, TrackingMatcher, _direct_test,
                            _network)
from tests.profiles import profiles


@pytest.fixture(scope="module")
def engines(kb):
    compiled = CompiledKnowledgeBase(kb)
    stock = type("StockEngine", (compiled.engine_class,), {"__matcher__": ReteMatcher})()
    return compiled, compiled.engine_class(), stock


def _fired(engine, kb, answers):
    engine.reset()
    engine.run_record = type(engine.run_record)()
    engine.declare(Answers(**{fact_id: answers.get(fact_id, UNKNOWN) for fact_id in kb.facts}))
    engine.run()
    record = engine.run_record
    return ([(firing.rule.name, firing.values) for firing in record.firings],
            record.derived, record.concluded, record.escalated)


def test_the_tuned_network_is_experta_network_with_lean_nodes(engines):
    """Node for node the network experta built: each node's class only swapped for its lean subclass."""
    _, tuned, stock = engines
    assert isinstance(tuned.matcher, TrackingMatcher)
    tuned_kinds = Counter(type(node).__mro__[1].__name__ for node in tuned.matcher._nodes)
    stock_kinds = Counter(type(node).__name__ for node in _network(stock.matcher.root_node))
    assert tuned_kinds == stock_kinds
    assert {type(node) for node in tuned.matcher._nodes} == {LeanTesterNode, LeanJoinNode, LeanConflictSetNode}


def test_tuned_and_stock_matchers_fire_the_same_rules_in_the_same_order(engines, kb):
    _, tuned, stock = engines
    checked = []

    @settings(max_examples=150)
    @given(profiles(kb))
    def same(answers):
        assert _fired(tuned, kb, answers) == _fired(stock, kb, answers)
        checked.append(1)

    same()
    assert len(checked) >= 100


def test_conclusions_no_pattern_awaits_are_not_declared(engines, kb):
    """Only derived facts and advised conclusions that escalation rules match enter working memory."""
    compiled, tuned, _ = engines
    awaited_rules = [rule for rule in compiled.rules if rule.declares is not None]
    assert {rule.kind for rule in awaited_rules} <= {"derive", "outcome"}
    assert all(rule.value == "advised" for rule in awaited_rules if rule.kind == "outcome")
    assert not any(rule.declares for rule in compiled.rules if rule.kind == "escalate")
    _fired(tuned, kb, {})
    declared = {type(fact).__name__ for fact in tuned.facts.values()}
    assert declared <= {"InitialFact", "Answers", "Derived", "Conclusion"}


def _always_true(value):
    return value in (3, "x")


@given(expected=st.one_of(st.booleans(), st.integers(-2, 2), st.sampled_from(["yes", "no", UNKNOWN])),
       actual=st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["yes", "no", UNKNOWN])))
def test_direct_literal_tests_answer_as_experta_checks(expected, actual):
    fact = Answers() if actual is None else Answers(field=actual)
    for how in (L(expected), P(_always_true)):
        check = FeatureCheck("field", how)
        assert bool(_direct_test(check)(fact)) == bool(check(fact))


def test_checks_that_bind_are_left_to_experta():
    check = FeatureCheck("field", L("yes", "__bound"))
    assert _direct_test(check) is check


def test_the_lean_matcher_refuses_a_retraction(expert):
    """ipsexpert only adds facts; a retraction must fail loudly, never run half-lean code."""
    engine = expert.compiled.engine()
    engine.reset()
    fact = engine.declare(Answers(**{fact_id: UNKNOWN for fact_id in expert.kb.facts}))
    with pytest.raises(NotImplementedError, match="only adds facts"):
        engine.retract(fact)


def test_another_experta_version_is_refused_at_import_with_the_version_named():
    code = ("import ipsexpert.engine.compat as compat\n"
            "compat.experta.__version__ = '9.9.9'\n"
            "import ipsexpert.engine.matcher\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "written for experta 1.9.4, but experta 9.9.9 is installed" in result.stderr
