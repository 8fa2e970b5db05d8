"""The fact catalogue: what can be known about a project, and how each answer is checked.

Its ids, types and values are a contract with users' scenario files, so answers are
checked strictly here (``true`` is not a number, ``1`` is not yes) and a misspelt id
gets the closest real one suggested.
"""

from __future__ import annotations

import warnings
import difflib
from typing import Annotated, Any, Literal as TypingLiteral

from pydantic import BaseModel, ConfigDict, Field, SkipValidation, model_validator


from .conditions import Condition, FactType

UNKNOWN_WORDS = ("unknown",)


with warnings.catch_warnings():
    # `construct` is the contract's key for a construct id; pydantic warns that it
    # shadows the deprecated BaseModel.construct, which ipsexpert never calls.
    warnings.simplefilter("ignore", UserWarning)

    class FactSpec(BaseModel):
        """One question of the catalogue."""

        model_config = ConfigDict(extra="forbid", frozen=True)

        id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
        construct: str
        type: TypingLiteral["bool", "enum", "int"]
        values: tuple[str, ...] = ()
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

        def check(self, value: Any) -> Any:
            """The answer as stored (None for unknown); ValueError when it does not fit."""
            if value is None or (isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS):
                return None
            if self.type == "bool":
                if not isinstance(value, bool):
                    raise ValueError(f"{value!r} is not true or false")
            elif self.type == "int":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{value!r} is not a whole number")
                if self.minimum is not None and value < self.minimum:
                    raise ValueError(f"{value} is below the minimum of {self.minimum}")
            elif value not in self.values:
                raise ValueError(f"{value!r} is not one of {', '.join(self.values)}")
            return value


def suggest(name: str, candidates: list[str]) -> str:
    """A "did you mean" clause for an unknown id, or nothing."""
    close = difflib.get_close_matches(str(name), candidates, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
