"""``ipsexpert kb check``: verifying a knowledge base as a linter verifies code.

Because conditions are data, the checker can reason about them: it enumerates every
combination of the values a rule can tell apart (each value of the facts it reads,
the boundary values of its integer comparisons, and unknown), which is exhaustive for
the rule's own facts and small enough to run in a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any, Iterator

from . import conditions, semantics
from .conditions import AllOf, AnyOf, Condition, Not
from .semantics import rule_parts
from .loading import KnowledgeBase
from .rulebase import Recommendation, escalated
from .scenario import check_answers

MAX_COMBINATIONS = 200_000


@dataclass(frozen=True)
class Finding:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


def check(kb: KnowledgeBase) -> list[Finding]:
    """Every finding, in a stable order."""
    checker = _Checker(kb)
    return (checker.unread_facts() + checker.derivations() + checker.ask_ifs()
            + checker.recommendations() + checker.examples())


class _Checker:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    # -- the space of answers a set of conditions can tell apart ---------------------

    def values(self, fact_id: str) -> list[Any]:
        """The values of a fact worth telling apart, and unknown (None)."""
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

    def profiles(self, fact_ids: list[str]) -> Iterator[Any] | None:
        """Every combination over ``fact_ids``, as value lookups; None when too many."""
        domains = [self.values(f) for f in fact_ids]
        total = 1
        for domain in domains:
            total *= len(domain)
        if total > MAX_COMBINATIONS:
            return None
        return (semantics.value_of(self.kb, {f: v for f, v in zip(fact_ids, combo) if v is not None})
                for combo in product(*domains))

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
        findings = []
        for fact_id, spec in self.kb.facts.items():
            if spec.ask_if is None:
                continue
            for rec in self.kb.recommendations.values():
                if fact_id not in semantics.catalogue_facts_read(self.kb, *(c for _, c in rule_parts(rec))):
                    continue
                example = self._hidden_but_matters(fact_id, spec.ask_if, rec)
                if example:
                    findings.append(Finding(self.kb.files[fact_id], f"facts[{fact_id}].ask_if",
                                            f"can hide this question while its answer still changes {rec.id} "
                                            f"(for example with {example})"))
                    break
        return findings

    def _hidden_but_matters(self, fact_id: str, ask_if: Condition, rec: Recommendation) -> str | None:
        read = semantics.catalogue_facts_read(self.kb, ask_if, *(c for _, c in rule_parts(rec)))
        others = [f for f in read if f != fact_id]
        space = self.profiles(others)
        if space is None:
            return None
        for value_of in space:
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
        if self.profiles(space_facts) is None:
            return []
        baseline = [semantics.recommendation_outcome(rec, value_of) for value_of in self.profiles(space_facts)]
        findings = []
        for key, cond in rule_parts(rec):
            for path, reduced in _removals(cond, (key,)):
                variant = rec.model_copy(update={key: reduced})
                if all(semantics.recommendation_outcome(variant, value_of) == expected
                       for value_of, expected in zip(self.profiles(space_facts), baseline)):
                    findings.append(Finding(rec.file, _show_path(path), f"redundant condition in {rec.id}: "
                                            "removing it changes no outcome or escalation"))
        return findings

    def examples(self) -> list[Finding]:
        findings = []
        for rec in self.kb.recommendations.values():
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


def _show_path(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else ("." if i else "") + p for i, p in enumerate(path))
