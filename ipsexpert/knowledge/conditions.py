"""The condition language: its model, its parser, its compilation and its words.

Conditions are small trees (``all``/``any``/``not`` over comparisons with facts), never
expression strings, so a knowledge base from an untrusted source can never run code,
and the system can reason about its own rules: evaluate them over partial answers,
list the facts they still depend on (``semantics``, the one home of their meaning),
describe them in words, and compile each one twice for the Rete network — once as
"definitely true", once as "definitely false".
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any, Iterable, Mapping, Union

OPERATORS = ("is", "equals", "in", "at_least", "at_most")


@dataclass(frozen=True)
class FactType:
    """What a condition may compare a fact with."""

    kind: str  # bool | enum | int
    values: tuple = ()
    minimum: int | None = None


@dataclass(frozen=True)
class Test:
    """A comparison of one fact with a constant."""

    fact: str
    op: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    parts: tuple


@dataclass(frozen=True)
class AnyOf:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: Any


@dataclass(frozen=True)
class Always:
    pass


Condition = Union[Test, AllOf, AnyOf, Not, Always]


class ConditionSyntaxError(ValueError):
    """A condition that does not follow the language; ``path`` says where."""

    def __init__(self, message: str, path: tuple) -> None:
        super().__init__(message)
        self.path = path


def parse(data: Any, types: Mapping[str, FactType], path: tuple = (),
          allow_always: bool = False) -> Condition:
    """Build a condition from YAML data, checking every fact, operator and value."""
    if data == "always" and allow_always:
        return Always()
    if not isinstance(data, dict):
        hint = " (or `always`)" if allow_always else ""
        raise ConditionSyntaxError(f"a condition must be a mapping{hint}, not {data!r}", path)
    for combinator, build in (("all", AllOf), ("any", AnyOf)):
        if combinator in data:
            _only_keys(data, {combinator}, path)
            parts = data[combinator]
            if not isinstance(parts, list) or not parts:
                raise ConditionSyntaxError(f"`{combinator}` takes a non-empty list of conditions",
                                           path + (combinator,))
            return build(tuple(parse(part, types, path + (combinator, index))
                               for index, part in enumerate(parts)))
    if "not" in data:
        _only_keys(data, {"not"}, path)
        return Not(parse(data["not"], types, path + ("not",)))
    if "fact" in data:
        return _parse_test(data, types, path)
    raise ConditionSyntaxError(
        "a condition needs one of `fact`, `all`, `any` or `not`; found "
        + ", ".join(map(str, data)) if data else "an empty condition", path)


def _only_keys(data: dict, allowed: set, path: tuple) -> None:
    extra = sorted(map(str, set(data) - allowed))
    if extra:
        raise ConditionSyntaxError(f"unexpected key(s) {', '.join(extra)} beside "
                                   f"`{'/'.join(sorted(allowed))}`", path + (extra[0],))


def _parse_test(data: dict, types: Mapping[str, FactType], path: tuple) -> Test:
    fact = data["fact"]
    if not isinstance(fact, str) or fact not in types:
        raise ConditionSyntaxError(f"unknown fact {fact!r}", path + ("fact",))
    ops = [key for key in data if key != "fact"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise ConditionSyntaxError(
            f"a comparison needs exactly one of {', '.join(OPERATORS)}; found {', '.join(map(str, ops)) or 'none'}",
            path)
    op = ops[0]
    value = data[op]
    kind = types[fact]
    where = path + (op,)
    if op == "is":
        if kind.kind != "bool" or not isinstance(value, bool):
            raise ConditionSyntaxError(f"`is` compares a yes/no fact with true or false; {fact} is "
                                       f"{kind.kind} and the value is {value!r}", where)
    elif op in ("equals", "in"):
        values = value if op == "in" else [value]
        if op == "in" and (not isinstance(value, list) or not value):
            raise ConditionSyntaxError("`in` takes a non-empty list of values", where)
        for item in values:
            _check_value(fact, kind, item, where)
        value = frozenset(values) if op == "in" else value
    else:
        if kind.kind != "int" or isinstance(value, bool) or not isinstance(value, int):
            raise ConditionSyntaxError(f"`{op}` compares a whole-number fact with a whole number; "
                                       f"{fact} is {kind.kind} and the value is {value!r}", where)
    return Test(fact, op, value)


def _check_value(fact: str, kind: FactType, value: Any, where: tuple) -> None:
    if kind.kind == "enum":
        if value not in kind.values:
            raise ConditionSyntaxError(f"{value!r} is not a value of {fact} "
                                       f"({', '.join(kind.values)})", where)
    elif kind.kind == "int":
        raise ConditionSyntaxError(f"{fact} is a whole number: compare it with `at_least` or `at_most`",
                                   where)
    else:
        raise ConditionSyntaxError(f"{fact} is yes/no: compare it with `is: true` or `is: false`", where)


# --- compiling to positive literals (for the Rete network) ---------------------------

@dataclass(frozen=True)
class Literal:
    """A positive test on one known fact: its value is in ``values`` or within [low, high].

    A literal never matches an unknown fact, which is what makes the compiled
    "definitely true" and "definitely false" patterns three-valued.
    """

    fact: str
    values: frozenset | None = None
    low: int | None = None
    high: int | None = None

    def holds(self, value: Any) -> bool:
        if value is None:
            return False
        if self.values is not None:
            return any(value == item and type(value) is type(item) for item in self.values)
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def meet(self, other: "Literal") -> "Literal | None":
        """Both literals at once, or None when no value passes both."""
        if self.values is not None:
            values = frozenset(v for v in self.values if other.holds(v))
            return Literal(self.fact, values) if values else None
        if other.values is not None:
            return other.meet(self)
        low = max((x for x in (self.low, other.low) if x is not None), default=None)
        high = min((x for x in (self.high, other.high) if x is not None), default=None)
        if low is not None and high is not None and low > high:
            return None
        return Literal(self.fact, None, low, high)


def literal_for(test: Test, kind: FactType, truth: bool) -> Literal | None:
    """The positive literal for ``test`` being definitely ``truth``."""
    if kind.kind == "int":
        if test.op == "at_least":
            bounds = (test.value, None) if truth else (kind.minimum, test.value - 1)
        else:
            bounds = (kind.minimum, test.value) if truth else (test.value + 1, None)
        low, high = bounds
        if low is not None and high is not None and low > high:
            return None
        return Literal(test.fact, None, low, high)
    domain = (True, False) if kind.kind == "bool" else kind.values
    accepted = {test.value} if test.op in ("is", "equals") else set(test.value)
    chosen = frozenset(v for v in domain if (v in accepted) == truth)
    return Literal(test.fact, chosen) if chosen else None


Branch = tuple  # a conjunction of literals, at most one per fact

MAX_BRANCHES = 256
"""The most branches one condition may have, true or false, and a recommendation's advised form.

