"""Explanations: how each conclusion follows from the user's own answers.

The engine records, for every rule that fired, the values of the facts its patterns
matched; this module turns those records into chains — answers (quoted with their
question), derived facts (with the rule that derived them), the recommendation's
branch, the escalation and the score in words — and says why a recommendation was
not advised from the branch that concluded so.
"""

from __future__ import annotations

from typing import Any

from ..knowledge.conditions import describe, describe_literal, show_value
from ..engine.compiled import Firing, Run
from ..knowledge.base import KnowledgeBase
from .priority import timing_words
from .models import Explanation, Step
from ..knowledge.rulebase import Recommendation


class Explainer:
    """Builds explanation steps for one run."""

    def __init__(self, kb: KnowledgeBase, run: Run, notes: dict[str, str] | None = None) -> None:
        self.kb = kb
        self.run = run
        self.notes = notes or {}

    def evidence_steps(self, firings: list[Firing], seen: set[str]) -> list[Step]:
        """Answers and derived facts that the fired branches matched, each once."""
        steps: list[Step] = []
        for firing in firings:
            for fact_id, value in firing.values:
                if fact_id in seen:
                    continue
                seen.add(fact_id)
                if fact_id in self.kb.derived:
                    steps.extend(self.derived_steps(fact_id, value, seen))
                else:
                    steps.append(self.answer_step(fact_id, value))
        return steps

    def answer_step(self, fact_id: str, value: Any) -> Step:
        question = self.kb.facts[fact_id].question
        note = self.notes.get(fact_id)
        return Step(kind="answer", fact=fact_id, value=value, question=question, note=note,
                    text=f"You answered {fact_id} = {show_value(value)} (\"{question}\")"
                         + (f" — note: {note}" if note else ""))

    def derived_steps(self, fact_id: str, value: Any, seen: set[str]) -> list[Step]:
        derivations = self.run.firings_of("derive", fact_id, value)
        steps = self.evidence_steps(derivations, seen)
        rule = derivations[0].rule.name if derivations else None
        because = "; ".join(" and ".join(f"{fid} = {show_value(v)}" for fid, v in d.values)
                            for d in derivations)
        steps.append(Step(kind="derived", fact=fact_id, value=value, rule=rule,
                          text=f"so {fact_id} is {show_value(value)} (derived by rule {rule} from {because}: "
                               f"{self.kb.derived[fact_id].meaning.rstrip('.')})"))
        return steps

    def advice(self, rec: Recommendation, escalated_to: str | None, when: str, score: float,
               severity: str, phase: str | None) -> Explanation:
        seen: set[str] = set()
        advised = self.run.firings_of("outcome", rec.id, "advised")
        steps = self.evidence_steps(advised, seen)
        for firing in advised:
            required = " and ".join(describe_literal(literal) for literal in firing.rule.branch)
            steps.append(Step(kind="condition", rule=firing.rule.name,
                              text=f"{rec.id} is advised by rule {firing.rule.name}: {required or 'always'}"))
        if escalated_to:
            escalations = self.run.firings_of("escalate", rec.id, True)
            steps.extend(self.evidence_steps(escalations, seen))
            why = "; ".join(" and ".join(describe_literal(lit) for lit in f.rule.branch) for f in escalations)
            steps.append(Step(kind="escalation", rule=escalations[0].rule.name if escalations else None,
                              text=f"severity {rec.severity}, escalated to {escalated_to} because {why}"))
        points = self.kb.meta.severity_points[severity]
        weight = self.kb.meta.timing_weights[when]
        steps.append(Step(kind="score", text=f"score {score:g} = {severity} ({points:g}) × {when} ({weight:g}); "
                                              + timing_words(rec.phases, phase, when)))
        return Explanation(steps=steps, text="\n".join(step.text for step in steps))

    def why_not(self, rec: Recommendation, outcome: str) -> str:
        """Why a settled recommendation is not advised, from the branch that settled it."""
        firings = self.run.firings_of("outcome", rec.id, outcome)
        facts = "; ".join(", ".join(f"{fid} = {show_value(v)}" for fid, v in f.values) for f in firings)
        if outcome == "not_applicable":
            return f"does not apply: \"{describe(rec.applies)}\" is false ({facts})"
        return f"the gap is closed: \"{describe(rec.advised)}\" is false ({facts})"
