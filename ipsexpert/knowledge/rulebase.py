"""The rule base: metadata and weights, derivation rules, and the recommendations.

These are records of what rules/ holds, as ``validation``'s models checked it; conditions
arrive already parsed and checked against the catalogue (see ``loading``), so nothing
here knows YAML or pydantic.
"""

from __future__ import annotations

import re
from typing import Literal as TypingLiteral

from .record import Record

Outcome = TypingLiteral["advised", "satisfied", "not_applicable", "undetermined"]
OUTCOMES: tuple[str, ...] = ("not_applicable", "advised", "satisfied", "undetermined")
Severity = TypingLiteral["low", "medium", "high", "critical"]
BaseSeverity = TypingLiteral["low", "medium", "high"]
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
Timing = TypingLiteral["overdue", "now", "next"]
TIMINGS: tuple[str, ...] = ("overdue", "now", "next")

MAX_WEIGHT = 1000.0
"""The largest severity point or timing weight. A score is one times the other and a
what-if adds scores up, so with weights up to 1000 every total stays a finite number
that JSON can carry; the shipped weights run from 0.5 to 4."""


def escalated(severity: str) -> str:
    """One step up, never above critical."""
    index = SEVERITIES.index(severity)
    return SEVERITIES[min(index + 1, len(SEVERITIES) - 1)]


def natural_key(text: str) -> list:
    """Sort R2 before R10: ids and file names compare by their numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


class Revision(Record):
    """One revision of the knowledge base: which recommendations' rules it changed, and why.

    A diff of assessments made with two versions reads these to tell a change in the
    project from a change in the rules.
    """

    __slots__ = ("version", "changed", "note")


class Metadata(Record):
    """rules/knowledge-base.yaml: what the knowledge base is and how it weighs advice."""

    __slots__ = ("name", "version", "constructs", "phases", "phase_fact", "severity_points", "timing_weights",
                 "revisions")
    defaults = {"phase_fact": "phase", "revisions": []}


class EifRecommendation(Record):
    """One EIF 2017 recommendation, paraphrased, with the layer it belongs to."""

    __slots__ = ("number", "title", "layer", "chapter", "principle", "component")
    defaults = {"chapter": None, "principle": None, "component": None}


class EifCatalogue(Record):
    """rules/eif.yaml: the EIF recommendations the rules cite, kept beside the rules."""

    __slots__ = ("source", "chapters", "layers", "recommendations")
    defaults = {"chapters": {}}

    def by_number(self) -> dict[int, EifRecommendation]:
        return {r.number: r for r in self.recommendations}


class Derivation(Record):
    """A derived fact: true when ``when`` is known true, false when known false."""

    __slots__ = ("id", "meaning", "when")


class Reference(Record):
    """A source a practitioner would open: a legal act, official guidance, a case or a tool."""

    __slots__ = ("kind", "title", "url")


class Mismatch:
    """What an expected outcome (and severity) has to say about an actual one."""

    __slots__ = ()

    def mismatch(self, outcome: str, severity: str | None) -> str | None:
        """What differs from an actual result, in words; None when it meets the expectation."""
        if outcome != self.outcome:
            return f"expected {self.outcome}, got {outcome}"
        if self.severity is not None and severity != self.severity:
            return f"expected {self.outcome} ({self.severity}), got {outcome} ({severity})"
        return None


class Expectation(Mismatch, Record):
    """What a recommendation must conclude: an outcome and, for advice, its severity.

    A rule's examples and a scenario's ``expect`` block share this one shape, and
    ``kb test`` checks both the same way.
    """

    __slots__ = ("outcome", "severity")
    defaults = {"severity": None}


class Example(Expectation):
    """Answers under which a recommendation must reach ``outcome``."""

    __slots__ = ("answers", "note")
    defaults = {"severity": None, "note": None}


class Recommendation(Record):
    """One recommendation of the framework, as data."""

    __slots__ = ("id", "title", "construct", "aspect", "phases", "severity", "applies", "advised", "escalate",
                 "advice", "rationale", "eif", "source", "references", "examples", "file")
    defaults = {"escalate": None, "eif": [], "references": [], "examples": [], "file": ""}
