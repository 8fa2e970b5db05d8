"""A scenario file read for a batch: a plain record when the file holds only plain fields.

``Scenario`` (``scenario``) is a pydantic model, the library's public one; defining it and
its neighbours costs more than evaluating a scenario, and a batch of thousands of files
would validate each with it. Most files — every bundled one, every generated one — hold
a name, a date, notes and answers, each of the one type the model takes. For such a file
``ScenarioRecord`` holds the same fields with the same values the model would, its answers
checked by the same code (``answers``); anything else — accepted risks, disputes,
expectations, a value of another type, any problem at all — goes to the model, which
checks and reports it as always. A record never leaves ipsexpert's own batch: library
calls (``load_scenario``, ``Expert.scenario``) always return the model.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answers import check_answers
from .base import KnowledgeBase
from ..documents import DEFAULT_LIMITS, Document, Limits, parse_document, read_bounded
from ..errors import InputError
from .record import Record
from .source_text import SourceText, explain_tabs

if TYPE_CHECKING:
    from .scenario import Scenario


class ScenarioRecord(Record):
    """The fields of ``Scenario``, with its defaults (a test holds the two to the same fields)."""

    __slots__ = ("name", "as_of", "description", "illustrative", "sources", "answers", "expect", "accepted", "notes",
                 "respondent", "respondents", "given_by", "disputed", "source")
    defaults = {"name": "unnamed scenario", "as_of": None, "description": None, "illustrative": False,
                "sources": [], "answers": {}, "expect": {}, "accepted": [], "notes": {}, "respondent": None,
                "respondents": [], "given_by": {}, "disputed": {}, "source": None}

    def known_answers(self) -> dict[str, Any]:
        """The answers that are not unknown."""
        return {key: value for key, value in self.answers.items() if value is not None}


_TEXT = {"name": (str,), "as_of": (str, type(None)), "description": (str, type(None)),
         "respondent": (str, type(None)), "illustrative": (bool,)}
"""Fields a record takes, with the exact types the model accepts unchanged."""
_TEXT_LISTS = ("sources", "respondents")
_BY_FACT = ("notes", "given_by")
_PLAIN_FIELDS = frozenset((*_TEXT, *_TEXT_LISTS, *_BY_FACT, "answers"))


def as_of_text(value: Any) -> Any:
    """``as_of: 2021`` (or a date) as the text the model holds; anything else as it is."""
    return str(value) if isinstance(value, (int, float, date)) and not isinstance(value, bool) else value


def parse_scenario(raw: bytes, name: str, json_format: bool | None = None,
                   limits: Limits = DEFAULT_LIMITS) -> tuple[Document, SourceText]:
    """Parse a scenario's bytes (JSON when ``json_format`` or, left None, when the text opens as
    a JSON object does); a YAML error caused by a tab says so."""
    if json_format is None:
        json_format = raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    try:
        return parse_document(raw, name, json_format=json_format, limits=limits), SourceText(raw)
    except InputError as exc:
        raise explain_tabs(exc, raw) from None


def read_scenario(path: str | Path, kb: KnowledgeBase, limits: Limits = DEFAULT_LIMITS) -> ScenarioRecord | Scenario:
    """Read and check one scenario file for a batch: a record where it can be, else the model."""
    name = str(Path(path))  # spelled as load_scenario spells it (``./a.yaml`` is ``a.yaml``)
    return scenario_of_bytes(read_bounded(path, limits), name, kb, name.lower().endswith(".json"), limits)


def scenario_of_bytes(raw: bytes, name: str, kb: KnowledgeBase, json_format: bool | None = None,
                      limits: Limits = DEFAULT_LIMITS) -> ScenarioRecord | Scenario:
    """``read_scenario`` for bytes already read (standard input, say)."""
    doc, text = parse_scenario(raw, name, json_format, limits)
    record = plain_record(doc, kb, text)
    if record is not None:
        return record
    from .scenario import scenario_from_data
    return scenario_from_data(doc.data, kb, doc, text)


def plain_record(doc: Document, kb: KnowledgeBase, text: SourceText | None = None) -> ScenarioRecord | None:
    """The record of a document that holds only plain fields, each valid; None for any other."""
    data = doc.data
    if not isinstance(data, dict) or not set(data) <= _PLAIN_FIELDS:
        return None
    fields = {key: as_of_text(value) if key == "as_of" else value for key, value in data.items() if key != "answers"}
    if not all(isinstance(fields[key], kinds) for key, kinds in _TEXT.items() if key in fields):
        return None
    if not all(_texts(fields[key]) for key in _TEXT_LISTS if key in fields):
        return None
    if not all(_by_fact(fields[key], kb, key == "notes") for key in _BY_FACT if key in fields):
        return None
    answers, problems = check_answers(data.get("answers"), kb, doc, text=text)
    if problems:
        return None
    return ScenarioRecord(**fields, answers=answers, source=doc.name)


def _texts(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _by_fact(value: Any, kb: KnowledgeBase, single: bool) -> bool:
    """A mapping of catalogue facts to a text (``single``) or to a list of texts."""
    return type(value) is dict and all(
        key in kb.facts and (type(item) is str if single else _texts(item)) for key, item in value.items())
