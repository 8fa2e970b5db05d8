"""Answers checked against the fact catalogue, one problem per answer that does not fit.

A scenario file, a library caller's mapping and a consultation all hand over answers;
each is turned into a plain value (``plain_answer``) and checked strictly by its fact
(``FactSpec.check``), and every problem is located in the file where there is one. No
pydantic here: a batch checks thousands of files' answers and never needs a model.
"""

from __future__ import annotations

import operator
from typing import Any, Mapping

from .catalogue import FactSpec, suggest
from ..documents import Document, format_path
from ..errors import Problem
from ..memo import remember
from .base import KnowledgeBase
from .source_text import SourceText

MAX_PROBLEMS = 100
"""Problems reported per scenario; past this a file is not a scenario gone slightly wrong,
and the rest are summed up in one line (and get no costly "did you mean")."""

MAX_MESSAGE = 400
"""Characters of a problem message; a huge value quoted in full would bury the point."""


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
        return {}, [located(doc, "answers must be a mapping of fact id to value", base)]
    checked: dict[str, Any] = {}
    problems: list[Problem] = []
    accepted = kb.accepted_answers
    for fact_id, value in answers.items():
        key = (fact_id, type(value), value) if type(value) in _REMEMBERED_TYPES else None
        known = accepted.get(key) if key is not None else None
        if known is not None:
            checked[fact_id] = known[0]
            continue
        path = base + (fact_id,)
        if fact_id in kb.derived:
            problems.append(located(doc, f"{fact_id} is derived from other answers and cannot be "
                                    "stated; give the answers it is derived from", path))
        elif fact_id not in kb.facts:
            hint = suggest(str(fact_id), list(kb.facts)) if len(problems) < MAX_PROBLEMS else ""
            problems.append(located(doc, f"unknown fact{hint}", path))
        else:
            try:
                checked[fact_id] = _checked(kb.facts[fact_id], value, doc, text, path)
            except ValueError as exc:
                problems.append(located(doc, str(exc), path))
                continue
            if key is not None:
                remember(accepted, key, (checked[fact_id],), MAX_REMEMBERED)
    ordered = {fact_id: checked[fact_id] for fact_id in kb.facts if fact_id in checked}
    return ordered, problems


_REMEMBERED_TYPES = (str, int, bool, type(None))
"""Answers of these exact types are remembered once accepted (hashing them is safe and exact)."""
MAX_REMEMBERED = 20_000
"""Accepted answers remembered per knowledge base: a batch checks the same few hundred over and
over; past this (numbers can make many) the memory starts again."""


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


def located(doc: Document | None, message: str, path: tuple) -> Problem:
    """A problem at ``path`` of the document (its line where known), its message cut to MAX_MESSAGE."""
    if len(message) > MAX_MESSAGE:
        half = MAX_MESSAGE // 2
        message = f"{message[:half]} ... {message[-half:]}"
    return Problem(message, doc.name if doc else None, doc.line_of(path) if doc else None,
                   format_path(path))
