"""``ipsexpert kb check``: verifying a knowledge base as a linter verifies code.

Because conditions are data, the checker can reason about them: it enumerates every
combination of the values a rule can tell apart (each value of the facts it reads,
the boundary values of its integer comparisons, and unknown), which is exhaustive for
the rule's own facts and small enough to run in a second.

A knowledge base from elsewhere can be built to make that enumeration run for hours,
so the exhaustive checks share a budget of MAX_CHECK_STEPS; a check the budget cannot
pay for is not run, and a finding says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any, Iterator

from . import conditions, maturity, semantics
from .conditions import AllOf, AnyOf, Condition, Not
from .semantics import rule_parts
from .base import KnowledgeBase
from .rulebase import Recommendation, escalated
from .answers import check_answers

MAX_COMBINATIONS = 200_000

MAX_CHECK_STEPS = 250_000_000
"""What the exhaustive checks may cost together, in steps: one step is one part of a
condition (or of a derivation) evaluated for one combination of answers, counted before
the check runs. The shipped knowledge base takes about 41 million, in 2 seconds; checks
built to be slow run at about 10 million steps a second, so this keeps any knowledge
base to about half a minute while leaving room for one six times the shipped size."""


@dataclass(frozen=True)
class Finding:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path + ': ' if self.path else ''}{self.message}"


def check(kb: KnowledgeBase) -> list[Finding]:
    """Every finding, in a stable order; the examples are run first, so that the budget of
    steps goes to them before the exhaustive checks."""
    checker = _Checker(kb)
    examples = checker.examples()
    return (checker.unread_facts() + checker.derivations() + checker.ask_ifs()
            + checker.recommendations() + examples + maturity_findings(kb))


def maturity_findings(kb: KnowledgeBase) -> list[Finding]:
    """Levels out of order or out of reach, and maturity examples that do not hold."""
    if kb.maturity is None:
        return []
    return [Finding(kb.maturity.file, path, message) for path, message in maturity.findings(kb.maturity, kb)]


class _Checker:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.steps_left = MAX_CHECK_STEPS
        self.derived_size = sum(_size(derivation.when) for derivation in kb.derived.values())
        self._values: dict[str, list[Any]] = {}

    # -- the space of answers a set of conditions can tell apart ---------------------

    def values(self, fact_id: str) -> list[Any]:
        """The values of a fact worth telling apart, and unknown (None); found once per fact,
        as finding the thresholds walks every condition of the knowledge base."""
        if fact_id not in self._values:
            self._values[fact_id] = self._find_values(fact_id)
        return self._values[fact_id]

    def _find_values(self, fact_id: str) -> list[Any]:
        spec = self.kb.facts[fact_id]
        if spec.type == "bool":
            return [True, False, None]
        if spec.type == "enum":
            return list(spec.values) + [None]
        points = {spec.minimum if spec.minimum is not None else 0}
        for start in semantics.thresholds(self.kb, fact_id):
            points |= {start - 1, start}
        if spec.minimum is not None:
            points = {p for p in points if p >= spec.minimum}
        return sorted(points) + [None]

    def outcome(self, rec: Recommendation, known: dict[str, Any]) -> tuple[str, bool]:
        return semantics.recommendation_outcome(rec, semantics.value_of(self.kb, known))

    def count(self, fact_ids: list[str]) -> int:
        """How many combinations there are over ``fact_ids``."""
        total = 1
        for fact_id in fact_ids:
            total *= len(self.values(fact_id))
        return total

    def profiles(self, fact_ids: list[str]) -> Iterator[Any] | None:
        """Every combination over ``fact_ids``, as value lookups; None when too many."""
        if self.count(fact_ids) > MAX_COMBINATIONS:
            return None
        domains = [self.values(f) for f in fact_ids]
        return (semantics.value_of(self.kb, {f: v for f, v in zip(fact_ids, combo) if v is not None})
                for combo in product(*domains))

    def cost(self, fact_ids: list[str], runs: int, *conds: Condition | None) -> int:
        """The steps of evaluating ``conds`` ``runs`` times over every combination of
        ``fact_ids``, counting the derivations evaluated for each combination too."""
        return self.count(fact_ids) * runs * (sum(map(_size, conds)) + self.derived_size)

    def pay(self, steps: int) -> bool:
        """Take ``steps`` from the budget if it still holds them."""
        if steps > self.steps_left:
            return False
        self.steps_left -= steps
        return True

    def unchecked(self, file: str, path: str, what: str, steps: int) -> Finding:
        return Finding(file, path, f"kb check did not look {what}: that would take {steps:,} more steps, "
                       f"beyond the limit of {MAX_CHECK_STEPS:,} for the whole check; move parts of large "
                       "conditions into derived facts")

    # -- the checks --------------------------------------------------------------------

    def unread_facts(self) -> list[Finding]:
        kb = self.kb
        read: set[str] = set()
        for cond in semantics.all_conditions(kb):
            read |= semantics.facts_read(cond)
        findings = [Finding(kb.files[f], f"facts[{f}]", "nothing reads this fact (no rule, derivation "
                            "or escalation)") for f in kb.facts if f not in read]
        findings += [Finding(kb.files[d], f"derived[{d}]", "nothing reads this derived fact")
                     for d in kb.derived if d not in read]
        return findings

    def derivations(self) -> list[Finding]:
        findings = []
        for derived_id, derivation in self.kb.derived.items():
            for truth in (True, False):
                if not conditions.branches(derivation.when, truth, self.kb.types):
                    findings.append(Finding(self.kb.files[derived_id], f"derived[{derived_id}].when",
                                            f"nothing can derive {derived_id} = {str(truth).lower()}: "
                                            "the condition can never be " + ("true" if truth else "false")))
        return findings

    def ask_ifs(self) -> list[Finding]:
        reads = {rec.id: set(semantics.catalogue_facts_read(self.kb, *(c for _, c in rule_parts(rec))))
                 for rec in self.kb.recommendations.values()}
        findings = []
        for fact_id, spec in self.kb.facts.items():
            if spec.ask_if is not None:
                readers = [rec for rec in self.kb.recommendations.values() if fact_id in reads[rec.id]]
                findings += self.ask_if_findings(fact_id, spec.ask_if, readers)
        return findings

    def ask_if_findings(self, fact_id: str, ask_if: Condition, readers: list[Recommendation]) -> list[Finding]:
        """The first reader whose outcome the question still changes while ask_if hides it;
        else the readers the budget could not pay to look at, if any."""
        where = f"facts[{fact_id}].ask_if"
        unpaid: dict[str, int] = {}
        for rec in readers:
            conds = [c for _, c in rule_parts(rec)]
            others = [f for f in semantics.catalogue_facts_read(self.kb, ask_if, *conds) if f != fact_id]
            if self.count(others) > MAX_COMBINATIONS:
                continue
            steps = self.cost(others, 2 + len(self.values(fact_id)), ask_if, *conds)
            if not self.pay(steps):
                unpaid[rec.id] = steps
                continue
            example = self._hidden_but_matters(fact_id, ask_if, rec, others)
            if example:
                return [Finding(self.kb.files[fact_id], where, f"can hide this question while its answer "
                                f"still changes {rec.id} (for example with {example})")]
        if unpaid:
            return [self.unchecked(self.kb.files[fact_id], where, "at whether this can hide the question "
                                   f"from {_listed(list(unpaid))}", sum(unpaid.values()))]
        return []

    def _hidden_but_matters(self, fact_id: str, ask_if: Condition, rec: Recommendation,
                            others: list[str]) -> str | None:
        for value_of in self.profiles(others):
            if semantics.evaluate(ask_if, value_of) is not False:
                continue
            known = {f: value_of(f) for f in others if value_of(f) is not None}
            hidden = self.outcome(rec, known)
            for value in self.values(fact_id):
                if value is not None and self.outcome(rec, {**known, fact_id: value}) != hidden:
                    return ", ".join(f"{f}={v}" for f, v in known.items()) or "no other answers"
        return None

    def recommendations(self) -> list[Finding]:
        findings = []
        for rec in self.kb.recommendations.values():
            types = self.kb.types
            applies = conditions.branches(rec.applies, True, types)
            advised = [b for a in applies for c in conditions.branches(rec.advised, True, types)
                       if (b := conditions.conjoin(a, c)) is not None]
            if not advised:
                findings.append(Finding(rec.file, "advised", f"{rec.id} can never be advised: "
                                        "its applies and advised conditions cannot both be true"))
            elif not conditions.branches(rec.applies, False, types) and \
                    not conditions.branches(rec.advised, False, types):
                findings.append(Finding(rec.file, "advised", f"{rec.id} is advised on every fully "
                                        "answered profile: its conditions can never be false"))
            if not rec.examples:
                findings.append(Finding(rec.file, "examples", f"{rec.id} has no examples"))
            findings += self.redundancies(rec)
        return findings

    def redundancies(self, rec: Recommendation) -> list[Finding]:
        space_facts = semantics.catalogue_facts_read(self.kb, *(c for _, c in rule_parts(rec)))
        if self.count(space_facts) > MAX_COMBINATIONS:
            return []
        variants = sum(_removal_count(cond) for _, cond in rule_parts(rec))
        steps = self.cost(space_facts, 1 + variants, *(c for _, c in rule_parts(rec)))
        if not self.pay(steps):
            return [self.unchecked(rec.file, "", f"for redundant conditions in {rec.id}", steps)]
        baseline = [semantics.recommendation_outcome(rec, value_of) for value_of in self.profiles(space_facts)]
        findings = []
        for key, cond in rule_parts(rec):
            for path, reduced in _removals(cond, (key,)):
                variant = rec.replace(**{key: reduced})
                if all(semantics.recommendation_outcome(variant, value_of) == expected
                       for value_of, expected in zip(self.profiles(space_facts), baseline)):
                    findings.append(Finding(rec.file, _show_path(path), f"redundant condition in {rec.id}: "
                                            "removing it changes no outcome or escalation"))
        return findings

    def examples(self) -> list[Finding]:
        findings = []
        for rec in self.kb.recommendations.values():
            steps = self.cost([], len(rec.examples), *(c for _, c in rule_parts(rec)))
            if not self.pay(steps):
                findings.append(self.unchecked(rec.file, "examples", f"at the examples of {rec.id}", steps))
                continue
            for index, example in enumerate(rec.examples):
                where = f"examples[{index}]"
                answers, problems = check_answers(example.answers, self.kb)
                if problems:
                    findings += [Finding(rec.file, f"{where}.{p.field}", p.message) for p in problems]
                    continue
                got, up = self.outcome(rec, {k: v for k, v in answers.items() if v is not None})
                severity = (escalated(rec.severity) if up else rec.severity) if got == "advised" else None
                if got != example.outcome:
                    findings.append(Finding(rec.file, where, f"expected {example.outcome}, the rules give {got}"))
                elif example.severity and example.severity != severity:
                    findings.append(Finding(rec.file, where,
                                            f"expected severity {example.severity}, the rules give {severity}"))
        return findings


def _removals(cond: Condition, path: tuple) -> Iterator[tuple[tuple, Condition]]:
    """Each part of an all/any removed in turn, anywhere in the tree, with its path."""
    if isinstance(cond, Not):
        for sub_path, reduced in _removals(cond.part, path + ("not",)):
            yield sub_path, Not(reduced)
    elif isinstance(cond, (AllOf, AnyOf)):
        key = "all" if isinstance(cond, AllOf) else "any"
        for index, part in enumerate(cond.parts):
            rest = cond.parts[:index] + cond.parts[index + 1:]
            if rest:
                yield path + (key, index), type(cond)(rest)
            for sub_path, reduced in _removals(part, path + (key, index)):
                yield sub_path, type(cond)(cond.parts[:index] + (reduced,) + cond.parts[index + 1:])


def _removal_count(cond: Condition) -> int:
    """How many conditions ``_removals`` yields, without building them."""
    if isinstance(cond, Not):
        return _removal_count(cond.part)
    if isinstance(cond, (AllOf, AnyOf)):
        own = len(cond.parts) if len(cond.parts) > 1 else 0
        return own + sum(_removal_count(part) for part in cond.parts)
    return 0


def _size(cond: Condition | None) -> int:
    """How many parts a condition has, itself included (a measure of evaluating it once)."""
    if isinstance(cond, Not):
        return 1 + _size(cond.part)
    if isinstance(cond, (AllOf, AnyOf)):
        return 1 + sum(_size(part) for part in cond.parts)
    return 0 if cond is None else 1


def _listed(ids: list[str]) -> str:
    """``R01``, ``R01 and R02``, ``R01, R02 and 3 others``: never an unbounded list."""
    if len(ids) <= 2:
        return " and ".join(ids)
    return f"{ids[0]}, {ids[1]} and {len(ids) - 2} other{'s' if len(ids) > 3 else ''}"


def _show_path(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else ("." if i else "") + p for i, p in enumerate(path))
