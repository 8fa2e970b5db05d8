"""Three-valued (Kleene) semantics: the one home of what conditions mean.

Every question the system asks about its rules is answered here and nowhere else:
whether a condition holds over partial answers, which facts it reads, which unknown
facts still decide it, which values of a fact the rules can tell apart, and the
outcome of a recommendation from the truth of its conditions. The engine compiles the
same conditions into Rete patterns (``engine``); the consultation, ``kb check``, the
what-if and the benchmarks' floor read them here, so two readings can never drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Union

from .conditions import AllOf, Always, AnyOf, Condition, Not, Test

if TYPE_CHECKING:
    from .base import KnowledgeBase
    from .rulebase import Recommendation

Truth = Union[bool, None]
"""True, False, or None for unknown."""

ValueOf = Callable[[str], Any]
"""Gives a fact's known value, or None when it is unknown."""

OUTCOME_PRECEDENCE = ("not_applicable", "advised", "satisfied")
"""The order in which concluded outcomes win; none of them means undetermined."""


# --- answers ---------------------------------------------------------------------------

def answer_key(value: Any) -> tuple[str, str]:
    """An answer's identity: its type and value, so ``true`` and ``1`` are different answers,
    as they are to the rules (``test_holds`` compares by exact type)."""
    return type(value).__name__, repr(value)


def same_answer(a: Any, b: Any) -> bool:
    return answer_key(a) == answer_key(b)


# --- one condition ---------------------------------------------------------------------

def test_holds(test: Test, value: Any) -> bool:
    """Whether a known value passes a comparison."""
    if test.op == "is" or test.op == "equals":
        return value == test.value and type(value) is type(test.value)
    if test.op == "in":
        return value in test.value
    if test.op == "at_least":
        return value >= test.value
    return value <= test.value


def evaluate(condition: Condition, value_of: ValueOf) -> Truth:
    """Kleene evaluation: unknown facts make a comparison unknown, and its negation too."""
    if isinstance(condition, Test):
        value = value_of(condition.fact)
        return None if value is None else test_holds(condition, value)
    if isinstance(condition, Always):
        return True
    if isinstance(condition, Not):
        inner = evaluate(condition.part, value_of)
        return None if inner is None else not inner
    decisive = isinstance(condition, AnyOf)  # any: one true decides; all: one false decides
    result: Truth = not decisive
    for part in condition.parts:
        truth = evaluate(part, value_of)
        if truth is decisive:
            return decisive
        if truth is None:
            result = None
    return result


def open_facts(condition: Condition, value_of: ValueOf) -> list[str]:
    """The unknown facts that still decide the condition (none once it is decided).

    Only the parts whose own value is still unknown count: in ``any(a, b)`` with ``a``
    known false, only ``b``'s facts can still change the result.
    """
    found: list[str] = []
    for fact in _undecided(condition, value_of)[1]:
        if fact not in found:
            found.append(fact)
    return found


def _undecided(node: Condition, value_of: ValueOf) -> tuple[Truth, list[str]]:
    """A condition's value and, while it is unknown, the facts of its unknown parts.

    One bottom-up pass, iterative over ``all``/``any`` parts: asking for the value at
    every level of the walk would evaluate each subtree once per ancestor, and this runs
    for every undetermined recommendation of every report.
    """
    if isinstance(node, Test):
        value = value_of(node.fact)
        if value is None:
            return None, [node.fact]
        return test_holds(node, value), []
    if isinstance(node, Always):
        return True, []
    if isinstance(node, Not):
        truth, facts = _undecided(node.part, value_of)
        return (None if truth is None else not truth), facts
    decisive = isinstance(node, AnyOf)  # any: one true decides; all: one false decides
    result: Truth = not decisive
    facts: list[str] = []
    for part in node.parts:
        truth, part_facts = _undecided(part, value_of)
        if truth is decisive:
            return decisive, []
        if truth is None:
            result = None
            facts.extend(part_facts)
    return result, facts


def tests_in(condition: Condition | None) -> Iterator[Test]:
    """Every comparison of a condition, without recursion (a condition may be deep)."""
    pending = [condition] if condition is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, Test):
            yield node
        elif isinstance(node, Not):
            pending.append(node.part)
        elif isinstance(node, (AllOf, AnyOf)):
            pending.extend(reversed(node.parts))


def facts_read(condition: Condition | None) -> set[str]:
    """Every fact the condition mentions."""
    return {test.fact for test in tests_in(condition)}


# --- a recommendation ------------------------------------------------------------------

def rule_parts(rec: Recommendation) -> list[tuple[str, Condition]]:
    """A recommendation's conditions by key: applies, advised and, if any, escalate."""
    parts = [("applies", rec.applies), ("advised", rec.advised)]
    return parts + ([("escalate", rec.escalate)] if rec.escalate is not None else [])


