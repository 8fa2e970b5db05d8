"""Scenarios: a project's answers, from a file or from a caller, checked against the catalogue.

A scenario is what a user writes; every answer is checked strictly against the fact
catalogue, every problem in a file is reported at once with its line, and unknown is a
first-class answer (omitted, ``unknown`` or null), never read as "no".
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .answers import MAX_PROBLEMS, check_answers, located, plain_answer
from .catalogue import suggest
from ..documents import DEFAULT_LIMITS, Document, Limits, read_bounded
from ..errors import Problem, ScenarioError
from .base import KnowledgeBase
from .scenario_record import as_of_text, parse_scenario
from .validation import Expectation
from .source_text import SourceText


class Acceptance(BaseModel):
    """A risk the project has knowingly accepted: advice it will not act on, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    reason: str = Field(min_length=1)
    until: date | None = None


class Claim(BaseModel):
    """One respondent's answer to a question the respondents of a merged assessment disagree on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    respondent: str = Field(min_length=1)
    value: Any
    note: str | None = None


class Scenario(BaseModel):
    """A project described by its answers."""

    model_config = ConfigDict(extra="forbid")

    name: str = "unnamed scenario"
    as_of: str | None = None
    description: str | None = None
    illustrative: bool = False
    sources: list[str] = []
    answers: dict[str, Any] = Field(default_factory=dict)
    expect: dict[str, Expectation] = {}
    accepted: list[Acceptance] = []
    notes: dict[str, str] = {}
    respondent: str | None = None
    """Who gave these answers: an organisation and a role, in free text."""
    respondents: list[str] = []
    """A merged assessment: every respondent whose answers it combines."""
    given_by: dict[str, list[str]] = {}
    """A merged assessment: for each answer, the respondents who gave it."""
    disputed: dict[str, list[Claim]] = {}
    """A merged assessment: questions the respondents answered differently, with each claim.
    A disputed question is evaluated as unknown, never as one side's answer."""
    source: str | None = Field(default=None, exclude=True)

    def known_answers(self) -> dict[str, Any]:
        """The answers that are not unknown."""
        return {key: value for key, value in self.answers.items() if value is not None}


def _expectation(value: Any) -> Any:
    return {"outcome": value} if isinstance(value, str) else value


SCENARIO_FIELDS = tuple(name for name in Scenario.model_fields if name != "source")
NESTED_MODELS = {"accepted": Acceptance, "disputed": Claim, "expect": Expectation}
"""The model behind each section whose items are mappings, for naming their fields."""


def _misplaced_answers(data: dict, kb: KnowledgeBase, doc: Document | None) -> list[Problem]:
    """Fact ids written at the top level, where a scenario's own fields go: taken out of
    ``data`` and reported once, naming them, with the fix."""
    misplaced = [key for key in data if key not in SCENARIO_FIELDS and (key in kb.facts or key in kb.derived)]
    if not misplaced:
        return []
    for key in misplaced:
        del data[key]
    names = ", ".join(map(str, misplaced[:-1])) + (" and " if len(misplaced) > 1 else "") + str(misplaced[-1])
    verb = "is a fact" if len(misplaced) == 1 else "are facts"
    return [Problem(f"put fact answers under `answers:` (indented below it): {names} {verb}, "
                    "not fields of a scenario", doc.name if doc else None,
                    doc.line_of((misplaced[0],)) if doc else None)]


def _validation_message(error: Mapping[str, Any]) -> str:
    """pydantic's message, except for a field that does not exist: which ones do."""
    if error["type"] != "extra_forbidden":
        return error["msg"]
    location = [part for part in error["loc"] if isinstance(part, str)]
    model = NESTED_MODELS.get(location[0]) if len(location) > 1 else Scenario
    fields = [name for name in (model.model_fields if model else ()) if name != "source"]
    if not fields:
        return "unknown field"
    return f"unknown field{suggest(str(location[-1]), fields)}; the fields here are {', '.join(fields)}"


