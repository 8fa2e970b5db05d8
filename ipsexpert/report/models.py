"""The report: what a run concluded, ranked and explained, as pydantic models.

Renderers and outside tools only read these models; ``Report.model_dump_json()`` is
the JSON contract (keys documented in the README), the same bytes for the same input.
"""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any, Literal as TypingLiteral

from pydantic import BaseModel, ConfigDict, Field

from ..knowledge.rulebase import SEVERITIES, Outcome, Severity, Timing
from ..knowledge.validation import Reference
from .data import maturity_words

with warnings.catch_warnings():
    # `construct` is the JSON contract's key for a construct id; pydantic warns that it
    # shadows the deprecated BaseModel.construct, which ipsexpert never calls.
    warnings.simplefilter("ignore", UserWarning)

    class Step(BaseModel):
        """One link of an explanation chain."""

        model_config = ConfigDict(frozen=True)

        kind: TypingLiteral["answer", "derived", "condition", "escalation", "score"]
        text: str
        fact: str | None = None
        value: Any = None
        question: str | None = None
        rule: str | None = None
        note: str | None = None

    class Explanation(BaseModel):
        """How a conclusion was reached: structured steps and their rendering."""

        steps: list[Step]
        text: str

    class EifReference(BaseModel):
        """A related EIF 2017 recommendation, as the knowledge base's catalogue names it."""

        number: int
        title: str
        layer: str

    class EifLayerSummary(BaseModel):
        """The advice touching one EIF layer: a starting point for an interoperability assessment."""

        layer: str
        name: str
        eif: list[int]
        advice: list[str]

    class Accepted(BaseModel):
        """The project has accepted this advice as a risk, for a reason, possibly until a date."""

        reason: str
        until: date | None = None
        expired: bool = False
        """The ``until`` date has passed (on the day the report was made): the advice counts again."""

        @property
        def holds(self) -> bool:
            return not self.expired

    class Advice(BaseModel):
        """An advised recommendation, with its priority and explanation."""

        id: str
        title: str
        construct: str
        severity: Severity
        base_severity: Severity
        escalated: bool
        timing: Timing
        score: float
        rank: int
        phases: list[str]
        advice: str
        eif: list[EifReference]
        references: list[Reference] = []
        accepted: Accepted | None = None
        explanation: Explanation

        def counts_for_fail_on(self, today: date) -> bool:
            """Accepted advice does not fail a build until its acceptance runs out."""
            return self.accepted is None or (self.accepted.until is not None and today > self.accepted.until)

        @property
        def accepted_now(self) -> bool:
            """Accepted, and the acceptance has not run out."""
            return self.accepted is not None and not self.accepted.expired

    class Undetermined(BaseModel):
        """A recommendation that open questions still decide."""

        id: str
        title: str
        construct: str
        deciding_facts: list[str]

    class Settled(BaseModel):
        """A recommendation that is satisfied or not applicable, and why not advised."""

        id: str
        title: str
        construct: str
        outcome: Outcome
        reason: str

    class OutcomeMove(BaseModel):
        """One recommendation whose result an answer would move: outcome and, for advice, severity."""

        id: str
        title: str
        before: Outcome
        after: Outcome
        before_severity: Severity | None = None
        after_severity: Severity | None = None

    class ClaimEffect(BaseModel):
        """What the report would say if these respondents' answer were the project's."""

        value: Any
        respondents: list[str]
        changes: list[OutcomeMove]

    class Disagreement(BaseModel):
        """A question the respondents of a merged assessment answered differently.

        It is evaluated as unknown; ``effects`` shows what each side's answer would change.
        """

        fact: str
        question: str
        effects: list[ClaimEffect]
        notes: dict[str, str] = {}  # respondent -> note

    class ConstructMaturity(BaseModel):
        """Where one construct stands on the maturity model (``rules/maturity.yaml``).

        ``level`` is the highest level known reached; ``next_status`` says whether the
        next one is not reached (false) or not yet known (null: ``open_facts`` decide it).
        """

        construct: str
        title: str
        level: int
        name: str
        next_level: int | None = None
        next_name: str | None = None
        next_status: bool | None = None
        open_facts: list[str] = []
        needs: str = ""
        recommendations: list[str] = []

        @property
        def words(self) -> str:
            return maturity_words(self)

    class KnowledgeBaseInfo(BaseModel):
        name: str
        version: str
        hash: str

    class Report(BaseModel):
        """Everything one evaluation concluded about one scenario."""

        source: str | None
        name: str
        as_of: str | None = None
        answers: dict[str, Any]
        derived: dict[str, bool | None]
        outcomes: dict[str, Outcome]
        counts: dict[str, int]
        advice: list[Advice]
        undetermined: list[Undetermined]
        settled: list[Settled]
        eif_layers: list[EifLayerSummary] = []
        notes: dict[str, str] = {}
        constructs: dict[str, str] = {}  # id -> title, in roadmap order
        knowledge_base: KnowledgeBaseInfo
        respondents: list[str] = []
        disagreements: list[Disagreement] = []
        maturity: list[ConstructMaturity] = []
        phase: str | None = Field(default=None, exclude=True)
        """The project's phase, read through the fact the knowledge base names for it; the
        answers already carry it, so it is not written out again."""

        def at_or_above(self, severity: Severity, today: date) -> list[Advice]:
            """Advice at or above ``severity`` (after escalation), less risks accepted on ``today``."""
            floor = SEVERITIES.index(severity)
            return [item for item in self.advice
                    if SEVERITIES.index(item.severity) >= floor and item.counts_for_fail_on(today)]
