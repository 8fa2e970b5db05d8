"""The rule base: metadata and weights, derivation rules, and the recommendations.

These are plain models of what rules/ holds; conditions arrive already parsed and
checked against the catalogue (see ``knowledge``), so nothing here knows YAML.
"""

from __future__ import annotations

import math
import re
import warnings

from typing import Annotated, Any, Literal as TypingLiteral

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, SkipValidation, field_validator,
                      model_validator)


from .catalogue import FactId, plain_error, safe_id
from .conditions import Condition

Outcome = TypingLiteral["advised", "satisfied", "not_applicable", "undetermined"]
OUTCOMES: tuple[str, ...] = ("not_applicable", "advised", "satisfied", "undetermined")
Severity = TypingLiteral["low", "medium", "high", "critical"]
BaseSeverity = TypingLiteral["low", "medium", "high"]
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
Timing = TypingLiteral["overdue", "now", "next"]

_strict = ConfigDict(extra="forbid", frozen=True)

MAX_WEIGHT = 1000.0
"""The largest severity point or timing weight. A score is one times the other and a
what-if adds scores up, so with weights up to 1000 every total stays a finite number
that JSON can carry; the shipped weights run from 0.5 to 4."""


def _weight(value: float) -> float:
    """Weights are finite and not negative: a NaN would leave advice in no order, an
    infinity cannot be written as JSON, and a negative weight would rank the gravest
    advice last. Zero is allowed, to make a timing or a severity count for nothing."""
    if not (math.isfinite(value) and 0 <= value <= MAX_WEIGHT):
        raise plain_error(f"a weight is a number from 0 to {MAX_WEIGHT:g}, not {value:g}")
    return value


Weight = Annotated[float, AfterValidator(_weight)]

RecommendationId = Annotated[str, safe_id(r"[A-Za-z][A-Za-z0-9_-]*",
                                          "starts with a letter and holds only letters, digits, _ and -")]

_LINK = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s<>\"'`\\]*)?")


def escalated(severity: str) -> str:
    """One step up, never above critical."""
    index = SEVERITIES.index(severity)
    return SEVERITIES[min(index + 1, len(SEVERITIES) - 1)]


def natural_key(text: str) -> list:
    """Sort R2 before R10: ids and file names compare by their numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


class Revision(BaseModel):
    """One revision of the knowledge base: which recommendations' rules it changed, and why.

    A diff of assessments made with two versions reads these to tell a change in the
    project from a change in the rules.
    """

    model_config = _strict

    version: str = Field(pattern=r"^[0-9]+(\.[0-9]+)*$")
    """Dotted numbers, so that versions compare as tuples of ints."""
    changed: list[str]
    note: str = Field(min_length=1)


class Metadata(BaseModel):
    """rules/knowledge-base.yaml: what the knowledge base is and how it weighs advice."""

    model_config = _strict

    name: str
    version: str
    constructs: dict[str, str] = Field(min_length=1)
    phases: list[str] = Field(min_length=1)
    phase_fact: str = "phase"
    """The catalogue fact that holds the project's phase (its values are ``phases``)."""
    severity_points: dict[Severity, Weight]
    timing_weights: dict[Timing, Weight]
    revisions: list[Revision] = []
    """Newest last."""

    @model_validator(mode="after")
    def _complete(self) -> "Metadata":
        missing = [s for s in SEVERITIES if s not in self.severity_points]
        missing += [t for t in ("overdue", "now", "next") if t not in self.timing_weights]
        if missing:
            raise ValueError(f"missing weights for {', '.join(missing)}")
        return self


class EifRecommendation(BaseModel):
    """One EIF 2017 recommendation, paraphrased, with the layer it belongs to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1, le=47)
    title: str
    layer: str
    chapter: int | None = None
    principle: str | None = None
    component: str | None = None


class EifCatalogue(BaseModel):
    """rules/eif.yaml: the EIF recommendations the rules cite, kept beside the rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    chapters: dict[int, str] = {}
    layers: dict[str, str]
    recommendations: list[EifRecommendation]

    @model_validator(mode="after")
    def _layers_known(self) -> "EifCatalogue":
        unknown = sorted({r.layer for r in self.recommendations} - set(self.layers))
        if unknown:
            raise ValueError(f"recommendations name unknown layers: {', '.join(unknown)}")
        return self

    def by_number(self) -> dict[int, EifRecommendation]:
        return {r.number: r for r in self.recommendations}


class Derivation(BaseModel):
    """A derived fact: true when ``when`` is known true, false when known false."""

    model_config = _strict

    id: FactId
    meaning: str
    when: Annotated[Condition, SkipValidation]


class Reference(BaseModel):
    """A source a practitioner would open: a legal act, official guidance, a case or a tool."""

    model_config = _strict

    kind: TypingLiteral["law", "guidance", "case", "tool"]
    title: str = Field(min_length=1, max_length=300)
    url: str = Field(max_length=500)
    """A stable web address; nothing that could leave a Markdown link or an HTML attribute."""

    @field_validator("url")
    @classmethod
    def _well_formed(cls, url: str) -> str:
        if not _LINK.fullmatch(url):
            raise ValueError("is not a well-formed http(s) link (no spaces, quotes or angle brackets)")
        return url


class Expectation(BaseModel):
    """What a recommendation must conclude: an outcome and, for advice, its severity.

    A rule's examples and a scenario's ``expect`` block share this one model, and
    ``kb test`` checks both the same way.
    """

    model_config = _strict

    outcome: Outcome
    severity: Severity | None = None

    def mismatch(self, outcome: str, severity: str | None) -> str | None:
        """What differs from an actual result, in words; None when it meets the expectation."""
        if outcome != self.outcome:
            return f"expected {self.outcome}, got {outcome}"
        if self.severity is not None and severity != self.severity:
            return f"expected {self.outcome} ({self.severity}), got {outcome} ({severity})"
        return None


class Example(Expectation):
    """Answers under which a recommendation must reach ``outcome``."""

    answers: dict[str, Any]
    note: str | None = None


with warnings.catch_warnings():
    # `construct` is the contract's key for a construct id; pydantic warns that it
    # shadows the deprecated BaseModel.construct, which ipsexpert never calls.
    warnings.simplefilter("ignore", UserWarning)

    class Recommendation(BaseModel):
        """One recommendation of the framework, as data."""

        model_config = _strict

        id: RecommendationId
        title: str
        construct: str
        aspect: list[TypingLiteral["organisational", "management", "political", "legal", "technical"]]
        phases: list[str] = Field(min_length=1)
        severity: BaseSeverity
        applies: Annotated[Condition, SkipValidation]
        advised: Annotated[Condition, SkipValidation]
        escalate: Annotated[Condition | None, SkipValidation] = None
        advice: str
        rationale: str
        eif: list[Annotated[int, Field(ge=1, le=47)]] = []
        source: str
        references: list[Reference] = []
        examples: list[Example] = []
        file: str = ""
