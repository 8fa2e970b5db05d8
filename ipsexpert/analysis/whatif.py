"""What if: the fewest answer changes that would remove the most severe advice.

A report says what to do; a project team also asks which piece of work would make the
biggest difference. This module answers by trying changes of the project's own
answers and re-running the compiled engine (one ``Expert``, its engine reused), so a
what-if and ``evaluate`` on the changed answers can never disagree.

Only realistic changes are tried: a fact the catalogue marks ``actionable`` (never the
context), moved from its current known answer to every other answer the rules can
tell apart. The search is pruned by reading the rules, never by knowledge written in
Python, and the pruning is sound:

- a change can remove or lower advice only through a recommendation that is advised
  now, so only facts that such a recommendation's ``applies``, ``advised`` or
  ``escalate`` conditions read (through derived facts), or the phase that times every
  advice, are changed;
- two changes can do more than each one applied alone only through a recommendation
  that reads both facts, so other pairs are never run: the single changes already show
  their sum. A pair that is run is kept only when its result is new (not the baseline,
  not a single change's, not the two single changes' independent sum) and better than
  both of its single changes.

Options rank by the most severe advice they remove, then by how far they lower the
total priority score (the sum of advice scores), then by fewer changes, then by fact
id. Separately, for every open question that decides an undetermined recommendation,
the result of each possible answer is shown: what answering it would add or settle.
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping, NamedTuple

from pydantic import BaseModel

from ..knowledge import semantics
from ..knowledge.base import KnowledgeBase
from ..knowledge.rulebase import SEVERITIES, Severity
from ..knowledge.scenario import Scenario
from ..knowledge.semantics import choices, same_answer
from ..report.expert import Expert, Subject
from ..report.models import KnowledgeBaseInfo, OutcomeMove, Report
from .questions import CONTEXT, asking_order

SETTLED = ("satisfied", "not_applicable")


class Verdict(NamedTuple):
    """One recommendation's result in one run: its outcome and, when advised, severity and score."""

    outcome: str
    severity: str | None = None
    score: float = 0.0


State = tuple[Verdict, ...]
"""Every recommendation's verdict, in the knowledge base's order (hashable, comparable)."""


class Change(BaseModel):
    """One answer moved from its current value to another."""

    fact: str
    before: Any
    after: Any
    label: str  # the new answer in words: "yes", "full", "2 to 4"


class Shift(OutcomeMove):
    """One recommendation whose verdict a change moves, with its score before and after."""

    before_score: float = 0.0
    after_score: float = 0.0


class Effect(BaseModel):
    """What a change does to the report, against the current answers.

    ``leaves_open`` is advice that the change turns undetermined (it hangs on an answer
    still unknown): not a removal, so its score still counts in ``score_after``.
    """

    removes: list[Shift] = []
    adds: list[Shift] = []
    severity_changes: list[Shift] = []
    settles: list[Shift] = []
    leaves_open: list[Shift] = []
    score_before: float
    score_after: float

    @property
    def reduction(self) -> float:
        return self.score_before - self.score_after

    @property
    def top_removed(self) -> int:
        """The severity index of the most severe advice removed; -1 when none is."""
        return max((SEVERITIES.index(shift.before_severity) for shift in self.removes), default=-1)

    def improves(self) -> bool:
        """Removes advice or lowers the total score, and never raises it."""
        return self.reduction >= 0 and (bool(self.removes) or self.reduction > 0)


class Option(BaseModel):
    """A set of answer changes and what it would do."""

    changes: list[Change]
    effect: Effect


class AnswerEffect(BaseModel):
    """What one possible answer to an open question would do."""

    label: str
    value: Any
    effect: Effect


class OpenQuestion(BaseModel):
    """An unanswered actionable question that decides an undetermined recommendation."""

    fact: str
    question: str
    decides: list[str]
    answers: list[AnswerEffect]


class Search(BaseModel):
    """How much was tried, so a reader can judge the search."""

    max_changes: int
    answered_actionable: int  # actionable facts with a known answer
    relevant: int  # of which some advised recommendation reads (or the phase)
    single_changes: int
    pairs_possible: int  # pairs of single changes to two different facts
    pairs_run: int  # of which some recommendation reads both facts
    engine_runs: int


class WhatIf(BaseModel):
    """The result of a what-if analysis of one scenario."""

    source: str | None
    name: str
    as_of: str | None = None
    advice: dict[str, Severity]  # the advice now: id -> severity, by rank
    score: float  # the total priority score now
    undetermined: int = 0  # recommendations still open now
    found: int  # improving options found; ``options`` may show fewer
    options: list[Option]
    open_questions: list[OpenQuestion]
    search: Search
    knowledge_base: KnowledgeBaseInfo


