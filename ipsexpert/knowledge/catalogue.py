"""The fact catalogue: what can be known about a project, and how each answer is checked.

Its ids, types and values are a contract with users' scenario files, so answers are
checked strictly here (``true`` is not a number, ``1`` is not yes) and a misspelt id
gets the closest real one suggested.
"""

from __future__ import annotations

import difflib
import keyword
import re
from typing import Any

from .conditions import FactType
from .record import Record

UNKNOWN_WORDS = ("unknown",)

MAX_ID_LENGTH = 64
"""The longest id of a fact or a rule: ids fill tables, messages and compiled rule names.
The shipped ones have at most 34 characters."""

MAX_VALUES = 256
"""The most values an enum fact may have. ``kb check`` enumerates every one, the engine
tests them one by one and a consultation lists them; the shipped facts have at most 4."""



def id_problem(value: str, pattern: str, shape: str) -> str | None:
    """Why ``value`` cannot be an id, in words, or None when it can.

    Ids become field names of experta facts, which take them as keyword arguments after
    ``self`` and read ``a__b`` as field ``b`` of field ``a``; they also become the names
    of compiled rules. So besides ``pattern`` (described by ``shape``), an id must not be
    ``self``, a Python keyword or hold ``__``, and must be short enough to show.
    """
    if len(value) > MAX_ID_LENGTH:
        return f"an id is at most {MAX_ID_LENGTH} characters; this one has {len(value)}"
    if not re.fullmatch(pattern, value):
        return f"an id {shape}; {value!r} does not"
    if "__" in value:
        return (f"{value!r} holds a double underscore, which the rule engine reads as a field inside a field; "
                "use a single _")
    if value == "self":
        return "'self' is a name Python and the rule engine use themselves; choose another id"
    if keyword.iskeyword(value):
        return f"{value!r} is a word Python reserves; choose another id"
    return None


FACT_ID_PATTERN = r"[a-z][a-z0-9_]*"
FACT_ID_SHAPE = "starts with a lowercase letter and holds only lowercase letters, digits and _"


class FactSpec(Record):
    """One question of the catalogue (checked by ``validation.FactSpecModel`` when loaded)."""

    __slots__ = ("id", "construct", "type", "values", "minimum", "question", "help", "value_help", "actionable",
                 "ask_if")
    defaults = {"values": (), "minimum": None, "value_help": {}, "actionable": False,
                "ask_if": None}

    @property
    def fact_type(self) -> FactType:
        return FactType(self.type, self.values, self.minimum)

    def accepts(self) -> str:
        """The answers this fact accepts, in words."""
        if self.type == "bool":
            return "true or false"
        if self.type == "enum":
            return "one of " + ", ".join(self.values)
        return "a whole number" + (f" >= {self.minimum}" if self.minimum is not None else "")

    def check(self, value: Any, written: str | None = None) -> Any:
        """The answer as stored (None for unknown); ValueError, in words that say how to
        fix it, when it does not fit. ``written`` is how a file spells a value that is not
        text (``yes`` for true), so that the message quotes what the user wrote.

        Enum values are matched without regard to case (``Design`` is ``design``), as the
        consultation matches them, and stored as the catalogue spells them.
        """
        if value is None or (isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS):
            return None
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{_shown(value, written)} is not true or false{_unquote_hint(value, YES_NO_WORDS)}")
        elif self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{_shown(value, written)} is not a whole number{_unquote_hint(value)}")
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"{value} is below the minimum of {self.minimum}")
        elif value not in self.values:
            same = next((item for item in self.values if isinstance(value, str)
                         and item.casefold() == value.strip().casefold()), None)
            if same is None:
                raise ValueError(f"{_shown(value, written)} is not one of {', '.join(self.values)}"
                                 f"{nearest_value(value, self.values)}")
            return same
        return value


def _shown(value: Any, written: str | None) -> str:
    """An answer as a message quotes it: text in quotes, anything else as the file wrote it."""
    return repr(value) if isinstance(value, str) or written is None else written


YES_NO_WORDS = ("true", "false", "yes", "no", "y", "n", "on", "off")


def _unquote_hint(value: Any, words: tuple[str, ...] = ()) -> str:
    """For an answer quoted as text that would fit unquoted (``"200000"``, ``"yes"``)."""
    if not isinstance(value, str):
        return ""
    if value.strip().lower() in words:
        return ": write true or false, without quotes"
    if not words and value.strip().lstrip("+-").isdigit():
        return ": write the number without quotes"
    return ""


def nearest_value(value: Any, values: tuple[str, ...]) -> str:
    """A "did you mean" clause for a value not allowed: the only value it begins
    (``project`` for ``project_only``), else the only one holding it (``unresolved`` for
    ``found_unresolved``), else the most similar, or nothing."""
    if not isinstance(value, str) or not value.strip():
        return ""
    given = value.strip().casefold()
    for fits in (str.startswith, str.__contains__):
        found = [item for item in values if fits(item.casefold(), given)]
        if len(found) == 1:
            return f" (did you mean {found[0]}?)"
    close = difflib.get_close_matches(given, [item.casefold() for item in values], n=1, cutoff=0.6)
    return f" (did you mean {next(item for item in values if item.casefold() == close[0])}?)" if close else ""


def suggest(name: str, candidates: list[str]) -> str:
    """A "did you mean" clause for an unknown id, or nothing."""
    close = difflib.get_close_matches(str(name), candidates, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
