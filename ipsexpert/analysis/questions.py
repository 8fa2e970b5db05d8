"""Which question to ask next, and why it matters: reasoned from the rules, never listed by hand.

A consultation must not waste a practitioner's time on questions whose answer cannot
change the advice. Because conditions are data, the rules can be read in three-valued
logic over the answers given so far: a question is worth asking only while it is one of
the facts that still decide some recommendation's outcome, the severity of advice that
is (or may become) given, or — through the project's phase — its timing, score and rank.
Every unanswered question has the same standing, so the order is the roadmap's: the
project's context first, then construct by construct, the most decisive question first.

Everything here is pure: answers in, decisions out. ``consult`` does the talking.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal, Mapping

from ..knowledge import semantics
from ..knowledge.conditions import Condition
from ..knowledge.rulebase import escalated
from ..knowledge.semantics import choices
from ..knowledge.base import KnowledgeBase
from ..report.priority import timing

Answers = Mapping[str, Any]
"""Fact id to answer; None for a question answered "unknown" (answered all the same)."""

CONTEXT = "context"

StakeKind = Literal["outcome", "severity", "rank"]


@dataclass(frozen=True)
class Stake:
    """What an answer can still change for one recommendation."""

    recommendation: str
    kind: StakeKind


def known(answers: Answers) -> dict[str, Any]:
    """The answers that carry a value (an "unknown" answer tells the rules nothing)."""
    return {fact_id: value for fact_id, value in answers.items() if value is not None}


def stakes(kb: KnowledgeBase, answers: Answers) -> dict[str, list[Stake]]:
    """Every unanswered question whose answer can still change the report, in asking order.

    The relevant facts are the open facts (through derived facts) of: ``applies`` and
    ``advised`` of undetermined recommendations; ``applies`` of satisfied ones (a
    satisfied recommendation still becomes not applicable when ``applies`` turns out
    false, and the outcome is part of the report); ``escalate`` of advice given or still
    possible; and the phase while any advice is given or possible. A question whose
    ``ask_if`` is known false is never relevant: ``kb check`` proves it cannot matter.
    """
    state = _State(kb, answers)
    found: dict[str, list[Stake]] = {}
    for rec_id in kb.recommendations:
        for fact_id, stake in state.contribution(rec_id):
            if stake not in found.setdefault(fact_id, []):
                found[fact_id].append(stake)
    order = asking_order(kb)
    return {fact_id: found[fact_id] for fact_id in sorted(found, key=lambda f: (
        order[f][0], -sum(stake.kind == "outcome" for stake in found[f]), order[f][1]))}


class _State:
    """The answers so far, read three-valued, with each question's ``ask_if`` judged once."""

    def __init__(self, kb: KnowledgeBase, answers: Answers) -> None:
        self.kb, self.answers = kb, answers
        self.value_of = semantics.value_of(kb, known(answers))
        self._askable: dict[str, bool] = {}
        phase = kb.meta.phase_fact
        self.phase_open = [phase] if phase in kb.facts and phase not in answers and self.askable(phase) else []

    def askable(self, fact_id: str) -> bool:
        if fact_id not in self._askable:
            self._askable[fact_id] = semantics.askable(self.kb, fact_id, self.value_of)
        return self._askable[fact_id]

    def open_questions(self, condition: Condition | None) -> list[str]:
        if condition is None:
            return []
        open_ids = semantics.expand_derived(self.kb, semantics.open_facts(condition, self.value_of), self.value_of)
        return [fact_id for fact_id in open_ids if fact_id not in self.answers and self.askable(fact_id)]

    def contribution(self, rec_id: str) -> list[tuple[str, Stake]]:
        """The questions one recommendation still hangs on, each with what it decides there."""
        rec = self.kb.recommendations[rec_id]
        outcome, _ = semantics.recommendation_outcome(rec, self.value_of)
        if outcome == "undetermined":
            deciding = self.open_questions(rec.applies) + self.open_questions(rec.advised)
        elif outcome == "satisfied":
            deciding = self.open_questions(rec.applies)
        else:
            deciding = []
        found = [(fact_id, Stake(rec_id, "outcome")) for fact_id in deciding]
        if outcome == "advised" or (outcome == "undetermined" and deciding):
            found += [(fact_id, Stake(rec_id, "severity")) for fact_id in self.open_questions(rec.escalate)]
            found += [(fact_id, Stake(rec_id, "rank")) for fact_id in self.phase_open]
        return found


