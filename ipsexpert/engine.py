"""Compiling a knowledge base into an experta engine, and running answers through it.

Fact layout (chosen for experta's cost model, where every declared fact is tested
against the alpha network): a scenario is ONE ``Answers`` fact whose fields are all
catalogue facts — a known value or ``"unknown"`` — so the alpha network tests one fact
instead of one per answer. Derivation rules declare ``Derived`` facts, recommendation
rules declare ``Conclusion`` facts, and escalation rules match an advised
``Conclusion`` and declare an ``Escalation``: the chain runs inside the Rete network.

Each condition is compiled twice, as "definitely true" and "definitely false", into
disjunctive branches of positive literals (see ``conditions.branches``); a literal
never matches ``"unknown"``, so unknown answers make neither pattern match, which is
Kleene logic. Every branch is its own experta rule with a distinct salience: experta
fires equal-salience rules in varying order, and branch-per-rule makes the firing
order — and so ``--trace`` — identical on every run. An experta OR would fire once per
matching branch anyway; the report merges the branches of one recommendation into one
advice item whose evidence lists each branch that fired.

An engine instance is built once per thread (experta engines are not shareable) from
the compiled class and reused with ``reset()`` — never recompiled per scenario.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

from . import conditions
from .conditions import Branch, Literal
from .experta_compat import AS, ConflictSetNode, Fact, KnowledgeEngine, L, P, ReteMatcher, Rule, Token
from .knowledge import KnowledgeBase

UNKNOWN = "unknown"


class Answers(Fact):
    """Every catalogue fact of one scenario: its value, or ``"unknown"``."""


class Derived(Fact):
    """A derived fact concluded by a derivation rule: ``id`` and ``value`` (yes/no)."""


class Conclusion(Fact):
    """A recommendation's outcome as concluded by one of its rules."""


class Escalation(Fact):
    """An advised recommendation whose escalation condition holds."""


@dataclass(frozen=True)
class CompiledRule:
    """One experta rule and what it concludes."""

    name: str
    kind: str  # derive | outcome | escalate
    target: str  # a derived fact id or a recommendation id
    value: Any  # the derived value, or the outcome
    branch: Branch
    salience: int


@dataclass(frozen=True)
class Firing:
    """A rule that fired, with the values of the facts that matched it."""

    rule: CompiledRule
    values: tuple[tuple[str, Any], ...]


@dataclass
class Run:
    """What one scenario produced inside the engine."""

    firings: list[Firing] = field(default_factory=list)
    derived: dict[str, bool] = field(default_factory=dict)
    concluded: dict[str, set[str]] = field(default_factory=dict)  # recommendation -> outcomes
    escalated: set[str] = field(default_factory=set)


@lru_cache(maxsize=None)
def _range_test(low: int | None, high: int | None):
    """A shared predicate per range, so equal tests share one alpha node."""
    def within(value: Any) -> bool:
        return (type(value) is int and (low is None or value >= low)
                and (high is None or value <= high))
    return P(within)


def _constraint(literal: Literal, order: tuple):
    if literal.values is None:
        return _range_test(literal.low, literal.high)
    values = [value for value in order if value in literal.values]
    constraint = L(values[0])
    for value in values[1:]:
        constraint = constraint | L(value)
    return constraint


class _LeanToken(Token):
    """A Rete token without experta's per-copy type assertions.

    Every alpha node copies the token it passes on, and experta's Token re-checks on
    each copy that its data are facts and its context a mapping (an ABC isinstance
    check): a third of the engine's time. Tokens made here hold facts by construction,
    and ``copy()`` keeps the subclass, so the whole alpha network runs on lean tokens.
    """

    __slots__ = ()

    def __new__(cls, tag, data, context=None):
        return tuple.__new__(cls, (tag, {data} if isinstance(data, Fact) else set(data),
                                   {} if context is None else context))

    def copy(self):
        return tuple.__new__(type(self), (self.tag, self.data.copy(), self.context.copy()))


class _TrackingMatcher(ReteMatcher):
    """experta's Rete matcher, minus three costs that grow with the number of rules.

    After every firing experta asks *every* conflict-set node for new activations, and
    ``reset()`` walks the whole network recursively (shared nodes many times over).
    With one rule per condition branch that polling dominated the run. Here each
    conflict-set node reports itself when a token reaches it, so only those are polled,
    and reset clears each node with memory exactly once. Matching is unchanged: the
    same nodes, the same tokens, the same activations.
    """

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self._touched: dict = {}
        nodes: dict = {}
        pending = [self.root_node]
        while pending:
            node = pending.pop()
            for child in node.children:
                if id(child.node) not in nodes:
                    nodes[id(child.node)] = child.node
                    pending.append(child.node)
        self._nodes = list(nodes.values())
        for node in self._nodes:
            if isinstance(node, ConflictSetNode):
                node._activate = self._tracked(node, node._activate)

    def _tracked(self, node, activate):
        touched = self._touched

        def tracked_activate(token):
            touched[node] = None
            return activate(token)
        return tracked_activate

    def changes(self, adding=None, deleting=None):
        for fact in deleting or ():
            self._send(_LeanToken.invalid(fact))
        for fact in adding or ():
            self._send(_LeanToken.valid(fact))
        added, removed = [], []
        for node in self._touched:
            node_added, node_removed = node.get_activations()
            added.extend(node_added)
            removed.extend(node_removed)
        self._touched.clear()
        return added, removed

    def _send(self, token) -> None:
        """What experta's BusNode does on add/remove, with a lean token."""
        for child in self.root_node.children:
            child.callback(token)

    def reset(self) -> None:
        for node in self._nodes:
            node._reset()
        self._touched.clear()


