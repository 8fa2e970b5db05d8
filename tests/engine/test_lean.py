"""The lean engine: experta's reset, declare and run, without the work a compiled engine repeats.

``test_rete.py`` runs the lean engine beside experta's stock one on generated profiles;
these tests pin the parts of experta's contract the lean paths re-implement: a reset
leaves nothing of the run before, facts are declared once, the generic ``declare``
still refuses what experta refuses, deffacts get their arguments, and the agenda is
ordered by experta's own key.
"""

from __future__ import annotations

import logging

import pytest

from ipsexpert.engine.compat import DepthStrategy, Fact, FeatureTesterNode, KnowledgeEngine, L
from ipsexpert.engine.compiled import UNKNOWN, Answers, CompiledKnowledgeBase, Firing
from ipsexpert.engine.lean import LeanEngine, LeanStrategy
from ipsexpert.engine.matcher import TrackingMatcher
from experta import DefFacts, Rule

PROFILES = [{"phase": "design"}, {"phase": "delivery", "organisations_involved": 5, "lead_organisation": False},
            {"processes_personal_data": True, "legal_basis_for_data_exchange": "unclear", "phase": "delivery"},
            {}]


def _names(compiled, answers):
    return [(firing.rule.name, firing.values) for firing in compiled.run(answers).firings]


def test_a_reset_leaves_nothing_of_the_run_before(kb):
    reused = CompiledKnowledgeBase(kb)
    for answers in PROFILES + PROFILES[::-1]:
        assert _names(reused, answers) == _names(CompiledKnowledgeBase(kb), answers)
    engine = reused.engine()
    engine.reset()
    matcher = engine.matcher
    for node in [node for node in matcher._nodes if not isinstance(node, FeatureTesterNode)]:
        assert not getattr(node, "left_memory", ()) and not getattr(node, "right_memory", ())
        assert not getattr(node, "memory", ()) and not getattr(node, "added", ())
    assert [type(fact).__name__ for fact in engine.facts.values()] == ["InitialFact"]
    assert engine.agenda.activations == []


def test_a_conclusion_reached_twice_is_declared_once(expert, kb):
    """Two branches deriving the same fact: experta's fact list keeps one, so does the lean one."""
    engine = expert.compiled.engine()
    engine.reset()
    first = engine.add_trusted(Fact(id="x"), ("x",))
    assert first is not None and engine.add_trusted(Fact(id="x"), ("x",)) is None
    assert list(engine.facts.values()).count(first) == 1


def test_the_generic_declare_checks_as_experta_does(expert, caplog):
    engine = expert.compiled.engine()
    engine.facts.clear()
    with caplog.at_level(logging.WARNING):
        engine.declare(Fact(a=1))
    assert "Declaring fact before reset()" in caplog.text
    engine.reset()
    with pytest.raises(TypeError):
        engine.declare(Fact(a=L(1)))
    with pytest.raises(KeyError):
        engine.declare(Fact(a__b=1))
    with pytest.raises(AttributeError):  # experta's own check fails on a non-fact first
        engine.declare({"a": 1})
    fact = engine.declare(Answers(**{fact_id: PROFILES[1].get(fact_id, UNKNOWN) for fact_id in expert.kb.facts}))
    assert fact is not None and fact["__factid__"] == 1
    assert engine.agenda.activations  # outside a run, activations are filed at once


def test_deffacts_get_their_arguments():
    class WithDeffacts(LeanEngine):
        __matcher__ = TrackingMatcher

        @DefFacts()
        def first(self, size=0):
            yield Fact(size=size)

        @Rule(Fact(size=L(3)))
        def seen(self):
            self.seen_it = True

    engine = WithDeffacts()
    engine.seen_it = False
    engine.reset(size=3)
    engine.run()
    assert engine.seen_it
    assert sorted(fact.get("size", -1) for fact in engine.facts.values()) == [-1, 3]


def test_the_agenda_key_is_experta_depth_key(expert, kb):
    engine = expert.compiled.engine()
    engine.reset()
    engine.declare(Answers(**{fact_id: PROFILES[1].get(fact_id, UNKNOWN) for fact_id in kb.facts}))
    stock = DepthStrategy()
    for activation in engine.agenda.activations:
        assert LeanStrategy().get_key(activation) == stock.get_key(activation)
    keys = [activation.key for activation in engine.agenda.activations]
    assert keys == sorted(keys)


def test_an_engine_on_experta_matcher_runs_experta_steps():
    class Stock(LeanEngine):
        pass

    class Plain(KnowledgeEngine):
        pass

    assert not Stock().lean and TrackingMatcher is not Plain.__matcher__


def test_a_firing_reads_its_values_from_its_named_bindings(kb):
    """A firing is handed its activation's context, experta's internal ``__pattern...`` bindings
    included; what it matched is read from the named ones, as when they were all it had."""
    compiled = CompiledKnowledgeBase(kb)
    named = {"answers"} | {f"d_{fact}" for fact in kb.derived}
    for answers in PROFILES:
        for firing in compiled.run(answers).firings:
            assert {key for key in firing.bound if not key.startswith("__")} <= named
            alone = Firing(firing.rule, {key: value for key, value in firing.bound.items() if key in named})
            assert firing.values == alone.values and len(firing.values) == len(firing.rule.branch)


def test_a_compiled_rule_s_facts_decide_its_bindings(expert, kb):
    """What ``facts_decide_bindings`` promises the conflict-set nodes, checked on every compiled
    rule: each pattern binds the fact it matches under a name its class and id decide (or not at
    all, for the one conclusion an escalation waits for), and binds no field to a variable."""
    from ipsexpert.engine.compiled import Conclusion, Derived
    from ipsexpert.engine.matcher import LeanRule
    rules = [value for value in vars(expert.compiled.engine_class).values() if isinstance(value, LeanRule)]
    assert len(rules) == len(expert.compiled.rules) and all(rule.facts_decide_bindings for rule in rules)
    for rule in rules:
        kinds = [type(pattern) for pattern in rule]
        assert kinds.count(Answers) <= 1 and kinds.count(Conclusion) <= (rule.payload.kind == "escalate")
        for pattern in rule:
            expected = {Answers: "answers", Conclusion: None}.get(type(pattern)) if type(pattern) is not Derived \
                else f"d_{pattern['id']}"
            assert pattern.__bind__ == expected
            assert all(getattr(test, "__bind__", None) is None for key, test in pattern.items() if key != "__bind__")
