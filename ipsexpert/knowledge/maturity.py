"""Maturity per construct: levels 1–4 as data beside the rules, read three-valued.

A steering committee asks first "where do we stand, per area?". ``rules/maturity.yaml``
answers with four levels per construct, each a condition over the catalogue in the
rules' own condition language (this project's reading of the framework, not an inGOV
artefact). A level is reached when its condition holds and every level below it is
reached; over partial answers a level can be reached, not reached, or not yet known —
"at least 2; 3 depends on governance_body".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..documents import Document
from ..errors import Problem
from . import semantics
from .conditions import Condition, ConditionSyntaxError, FactType, describe, parse

if TYPE_CHECKING:
    from .base import KnowledgeBase

LEVELS = (1, 2, 3, 4)
MAX_PROFILES = 1_000_000
"""Profiles ``kb check`` may enumerate for the whole maturity model (the shipped one uses a
small part of it); a check past that budget is reported as not made, never left running."""
FILE = Path("rules") / "maturity.yaml"
"""Where a knowledge base keeps its maturity model (optional)."""


@dataclass(frozen=True)
class Level:
    """One level of one construct: what reaches it, and the advice that would lift a project to it."""

    number: int
    when: Condition
    recommendations: tuple[str, ...]

    @cached_property
    def needs(self) -> str:
        """The level's condition in words, made once: a batch asks for it at every report."""
        return describe(self.when)


@dataclass(frozen=True)
class Example:
    """Answers under which a construct must be at ``level`` (at least, when ``at_least``)."""

    construct: str
    level: int
    answers: dict[str, Any]
    at_least: bool
    line: int | None


@dataclass(frozen=True)
class MaturityModel:
    """The levels' names and meanings, and per construct its levels 2–4 (1 always holds).

    Loaded with the rest of the knowledge base (``loading``), from ``rules/maturity.yaml``."""

    names: dict[int, str]
    meanings: dict[int, str]
    constructs: dict[str, tuple[Level, ...]]
    examples: tuple[Example, ...]
    file: str


@dataclass(frozen=True)
class Standing:
    """Where one construct stands: the level reached, the next level's status and what it hangs on.

    ``next_status`` is False when the next level is known not reached, None when it is
    not yet known (``open_facts`` decide it), and there is no next level above 4.
    """

    construct: str
    level: int
    next_level: int | None
    next_status: bool | None
    open_facts: tuple[str, ...]
    missing: str  # the next level's condition in words
    recommendations: tuple[str, ...]  # advice that would lift the project to the next level


def standing(model: MaturityModel, construct: str, value_of: semantics.ValueOf) -> Standing:
    """The highest level known reached, and what is known of the one above."""
    reached = 1
    for level in model.constructs[construct]:
        truth = semantics.evaluate(level.when, value_of)
        if truth is not True:
            return Standing(construct, reached, level.number, truth,
                            tuple(semantics.open_facts(level.when, value_of)) if truth is None else (),
                            level.needs, level.recommendations)
        reached = level.number
    return Standing(construct, reached, None, None, (), "", ())


def _fail(doc: Document, problems: list[Problem], message: str, path: tuple) -> None:
    problems.append(doc.error(message, path).problems[0])


def build(doc: Document, types: Mapping[str, FactType], constructs: list[str], recommendations: list[str],
           problems: list[Problem]) -> MaturityModel | None:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("levels"), dict) \
            or not isinstance(data.get("constructs"), dict):
        _fail(doc, problems, "a maturity model is a mapping with `levels` and `constructs`", ())
        return None
    names, meanings = {}, {}
    for number in LEVELS:
        entry = data["levels"].get(number)
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            _fail(doc, problems, f"level {number} needs a `name` and a `meaning`", ("levels", number))
            continue
        names[number], meanings[number] = entry["name"], str(entry.get("meaning", ""))
    built: dict[str, tuple[Level, ...]] = {}
    for construct in constructs:
        levels = data["constructs"].get(construct)
        if not isinstance(levels, dict):
            _fail(doc, problems, f"construct {construct} has no levels", ("constructs", construct))
            continue
        built[construct] = tuple(level for number in LEVELS[1:]
                                 if (level := _level(doc, levels, construct, number, types, recommendations,
                                                     problems)) is not None)
    for extra in sorted(set(data["constructs"]) - set(constructs), key=str):
        _fail(doc, problems, f"unknown construct {extra!r} (one of {', '.join(constructs)})", ("constructs", extra))
    examples = tuple(_examples(doc, data.get("examples") or [], constructs, problems))
    return MaturityModel(names, meanings, built, examples, doc.name)


