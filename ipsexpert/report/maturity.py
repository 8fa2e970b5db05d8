"""A report's maturity per construct, from the engine's answers and derived facts.

A construct's standing depends only on the values of the facts its levels read (derived
facts through their definitions), and a batch meets the same few combinations again
and again: ``Standings`` keeps each one it has worked out, up to a bound.
"""

from __future__ import annotations

from typing import Any

from ..knowledge import semantics
from ..knowledge.base import KnowledgeBase
from ..knowledge.maturity import MaturityModel, Standing, standing
from .data import ConstructMaturity
from ..memo import remember

MAX_REMEMBERED = 4096
"""Standings kept per Expert; past this the memory starts again (numbers can make many)."""


class Standings:
    """Each construct's standing, and the open facts behind it, by the values they read."""

    def __init__(self, model: MaturityModel, kb: KnowledgeBase) -> None:
        self.model, self.kb = model, kb
        self.reads = {construct: self._closure(levels) for construct, levels in model.constructs.items()}
        self.known: dict[tuple, tuple[Standing, list[str]]] = {}

    def _closure(self, levels) -> tuple[str, ...]:
        """The facts a construct's levels read, and those that the derived ones among them read."""
        found: set[str] = set()
        pending = [fact for level in levels for fact in semantics.facts_read(level.when)]
        while pending:
            fact = pending.pop()
            if fact not in found:
                found.add(fact)
                if fact in self.kb.derived:
                    pending.extend(semantics.facts_read(self.kb.derived[fact].when))
        return tuple(sorted(found))

    def of(self, construct: str, value_of: semantics.ValueOf) -> tuple[Standing, list[str]]:
        key: tuple[Any, ...] = (construct, *[value_of(fact) for fact in self.reads[construct]])
        known = self.known.get(key)
        if known is None:
            result = standing(self.model, construct, value_of)
            known = (result, semantics.expand_derived(self.kb, result.open_facts, value_of))
            remember(self.known, key, known, MAX_REMEMBERED)
        return known


def construct_maturity(model: MaturityModel, kb: KnowledgeBase, value_of: semantics.ValueOf,
                       advised: set[str], standings: Standings | None = None) -> list[ConstructMaturity]:
    """Each construct in roadmap order; what lifts it names the advice given first."""
    standings = standings if standings is not None else Standings(model, kb)
    found = []
    for construct, title in kb.meta.constructs.items():
        if construct not in model.constructs:
            continue
        result, open_facts = standings.of(construct, value_of)
        lifting = [rec_id for rec_id in result.recommendations if rec_id in advised] or list(result.recommendations)
        found.append(ConstructMaturity(
            construct=construct, title=title, level=result.level, name=model.names[result.level],
            next_level=result.next_level, next_name=model.names.get(result.next_level),
            next_status=result.next_status, open_facts=list(open_facts), needs=result.missing,
            recommendations=lifting))
    return found