def asking_order(kb: KnowledgeBase) -> dict[str, tuple[int, int]]:
    """Context first, then the roadmap's constructs: prerequisites are settled before what builds on them.

    Within a construct the catalogue's order is the tie-breaker, so editing a fact file
    is how an editor reorders questions.
    """
    constructs = [CONTEXT, *kb.meta.constructs]
    return {fact_id: (constructs.index(spec.construct) if spec.construct in constructs else len(constructs),
                      index)
            for index, (fact_id, spec) in enumerate(kb.facts.items())}


ORDERS = ("look_ahead", "outcome_first", "roadmap")
"""How the next question is chosen among those that still matter; the first is the default.

- ``roadmap``: context first, then construct by construct (``stakes``' own order);
- ``outcome_first``: questions that decide an outcome before those that only settle a
  severity or a rank (which a later answer may make moot), then the roadmap order;
- ``look_ahead``: the question whose answer leaves, on average over its possible
  answers, the fewest questions still mattering; ties as ``outcome_first``.
``benchmarks/run.py`` compares them against each profile's stopping bound.
"""


def next_question(kb: KnowledgeBase, answers: Answers, order: str = ORDERS[0]) -> str | None:
    """The question to ask now, or None when no answer can change the advice any more."""
    found = stakes(kb, answers)
    if not found:
        return None
    if order == "roadmap":
        return next(iter(found))
    if order == "outcome_first":
        return min(found, key=lambda fact_id: _outcome_first(found[fact_id]))
    ahead = _LookAhead(kb, answers)
    return min(found, key=lambda fact_id: (ahead.left_open(fact_id), _outcome_first(found[fact_id])))


def _outcome_first(fact_stakes: list[Stake]) -> tuple[int, int]:
    """Deciding an outcome first; among those, facts that also settle a severity or rank."""
    kinds = {stake.kind for stake in fact_stakes}
    return (0 if "outcome" in kinds else 1, 0 if len(kinds) > 1 else 1)


class _LookAhead:
    """How many questions would still matter after each possible answer, recomputed where it can change.

    An answer to one fact can only move the recommendations that read it (through derived
    facts; the phase moves them all) and hide the questions whose ``ask_if`` reads it; every
    other recommendation keeps the questions it hangs on. So the count after an answer
    is the current per-recommendation picture with just those parts redone — the same
    number ``len(stakes(...))`` would give, at a fraction of the cost.
    """

    def __init__(self, kb: KnowledgeBase, answers: Answers) -> None:
        self.kb, self.answers = kb, answers
        state = _State(kb, answers)
        self.facts_of = {rec_id: {fact_id for fact_id, _ in state.contribution(rec_id)}
                         for rec_id in kb.recommendations}
        self.readers, self.hidden_by = _readers(kb)

    def left_open(self, fact_id: str) -> float:
        """Questions still mattering after answering ``fact_id``, on average over its answers."""
        options = choices(self.kb, fact_id)
        return sum(self._count(fact_id, option.value) for option in options) / len(options)

    def _count(self, fact_id: str, value: Any) -> int:
        state = _State(self.kb, {**self.answers, fact_id: value})
        moved = self.readers.get(fact_id, ())
        facts = set().union(*(self.facts_of[rec_id] for rec_id in self.kb.recommendations if rec_id not in moved))
        for rec_id in moved:
            facts |= {fact for fact, _ in state.contribution(rec_id)}
        facts.discard(fact_id)
        return sum(1 for fact in facts if fact not in self.hidden_by.get(fact_id, ()) or state.askable(fact))


_READERS: dict[str, tuple[dict[str, set[str]], dict[str, set[str]]]] = {}