# --- reading the rules ----------------------------------------------------------------

def actionable(kb: KnowledgeBase, fact_id: str) -> bool:
    """A fact the project can change by its own work: marked actionable, and never the context."""
    spec = kb.facts[fact_id]
    return spec.actionable and spec.construct != CONTEXT


def readers(kb: KnowledgeBase) -> dict[str, set[str]]:
    """Catalogue fact -> the recommendations whose verdict it can move.

    The phase moves every recommendation: it times advice, and timing is part of the score.
    """
    found: dict[str, set[str]] = {fact_id: set() for fact_id in kb.facts}
    for rec_id, rec in kb.recommendations.items():
        for fact_id in semantics.catalogue_facts_read(kb, *(c for _, c in semantics.rule_parts(rec))):
            found[fact_id].add(rec_id)
    if kb.meta.phase_fact in found:
        found[kb.meta.phase_fact] = set(kb.recommendations)
    return found


def single_changes(kb: KnowledgeBase, answers: Mapping[str, Any], relevant: set[str]) -> list[Change]:
    """Every change of a known actionable answer in ``relevant`` to another answer, in catalogue order."""
    changes = []
    for fact_id in kb.facts:
        current = answers.get(fact_id)
        if fact_id in relevant and current is not None and actionable(kb, fact_id):
            changes += [Change(fact=fact_id, before=current, after=choice.value, label=choice.label)
                        for choice in choices(kb, fact_id) if not same_answer(choice.value, current)]
    return changes


def key(change: Change) -> tuple[str, str]:
    """A single change's identity: its fact and the new answer in words (unique per fact)."""
    return change.fact, change.label


# --- running variants -------------------------------------------------------------------

class Trials:
    """Variants of one scenario's answers, each evaluated by the one Expert; counts engine runs."""

    def __init__(self, expert: Expert, scenario: Scenario) -> None:
        self.expert = expert
        self.scenario = scenario
        self.runs = 0

    def report(self, updates: Mapping[str, Any]) -> Report:
        answers = {**self.scenario.answers, **updates}
        self.runs += 1
        return self.expert.report(self.scenario.model_copy(update={"answers": answers}),
                                  self.expert.run(answers))

    def state(self, updates: Mapping[str, Any]) -> State:
        return state_of(self.report(updates))


def state_of(report: Report) -> State:
    """The verdicts of a report, in the report's (the knowledge base's) order."""
    advice = {item.id: item for item in report.advice}
    return tuple(Verdict(outcome, advice[rec_id].severity, advice[rec_id].score) if rec_id in advice
                 else Verdict(outcome) for rec_id, outcome in report.outcomes.items())


def total(state: State) -> float:
    """The total priority score: the sum of advice scores."""
    return sum(verdict.score for verdict in state)


def compare(kb: KnowledgeBase, before: State, after: State) -> Effect:
    """What moving from ``before`` to ``after`` does, recommendation by recommendation."""
    effect = Effect(score_before=total(before), score_after=total(after))
    for rec_id, old, new in zip(kb.recommendations, before, after):
        if old == new:
            continue
        shift = Shift(id=rec_id, title=kb.recommendations[rec_id].title, before=old.outcome, after=new.outcome,
                      before_severity=old.severity, after_severity=new.severity,
                      before_score=old.score, after_score=new.score)
        bucket = _bucket(effect, shift)
        if bucket is not None:
            bucket.append(shift)
    effect.score_after += sum(shift.before_score for shift in effect.leaves_open)
    return effect


def _bucket(effect: Effect, shift: Shift) -> list[Shift] | None:
    """Where a shift is reported; None for moves between verdicts that give no advice."""
    if shift.before == "advised" and shift.after == "advised":
        return effect.severity_changes
    if shift.before == "advised":
        return effect.removes if shift.after in SETTLED else effect.leaves_open
    if shift.after == "advised":
        return effect.adds
    return effect.settles if shift.before == "undetermined" and shift.after in SETTLED else None


def merged(base: State, first: State, second: State) -> State:
    """Two changes' results applied independently: each recommendation as whichever moved it."""
    return tuple(a if a != b else c for b, a, c in zip(base, first, second))


# --- the search -------------------------------------------------------------------------

