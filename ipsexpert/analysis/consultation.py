"""The consultation as a library: one question at a time, for any front end.

A web form, a chatbot or a case-management system embeds the same consultation as the
terminal: ask ``next_question()``, show it, pass the user's answer to ``answer()``, and
stop when it returns None — then ``report()`` is what ``evaluate`` gives for those
answers. Choosing the question and saying why it matters are decided here, from the
rules; nothing here reads a keyboard or prints. ``next_question(answers)`` serves a
stateless caller (a web handler that keeps the answers itself).

A merged assessment's disputed questions (``Consultation(kb, answers, disputed=...)``)
are asked before any other while they can still change the advice: settling them is
what resuming a merged assessment is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import Any, Iterable, Literal, Mapping

from ..errors import ScenarioError
from ..knowledge.catalogue import suggest
from ..knowledge.loading import KnowledgeBase
from ..knowledge.answers import check_answers, plain_answer
from ..report.expert import Expert, expert_for
from ..report.models import Report
from . import questions

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Option:
    """One answer a question accepts, with what it means."""

    value: Any
    help: str = ""


@dataclass(frozen=True)
class Reason:
    """Why a question is asked: one recommendation it can still decide.

    ``kind`` says what it decides there: the outcome, the severity of advice, or its rank
    (through the project's phase). ``by_answer`` maps each possible answer, in words, to
    the result it would give now: an outcome, a severity or a timing.
    """

    recommendation: str
    title: str
    kind: Literal["outcome", "severity", "rank"]
    current: str
    by_answer: dict[str, str]


@dataclass(frozen=True)
class Question:
    """A question of the catalogue, with what it accepts and why it is asked now."""

    fact: str
    text: str
    help: str
    type: Literal["bool", "enum", "int"]
    options: tuple[Option, ...]  # the values of a yes/no or enum question; empty for a number
    minimum: int | None
    why: tuple[Reason, ...]


@dataclass(frozen=True)
class Remaining:
    """About how many questions are left, and at most how many."""

    estimate: int
    at_most: int


KnowledgeBaseLike = Expert | KnowledgeBase | str | PathLike | None
"""An Expert already compiled (a front end that also evaluates whole scenarios), a loaded
knowledge base, a folder, or None for the shipped one."""


def _expert(kb: KnowledgeBaseLike) -> Expert:
    if isinstance(kb, Expert):
        return kb
    return Expert(kb) if isinstance(kb, KnowledgeBase) else expert_for(kb)


def _checked(expert: Expert, answers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Answers checked against the catalogue, in the order given; unknown kept as None."""
    checked, problems = check_answers(dict(answers or {}), expert.kb)
    if problems:
        raise ScenarioError(problems=problems)
    return {fact_id: checked.get(fact_id) for fact_id in (answers or {})}


class Consultation:
    """One consultation's answers, in the order given, and the questions that still matter."""

    def __init__(self, kb: KnowledgeBaseLike = None, answers: Mapping[str, Any] | None = None,
                 disputed: Iterable[str] = ()) -> None:
        self._expert = _expert(kb)
        self.kb = self._expert.kb
        self._answers = _checked(self._expert, answers)
        self._reopened: str | None = None
        named = {self._fact(fact_id) for fact_id in disputed}
        self._disputed = [fact_id for fact_id in self.kb.facts if fact_id in named]  # catalogue order

    @property
    def answers(self) -> dict[str, Any]:
        """The answers as a scenario file holds them: ``"unknown"`` for a question answered so."""
        return {fact_id: UNKNOWN if value is None else value for fact_id, value in self._answers.items()}

    def next_question(self) -> Question | None:
        """The question to ask now; None when no answer can change anything any more."""
        fact_id = self._reopened or self._disputed_first() or questions.next_question(self.kb, self._answers)
        return None if fact_id is None else self.question(fact_id)

    def _disputed_first(self) -> str | None:
        """The first disputed question not yet answered whose answer can still change the advice."""
        unsettled = [fact_id for fact_id in self._disputed if fact_id not in self._answers]
        if not unsettled:
            return None
        mattering = questions.stakes(self.kb, self._answers)
        return next((fact_id for fact_id in unsettled if fact_id in mattering), None)

    def question(self, fact_id: str) -> Question:
        """Any question of the catalogue, with why it matters given the answers so far."""
        spec = self.kb.facts[self._fact(fact_id)]
        options: tuple[Option, ...] = ()
        if spec.type == "bool":
            options = (Option(True, "yes"), Option(False, "no"))
        elif spec.type == "enum":
            options = tuple(Option(value, spec.value_help.get(value, "")) for value in spec.values)
        return Question(fact=spec.id, text=spec.question, help=spec.help, type=spec.type, options=options,
                        minimum=spec.minimum, why=tuple(self.why(spec.id)))

    def answer(self, fact_id: str, value: Any) -> None:
        """Record an answer; ``None`` or ``"unknown"`` records that it is not known.

        A value the question does not accept raises ``ScenarioError`` saying what it accepts.
        """
        fact_id = self._fact(fact_id)
        spec = self.kb.facts[fact_id]
        try:
            checked = spec.check(plain_answer(value))
        except ValueError as exc:
            raise ScenarioError(f"{exc} (or unknown)",
                                field=fact_id) from None
        self._answers.pop(fact_id, None)
        self._answers[fact_id] = checked
        if self._reopened == fact_id:
            self._reopened = None

    def back(self) -> str | None:
        """Take back the latest answer and ask that question again; its id, or None if none was given."""
        if not self._answers:
            return None
        fact_id = next(reversed(self._answers))
        del self._answers[fact_id]
        self._reopened = fact_id
        return fact_id

    def change(self, fact_id: str) -> None:
        """Reopen an answer given earlier: it is the next question."""
        fact_id = self._fact(fact_id)
        if fact_id not in self._answers:
            raise ScenarioError(f"{fact_id} has not been answered yet", field=fact_id)
        del self._answers[fact_id]
        self._reopened = fact_id

    def why(self, fact_id: str) -> list[Reason]:
        """The recommendations this answer can still decide, and what each answer would do."""
        fact_id = self._fact(fact_id)
        recs = self.kb.recommendations
        return [Reason(effect.recommendation, recs[effect.recommendation].title, effect.kind, effect.current,
                       dict(effect.by_choice))
                for effect in questions.effects(self.kb, self._answers, fact_id)]

    def remaining(self) -> Remaining:
        """An estimate and an upper bound of the questions still to come."""
        estimate, at_most = questions.remaining(self.kb, self._answers)
        if self._reopened and self._reopened not in questions.stakes(self.kb, self._answers):
            estimate, at_most = estimate + 1, at_most + 1  # reopened, so asked although it no longer matters
        return Remaining(estimate, at_most)

    def report(self) -> Report:
        """The same Report as ``evaluate`` gives for these answers."""
        return self._expert.evaluate({fact_id: value for fact_id, value in self._answers.items()})

    def _fact(self, fact_id: str) -> str:
        if fact_id in self.kb.facts:
            return fact_id
        if fact_id in self.kb.derived:
            raise ScenarioError(f"{fact_id} is derived from other answers and is never asked", field=fact_id)
        raise ScenarioError(f"there is no question {fact_id!r}{suggest(str(fact_id), list(self.kb.facts))}",
                            field=str(fact_id))


def next_question(answers: Mapping[str, Any], kb: KnowledgeBaseLike = None) -> Question | None:
    """The question to ask after ``answers`` (``"unknown"`` or None for an unknown answer), or None."""
    return Consultation(kb, answers).next_question()
