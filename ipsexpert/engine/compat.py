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
            from experta import AS, Fact, KnowledgeEngine, Rule
            from experta.fieldconstraint import L, P
            from experta.matchers.rete import ReteMatcher
            from experta.matchers.rete.check import FeatureCheck, TypeCheck
            from experta.activation import Activation
            from experta.matchers.rete.nodes import ConflictSetNode, FeatureTesterNode, OrdinaryMatchNode
            from experta.matchers.rete.token import Token
        finally:
            for name in added:
                delattr(collections, name)
            for handler in list(root.handlers):
                if handler not in handlers_before:
                    root.removeHandler(handler)
        _quiet_watchers()
    return (experta, Activation, AS, Fact, KnowledgeEngine, Rule, L, P, ReteMatcher, ConflictSetNode,
            FeatureTesterNode, OrdinaryMatchNode, FeatureCheck, TypeCheck, Token)


(experta, Activation, AS, Fact, KnowledgeEngine, Rule, L, P, ReteMatcher, ConflictSetNode, FeatureTesterNode,
 OrdinaryMatchNode, FeatureCheck, TypeCheck, Token) = _import_experta()

__all__ = ["AS", "Activation", "ConflictSetNode", "Fact", "FeatureCheck", "FeatureTesterNode", "KnowledgeEngine", "L",
           "OrdinaryMatchNode", "P", "ReteMatcher", "Rule", "Token", "TypeCheck", "experta"]
