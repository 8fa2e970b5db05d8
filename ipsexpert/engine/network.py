"""Building experta's Rete network once per engine, without its most repeated work.

Before building, experta rewrites every rule into disjunctive normal form
(``prepare_rule``): it copies the rule, rewrites it again until two rounds agree
(comparing the whole rule each round), then rewrites the result once more. A rule
whose patterns hold no disjunction — most of ipsexpert's — comes out as a copy of
itself, each pattern a fresh fact of the same items; ``prepare_rule`` here makes that
copy directly, and leaves every other rule (an ``|`` of values, NOT, TEST, a pattern
with other field constraints) to experta.

experta wires the beta part of its network with ``wire_rule``, which defines a new
``functools.singledispatch`` function, and registers eight closures on it, for every
rule: each new dispatcher starts with an empty cache and works out the method
resolution order of every element type it meets, which was a third of building the
network (and the network is built once per engine, so once per cold start).

``build_beta_part`` here wires the same nodes in the same order with the one plain
function below, for rules made of what ipsexpert's compiler produces — patterns (facts)
joined by AND, a top-level OR — and hands any rule holding anything else (NOT, TEST,
EXISTS, FORALL) to experta's own ``wire_rule``. ``tests/engine/test_network.py``
compares both steps with experta's on every rule of the shipped and the test
knowledge bases.

The helpers at the end turn the network's alpha tests into the plain functions the
lean matcher runs, once, when it takes over a network (see ``matcher``).
"""

from __future__ import annotations

from typing import Any, Callable

from .compat import (AND, OR, ConflictSetNode, Fact, FactCapture, FeatureCheck, FieldConstraint, L, OrdinaryMatchNode,
                     P, Rule, SameContextCheck, TypeCheck, experta_prepare_rule, wire_rule)


def _simple(fact: Any) -> bool:
    """A pattern whose values are constants or plain L/P tests: its normal form is a copy of it."""
    return isinstance(fact, Fact) and all(type(value) in (L, P) or not isinstance(value, FieldConstraint)
                                          for value in fact.values())


def prepare_rule(rule: Any) -> Any:
    """experta's ``prepare_rule``: the rule in normal form, ready for the network."""
    if len(rule) and all(_simple(part) for part in rule):
        return rule.new_conditions(*[type(part).from_iter(part.items()) for part in rule])
    return experta_prepare_rule(rule)


def prepare_ruleset(engine) -> set:
    """experta's ``ReteMatcher.prepare_ruleset``, through ``prepare_rule``."""
    return {prepare_rule(rule) for rule in engine.get_rules()}


def _plain(element: Any) -> bool:
    """Whether an element holds only facts under Rule/AND (what ``_wire`` handles)."""
    if isinstance(element, Fact):
        return True
    return isinstance(element, (Rule, AND)) and len(element) > 0 and all(_plain(part) for part in element)


def _wire(element: Any, alpha_terminals: dict) -> Any:
    """experta's ``_wire_rule`` for a fact, or a Rule/AND of plain elements: the node it ends in."""
    if isinstance(element, Fact):
        return alpha_terminals[element]
    if len(element) == 1:
        first = element[0]
        return alpha_terminals[first] if isinstance(first, Fact) else _wire(first, alpha_terminals)
    current = None
    for first, second in zip(element, element[1:]):
        if current is None:
            current = OrdinaryMatchNode(SameContextCheck())
            left, right = _wire(first, alpha_terminals), _wire(second, alpha_terminals)
        else:
            left, right = current, _wire(second, alpha_terminals)
            current = OrdinaryMatchNode(SameContextCheck())
        left.add_child(current, current.activate_left)
        right.add_child(current, current.activate_right)
    return current


def wire(rule: Any, alpha_terminals: dict, lhs: Any) -> None:
    """What experta's ``wire_rule(rule, alpha_terminals, lhs)`` does, plain elements without dispatch."""
    if not _plain(lhs):
        wire_rule(rule, alpha_terminals, lhs=lhs)
        return
    last = _wire(lhs, alpha_terminals)
    conflict_set = ConflictSetNode(rule)
    last.add_child(conflict_set, conflict_set.activate)


def build_beta_part(ruleset, alpha_terminals: dict) -> None:
    """experta's ``ReteMatcher.build_beta_part``, wiring through ``wire``."""
    for rule in ruleset:
        if isinstance(rule[0], OR):
            for subrule in rule[0]:
                wire(rule, alpha_terminals, subrule)
        else:
            wire(rule, alpha_terminals, rule)


# --- the alpha tests, as the lean matcher runs them (see ``matcher``) --------------------

def _literal(check: Any) -> tuple[str, Any] | None:
    """(field, value) of an unbound equality test on a top-level field, else None."""
    if (isinstance(check, FeatureCheck) and type(check.how) is L and check.how.__bind__ is None
            and isinstance(check.what, str) and "__" not in check.what):
        return check.what, check.how.value
    return None


def _direct_test(check: Any) -> Callable[[Any], Any]:
    """A plain-Python form of an alpha test, or the check itself where there is none.

    Type tests and unbound literal and predicate tests on a top-level field are
    rewritten; they answer exactly as experta's ``TypeCheck``, ``equal_literal`` and
    ``match_predicate`` do, minus the field-path parsing and the debug logging.
    """
    if isinstance(check, TypeCheck):
        fact_type = check.fact_type
        return lambda fact: type(fact) == fact_type
    if type(check) is FactCapture:
        bind = check.bind
        return lambda fact: {bind: fact}
    literal = _literal(check)
    if literal is not None:
        key, expected = literal
        return lambda fact: key in fact and expected == fact[key]
    if (isinstance(check, FeatureCheck) and type(check.how) is P and check.how.__bind__ is None
            and isinstance(check.what, str) and "__" not in check.what):
        key, predicate = check.what, check.how.match
        return lambda fact: key in fact and bool(predicate(fact[key]))
    return check


def _hashable(value: Any) -> bool:
    """Whether a value can key a dispatch table."""
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _network(root) -> list:
    """Every node below the root, each once."""
    nodes: dict[int, Any] = {}
    pending = [root]
    while pending:
        node = pending.pop()
        for child in node.children:
            if id(child.node) not in nodes:
                nodes[id(child.node)] = child.node
                pending.append(child.node)
    return list(nodes.values())
