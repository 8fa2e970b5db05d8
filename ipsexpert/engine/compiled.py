"""Compiling a knowledge base into an experta engine, and running answers through it.

Fact layout (chosen for experta's cost model, where every declared fact is tested
against the alpha network): a scenario is ONE ``Answers`` fact whose fields are all
catalogue facts — a known value or ``"unknown"`` — so the alpha network tests one fact
instead of one per answer. Derivation rules declare ``Derived`` facts that
recommendation rules match, and recommendation rules declare an advised ``Conclusion``
that escalation rules match: the chain runs inside the Rete network. A conclusion no
pattern waits for is recorded but not declared (see ``_awaited``), so each firing costs
a network pass only when it can change what matches. The network itself is experta's,
run with the per-token overheads taken out (see ``rete``).

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
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from ..knowledge import conditions
from ..knowledge.conditions import Branch, Literal
from .compat import AS, Fact, L, P
from ..knowledge.base import KnowledgeBase
from .lean import LeanEngine
from .matcher import LeanRule, TrackingMatcher

UNKNOWN = "unknown"


class Answers(Fact):
    """Every catalogue fact of one scenario: its value, or ``"unknown"``."""

    def update(self, mapping):
        # experta's Fact.update freezes every value one item at a time; answers are
        # checked str, bool or int scalars, immutable already, so they go in as they are.
        dict.update(self, mapping)


class Derived(Fact):
    """A derived fact concluded by a derivation rule: ``id`` and ``value`` (yes/no)."""


class Conclusion(Fact):
    """A recommendation's outcome as concluded by one of its rules."""


_CONCLUSION_FACTS = {
    "derive": lambda target, value: (Derived, (("id", target), ("value", value))),
    "outcome": lambda target, value: (Conclusion, (("rec", target), ("outcome", value))),
}


@dataclass(frozen=True)
class CompiledRule:
    """One experta rule and what it concludes."""

    name: str
    kind: str  # derive | outcome | escalate
    target: str  # a derived fact id or a recommendation id
    value: Any  # the derived value, or the outcome
    branch: Branch
    salience: int
    declares: tuple[type, tuple[tuple[str, Any], ...]] | None = None  # the fact a firing declares


class Firing:
    """A rule that fired, with the facts its patterns matched (by binding name)."""

    __slots__ = ("rule", "bound", "_values")

    def __init__(self, rule: CompiledRule, bound: Mapping[str, Any]) -> None:
        self.rule = rule
        self.bound = bound
        self._values: tuple[tuple[str, Any], ...] | None = None

    def __repr__(self) -> str:
        return f"Firing({self.rule.name}, {self.values!r})"

    @property
    def values(self) -> tuple[tuple[str, Any], ...]:
        """The value of each fact the rule tested, in the branch's order.

        Read from the matched facts when first asked (an explanation or a trace), not at
        every firing: most firings of a batch are never explained.
        """
        if self._values is not None:
            return self._values
        answers = self.bound.get("answers")
        values = []
        for literal in self.rule.branch:
            source = self.bound.get("d_" + literal.fact)
            if source is not None:
                values.append((literal.fact, source["value"]))
            elif answers is not None:
                values.append((literal.fact, answers[literal.fact]))
        self._values = tuple(values)
        return self._values


class Run:
    """What one scenario produced inside the engine."""

    __slots__ = ("firings", "derived", "concluded", "escalated", "_index")

    def __init__(self) -> None:
        self.firings: list[Firing] = []
        self.derived: dict[str, bool] = {}
        self.concluded: dict[str, set[str]] = {}  # recommendation -> outcomes
        self.escalated: set[str] = set()
        self._index: dict | None = None

    def firings_of(self, kind: str, target: str, value: Any) -> list[Firing]:
        """The firings that concluded one thing, in firing order (indexed on first use)."""
        if self._index is None:
            self._index = {}
            for firing in self.firings:
                rule = firing.rule
                self._index.setdefault((rule.kind, rule.target, rule.value), []).append(firing)
        return self._index.get((kind, target, value), [])


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


