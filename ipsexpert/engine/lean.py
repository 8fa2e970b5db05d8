"""experta's KnowledgeEngine without the work a compiled engine repeats for nothing on every run.

The engine stays experta's: its fact list, its agenda ordered by its depth strategy,
its Rete network (see ``matcher``) and its rule objects. A profile still goes in as
``reset()``, ``declare(Answers(...))`` and ``run()``, and the rules fire in the order
experta's own engine fires them (``tests/engine/test_rete.py`` runs both side by side).
What the cProfile of a run showed to be dead weight, and what replaces it:

- ``DepthStrategy.get_key`` is an ``lru_cache`` keyed by the activation: every lookup
  hashes the activation (its rule, facts and bindings), and as every activation is new
  it never hits. ``LeanStrategy`` computes the same key without the cache.
- ``reset()`` looked up the deffacts with ``inspect.getmembers`` and their signatures
  with ``inspect.signature``, cleared every node of the network, and declared the
  initial fact through the generic checks. Here the deffacts and their parameters are
  found once per engine, the matcher clears only the nodes a token reached (see
  ``TrackingMatcher.reset``), and the initial fact goes straight in.
- ``declare()`` re-checked each fact for field constraints and ``__`` in its keys and
  built its identity from all its items. The generic ``declare`` still does all of
  that; the engine's own facts, correct by construction (answers checked against the
  catalogue, conclusions from the compiled rules), go through ``add_trusted`` with an
  identity the compiler made once.
- the run loop asked the matcher for changes after every firing, also when the firing
  declared nothing, and called each rule through experta's keyword-filtering wrapper.
  Here the network is told only of new facts, and a firing goes to ``fire``.

An engine whose ``__matcher__`` is not the lean ``TrackingMatcher`` (experta's stock
matcher, in the tests) runs every one of these steps as experta does.
"""

from __future__ import annotations

import inspect
from bisect import insort
from operator import attrgetter
from typing import Any, Hashable

from .compat import Agenda, DepthStrategy, Fact, FactList, KnowledgeEngine, experta
from .matcher import TrackingMatcher


_KEY = attrgetter("key")


class LeanStrategy(DepthStrategy):
    """experta's depth strategy (salience first, then the most recent facts), uncached, and its
    agenda kept in order by comparing the activations' keys directly (``Activation.__lt__``
    compares the same keys, one Python call per comparison)."""

    def get_key(self, activation):
        return (activation.rule.salience,
                sorted([fact["__factid__"] for fact in activation.facts], reverse=True))

    def _update_agenda(self, agenda, added, removed):
        if removed:
            super()._update_agenda(agenda, added, removed)
            return
        activations = agenda.activations
        for activation in added:
            activation.key = self.get_key(activation)
            insort(activations, activation, key=_KEY)


class LeanEngine(KnowledgeEngine):
    """A KnowledgeEngine whose reset, declare and run skip what a lean network does not need."""

    __strategy__ = LeanStrategy

    def __init__(self) -> None:
        super().__init__()
        self.lean = isinstance(self.matcher, TrackingMatcher)
        self._new: list[Fact] = []  # facts declared and not yet sent through the network
        self._deffacts: list[tuple[Any, set[str] | None]] | None = None

    # --- reset -------------------------------------------------------------------------

    def deffacts_plan(self) -> list[tuple[Any, set[str] | None]]:
        """Each deffacts generator and the keyword arguments it takes (None: any), found once."""
        if self._deffacts is None:
            plan = []
            for deffact in self.get_deffacts():
                parameters = inspect.signature(deffact).parameters.values()
                takes_any = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters)
                plan.append((deffact, None if takes_any else {p.name for p in parameters}))
            self._deffacts = plan
        return self._deffacts

    def get_deffacts(self):
        # experta finds deffacts with inspect.getmembers on every reset(), which walks every
        # rule of the class; they never change, so they are found once (see deffacts_plan).
        if self._deffacts is not None:
            return [deffact for deffact, _ in self._deffacts]
        return super().get_deffacts()

    def reset(self, **kwargs) -> None:
        """experta's reset: a new agenda and fact list, an empty network, the deffacts declared."""
        if not self.lean:
            super().reset(**kwargs)
            return
        self.agenda = Agenda()
        self.facts = FactList()
        self._new = []
        self.matcher.reset()
        facts = []
        for deffact, takes in self.deffacts_plan():
            facts.extend(deffact(**(kwargs if takes is None else {k: v for k, v in kwargs.items() if k in takes})))
        self._declare(facts)
        self.running = False

    # --- declare -------------------------------------------------------------------------

    def declare(self, *facts):
        """experta's declare, every check included; the network hears of the facts at the
        next step of a run (or at once, outside a run, as experta does)."""
        if not self.lean:
            return super().declare(*facts)
        if not self.facts:
            experta.watchers.ENGINE.warning("Declaring fact before reset()")
        return self._declare(facts)

    def _declare(self, facts) -> Fact | None:
        """experta's private declare (also used by reset): checks, identities, the agenda."""
        if any(fact.has_field_constraints() for fact in facts):
            raise TypeError("Declared facts cannot contain conditional elements")
        if any(fact.has_nested_accessor() for fact in facts):
            raise KeyError("Cannot declare facts containing double underscores as keys.")
        last = None
        for fact in facts:
            if not isinstance(fact, Fact):
                raise ValueError("The fact must descend the Fact class.")
            fact.validate()
            last = self.add_trusted(fact, FactList._get_fact_id(fact))
        if not self.running:
            self.update_agenda()
        return last

    def add_trusted(self, fact: Fact, identity: Hashable) -> Fact | None:
        """Put a fact the engine built itself into the fact list (None if already there).

        ``identity`` stands for experta's (class and items) and must be equal for equal
        facts: a fact already in the list is not declared twice.
        """
        facts = self.facts
        counter = facts.reference_counter
        if identity in counter and not facts.duplication:
            return None
        index = facts.last_index
        dict.__setitem__(fact, "__factid__", index)
        facts[index] = fact
        facts.last_index = index + 1
        counter[identity] += 1
        self._new.append(fact)
        return fact

    def update_agenda(self) -> None:
        """Send the new facts through the network and file the activations they make."""
        new = self._new
        if new:
            self._new = []
            added = self.matcher.added(new)
            if added:
                self.strategy.update_agenda(self.agenda, added, ())

    # --- run -----------------------------------------------------------------------------

    def run(self, steps: float = float("inf")) -> None:
        """experta's run loop, without its per-firing log record.

        experta logs every firing at INFO with the matched facts — the user's answers —
        formatted even when nobody listens: a host application that logs at INFO would get
        a line per rule and the answers with it.
        """
        self.running = True
        if self.lean:
            while steps > 0 and self.running:
                self.update_agenda()
                activations = self.agenda.activations  # read again: a rule may reset the engine
                if not activations:
                    break
                steps -= 1
                self.fire(activations.pop())
        else:
            while steps > 0 and self.running:
                added, removed = self.get_activations()
                self.strategy.update_agenda(self.agenda, added, removed)
                activation = self.agenda.get_next()
                if activation is None:
                    break
                steps -= 1
                self.fire(activation)
        self.running = False

    def fire(self, activation) -> None:
        """Run one activation's rule with its bindings, as experta does."""
        activation.rule(self, **{key: value for key, value in activation.context.items()
                                 if not key.startswith("__")})