Each branch becomes an experta rule, and normal forms grow exponentially: ``all`` of
n two-way ``any`` has 2^n. The shipped rules need at most 4; 256 leaves room for rules
64 times as involved while a compiled recommendation stays under a second to build.
"""


def branch_count(condition: Condition, truth: bool) -> int:
    """An upper bound on ``len(branches(condition, truth, ...))``, found without expanding.

    The mirror of ``branches``: alternatives add up, conjunctions multiply, ``not`` swaps
    true and false. Contradictions and duplicates are not subtracted, so the bound can
    exceed the real count; it is capped at MAX_BRANCHES + 1, which keeps the numbers small.
    As ``always`` (the one form counted 0) stands only at the top, every part counts at
    least 1, so a condition's bound is also a bound on the work of expanding its parts.
    """
    if isinstance(condition, Always):
        return 1 if truth else 0
    if isinstance(condition, Test):
        return 1
    if isinstance(condition, Not):
        return branch_count(condition.part, not truth)
    counts = [branch_count(part, truth) for part in condition.parts]
    if isinstance(condition, AllOf) == truth:
        return _capped_product(counts)
    return min(sum(counts), MAX_BRANCHES + 1)


def _capped_product(counts: Iterable[int]) -> int:
    result = 1
    for count in counts:
        result = min(result * count, MAX_BRANCHES + 1)
    return result


def branches(condition: Condition, truth: bool, types: Mapping[str, FactType]) -> list[Branch]:
    """Disjunctive normal form of "condition is definitely ``truth``" over positive literals.

    not-a true = a false; all true = every part true; all false = some part false;
    any is the mirror image. Contradictory conjunctions are dropped.
    """
    if isinstance(condition, Always):
        return [()] if truth else []
    if isinstance(condition, Test):
        literal = literal_for(condition, types[condition.fact], truth)
        return [(literal,)] if literal else []
    if isinstance(condition, Not):
        return branches(condition.part, not truth, types)
    conjunctive = isinstance(condition, AllOf) == truth
    part_branches = [branches(part, truth, types) for part in condition.parts]
    if not conjunctive:
        return _unique(b for options in part_branches for b in options)
    return _unique(merged for combo in product(*part_branches)
                   if (merged := conjoin(*combo)) is not None)


def conjoin(*conjunctions: Branch) -> Branch | None:
    """Join conjunctions, meeting literals on the same fact; None if contradictory."""
    by_fact: dict[str, Literal] = {}
    for conjunction in conjunctions:
        for literal in conjunction:
            if literal.fact in by_fact:
                met = by_fact[literal.fact].meet(literal)
                if met is None:
                    return None
                by_fact[literal.fact] = met
            else:
                by_fact[literal.fact] = literal
    return tuple(by_fact[fact] for fact in sorted(by_fact))


def _unique(items: Iterable[Branch]) -> list[Branch]:
    seen: list[Branch] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


# --- words -----------------------------------------------------------------------------

def show_value(value: Any) -> str:
    """An answer as a person reads it."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "unknown"
    return str(value)