def _level(doc: Document, levels: dict, construct: str, number: int, types: Mapping[str, FactType],
           recommendations: list[str], problems: list[Problem]) -> Level | None:
    where = ("constructs", construct, number)
    entry = levels.get(number)
    if not isinstance(entry, dict) or "when" not in entry:
        _fail(doc, problems, f"level {number} needs a `when` condition", where)
        return None
    try:
        when = parse(entry["when"], types, where + ("when",))
    except ConditionSyntaxError as exc:
        _fail(doc, problems, str(exc), exc.path)
        return None
    named = entry.get("recommendations") or []
    unknown = [rec_id for rec_id in named if rec_id not in recommendations]
    if unknown:
        _fail(doc, problems, f"unknown recommendation(s) {', '.join(map(str, unknown))}", where + ("recommendations",))
    return Level(number, when, tuple(named))


def _examples(doc: Document, entries: list, constructs: list[str], problems: list[Problem]):
    for index, entry in enumerate(entries):
        where = ("examples", index)
        if not isinstance(entry, dict) or entry.get("construct") not in constructs \
                or entry.get("level") not in LEVELS or not isinstance(entry.get("answers"), dict):
            _fail(doc, problems, "an example names a `construct`, a `level` (1-4) and `answers`", where)
            continue
        yield Example(entry["construct"], entry["level"], entry["answers"], bool(entry.get("at_least")),
                      doc.line_of(where))


# --- checks (kb check) -------------------------------------------------------------------

def findings(model: MaturityModel, kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(field path, message) for levels out of order, unreachable levels and failing examples."""
    found = []
    budget = [MAX_PROFILES]
    for construct, levels in model.constructs.items():
        previous = None
        for level in levels:
            where = f"constructs.{construct}.{level.number}"
            if _profiles(kb, budget, level.when, *([previous.when] if previous else [])) is None:
                found.append((where, f"level {level.number} was not checked: its facts take more combinations "
                                     f"than the {MAX_PROFILES:,} kb check may try"))
                previous = level
                continue
            example = _counterexample(kb, budget, level.when, previous.when if previous else None)
            if example is not None:
                found.append((where, f"level {level.number} can hold while level {previous.number} does not "
                                     f"(for example with {example}): each level should build on the one below"))
            if not _reachable(kb, budget, level.when):
                found.append((where, f"level {level.number} can never be reached"))
            previous = level
    for index, example in enumerate(model.examples):
        problem = _example_problem(model, kb, example)
        if problem:
            found.append((f"examples[{index}]", problem))
    return found


def _profiles(kb: KnowledgeBase, budget: list[int], *conds: Condition) -> Iterator[dict[str, Any]] | None:
    """Every combination of the facts the conditions read (unknown included), paid from ``budget``."""
    facts = semantics.catalogue_facts_read(kb, *conds)
    domains = [[choice.value for choice in semantics.choices(kb, fact)] + [None] for fact in facts]
    total = 1
    for domain in domains:
        total *= len(domain)
        if total > budget[0]:
            return None
    budget[0] -= total
    return ({fact: value for fact, value in zip(facts, combo) if value is not None} for combo in product(*domains))


def _counterexample(kb: KnowledgeBase, budget: list[int], upper: Condition, lower: Condition | None) -> str | None:
    if lower is None:
        return None
    for answers in _profiles(kb, budget, upper, lower) or ():
        value_of = semantics.value_of(kb, answers)
        if semantics.evaluate(upper, value_of) is True and semantics.evaluate(lower, value_of) is not True:
            return ", ".join(f"{fact}={value}" for fact, value in answers.items()) or "no answers"
    return None


def _reachable(kb: KnowledgeBase, budget: list[int], when: Condition) -> bool:
    profiles = _profiles(kb, budget, when)
    return profiles is None or any(semantics.evaluate(when, semantics.value_of(kb, answers)) is True
                                   for answers in profiles)


def _example_problem(model: MaturityModel, kb: KnowledgeBase, example: Example) -> str | None:
    result = standing(model, example.construct, semantics.value_of(kb, example.answers))
    if result.level != example.level:
        return f"expected level {example.level} for {example.construct}, the levels give {result.level}"
    settled = result.next_status is False or result.next_level is None
    if example.at_least and settled:
        return f"expected level {example.level} with the next still open, but it is settled"
    if not example.at_least and not settled:
        return f"expected exactly level {example.level}, but level {result.next_level} is still open"
    return None
