"""Priority: severity after escalation, times a weight for timing against the project's phase.

The weights and orders come from the knowledge base's metadata, so re-weighting
advice is an edit of rules/knowledge-base.yaml, not of code.
"""

from __future__ import annotations

from ..knowledge.rulebase import Metadata, natural_key



def timing(phases: list[str], current: str | None, meta: Metadata) -> str:
    """now / overdue / next for a recommendation's phases against the current phase."""
    if current is None or current in phases:
        return "now"
    position = meta.phases.index(current)
    if all(meta.phases.index(phase) < position for phase in phases):
        return "overdue"
    return "next"


def score(severity: str, when: str, meta: Metadata) -> float:
    return meta.severity_points[severity] * meta.timing_weights[when]


def rank_key(item_score: float, construct: str, rec_id: str, meta: Metadata) -> tuple:
    """Highest score first, then roadmap order of constructs, then id."""
    return (-item_score, list(meta.constructs).index(construct), natural_key(rec_id))


def timing_words(phases: list[str], current: str | None, when: str) -> str:
    """Why a recommendation is overdue, due now or next, in words."""
    steps = "/".join(phases)
    if current is None:
        return f"now: the project's phase is unknown, so a {steps} step counts as current"
    if when == "now":
        return f"now: a {steps} step and the project is in {current}"
    if when == "overdue":
        return f"overdue: a {steps} step and the project is already in {current}"
    return f"next: a {steps} step and the project is still in {current}"
