"""A report's maturity per construct, from the engine's answers and derived facts."""

from __future__ import annotations

from ..knowledge import semantics
from ..knowledge.base import KnowledgeBase
from ..knowledge.maturity import MaturityModel, standing
from .models import ConstructMaturity


def construct_maturity(model: MaturityModel, kb: KnowledgeBase, value_of: semantics.ValueOf,
                       advised: set[str]) -> list[ConstructMaturity]:
    """Each construct in roadmap order; what lifts it names the advice given first."""
    found = []
    for construct, title in kb.meta.constructs.items():
        if construct not in model.constructs:
            continue
        result = standing(model, construct, value_of)
        lifting = [rec_id for rec_id in result.recommendations if rec_id in advised] or list(result.recommendations)
        found.append(ConstructMaturity(
            construct=construct, title=title, level=result.level, name=model.names[result.level],
            next_level=result.next_level, next_name=model.names.get(result.next_level),
            next_status=result.next_status,
            open_facts=semantics.expand_derived(kb, result.open_facts, value_of), needs=result.missing,
            recommendations=lifting))
    return found