def _readers(kb: KnowledgeBase) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Fact -> the recommendations it can move, and fact -> the questions whose ask_if reads it.

    Kept per knowledge-base content (its digest) for the life of the process.
    """
    if kb.digest not in _READERS:
        readers: dict[str, set[str]] = {}
        for rec_id, rec in kb.recommendations.items():
            for fact_id in semantics.catalogue_facts_read(kb, *(c for _, c in semantics.rule_parts(rec))):
                readers.setdefault(fact_id, set()).add(rec_id)
        readers[kb.meta.phase_fact] = set(kb.recommendations)
        hidden_by: dict[str, set[str]] = {}
        for other, spec in kb.facts.items():
            for fact_id in semantics.catalogue_facts_read(kb, spec.ask_if):
                hidden_by.setdefault(fact_id, set()).add(other)
        _READERS[kb.digest] = (readers, hidden_by)
    return _READERS[kb.digest]


def remaining(kb: KnowledgeBase, answers: Answers, order: str = ORDERS[0], samples: int = 3) -> tuple[int, int]:
    """An estimate and an upper bound of the questions still to come.

    The bound is every question that still matters. The estimate finishes the
    consultation ``samples`` times with answers drawn from each question's possible
    answers (seeded by the answers so far, so it is the same every time it is asked) and
    takes the median of the questions asked; it walks the cheap roadmap order, whichever
    ``order`` asks, to stay fast.
    """
    at_most = len(stakes(kb, answers))
    if at_most == 0:
        return 0, 0
    rng = random.Random(repr(sorted(answers.items(), key=lambda item: item[0])))
    counts = []
    for _ in range(samples):
        trial, count = dict(answers), 0
        while (fact_id := next_question(kb, trial, "roadmap")) is not None:
            trial[fact_id] = rng.choice(choices(kb, fact_id)).value
            count += 1
        counts.append(count)
    return min(statistics.median_low(counts), at_most), at_most


def simulate(kb: KnowledgeBase, profile: Answers, order: str = ORDERS[0]) -> tuple[dict[str, Any], list[str]]:
    """A whole consultation answered from ``profile`` (a missing answer is "unknown").

    Returns the answers collected and the questions in the order asked: what a user who
    knows ``profile`` would end up with, for tests and for counting questions.
    """
    answers: dict[str, Any] = {}
    asked: list[str] = []
    while (fact_id := next_question(kb, answers, order)) is not None:
        answers[fact_id] = profile.get(fact_id)
        asked.append(fact_id)
    return answers, asked


def stopping_bound(kb: KnowledgeBase, profile: Answers) -> int:
    """About the fewest of a profile's answers after which no other answer could change anything.

    Greedy: starting from the whole profile, each answer is dropped (in reverse catalogue
    order) while the rest still leave no question that matters. A consultation cannot know
    in advance which answers those are, so this is a floor it can only approach.
    """
    kept = dict(profile)
    for fact_id in reversed(list(kb.facts)):
        if fact_id in kept:
            trial = {key: value for key, value in kept.items() if key != fact_id}
            if not stakes(kb, trial):
                kept = trial
    return len(kept)


@dataclass(frozen=True)
class Latency:
    """How long choosing the next question takes, in milliseconds."""

    calls: int
    median_ms: float
    p95_ms: float


def time_next_question(kb: KnowledgeBase, profiles: Iterable[Answers],
                       clock: Callable[[], float] = time.perf_counter) -> Latency:
    """Time every ``next_question`` call of consultations answered from ``profiles``.

    A user waits for this between two questions, so it is the consultation's latency;
    the benchmarks and the issue's figures share this one measurement.
    """
    durations: list[float] = []
    for profile in profiles:
        answers: dict[str, Any] = {}
        while True:
            start = clock()
            fact_id = next_question(kb, answers)
            durations.append((clock() - start) * 1000)
            if fact_id is None:
                break
            answers[fact_id] = profile.get(fact_id)
    p95 = statistics.quantiles(durations, n=20, method="inclusive")[-1] if len(durations) > 1 else durations[0]
    return Latency(len(durations), statistics.median(durations), p95)


# --- what each possible answer would do (for "why") ------------------------------------

@dataclass(frozen=True)
class StakeEffect:
    """What each possible answer does to one recommendation.

    ``current`` is its outcome now. ``by_choice`` maps each choice's label to the result:
    the outcome for an outcome stake, the severity for a severity stake (its base
    severity when the escalation does not hold), the timing for a rank stake.
    """

    recommendation: str
    kind: StakeKind
    current: str
    by_choice: dict[str, str]


def effects(kb: KnowledgeBase, answers: Answers, fact_id: str) -> list[StakeEffect]:
    """For every stake of ``fact_id``, the result each possible answer would give now."""
    current = semantics.value_of(kb, known(answers))
    options = choices(kb, fact_id)
    trials = [(choice, semantics.value_of(kb, {**known(answers), fact_id: choice.value})) for choice in options]
    found = []
    for stake in stakes(kb, answers).get(fact_id, []):
        rec = kb.recommendations[stake.recommendation]
        outcome, _ = semantics.recommendation_outcome(rec, current)
        if stake.kind == "outcome":
            results = {choice.label: semantics.recommendation_outcome(rec, value_of)[0] for choice, value_of in trials}
        elif stake.kind == "severity":
            results = {choice.label: escalated(rec.severity)
                       if semantics.evaluate(rec.escalate, value_of) is True else rec.severity
                       for choice, value_of in trials}
        else:
            results = {choice.label: timing(rec.phases, choice.value, kb.meta) for choice in options}
        found.append(StakeEffect(rec.id, stake.kind, outcome, results))
    return found
