"""Explanations: how each conclusion follows from the user's own answers.

The engine records, for every rule that fired, the values of the facts its patterns
matched; this module turns those records into chains — answers (quoted with their
question), derived facts (with the rule that derived them), the recommendation's
branch, the escalation and the score in words — and says why a recommendation was
not advised from the branch that concluded so.

Most steps do not depend on the profile, only on the knowledge base and a few finite
choices: a rule's condition, an escalation, a score for a severity, timing and phase,
an answer of yes/no or of an enum value without a note. ``Texts`` makes each of those
once per knowledge base and hands out the same frozen step ever after; steps that
quote a number or a note are made for the profile.

A note is quoted in every step that cites its answer, so a long one is cut there (see
``NOTE_IN_STEP``): the note stands whole, once, under the report's ``notes``, and a
report grows with its scenario by a small constant factor.
"""

from __future__ import annotations

from typing import Any

from ..knowledge.conditions import describe, describe_literal, show_value
from ..engine.compiled import CompiledRule, Firing, Run
from ..knowledge.base import KnowledgeBase
from .priority import timing_words
from .data import Explanation, Step
from ..memo import remember
from ..knowledge.rulebase import Recommendation

NOTE_IN_STEP = 1000
"""Characters of a note an explanation step quotes; past this the step cuts the note with a
marker saying how much is left out and where the whole note is (``notes.<fact>``)."""


def quoted_note(fact_id: str, note: str | None) -> str | None:
    """A note as a step quotes it: whole up to NOTE_IN_STEP characters, else cut with a marker."""
    if note is None or len(note) <= NOTE_IN_STEP:
        return note
    return (f"{note[:NOTE_IN_STEP]}… [{len(note) - NOTE_IN_STEP} more characters; "
            f"the whole note is under notes.{fact_id}]")


MAX_REMEMBERED = 20_000
"""Steps kept per kind and knowledge base. Yes/no and enum answers are finitely many, numbers
are not: past this the memory of a kind starts again, so a batch's memory stays flat."""


class Texts:
    """The steps that depend only on the knowledge base, each made once and then shared."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.answers: dict[tuple[str, Any], Step] = {}
        self.derived: dict[tuple, Step] = {}
        self.conditions: dict[str, Step] = {}
        self.escalations: dict[tuple, Step] = {}
        self.scores: dict[tuple, Step] = {}
        self.reasons: dict[tuple[str, str], str] = {}

    def answer(self, fact_id: str, value: Any, note: str | None) -> Step:
        key = (fact_id, type(value), value)
        step = self.answers.get(key) if note is None else None
        if step is None:
            question = self.kb.facts[fact_id].question
            note = quoted_note(fact_id, note)
            step = Step("answer", f"You answered {fact_id} = {show_value(value)} (\"{question}\")"
                                  + (f" — note: {note}" if note else ""),
                        fact=fact_id, value=value, question=question, note=note)
            if note is None:
                remember(self.answers, key, step, MAX_REMEMBERED)
        return step

    def derived_step(self, fact_id: str, value: Any, derivations: list[Firing]) -> Step:
        matched = tuple(firing.values for firing in derivations)
        rule = derivations[0].rule.name if derivations else None
        key = (fact_id, value, rule, matched)
        step = self.derived.get(key)
        if step is None:
            because = "; ".join(" and ".join(f"{fid} = {show_value(v)}" for fid, v in values) for values in matched)
            step = Step("derived", f"so {fact_id} is {show_value(value)} (derived by rule {rule} from {because}: "
                                   f"{self.kb.derived[fact_id].meaning.rstrip('.')})",
                        fact=fact_id, value=value, rule=rule)
            remember(self.derived, key, step, MAX_REMEMBERED)
        return step

    def condition(self, rec_id: str, rule: CompiledRule) -> Step:
        step = self.conditions.get(rule.name)
        if step is None:
            required = " and ".join(describe_literal(literal) for literal in rule.branch)
            step = self.conditions[rule.name] = Step(
                "condition", f"{rec_id} is advised by rule {rule.name}: {required or 'always'}", rule=rule.name)
        return step

    def escalation(self, rec: Recommendation, escalated_to: str, escalations: list[Firing]) -> Step:
        rules = tuple(firing.rule for firing in escalations)
        key = (rec.id, escalated_to, tuple(rule.name for rule in rules))
        step = self.escalations.get(key)
        if step is None:
            why = "; ".join(" and ".join(describe_literal(lit) for lit in rule.branch) for rule in rules)
            step = self.escalations[key] = Step(
                "escalation", f"severity {rec.severity}, escalated to {escalated_to} because {why}",
                rule=rules[0].name if rules else None)
        return step

    def why_not(self, rec: Recommendation, outcome: str) -> str:
        """The start of a settled recommendation's reason: which of its conditions is false."""
        key = (rec.id, outcome)
        words = self.reasons.get(key)
        if words is None:
            if outcome == "not_applicable":
                words = f"does not apply: \"{describe(rec.applies)}\" is false"
            else:
                words = f"the gap is closed: \"{describe(rec.advised)}\" is false"
            self.reasons[key] = words
        return words

    def score(self, rec: Recommendation, when: str, score: float, severity: str, phase: str | None) -> Step:
        key = (rec.id, when, score, severity, phase)
        step = self.scores.get(key)
        if step is None:
            points = self.kb.meta.severity_points[severity]
            weight = self.kb.meta.timing_weights[when]
            step = self.scores[key] = Step(
                "score", f"score {score:g} = {severity} ({points:g}) × {when} ({weight:g}); "
                         + timing_words(rec.phases, phase, when))
        return step


