"""The pydantic models that check knowledge-base files, and the records made of what they accept.

Each model states what one kind of entry may hold (ids, types, values, weights, links)
and says what is wrong in plain words; ``record`` turns a validated model into the plain
record the rest of ipsexpert reads (``catalogue``, ``rulebase``). Only ``loading`` uses
this module, and only when it reads files afresh: a start from the cached snapshot of a
checked knowledge base never defines a model.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Annotated, Any, Literal as TypingLiteral

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SkipValidation, field_validator, model_validator
from pydantic_core import PydanticCustomError

from . import rulebase
from . import catalogue
from .catalogue import FACT_ID_PATTERN, FACT_ID_SHAPE, MAX_VALUES, id_problem
from .conditions import Condition
from .record import Record
from .rulebase import MAX_WEIGHT, SEVERITIES, TIMINGS, BaseSeverity, Outcome, Severity, Timing

_strict = ConfigDict(extra="forbid", frozen=True)


def plain_error(message: str) -> PydanticCustomError:
    """A validation error whose message reaches the editor as written, without a
    "Value error," in front of it."""
    return PydanticCustomError("knowledge_base", "{message}", {"message": message})


def safe_id(pattern: str, shape: str) -> AfterValidator:
    """A model field check for ids (see ``id_problem``), reported in plain words."""
    def check(value: str) -> str:
        problem = id_problem(value, pattern, shape)
        if problem:
            raise plain_error(problem)
        return value
    return AfterValidator(check)


FactId = Annotated[str, safe_id(FACT_ID_PATTERN, FACT_ID_SHAPE)]
RecommendationId = Annotated[str, safe_id(r"[A-Za-z][A-Za-z0-9_-]*",
                                          "starts with a letter and holds only letters, digits, _ and -")]


def _few_values(values: tuple[str, ...]) -> tuple[str, ...]:
    if len(values) > MAX_VALUES:
        raise plain_error(f"an enum fact has at most {MAX_VALUES} values; this one has {len(values)}")
    return values


def _weight(value: float) -> float:
    """Weights are finite and not negative: a NaN would leave advice in no order, an
    infinity cannot be written as JSON, and a negative weight would rank the gravest
    advice last. Zero is allowed, to make a timing or a severity count for nothing."""
    if not (math.isfinite(value) and 0 <= value <= MAX_WEIGHT):
        raise plain_error(f"a weight is a number from 0 to {MAX_WEIGHT:g}, not {value:g}")
    return value


Weight = Annotated[float, AfterValidator(_weight)]

_LINK = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s<>\"'`\\]*)?")


with warnings.catch_warnings():
    # `construct` is the contract's key for a construct id; pydantic warns that it
    # shadows the deprecated BaseModel.construct, which ipsexpert never calls.
    warnings.simplefilter("ignore", UserWarning)

    class FactSpec(BaseModel):
        """One question of the catalogue."""

        model_config = ConfigDict(extra="forbid", frozen=True)

        id: FactId
        construct: str
        type: TypingLiteral["bool", "enum", "int"]
        values: Annotated[tuple[str, ...], AfterValidator(_few_values)] = ()
        minimum: int | None = None
        question: str = Field(min_length=1)
        help: str = Field(min_length=1)
        value_help: dict[str, str] = {}
        actionable: bool = False
        ask_if: Annotated[Condition | None, SkipValidation] = None

        @model_validator(mode="after")
        def _values_fit_type(self) -> "FactSpec":
            if self.type == "enum":
                if len(self.values) < 2 or len(set(self.values)) != len(self.values):
                    raise ValueError("an enum fact needs at least two distinct `values`")
                if "unknown" in self.values:
                    raise ValueError("`unknown` is reserved for an unknown answer")
                extra = set(self.value_help) - set(self.values)
                if extra:
                    raise ValueError(f"value_help names values the fact does not have: {sorted(extra)}")
            elif self.values or self.value_help:
                raise ValueError(f"only enum facts have `values`; this one is {self.type}")
            if self.minimum is not None and self.type != "int":
                raise ValueError("only int facts have a `minimum`")
            return self


class Revision(BaseModel):
    model_config = _strict

    version: str = Field(pattern=r"^[0-9]+(\.[0-9]+)*$")
    """Dotted numbers, so that versions compare as tuples of ints."""
    changed: list[str]
    note: str = Field(min_length=1)


class Metadata(BaseModel):
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
        missing += [t for t in TIMINGS if t not in self.timing_weights]
        if missing:
            raise ValueError(f"missing weights for {', '.join(missing)}")
        return self


class EifRecommendation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1, le=47)
    title: str
    layer: str
    chapter: int | None = None
    principle: str | None = None
    component: str | None = None


class EifCatalogue(BaseModel):
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


class Derivation(BaseModel):
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


class Expectation(rulebase.Mismatch, BaseModel):
    """What a recommendation must conclude: an outcome and, for advice, its severity.

    A rule's examples and a scenario's ``expect`` block share this one model, and
    ``kb test`` checks both the same way.
    """

    model_config = _strict

    outcome: Outcome
    severity: Severity | None = None


class Example(Expectation):
    """Answers under which a recommendation must reach ``outcome``."""

    answers: dict[str, Any]
    note: str | None = None


with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # `construct`, as for FactSpec

    class Recommendation(BaseModel):
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


RECORDS: dict[type[BaseModel], type[Record]] = {
    FactSpec: catalogue.FactSpec, Revision: rulebase.Revision, Metadata: rulebase.Metadata,
    EifRecommendation: rulebase.EifRecommendation, EifCatalogue: rulebase.EifCatalogue,
    Derivation: rulebase.Derivation, Reference: rulebase.Reference, Expectation: rulebase.Expectation,
    Example: rulebase.Example, Recommendation: rulebase.Recommendation,
}
"""The record each model's content becomes (a model and its record share their name)."""


def record(model: BaseModel) -> Record:
    """The plain record of a validated model, nested models made records too."""
    return RECORDS[type(model)](**{name: _plain(getattr(model, name)) for name in type(model).model_fields})


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return record(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