def outcome(applies: Truth, advised: Truth) -> str:
    """A recommendation's outcome from the truth of its two conditions.

    Advised needs both true; a false ``applies`` wins (not applicable), then a false
    ``advised`` (satisfied); anything else is still open.
    """
    if applies is False:
        return "not_applicable"
    if applies and advised:
        return "advised"
    if advised is False:
        return "satisfied"
    return "undetermined"


def outcome_of_conclusions(concluded: Iterable[str]) -> str:
    """The one outcome among those the engine concluded, by the same precedence."""
    found = concluded if isinstance(concluded, (set, frozenset)) else set(concluded)
    for item in OUTCOME_PRECEDENCE:
        if item in found:
            return item
    return "undetermined"


def recommendation_outcome(rec: Recommendation, value_of: ValueOf) -> tuple[str, bool]:
    """The outcome straight from the conditions (no engine), and whether it escalates.

    This is the specification's reading, used to check the engine, to reason about
    rules (kb check, consultation) and as the benchmarks' floor.
    """
    result = outcome(evaluate(rec.applies, value_of), evaluate(rec.advised, value_of))
    escalates = (result == "advised" and rec.escalate is not None
                 and evaluate(rec.escalate, value_of) is True)
    return result, escalates


# --- over a knowledge base -------------------------------------------------------------

def value_of(kb: KnowledgeBase, answers: Mapping[str, Any]) -> ValueOf:
    """A three-valued lookup over known answers and the facts derived from them."""
    values = dict(answers)
    lookup = values.get
    for derived_id, derivation in kb.derived.items():  # dependency order: one pass
        values[derived_id] = evaluate(derivation.when, lookup)
    return lookup


def expand_derived(kb: KnowledgeBase, fact_ids: Iterable[str], value_of: ValueOf) -> list[str]:
    """Replace derived facts by the open catalogue facts they still depend on."""
    result: list[str] = []
    pending = list(fact_ids)
    while pending:
        fact_id = pending.pop(0)
        if fact_id in kb.derived:
            pending[:0] = open_facts(kb.derived[fact_id].when, value_of)
        elif fact_id not in result:
            result.append(fact_id)
    return result


def askable(kb: KnowledgeBase, fact_id: str, value_of: ValueOf) -> bool:
    """A question is hidden only when its ``ask_if`` is known to be false."""
    ask_if = kb.facts[fact_id].ask_if
    return ask_if is None or evaluate(ask_if, value_of) is not False


def catalogue_facts_read(kb: KnowledgeBase, *conds: Condition | None) -> list[str]:
    """The catalogue facts the conditions read, directly or through derived facts, sorted."""
    found: set[str] = set()
    seen: set[str] = set()
    pending = sorted(set().union(*(facts_read(c) for c in conds)))
    while pending:
        fact_id = pending.pop()
        if fact_id in seen:
            continue
        seen.add(fact_id)
        if fact_id in kb.derived:
            pending.extend(facts_read(kb.derived[fact_id].when))
        else:
            found.add(fact_id)
    return sorted(found)


def all_conditions(kb: KnowledgeBase) -> Iterator[Condition]:
    """Every condition of the knowledge base: derivations, questions' ask_if, rules."""
    for derivation in kb.derived.values():
        yield derivation.when
    for spec in kb.facts.values():
        if spec.ask_if is not None:
            yield spec.ask_if
    for rec in kb.recommendations.values():
        for _, cond in rule_parts(rec):
            yield cond


def thresholds(kb: KnowledgeBase, fact_id: str) -> list[int]:
    """The numbers at which the rules' comparisons of a whole-number fact change."""
    return sorted({test.value if test.op == "at_least" else test.value + 1
                   for cond in all_conditions(kb) for test in tests_in(cond) if test.fact == fact_id})


@dataclass(frozen=True)
class Choice:
    """A possible answer, or a range of whole numbers that the rules cannot tell apart."""

    label: str
    value: Any


def choices(kb: KnowledgeBase, fact_id: str) -> list[Choice]:
    """The answers that can make a difference: every value, or the ranges between thresholds."""
    spec = kb.facts[fact_id]
    if spec.type == "bool":
        return [Choice("yes", True), Choice("no", False)]
    if spec.type == "enum":
        return [Choice(value, value) for value in spec.values]
    starts = thresholds(kb, fact_id)
    if spec.minimum is not None:
        starts = [spec.minimum] + [start for start in starts if start > spec.minimum]
    if not starts:
        return [Choice("any number", spec.minimum or 0)]
    found = [] if spec.minimum is not None else [Choice(f"below {starts[0]}", starts[0] - 1)]
    for low, high in zip(starts, starts[1:] + [None]):
        if high is None:
            label = f"{low} or more"
        elif high - 1 == low:
            label = str(low)
        else:
            label = f"{low} to {high - 1}"
        found.append(Choice(label, low))
    return found
