"""Building the network: ipsexpert's short cuts make what experta's own steps make.

``network.prepare_rule`` copies a rule without disjunctions instead of rewriting it to a
fixpoint, and ``network.build_beta_part`` wires plain rules without a dispatcher per
rule. Both are compared with experta's steps on every rule of the shipped knowledge
base and on rules of every shape experta accepts, and the networks built both ways are
compared node for node.
"""

from __future__ import annotations

import re

import pytest

from ipsexpert.engine import network
from ipsexpert.engine.compat import AS, AND, OR, Fact, KnowledgeEngine, L, P, ReteMatcher, experta_prepare_rule
from ipsexpert.engine.matcher import LeanRule
from experta import NOT, TEST


class Thing(Fact):
    pass


class Other(Fact):
    pass


def _positive(value):
    return isinstance(value, int) and value > 0


def _rules():
    """One rule of each shape: plain patterns, values with | (nested too), P tests, NOT, TEST, OR, none."""
    def action(engine, **bound):
        return bound
    shapes = [
        (Thing(a=L(1)),),
        (AS.t << Thing(a=L(1), b=L("x")), AS.o << Other(c=P(_positive))),
        (Thing(a=L(1) | L(2)),),
        (Thing(a=L(1) | L(2) | L(3), b=L("x") | L("y")), AS.o << Other(c=L(True))),
        (Thing(a=L(1)), NOT(Other(c=L(2)))),
        (Thing(a=L(1)), TEST(lambda: True)),
        (OR(Thing(a=L(1)), Other(c=L(2))),),
        (AND(Thing(a=L(1)), Other(c=L(2))),),
        (Other(c=L(2)), Thing(a=L(1)), Other(c=L(3))),
        (),
    ]
    return [LeanRule(*patterns, salience=index)(action) for index, patterns in enumerate(shapes)]


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: f"salience-{rule.salience}")
def test_prepare_rule_gives_what_experta_gives(rule):
    assert network.prepare_rule(rule) == experta_prepare_rule(rule)


def test_prepare_rule_on_every_shipped_rule(expert):
    rules = expert.compiled.engine().get_rules()
    assert all(network.prepare_rule(rule) == experta_prepare_rule(rule) for rule in rules)
    assert sum(network._simple(part) for rule in rules for part in rule) > len(rules) / 2  # the short cut is taken


def _shape(root) -> list:
    """The network as a list of nodes in visiting order: kind, test, and children by position."""
    index: dict[int, int] = {}
    order = []
    pending = [root]
    while pending:
        node = pending.pop(0)
        if id(node) in index:
            continue
        index[id(node)] = len(order)
        order.append(node)
        pending.extend(child.node for child in node.children)
    described = []
    for node in order:
        test = getattr(node, "matcher", None)
        rule = getattr(node, "rule", None)
        label = re.sub(r"__pattern_\d+__|object at 0x[0-9a-f]+", "*", repr(test)) if test is not None else ""
        described.append((type(node).__name__, label, getattr(rule, "salience", None),
                          [(index[id(child.node)], child.callback.__name__) for child in node.children]))
    return described


class _Stock(ReteMatcher):
    pass


class _Short(ReteMatcher):
    prepare_ruleset = staticmethod(network.prepare_ruleset)
    build_beta_part = staticmethod(network.build_beta_part)


def _engine_class(matcher, rules):
    return type("Engine", (KnowledgeEngine,), {"__matcher__": matcher,
                                                **{f"rule_{rule.salience}": rule for rule in rules}})


def test_the_networks_built_both_ways_are_the_same_node_for_node(expert):
    rules = dict(vars(expert.compiled.engine_class))
    shipped = [rule for rule in rules.values() if isinstance(rule, LeanRule)]
    for chosen in (shipped, _rules()):
        stock = _engine_class(_Stock, chosen)()
        short = _engine_class(_Short, chosen)()
        assert _shape(short.matcher.root_node) == _shape(stock.matcher.root_node)


def test_a_rule_taking_every_binding_is_made_as_experta_decorator_makes_it():
    def action(engine, **bound):
        return bound
    patterns = (AS.t << Thing(a=L(1)), Other(c=L(2)))
    quick, decorated = LeanRule.taking_all(action, *patterns, salience=3), LeanRule(*patterns, salience=3)(action)
    assert quick == decorated and quick._wrapped_args == decorated._wrapped_args == []
    assert quick.__name__ == decorated.__name__ == "action"