def rank_key(option: Option, order: Mapping[tuple[str, str], int]) -> tuple:
    """Most severe advice removed, then the largest score reduction, then fewer changes, then fact id."""
    effect = option.effect
    return (-effect.top_removed, -effect.reduction, len(option.changes),
            tuple(change.fact for change in option.changes),
            tuple(order[key(change)] for change in option.changes))


def what_if(expert: Expert, subject: Subject, max_changes: int = 2, top: int = 10) -> WhatIf:
    """The best answer changes for a scenario (up to ``max_changes`` at once), and what open questions decide.

    ``top`` caps the options listed (0 lists all); ``found`` still counts every one.
    """
    kb = expert.kb
    scenario = expert.scenario(subject)
    trials = Trials(expert, scenario)
    report = trials.report({})
    base = state_of(report)
    moved_by = readers(kb)
    advised = {item.id for item in report.advice}
    relevant = {fact_id for fact_id, recs in moved_by.items() if recs & advised}
    singles = single_changes(kb, scenario.answers, relevant)
    results = {key(change): trials.state({change.fact: change.after}) for change in singles}
    pairs = _pairs(singles, moved_by) if max_changes >= 2 else []
    options = [Option(changes=[change], effect=compare(kb, base, results[key(change)])) for change in singles]
    options += _better_pairs(kb, trials, base, pairs, results)
    options = _ranked([option for option in options if option.effect.improves()], singles)
    questions = open_questions(kb, trials, report, base)
    answered = {fact_id for fact_id, value in scenario.answers.items()
                if value is not None and actionable(kb, fact_id)}
    search = Search(max_changes=max_changes, answered_actionable=len(answered), relevant=len(relevant & answered),
                    single_changes=len(singles), pairs_possible=_count_pairs(singles), pairs_run=len(pairs),
                    engine_runs=trials.runs)
    return WhatIf(source=scenario.source, name=scenario.name, as_of=scenario.as_of,
                  advice={item.id: item.severity for item in report.advice}, score=total(base),
                  undetermined=len(report.undetermined),
                  found=len(options), options=options[:top] if top else options, open_questions=questions,
                  search=search, knowledge_base=report.knowledge_base)


def _ranked(options: list[Option], singles: list[Change]) -> list[Option]:
    order = {key(change): index for index, change in enumerate(singles)}
    return sorted(options, key=lambda option: rank_key(option, order))


def _pairs(singles: list[Change], moved_by: Mapping[str, set[str]]) -> list[tuple[Change, Change]]:
    """Pairs of changes to two facts that some recommendation reads together: the only pairs that can interact."""
    return [(a, b) for a, b in itertools.combinations(singles, 2)
            if a.fact != b.fact and moved_by[a.fact] & moved_by[b.fact]]


def _count_pairs(singles: list[Change]) -> int:
    return sum(a.fact != b.fact for a, b in itertools.combinations(singles, 2))


def _better_pairs(kb: KnowledgeBase, trials: Trials, base: State, pairs: list[tuple[Change, Change]],
                  results: Mapping[tuple[str, str], State]) -> list[Option]:
    """The pairs whose result is new and better than each of their two single changes."""
    seen = set(results.values()) | {base}
    kept = []
    for a, b in pairs:
        state = trials.state({a.fact: a.after, b.fact: b.after})
        if state in seen or state == merged(base, results[key(a)], results[key(b)]):
            continue
        seen.add(state)
        effect = compare(kb, base, state)
        best_single = max(_merit(compare(kb, base, results[key(change)])) for change in (a, b))
        if _merit(effect) > best_single:
            kept.append(Option(changes=[a, b], effect=effect))
    return kept


def _merit(effect: Effect) -> tuple[int, float]:
    return effect.top_removed, effect.reduction


def open_questions(kb: KnowledgeBase, trials: Trials, report: Report, base: State) -> list[OpenQuestion]:
    """For each open actionable question deciding an undetermined recommendation, each answer's effect.

    Questions come in the consultation's asking order: context first, then construct by construct.
    """
    decides: dict[str, list[str]] = {}
    for item in report.undetermined:
        for fact_id in item.deciding_facts:
            if actionable(kb, fact_id):
                decides.setdefault(fact_id, []).append(item.id)
    order = asking_order(kb)
    return [OpenQuestion(fact=fact_id, question=kb.facts[fact_id].question, decides=decides[fact_id],
                         answers=[AnswerEffect(label=choice.label, value=choice.value,
                                               effect=compare(kb, base, trials.state({fact_id: choice.value})))
                                  for choice in choices(kb, fact_id)])
            for fact_id in sorted(decides, key=order.__getitem__)]