class _IpsEngine(LeanEngine):
    """The generic engine: recording firings and declaring conclusions is all the RHS does."""

    __matcher__ = TrackingMatcher

    def __init__(self) -> None:
        super().__init__()
        self.run_record = Run()

    def fire(self, activation) -> None:
        rule = activation.rule.payload
        if rule is None:
            super().fire(activation)
        else:
            # experta leaves out its internal ``__pattern...`` bindings when it calls a rule's
            # function with the bindings as keywords; ``conclude`` is no such function and reads
            # the named ones only (``Firing.values``), so it is handed the context as it is.
            self.conclude(rule, activation.context)

    def conclude(self, rule: CompiledRule, bound: Mapping[str, Any]) -> None:
        record = self.run_record
        record.firings.append(Firing(rule, bound))
        kind = rule.kind
        if kind == "derive":
            record.derived[rule.target] = rule.value
        elif kind == "outcome":
            concluded = record.concluded
            if rule.target in concluded:
                concluded[rule.target].add(rule.value)
            else:
                concluded[rule.target] = {rule.value}
        else:
            record.escalated.add(rule.target)
        declares = rule.declares
        if declares is not None:
            fact_class, fields = declares
            if self.lean:
                fact = fact_class.__new__(fact_class)
                dict.update(fact, fields)
                fact._Fact__defaults = {}
                self.add_trusted(fact, declares)
            else:
                self.declare(fact_class(**dict(fields)))


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
        awaited = self._awaited(specs)
        rules = []
        counters: dict[tuple, int] = {}
        for index, (kind, target, value, branch) in enumerate(specs):
            key = (kind, target, value)
            counters[key] = counters.get(key, 0) + 1
            label = value if kind == "outcome" else ("escalate" if kind == "escalate" else str(value).lower())
            name = f"{target}_{label}_{counters[key]}"
            declares = _CONCLUSION_FACTS[kind](target, value) if key in awaited else None
            rules.append(CompiledRule(name, kind, target, value, branch, salience=len(specs) - index,
                                      declares=declares))
        return rules

    def _awaited(self, specs: list[tuple[str, str, Any, Branch]]) -> set[tuple]:
        """The conclusions some rule's pattern waits for, as (kind, target, value).

        A firing declares its conclusion as a fact only if one of these matches it:
        every declared fact is sent through the whole alpha network, so a fact that no
        pattern can match would cost a network pass and change nothing.
        """
        awaited = set()
        for kind, target, _value, branch in specs:
            if kind == "escalate":
                awaited.add(("outcome", target, "advised"))
            for literal in branch:
                if literal.fact in self.kb.derived:
                    awaited.update(("derive", literal.fact, value) for value in literal.values)
        return awaited

    def _patterns(self, rule: CompiledRule) -> list:
        """The rule's experta patterns: the answers' tests in one ``Answers`` pattern bound to
        ``answers``, each derived fact's in a ``Derived`` pattern bound to ``d_<id>``, and for an
        escalation one ``Conclusion`` pattern. Every pattern binds the fact it matches and no
        field, and a fact can match only patterns of its own class and id, which share a name:
        so a token's facts decide its bindings (``LeanRule.facts_decide_bindings``)."""
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
            compiled = LeanRule.taking_all(action, *self._patterns(rule), salience=rule.salience)
            compiled.payload = rule
            compiled.facts_decide_bindings = True  # see _patterns
            namespace[rule.name] = compiled
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
        record = engine.run_record = Run()
        fields = {}
        for fact_id in self.kb.facts:
            value = answers.get(fact_id)
            fields[fact_id] = UNKNOWN if value is None else value
        if engine.lean:
            # Checked answers under catalogue ids (no ``__``, no constraints) are a valid fact by
            # construction, and the only Answers fact of the run.
            fact = Answers.__new__(Answers)
            dict.update(fact, fields)
            fact._Fact__defaults = {}
            engine.add_trusted(fact, Answers)
            engine.update_agenda()
        else:
            engine.declare(Answers(**fields))
        engine.run()
        return record
