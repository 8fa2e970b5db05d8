"""Scenarios: a project's answers, from a file or from a caller, checked against the catalogue.

A scenario is what a user writes; every answer is checked strictly against the fact
catalogue, every problem in a file is reported at once with its line, and unknown is a
first-class answer (omitted, ``unknown`` or null), never read as "no".
"""

from __future__ import annotations

import operator
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .catalogue import FactSpec, suggest
from ..documents import DEFAULT_LIMITS, Document, Limits, format_path, parse_document, read_bounded
from ..errors import InputError, Problem, ScenarioError
from .base import KnowledgeBase
from .validation import Expectation
from .source_text import SourceText, explain_tabs


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


MAX_PROBLEMS = 100
"""Problems reported per scenario; past this a file is not a scenario gone slightly wrong,
and the rest are summed up in one line (and get no costly "did you mean")."""

MAX_MESSAGE = 400
"""Characters of a problem message; a huge value quoted in full would bury the point."""


def _expectation(value: Any) -> Any:
    return {"outcome": value} if isinstance(value, str) else value


MAX_INTEGER = 2**63 - 1
"""The range files are held to (``documents.Limits``); library answers are held to it too."""


def plain_answer(value: Any) -> Any:
    """An answer as a plain bool, int, str or None; ValueError for anything else.

    A library caller may hand over an ``IntEnum``, a ``StrEnum`` or a numpy integer. The
    engine compares answers by exact type, so such a value would be accepted and then
    silently match nothing: it is turned into the plain value it stands for, or refused.
    """
    if value is None or type(value) in (bool, int, str, float):
        plain = value
    else:
        try:
            plain = _converted(value)
        except ValueError:
            raise
        except Exception as exc:  # a value whose own conversion fails is the caller's error
            raise ValueError(f"cannot read an answer of type {type(value).__name__}: {exc}") from None
    if type(plain) is int and abs(plain) > MAX_INTEGER:
        raise ValueError(f"the number is outside the range of -{MAX_INTEGER} to {MAX_INTEGER}")
    return plain


def _converted(value: Any) -> Any:
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__index__(value)
    if hasattr(type(value), "__index__") and not isinstance(value, float):
        return operator.index(value)
    raise ValueError(f"an answer is true or false, a whole number or a word; {type(value).__name__} is none of these")


def check_answers(answers: Any, kb: KnowledgeBase, doc: Document | None = None,
                  base: tuple = ("answers",), text: SourceText | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Strictly checked answers (None for unknown), in catalogue order, and every problem.

    ``text`` is the document's source, so that a message quotes a value as written.
    """
    if answers is None:
        return {}, []
    if not isinstance(answers, Mapping):
        return {}, [_located(doc, "answers must be a mapping of fact id to value", base)]
    checked: dict[str, Any] = {}
    problems: list[Problem] = []
    for fact_id, value in answers.items():
        path = base + (fact_id,)
        if fact_id in kb.derived:
            problems.append(_located(doc, f"{fact_id} is derived from other answers and cannot be "
                                    "stated; give the answers it is derived from", path))
        elif fact_id not in kb.facts:
            hint = suggest(str(fact_id), list(kb.facts)) if len(problems) < MAX_PROBLEMS else ""
            problems.append(_located(doc, f"unknown fact{hint}", path))
        else:
            try:
                checked[fact_id] = _checked(kb.facts[fact_id], value, doc, text, path)
            except ValueError as exc:
                problems.append(_located(doc, str(exc), path))
    ordered = {fact_id: checked[fact_id] for fact_id in kb.facts if fact_id in checked}
    return ordered, problems


def _checked(spec: FactSpec, value: Any, doc: Document | None, text: SourceText | None, path: tuple) -> Any:
    """The answer as stored. Only a refused answer looks up how the file spells it (its
    line and source text): a valid batch never pays for a message it does not print."""
    plain = plain_answer(value)
    try:
        return spec.check(plain)
    except ValueError:
        return spec.check(plain, _written(value, doc, text, path))


def _written(value: Any, doc: Document | None, text: SourceText | None, path: tuple) -> str | None:
    """How the file spells an answer that is not text (``yes``, ``True``), for a message;
    a file read without its source spells true and false as YAML and JSON do."""
    if doc is None or isinstance(value, str):
        return None
    written = text.value_at(doc.lines.get(path), str(path[-1])) if text else None
    if written is None and isinstance(value, bool):
        return "true" if value else "false"
    return written


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
                problems.append(_located(doc, f"unknown recommendation{suggest(str(key), list(kb.recommendations))}",
                                         ("expect", key)))
    problems += _check_references(data, kb, doc) + _check_disputes(data, given, kb, doc)
    if isinstance(data.get("as_of"), (int, float, date)) and not isinstance(data.get("as_of"), bool):
        data["as_of"] = str(data["as_of"])
    try:
        scenario = Scenario.model_validate(dict(data, answers=answers, source=name))
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(_located(doc, _validation_message(error), tuple(error["loc"])))
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
                problems.append(_located(doc, f"unknown recommendation{suggest(str(rec_id), list(kb.recommendations))}",
                                         ("accepted", index, "id")))
    for key in ("notes", "given_by", "disputed"):
        section = data.get(key)
        if isinstance(section, Mapping):
            for fact_id in section:
                if fact_id not in kb.facts:
                    problems.append(_located(doc, f"unknown fact{suggest(str(fact_id), list(kb.facts))}",
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
            problems.append(_located(doc, "is disputed and answered at once: a disputed question is evaluated "
                                     "as unknown, so remove it from `answers` or settle the dispute",
                                     ("answers", fact_id)))
        for index, claim in enumerate(claims):
            if isinstance(claim, Mapping) and "value" in claim:
                try:
                    kb.facts[fact_id].check(plain_answer(claim["value"]))
                except ValueError as exc:
                    problems.append(_located(doc, str(exc), ("disputed", fact_id, index, "value")))
    return problems


def _located(doc: Document | None, message: str, path: tuple) -> Problem:
    if len(message) > MAX_MESSAGE:
        half = MAX_MESSAGE // 2
        message = f"{message[:half]} ... {message[-half:]}"
    return Problem(message, doc.name if doc else None, doc.line_of(path) if doc else None,
                   format_path(path))


def load_scenario(path: str | Path, kb: KnowledgeBase, limits: Limits = DEFAULT_LIMITS) -> Scenario:
    """Read and check one scenario file (``.json`` as JSON, anything else as YAML)."""
    name = str(path)
    return scenario_from_bytes(read_bounded(path, limits), name, kb, name.lower().endswith(".json"), limits)


def scenario_from_bytes(raw: bytes, name: str, kb: KnowledgeBase, json_format: bool | None = None,
                        limits: Limits = DEFAULT_LIMITS) -> Scenario:
    """Parse and check a scenario already read (standard input, say); JSON when ``json_format``
    or, left None, when the text opens as a JSON object does."""
    if json_format is None:
        json_format = raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    try:
        doc = parse_document(raw, name, json_format=json_format, limits=limits)
    except InputError as exc:
        raise explain_tabs(exc, raw) from None
    return scenario_from_data(doc.data, kb, doc, SourceText(raw))
