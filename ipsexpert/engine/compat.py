"""The one door through which ipsexpert imports experta.

experta 1.9.4 pins frozendict 1.2, whose class statement reads
``collections.Mapping`` — an alias Python 3.10 removed. The alias is put back only
for the duration of the import and taken away again, and the ``logging.basicConfig()``
that experta runs at import time is undone, so that embedding ipsexpert leaves the
host process's ``collections`` module and root logger exactly as they were.
"""

from __future__ import annotations

import collections
import collections.abc
import logging
import threading

_ALIASES = ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable", "Hashable")
_lock = threading.Lock()


def _quiet_watchers() -> None:
    from experta import watchers
    for name in ("RULES", "ACTIVATIONS", "FACTS", "AGENDA", "MATCH", "MATCHER", "ENGINE"):
        logger = getattr(watchers, name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


def _import_experta():
    with _lock:
        added = [name for name in _ALIASES if not hasattr(collections, name)]
        root = logging.getLogger()
        handlers_before = list(root.handlers)
        for name in added:
            setattr(collections, name, getattr(collections.abc, name))
        try:
            import experta
            from experta import AND, AS, OR, Fact, KnowledgeEngine, Rule
            from experta.fieldconstraint import L, P
            from experta.matchers.rete import ReteMatcher
            from experta.matchers.rete.check import FactCapture, FeatureCheck, SameContextCheck, TypeCheck
            from experta.matchers.rete.utils import prepare_rule as experta_prepare_rule, wire_rule
            from experta.fieldconstraint import FieldConstraint
            from experta.activation import Activation
            from experta.matchers.rete.nodes import ConflictSetNode, FeatureTesterNode, OrdinaryMatchNode
            from experta.matchers.rete.token import Token, TokenInfo
            from experta.agenda import Agenda
            from experta.factlist import FactList
            from experta.strategies import DepthStrategy
        finally:
            for name in added:
                delattr(collections, name)
            for handler in list(root.handlers):
                if handler not in handlers_before:
                    root.removeHandler(handler)
        _quiet_watchers()
    return (experta, Activation, AS, Fact, KnowledgeEngine, Rule, L, P, ReteMatcher, ConflictSetNode,
            FeatureTesterNode, OrdinaryMatchNode, FeatureCheck, TypeCheck, FactCapture, Token, TokenInfo, Agenda,
            FactList, DepthStrategy, AND, OR, SameContextCheck, wire_rule, experta_prepare_rule, FieldConstraint)


(experta, Activation, AS, Fact, KnowledgeEngine, Rule, L, P, ReteMatcher, ConflictSetNode, FeatureTesterNode,
 OrdinaryMatchNode, FeatureCheck, TypeCheck, FactCapture, Token, TokenInfo, Agenda, FactList,
 DepthStrategy, AND, OR, SameContextCheck, wire_rule, experta_prepare_rule, FieldConstraint) = _import_experta()

__all__ = ["AND", "AS", "Activation", "Agenda", "ConflictSetNode", "DepthStrategy", "Fact", "FactCapture", "FactList",
           "FeatureCheck", "FeatureTesterNode", "FieldConstraint", "KnowledgeEngine", "L", "OR", "OrdinaryMatchNode",
           "P", "ReteMatcher", "Rule", "SameContextCheck", "Token", "TokenInfo", "TypeCheck", "experta",
           "experta_prepare_rule", "wire_rule"]
