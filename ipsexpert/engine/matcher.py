"""experta's Rete matcher with its per-token overheads taken out.

experta builds the network (alpha tests shared by prefix, join nodes, conflict-set
nodes) and this module leaves that network, its memories and its activations exactly as
experta made them. What it removes is bookkeeping that the cProfile of a run showed to
cost more than the matching itself:

- every node copied the token it received, though most only read it, and experta's
  Token re-checked its contents with ABC isinstance tests on each copy;
- every alpha test went through a generic ``FeatureCheck.__call__`` that splits the
  field name on ``__`` and logs at debug level, even for a plain equality test;
- after every firing experta polled *every* conflict-set node for new activations, and
  ``reset()`` walked the network recursively, shared nodes many times over;
- rules were re-decorated for every rewriting step of compilation, and re-hashed,
  conditions and all, for every activation.

Here a token is copied only where a node writes to it (an alpha test that binds a
variable), plain literal and predicate tests run as direct comparisons, an alpha node
finds its children that test one field for equality by hashing the fact's value (as
CLIPS and Drools hash alpha memories) instead of trying each, conflict-set nodes report
themselves when a token reaches them, reset clears each node once, and a rule's hash
is kept. The nodes stay experta's (each one's class is swapped for a subclass), so the
network matches what experta's own would, to the firing order; ``tests/test_rete.py``
runs both side by side.

Contract with experta (written for, and checked against, experta 1.9.4 at import):

- internals relied on: ``ReteMatcher.root_node`` and ``changes(adding, deleting)``;
  node classes ``FeatureTesterNode`` (``matcher``, ``test``, ``children``),
  ``OrdinaryMatchNode`` (``left_memory``, ``right_memory``, ``matcher``),
  ``ConflictSetNode`` (``memory``, ``added``, ``removed``, ``rule``,
  ``get_activations``), every node's ``_reset`` and ``children`` entries of
  ``(node, callback)`` named tuples; ``Token`` (``tag``, ``data``, ``context``,
  ``to_info``); ``FeatureCheck``/``TypeCheck`` (``what``, ``how``);
  ``Rule.new_conditions``, ``_wrapped`` and ``_wrapped_args``; ``Activation``.
- why each override exists: ``LeanRule`` (no ``inspect.signature`` per normal-form
  copy, hash kept), ``LeanToken`` (no per-copy type assertions), ``LeanTesterNode``
  (no copy without a binding, direct tests, hashed children), ``LeanJoinNode`` and
  ``LeanConflictSetNode`` (no copy of tokens they only read; the latter reports itself
  as touched), ``TrackingMatcher`` (polls touched conflict sets only, resets stateful
  nodes once).
- facts are only ever added: ipsexpert declares one ``Answers`` fact per run and the
  conclusions its rules reach, and starts each run with ``reset()``, which builds a new
  fact list without retracting. A retraction (``retract`` or ``modify``) would need
  invalid tokens to flow through the lean nodes; ``changes`` refuses it instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import update_wrapper
from typing import Any, Callable

from .compat import (Activation, ConflictSetNode, Fact, FeatureCheck, FeatureTesterNode, L, OrdinaryMatchNode, P,
                     ReteMatcher, Rule, Token, TypeCheck, experta)

EXPERTA_VERSION = "1.9.4"
"""The experta release whose internals this module was written against."""

if getattr(experta, "__version__", None) != EXPERTA_VERSION:
    raise ImportError(f"ipsexpert's Rete matcher is written for experta {EXPERTA_VERSION}, but experta "
                      f"{getattr(experta, '__version__', '(unknown version)')} is installed: "
                      f"pip install experta=={EXPERTA_VERSION}")


class LeanRule(Rule):
    """experta's Rule, hashed once, and copied without re-inspecting its action.

    experta rewrites every rule into normal form with ``new_conditions``, which builds
    each copy by decorating the action anew (an ``inspect.signature`` per copy), and
    hashes a rule, conditions and all, for every activation it files on the agenda.
    The hash here leaves out the action and the instance it is bound to, so it never
    changes, and rules that compare equal still hash equal.
    """

    def new_conditions(self, *args):
        copy = self.__class__(*args, salience=self.salience)
        if self._wrapped:
            copy._wrapped = self._wrapped
            copy._wrapped_args = self._wrapped_args
            update_wrapper(copy, self._wrapped)
        return copy

    def __hash__(self):
        try:
            return self._hash
        except AttributeError:
            self._hash = hash((tuple(self), self.salience))
            return self._hash


class LeanToken(Token):
    """A Rete token without experta's per-copy type assertions.

    Tokens made here hold facts by construction, and ``copy()`` keeps the subclass, so
    every token in the network is lean.
    """

    __slots__ = ()

    def __new__(cls, tag, data, context=None):
        return tuple.__new__(cls, (tag, {data} if isinstance(data, Fact) else set(data),
                                   {} if context is None else context))

    def copy(self):
        return tuple.__new__(type(self), (self.tag, self.data.copy(), self.context.copy()))


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
    literal = _literal(check)
    if literal is not None:
        key, expected = literal
        return lambda fact: key in fact and expected == fact[key]
    if (isinstance(check, FeatureCheck) and type(check.how) is P and check.how.__bind__ is None
            and isinstance(check.what, str) and "__" not in check.what):
        key, predicate = check.what, check.how.match
        return lambda fact: key in fact and bool(predicate(fact[key]))
    return check


class LeanTesterNode(FeatureTesterNode):
    """An alpha node that copies its token only to bind a variable, and hashes its children.

    Children that test one field for equality are grouped by field into a table from
    value to nodes (``dispatch``), as CLIPS and Drools hash their alpha memories: a fact
    then reaches the children whose value it has with one lookup, instead of being
    tested against each of them in turn. Other children (``others``) are activated as
    experta would.
    """

    dispatch: tuple[tuple[str, dict], ...] = ()
    others: tuple = ()

    def activate(self, token):
        fact = next(iter(token.data))
        match = self.test(fact)
        if match:
            self.passed(token, fact, match)

    def passed(self, token, fact, match=True) -> None:
        """Pass on a token whose fact this node's test accepted."""
        if match is not True and isinstance(match, Mapping):
            token = self._bound(token, match)
            if token is None:
                return
        for key, table in self.dispatch:
            if key in fact:
                for child in table.get(fact[key], ()):
                    child.passed(token, fact)
        for callback in self.others:
            callback(token)

    @staticmethod
    def _bound(token, match: Mapping):
        """A copy of the token with the bindings added, or None where they conflict."""
        context = token.context
        for key, value in match.items():
            if isinstance(key, tuple):
                if key[1] in context and context[key[1]] == value:
                    return None
            elif context.get(key, value) != value or ((False, key) in context
                                                      and context[(False, key)] == value):
                return None
        token = token.copy()
        token.context.update(match)
        return token

    def hash_children(self) -> None:
        """Split the children into per-field value tables and the rest."""
        tables: dict[str, dict] = {}
        others = []
        for child in self.children:
            literal = _literal(child.node.matcher) if isinstance(child.node, LeanTesterNode) else None
            if literal is None or not _hashable(literal[1]):
                others.append(child.callback)
            else:
                key, value = literal
                tables.setdefault(key, {}).setdefault(value, []).append(child.node)
        self.dispatch = tuple(tables.items())
        self.others = tuple(others)