class _IpsEngine(KnowledgeEngine):
    """The generic engine: recording firings and declaring conclusions is all the RHS does."""

    __matcher__ = _TrackingMatcher

    def __init__(self) -> None:
        super().__init__()
        self.run_record = Run()
        self._deffacts = None

    def get_deffacts(self):
        # experta finds deffacts with inspect.getmembers on every reset(), which walks
        # every rule of the class; they never change, so find them once.
        if self._deffacts is None:
            self._deffacts = super().get_deffacts()
        return self._deffacts

    def conclude(self, rule: CompiledRule, bound: Mapping[str, Any]) -> None:
        values = []
        answers = bound.get("answers")
        for literal in rule.branch:
            source = bound.get("d_" + literal.fact)
            if source is not None:
                values.append((literal.fact, source["value"]))
            elif answers is not None:
                values.append((literal.fact, answers[literal.fact]))
        record = self.run_record
        record.firings.append(Firing(rule, tuple(values)))
        if rule.kind == "derive":
            record.derived[rule.target] = rule.value
            self.declare(Derived(id=rule.target, value=rule.value))
        elif rule.kind == "outcome":
            record.concluded.setdefault(rule.target, set()).add(rule.value)
            self.declare(Conclusion(rec=rule.target, outcome=rule.value))
        else:
            record.escalated.add(rule.target)
            self.declare(Escalation(rec=rule.target))


class CompiledKnowledgeBase:
    """A knowledge base compiled into an experta engine class, run per scenario."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.rules = self._compile_rules()
        self.engine_class = self._engine_class()
        self._local = threading.local()

    def _compile_rules(self) -> list[CompiledRule]:
        kb = self.kb
        specs: list[tuple[str, str, Any, Branch]] = []
        for derived_id, derivation in kb.derived.items():
            for truth in (True, False):
                for branch in conditions.branches(derivation.when, truth, kb.types):
                    specs.append(("derive", derived_id, truth, branch))
        for rec_id, rec in kb.recommendations.items():
            not_applicable = conditions.branches(rec.applies, False, kb.types)
            applies = conditions.branches(rec.applies, True, kb.types)
            advised = [merged for a in applies for b in conditions.branches(rec.advised, True, kb.types)
                       if (merged := conditions.conjoin(a, b)) is not None]
            satisfied = conditions.branches(rec.advised, False, kb.types)
            for outcome, found in (("not_applicable", not_applicable), ("advised", advised),
                                   ("satisfied", satisfied)):
                specs.extend(("outcome", rec_id, outcome, branch) for branch in found)
            if rec.escalate is not None:
                specs.extend(("escalate", rec_id, True, branch)
                             for branch in conditions.branches(rec.escalate, True, kb.types))
        rules = []
        counters: dict[tuple, int] = {}
        for index, (kind, target, value, branch) in enumerate(specs):
            key = (kind, target, value)
            counters[key] = counters.get(key, 0) + 1
            label = value if kind == "outcome" else ("escalate" if kind == "escalate" else str(value).lower())
            name = f"{target}_{label}_{counters[key]}"
            rules.append(CompiledRule(name, kind, target, value, branch, salience=len(specs) - index))
        return rules

    def _patterns(self, rule: CompiledRule) -> list:
        kb = self.kb
        patterns = []
        if rule.kind == "escalate":
            patterns.append(Conclusion(rec=rule.target, outcome="advised"))
        answer_tests = {}
        for literal in rule.branch:
            if literal.fact in kb.derived:
                pattern = Derived(id=literal.fact, value=_constraint(literal, (True, False)))
                patterns.append(getattr(AS, "d_" + literal.fact) << pattern)
            else:
                spec = kb.facts[literal.fact]
                order = (True, False) if spec.type == "bool" else spec.values
                answer_tests[literal.fact] = _constraint(literal, order)
        if answer_tests:
            patterns.insert(0, AS.answers << Answers(**answer_tests))
        return patterns

    def _engine_class(self) -> type:
        namespace = {}
        for rule in self.rules:
            def action(engine, _rule=rule, **bound):
                engine.conclude(_rule, bound)
            action.__name__ = rule.name
            namespace[rule.name] = Rule(*self._patterns(rule), salience=rule.salience)(action)
        return type("IpsEngine", (_IpsEngine,), namespace)

    def engine(self) -> _IpsEngine:
        """This thread's engine instance (built on first use, then reused)."""
        engine = getattr(self._local, "engine", None)
        if engine is None:
            engine = self._local.engine = self.engine_class()
        return engine

    def run(self, answers: Mapping[str, Any]) -> Run:
        """Declare the answers (unknowns included) and let the rules fire."""
        engine = self.engine()
        engine.reset()
        engine.run_record = Run()
        fields = {}
        for fact_id in self.kb.facts:
            value = answers.get(fact_id)
            fields[fact_id] = UNKNOWN if value is None else value
        engine.declare(Answers(**fields))
        engine.run()
        return engine.run_record
