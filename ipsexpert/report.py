"""The report: what a run concluded, ranked and explained, as pydantic models.

Renderers and outside tools only read these models; ``Report.model_dump_json()`` is
the JSON contract (keys documented in the README), the same bytes for the same input.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal as TypingLiteral

from pydantic import BaseModel, ConfigDict

from .rulebase import Outcome, Severity, Timing

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

    class Explanation(BaseModel):
        """How a conclusion was reached: structured steps and their rendering."""

        steps: list[Step]
        text: str

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
        eif: list[int]
        explanation: Explanation

    class Undetermined(BaseModel):
        """A recommendation that open questions still decide."""

        id: str
        title: str
        deciding_facts: list[str]

    class Settled(BaseModel):
        """A recommendation that is satisfied or not applicable, and why not advised."""

        id: str
        title: str
        outcome: Outcome
        reason: str

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
        knowledge_base: KnowledgeBaseInfo

        def at_or_above(self, severity: Severity) -> list[Advice]:
            """Advice whose severity (after escalation) is at least ``severity``."""
            from .rulebase import SEVERITIES
            floor = SEVERITIES.index(severity)
            return [item for item in self.advice if SEVERITIES.index(item.severity) >= floor]