class LeanJoinNode(OrdinaryMatchNode):
    """A join node that does not copy the tokens it receives.

    experta's two-input node copies every incoming token, though it only reads it:
    what it stores is a frozen ``TokenInfo`` and what it sends on is a new token. A
    token is joined here as experta joins a valid one, the new token being lean.
    """

    def activate_left(self, token):
        self._join(token, self.left_memory, self.right_memory, True)

    def activate_right(self, token):
        self._join(token, self.right_memory, self.left_memory, False)

    def _join(self, token, memory: list, others: list, is_left: bool) -> None:
        memory.append(token.to_info())
        for other_data, other_items in others:
            other_context = dict(other_items)
            left, right = (token.context, other_context) if is_left else (other_context, token.context)
            if self.matcher(left, right):
                context = {k: v for k, v in token.context.items() if isinstance(k, str)}
                context.update((k, v) for k, v in other_context.items() if not isinstance(k, tuple))
                joined = LeanToken(token.tag, token.data | other_data, context)
                for child in self.children:
                    child.callback(joined)


class LeanConflictSetNode(ConflictSetNode):
    """A conflict-set node that reports itself to the matcher when a token reaches it,
    and files the token without copying it first."""

    touched: dict

    def activate(self, token):
        self.touched[self] = None
        info = token.to_info()
        if info in self.memory:
            return
        self.memory.add(info)
        activation = Activation(self.rule, info.data, {k: v for k, v in info.context if isinstance(k, str)})
        if activation in self.removed:
            self.removed.remove(activation)
        else:
            self.added.add(activation)


_LEAN_CLASSES = {FeatureTesterNode: LeanTesterNode, OrdinaryMatchNode: LeanJoinNode,
                 ConflictSetNode: LeanConflictSetNode}


def _hashable(value: Any) -> bool:
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


class TrackingMatcher(ReteMatcher):
    """experta's Rete matcher on lean tokens and nodes, polling only what changed."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self._touched: dict = {}
        self._nodes = _network(self.root_node)
        self._stateful = [node for node in self._nodes if not isinstance(node, FeatureTesterNode)]
        for node in self._nodes:
            lean = _LEAN_CLASSES.get(type(node))
            if lean is not None:
                node.__class__ = lean
            if lean is LeanTesterNode:
                node.test = _direct_test(node.matcher)
            elif lean is LeanConflictSetNode:
                node.touched = self._touched
        for node in [self.root_node, *self._nodes]:
            # experta stored each child's entry point as a method bound before the class
            # changed: bind the same-named method of the lean class instead.
            node.children[:] = [child._replace(callback=getattr(child.node, child.callback.__name__))
                                for child in node.children]
            if isinstance(node, LeanTesterNode):
                node.hash_children()

    def changes(self, adding=None, deleting=None):
        if deleting:
            raise NotImplementedError("the lean matcher only adds facts: start a run with reset() "
                                      "instead of retracting or modifying a fact")
        for fact in adding or ():
            self._send(LeanToken.valid(fact))
        added, removed = [], []
        for node in self._touched:
            node_added, node_removed = node.get_activations()
            added.extend(node_added)
            removed.extend(node_removed)
        self._touched.clear()
        return added, removed

    def _send(self, token) -> None:
        """What experta's BusNode does on add/remove, with a lean token."""
        for child in self.root_node.children:
            child.callback(token)

    def reset(self) -> None:
        for node in self._stateful:
            node._reset()
        self._touched.clear()