def describe(condition: Condition, nested: bool = False) -> str:
    """The condition in words, generated from the data (never written twice by hand)."""
    if isinstance(condition, Always):
        return "always"
    if isinstance(condition, Test):
        return _describe_test(condition, negated=False)
    if isinstance(condition, Not):
        if isinstance(condition.part, Test):
            return _describe_test(condition.part, negated=True)
        return "not (" + describe(condition.part) + ")"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    text = joiner.join(describe(part, nested=True) for part in condition.parts)
    return f"({text})" if nested and len(condition.parts) > 1 else text


def _describe_test(test: Test, negated: bool) -> str:
    if test.op == "is":
        return f"{test.fact} is {show_value(test.value != negated)}"
    if test.op == "equals":
        return f"{test.fact} is {'not ' if negated else ''}{test.value}"
    if test.op == "in":
        values = sorted(test.value, key=str)
        return f"{test.fact} is {'neither ' + ' nor '.join(values) if negated else ' or '.join(values)}"
    word = {"at_least": ("at least", "below"), "at_most": ("at most", "above")}[test.op]
    return f"{test.fact} is {word[1] if negated else word[0]} {test.value}"


def describe_literal(literal: Literal) -> str:
    """A compiled literal in words (what a fired branch required)."""
    if literal.values is not None:
        return f"{literal.fact} is " + " or ".join(show_value(v) for v in sorted(literal.values, key=str))
    if literal.low is not None and literal.high is not None:
        if literal.low == literal.high:
            return f"{literal.fact} is {literal.low}"
        return f"{literal.fact} is between {literal.low} and {literal.high}"
    if literal.low is not None:
        return f"{literal.fact} is at least {literal.low}"
    return f"{literal.fact} is at most {literal.high}"