def scenario_from_data(data: Any, kb: KnowledgeBase, doc: Document | None = None,
                       text: SourceText | None = None) -> Scenario:
    """A checked Scenario from parsed data; ScenarioError lists every problem.

    ``text``, the document's source where the caller has it, lets messages quote values as written.
    """
    name = doc.name if doc else None
    if not isinstance(data, Mapping):
        raise ScenarioError("a scenario must be a mapping with `answers` (and `name`, `as_of`, ...)",
                            file=name, line=1 if doc else None)
    data = dict(data)
    given = data.pop("answers", None)
    answers, problems = check_answers(given, kb, doc, text=text)
    problems += _misplaced_answers(data, kb, doc)
    if isinstance(data.get("expect"), Mapping):
        data["expect"] = {key: _expectation(value) for key, value in data["expect"].items()}
        for key in data["expect"]:
            if key not in kb.recommendations:
                problems.append(located(doc, f"unknown recommendation{suggest(str(key), list(kb.recommendations))}",
                                         ("expect", key)))
    problems += _check_references(data, kb, doc) + _check_disputes(data, given, kb, doc)
    if "as_of" in data:
        data["as_of"] = as_of_text(data["as_of"])
    try:
        scenario = Scenario.model_validate(dict(data, answers=answers, source=name))
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(located(doc, _validation_message(error), tuple(error["loc"])))
        scenario = None
    if problems:
        raise ScenarioError(problems=_capped(problems, name))
    return scenario


def _capped(problems: list[Problem], name: str | None) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [Problem(f"... and {more} more problem(s) not shown", name)]


def _check_references(data: Mapping, kb: KnowledgeBase, doc: Document | None) -> list[Problem]:
    """Accepted advice must name a recommendation, and notes a catalogue fact."""
    problems = []
    accepted = data.get("accepted")
    if isinstance(accepted, list):
        for index, item in enumerate(accepted):
            rec_id = item.get("id") if isinstance(item, Mapping) else None
            if isinstance(rec_id, str) and rec_id not in kb.recommendations:
                problems.append(located(doc, f"unknown recommendation{suggest(str(rec_id), list(kb.recommendations))}",
                                         ("accepted", index, "id")))
    for key in ("notes", "given_by", "disputed"):
        section = data.get(key)
        if isinstance(section, Mapping):
            for fact_id in section:
                if fact_id not in kb.facts:
                    problems.append(located(doc, f"unknown fact{suggest(str(fact_id), list(kb.facts))}",
                                             (key, fact_id)))
    return problems


def _check_disputes(data: Mapping, given: Any, kb: KnowledgeBase, doc: Document | None) -> list[Problem]:
    """Each claim is a valid answer, and a disputed question is not answered as well."""
    disputed = data.get("disputed")
    if not isinstance(disputed, Mapping):
        return []
    answers = given if isinstance(given, Mapping) else {}
    problems = []
    for fact_id, claims in disputed.items():
        if fact_id not in kb.facts or not isinstance(claims, list):
            continue
        if fact_id in answers and answers[fact_id] is not None and answers[fact_id] != "unknown":
            problems.append(located(doc, "is disputed and answered at once: a disputed question is evaluated "
                                     "as unknown, so remove it from `answers` or settle the dispute",
                                     ("answers", fact_id)))
        for index, claim in enumerate(claims):
            if isinstance(claim, Mapping) and "value" in claim:
                try:
                    kb.facts[fact_id].check(plain_answer(claim["value"]))
                except ValueError as exc:
                    problems.append(located(doc, str(exc), ("disputed", fact_id, index, "value")))
    return problems


def load_scenario(path: str | Path, kb: KnowledgeBase, limits: Limits = DEFAULT_LIMITS) -> Scenario:
    """Read and check one scenario file (``.json`` as JSON, anything else as YAML)."""
    name = str(path)
    return scenario_from_bytes(read_bounded(path, limits), name, kb, name.lower().endswith(".json"), limits)


def scenario_from_bytes(raw: bytes, name: str, kb: KnowledgeBase, json_format: bool | None = None,
                        limits: Limits = DEFAULT_LIMITS) -> Scenario:
    """Parse and check a scenario already read (standard input, say); JSON when ``json_format``
    or, left None, when the text opens as a JSON object does."""
    doc, text = parse_scenario(raw, name, json_format, limits)
    return scenario_from_data(doc.data, kb, doc, text)