class Explainer:
    """Builds explanation steps for one run."""

    def __init__(self, kb: KnowledgeBase, run: Run, notes: dict[str, str] | None = None,
                 texts: Texts | None = None) -> None:
        self.kb = kb
        self.run = run
        self.notes = notes or {}
        self.texts = texts if texts is not None else Texts(kb)

    def evidence_steps(self, firings: list[Firing], seen: set[str]) -> list[Step]:
        """Answers and derived facts that the fired branches matched, each once."""
        steps: list[Step] = []
        derived = self.kb.derived
        for firing in firings:
            for fact_id, value in firing.values:
                if fact_id in seen:
                    continue
                seen.add(fact_id)
                if fact_id in derived:
                    steps.extend(self.derived_steps(fact_id, value, seen))
                else:
                    steps.append(self.answer_step(fact_id, value))
        return steps

    def answer_step(self, fact_id: str, value: Any) -> Step:
        return self.texts.answer(fact_id, value, self.notes.get(fact_id))

    def derived_steps(self, fact_id: str, value: Any, seen: set[str]) -> list[Step]:
        derivations = self.run.firings_of("derive", fact_id, value)
        steps = self.evidence_steps(derivations, seen)
        steps.append(self.texts.derived_step(fact_id, value, derivations))
        return steps

    def advice(self, rec: Recommendation, escalated_to: str | None, when: str, score: float,
               severity: str, phase: str | None) -> Explanation:
        seen: set[str] = set()
        texts = self.texts
        advised = self.run.firings_of("outcome", rec.id, "advised")
        steps = self.evidence_steps(advised, seen)
        steps.extend(texts.condition(rec.id, firing.rule) for firing in advised)
        if escalated_to:
            escalations = self.run.firings_of("escalate", rec.id, True)
            steps.extend(self.evidence_steps(escalations, seen))
            steps.append(texts.escalation(rec, escalated_to, escalations))
        steps.append(texts.score(rec, when, score, severity, phase))
        return Explanation(steps, "\n".join([step.text for step in steps]))

    def why_not(self, rec: Recommendation, outcome: str) -> str:
        """Why a settled recommendation is not advised, from the branch that settled it."""
        firings = self.run.firings_of("outcome", rec.id, outcome)
        facts = "; ".join(", ".join(f"{fid} = {show_value(v)}" for fid, v in f.values) for f in firings)
        return f"{self.texts.why_not(rec, outcome)} ({facts})"
