"""experta's Rete matcher with its per-token overheads taken out.

experta builds the network (alpha tests shared by prefix, join nodes, conflict-set
nodes) and this module leaves that network, its memories and its activations as experta
made them. What it removes is bookkeeping that the cProfile of a run showed to cost
more than the matching itself:

- every node copied the token it received, though most only read it, and experta's
  Token re-checked its contents with ABC isinstance tests on each copy;
- every alpha test went through a generic ``FeatureCheck.__call__`` that splits the
  field name on ``__`` and logs at debug level, even for a plain equality test, and
  every fact was tested against every type test at the root;
- join nodes froze each token they stored (``TokenInfo``: two frozensets, hashing each
  fact), and conflict-set nodes kept activations in sets, hashing each one twice;
- after every firing experta polled *every* conflict-set node for new activations, and
  ``reset()`` walked the network recursively, shared nodes many times over;
- rules were re-decorated for every rewriting step of compilation, and re-hashed,
  conditions and all, for every activation.

Here a token is copied only where a node writes to it (an alpha test that binds a
variable; a fact capture adds its binding to a new token directly), plain literal and
predicate tests run as direct comparisons, a fact enters at the type tests of its type
and an alpha node finds its children that test one field for equality by hashing the
fact's value (as CLIPS and Drools hash alpha memories) instead of trying each, join
memories hold the tokens' own fact sets and contexts, conflict-set nodes report
themselves when a token reaches them, reset clears only the nodes a token reached, and
a rule's hash is kept. The nodes stay experta's (each one's class is swapped for a
subclass), so the network matches what experta's own would, to the firing order;
``tests/engine/test_rete.py`` runs both side by side.

Contract with experta (written for, and checked against, experta 1.9.4 at import):

- internals relied on: ``ReteMatcher.root_node``, ``changes(adding, deleting)``,
  ``prepare_ruleset`` and ``build_beta_part`` (see ``network``); node classes
  ``FeatureTesterNode`` (``matcher``, ``test``, ``children``), ``OrdinaryMatchNode``
  (``left_memory``, ``right_memory``, ``matcher``), ``ConflictSetNode`` (``memory``,
  ``added``, ``removed``, ``rule``, ``get_activations``), every node's ``_reset`` and
  ``children`` entries of ``(node, callback)`` named tuples; ``Token`` (``tag``,
  ``data``, ``context``), ``TokenInfo`` (a named tuple of frozen ``data`` and
  ``context``); ``FeatureCheck``/``TypeCheck``/``FactCapture`` (``what``, ``how``,
  ``fact_type``, ``bind``); ``Rule.new_conditions``, ``_wrapped`` and ``_wrapped_args``;
  ``Activation`` (``rule``, ``facts``, ``key``, ``context``).
- facts are only ever added: ipsexpert declares one ``Answers`` fact per run and the
  conclusions its rules reach, and starts each run with ``reset()``, which builds a new
  fact list without retracting. A retraction (``retract`` or ``modify``) would need
  invalid tokens to flow through the lean nodes; ``changes`` refuses it instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import update_wrapper
from typing import Any, Callable

from . import network
from .network import _direct_test, _hashable, _literal, _network  # noqa: F401  (tests use the last two)
from .compat import (Activation, ConflictSetNode, Fact, FactCapture, FeatureTesterNode, OrdinaryMatchNode, ReteMatcher,
                     Rule, Token, TokenInfo, TypeCheck, experta)

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

    payload: Any = None
    """What the rule concludes, as the compiler made it: a firing hands it to the engine directly."""
    facts_decide_bindings = False
    """Set by a compiler that guarantees it: each of the rule's patterns binds the one fact it
    matches (by name, or experta's internal capture) and nothing else, and no fact can match two
    of its patterns under different names. A token's facts then decide its bindings, and its
    conflict-set node tells tokens apart by their facts alone (``LeanConflictSetNode``)."""

    @classmethod
    def taking_all(cls, action: Callable, *patterns: Any, salience: int = 0) -> "LeanRule":
        """``Rule(*patterns, salience=salience)(action)`` for an action that takes every binding
        (``**bound``): experta's decorator inspects the action's signature to learn which bindings
        to pass, and for such an action passes them all, as this does without inspecting it."""
        rule = cls(*patterns, salience=salience)
        rule._wrapped = action
        update_wrapper(rule, action)
        return rule

    def new_conditions(self, *args):
        copy = self.__class__(*args, salience=self.salience)
        copy.payload = self.payload
        copy.facts_decide_bindings = self.facts_decide_bindings
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
    capture: str | None = None  # the variable a fact-capture node binds the fact to

    def activate(self, token):
        fact = next(iter(token.data))
        bind = self.capture
        if bind is not None:
            context = token.context
            if bind not in context and (False, bind) not in context:
                # FactCapture's {bind: fact}, added to a new token without the checks it cannot fail
                # (a token's fact set is never changed, so the new token shares it).
                token = tuple.__new__(LeanToken, (token.tag, token.data, {**context, bind: fact}))
                for callback in self.others:
                    callback(token)
                return
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
            elif ((key in context and context[key] != value)  # as context.get(key, value) != value,
                  or ((False, key) in context and context[(False, key)] == value)):  # without comparing
                return None  # a bound fact with itself, item by item
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
    """A join node that neither copies nor freezes the tokens it receives.

    experta's two-input node copies every incoming token, though it only reads it, and
    stores it frozen (a ``TokenInfo``: two frozensets, which hash every fact) so that a
    retraction could find it again. Facts are only added here and no node writes to a
    token it passes on, so a memory holds each token's own fact set and context, and
    is thawed by nobody. A token is joined as experta joins a valid one, the new token
    being lean. Its memories are emptied in place, never replaced (see ``clears``).
    """

    dirty: dict
    clears: tuple = ()  # the memories' own ``clear`` methods, which a reset calls

    def _reset(self):
        self.left_memory.clear()
        self.right_memory.clear()

    def activate_left(self, token):
        self._join(token, self.left_memory, self.right_memory, True)

    def activate_right(self, token):
        self._join(token, self.right_memory, self.left_memory, False)

    def _join(self, token, memory: list, others: list, is_left: bool) -> None:
        self.dirty[self] = None
        data, token_context = token.data, token.context
        memory.append((data, token_context))
        for other_data, other_context in others:
            left, right = (token_context, other_context) if is_left else (other_context, token_context)
            if self.matcher(left, right):
                context = {k: v for k, v in token_context.items() if isinstance(k, str)}
                context.update((k, v) for k, v in other_context.items() if not isinstance(k, tuple))
                joined = tuple.__new__(LeanToken, (token.tag, data | other_data, context))
                for child in self.children:
                    child.callback(joined)


class LeanConflictSetNode(ConflictSetNode):
    """A conflict-set node that reports itself to the matcher when a token reaches it, files
    the token without copying it first, and keeps its new activations in a list.

    experta keeps them in a set, which hashes each activation — its facts and bindings —
    to add it and again to look for it among the removed ones; with facts only added there
    are no removed ones, and the memory of tokens already seen keeps every activation unique.
    Its memory and list are emptied in place, never replaced (see ``clears``).
    """

    touched: dict
    dirty: dict
    clears: tuple = ()  # the memory's and the list's own ``clear`` methods, which a reset calls
    by_facts = False  # the rule's ``facts_decide_bindings``

    def activate(self, token):
        self.touched[self] = None
        self.dirty[self] = None
        # experta's TokenInfo(data, context) and Activation(rule, facts, context), built without
        # their constructors' Python frames: the same frozen data, the same activation.
        # Where the rule's facts decide its bindings, the facts alone tell tokens apart, and
        # the bindings (facts, whose hash is a Python call each) need not be hashed.
        data = frozenset(token.data)
        info = data if self.by_facts else tuple.__new__(TokenInfo, (data, frozenset(token.context.items())))
        if info in self.memory:
            return
        self.memory.add(info)
        activation = object.__new__(Activation)
        activation.rule = self.rule
        activation.facts = set(data)
        activation.key = None
        activation.context = {k: v for k, v in token.context.items() if isinstance(k, str)}
        self.added.append(activation)

    def _reset(self):
        self.memory.clear()
        self.added.clear()

    def get_activations(self):
        added = self.added[:]
        self.added.clear()
        return added, []



_VALID = Token.TagType.VALID

_LEAN_CLASSES = {FeatureTesterNode: LeanTesterNode, OrdinaryMatchNode: LeanJoinNode,
                 ConflictSetNode: LeanConflictSetNode}


class TrackingMatcher(ReteMatcher):
    """experta's Rete matcher on lean tokens and nodes, polling only what changed.

    A fact enters the network at the alpha nodes that test its type (found by one lookup,
    as the other alpha tests are), and a reset clears only the nodes that a token reached
    since the last one.
    """

    prepare_ruleset = staticmethod(network.prepare_ruleset)
    build_beta_part = staticmethod(network.build_beta_part)

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self._touched: dict = {}
        self._dirty: dict = {}
        self._nodes = _network(self.root_node)
        for node in self._nodes:
            lean = _LEAN_CLASSES.get(type(node))
            if lean is not None:
                node.__class__ = lean
            if lean is LeanTesterNode:
                node.test = _direct_test(node.matcher)
                if type(node.matcher) is FactCapture:
                    node.capture = node.matcher.bind
            if lean is LeanConflictSetNode:
                node.touched = self._touched
                node.memory, node.added = set(), []
                node.clears = (node.memory.clear, node.added.clear)
                node.by_facts = getattr(node.rule, "facts_decide_bindings", False)
            if lean is LeanJoinNode:
                node.clears = (node.left_memory.clear, node.right_memory.clear)
            if lean in (LeanConflictSetNode, LeanJoinNode):
                node.dirty = self._dirty
        for node in [self.root_node, *self._nodes]:
            # experta stored each child's entry point as a method bound before the class
            # changed: bind the same-named method of the lean class instead.
            node.children[:] = [child._replace(callback=getattr(child.node, child.callback.__name__))
                                for child in node.children]
            if isinstance(node, LeanTesterNode):
                node.hash_children()
                if node.dispatch:
                    node.capture = None  # the short cut passes tokens to ``others`` only
        self._entries = self._entry_points()

    def _entry_points(self) -> tuple[dict, tuple]:
        """The root's children: alpha nodes that test a fact's type, by type, and the others."""
        by_type: dict[type, list] = {}
        others = []
        for child in self.root_node.children:
            check = getattr(child.node, "matcher", None)
            if isinstance(child.node, LeanTesterNode) and isinstance(check, TypeCheck):
                by_type.setdefault(check.fact_type, []).append(child.node.passed)
            else:
                others.append(child.callback)
        return by_type, tuple(others)

    def changes(self, adding=None, deleting=None):
        if deleting:
            raise NotImplementedError("the lean matcher only adds facts: start a run with reset() "
                                      "instead of retracting or modifying a fact")
        return self.added(adding or ()), []

    def added(self, facts) -> list:
        """Send new facts through the network; the activations they create."""
        by_type, others = self._entries
        for fact in facts:
            token = tuple.__new__(LeanToken, (_VALID, {fact}, {}))
            for passed in by_type.get(type(fact), ()):
                passed(token, fact)
            for callback in others:
                callback(token)
        found: list = []
        touched = self._touched
        if touched:
            for node in touched:
                found += node.added
                node.added.clear()
            touched.clear()
        return found

    def reset(self) -> None:
        """Empty the memories a token reached since the last reset, each by its own ``clear``
        (a C call: no Python frame per node, of which a run touches about a hundred)."""
        for node in self._dirty:
            for clear in node.clears:
                clear()
        self._dirty.clear()
        self._touched.clear()
