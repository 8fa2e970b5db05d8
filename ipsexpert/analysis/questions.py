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

import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal, Mapping

from ..knowledge import semantics
from ..knowledge.conditions import Condition
from ..knowledge.rulebase import escalated
from ..knowledge.semantics import choices
from ..knowledge.loading import KnowledgeBase
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
    value_of = semantics.value_of(kb, known(answers))
    askable: dict[str, bool] = {}

    def open_questions(condition: Condition | None) -> list[str]:
        if condition is None:
            return []
        found = []
        for fact_id in semantics.expand_derived(kb, semantics.open_facts(condition, value_of), value_of):
            if fact_id in answers:
                continue
            if fact_id not in askable:
                askable[fact_id] = semantics.askable(kb, fact_id, value_of)
            if askable[fact_id]:
                found.append(fact_id)
        return found

    found: dict[str, list[Stake]] = {}

    def add(fact_ids: Iterable[str], stake: Stake) -> None:
        for fact_id in fact_ids:
            if stake not in found.setdefault(fact_id, []):
                found[fact_id].append(stake)

    phase = kb.meta.phase_fact
    phase_open = [phase] if phase in kb.facts and phase not in answers and semantics.askable(kb, phase, value_of) else []
    for rec_id, rec in kb.recommendations.items():
        outcome, _ = semantics.recommendation_outcome(rec, value_of)
        if outcome == "undetermined":
            deciding = open_questions(rec.applies) + open_questions(rec.advised)
        elif outcome == "satisfied":
            deciding = open_questions(rec.applies)
        else:
            deciding = []
        add(deciding, Stake(rec_id, "outcome"))
        if outcome == "advised" or (outcome == "undetermined" and deciding):
            add(open_questions(rec.escalate), Stake(rec_id, "severity"))
            add(phase_open, Stake(rec_id, "rank"))
    order = asking_order(kb)
    return {fact_id: found[fact_id] for fact_id in sorted(found, key=lambda f: (
        order[f][0], -sum(stake.kind == "outcome" for stake in found[f]), order[f][1]))}


def asking_order(kb: KnowledgeBase) -> dict[str, tuple[int, int]]:
    """Context first, then the roadmap's constructs: prerequisites are settled before what builds on them.

    Within a construct the catalogue's order is the tie-breaker, so editing a fact file
    is how an editor reorders questions.
    """
    constructs = [CONTEXT, *kb.meta.constructs]
    return {fact_id: (constructs.index(spec.construct) if spec.construct in constructs else len(constructs),
                      index)
            for index, (fact_id, spec) in enumerate(kb.facts.items())}


def next_question(kb: KnowledgeBase, answers: Answers) -> str | None:
    """The question to ask now, or None when no answer can change the advice any more."""
    return next(iter(stakes(kb, answers)), None)


def simulate(kb: KnowledgeBase, profile: Answers) -> tuple[dict[str, Any], list[str]]:
    """A whole consultation answered from ``profile`` (a missing answer is "unknown").

    Returns the answers collected and the questions in the order asked: what a user who
    knows ``profile`` would end up with, for tests and for counting questions.
    """
    answers: dict[str, Any] = {}
    asked: list[str] = []
    while (fact_id := next_question(kb, answers)) is not None:
        answers[fact_id] = profile.get(fact_id)
        asked.append(fact_id)
    return answers, asked


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
