"""Disagreements of a merged assessment: what each respondent's answer would change.

A disputed question is evaluated as unknown. A steering committee still needs to know
what is at stake in settling it: for each distinct answer the respondents gave, the
engine runs again with that answer, and the recommendations whose outcome or severity
would move are listed — "if the ministry is right, R07 becomes critical advice".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..knowledge.semantics import answer_key
from .data import ClaimEffect, Disagreement, Report, OutcomeMove

if TYPE_CHECKING:
    from ..knowledge.scenario import Scenario
    from .expert import Expert


def _verdicts(report: Report) -> dict[str, tuple[str, str | None]]:
    severity = {item.id: item.severity for item in report.advice}
    return {rec_id: (outcome, severity.get(rec_id)) for rec_id, outcome in report.outcomes.items()}


def _titles(report: Report) -> dict[str, str]:
    return {item.id: item.title for item in [*report.advice, *report.undetermined, *report.settled]}


def disagreements(expert: Expert, scenario: Scenario, report: Report,
                  evaluate: Callable[[Scenario], Report]) -> list[Disagreement]:
    """One entry per disputed question, in catalogue order, each answer's effect on ``report``."""
    base, titles = _verdicts(report), _titles(report)
    found = []
    for fact_id in [f for f in expert.kb.facts if f in scenario.disputed]:
        claims = scenario.disputed[fact_id]
        effects = []
        for value in _distinct(claim.value for claim in claims):
            trial = evaluate(scenario.model_copy(update={"answers": {**scenario.answers, fact_id: value},
                                                         "disputed": {}}))
            after = _verdicts(trial)
            changes = [OutcomeMove(id=rec_id, title=titles.get(rec_id, ""), before=old[0], after=after[rec_id][0],
                             before_severity=old[1], after_severity=after[rec_id][1])
                       for rec_id, old in base.items() if after[rec_id] != old]
            effects.append(ClaimEffect(value=value, respondents=sorted(c.respondent for c in claims
                                                                       if answer_key(c.value) == answer_key(value)),
                                       changes=changes))
        found.append(Disagreement(fact=fact_id, question=expert.kb.facts[fact_id].question, effects=effects,
                                  notes={claim.respondent: claim.note for claim in claims if claim.note}))
    return found


def _distinct(values) -> list[Any]:
    seen, result = set(), []
    for value in values:
        if answer_key(value) not in seen:
            seen.add(answer_key(value))
            result.append(value)
    return result
