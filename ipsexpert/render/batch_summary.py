"""The line that ends a batch's table or Markdown: what a portfolio run found, at a glance.

After fifty reports the reader wants the totals, as ruff ends with "Found 3 errors":
how many scenarios, how much advice of each severity, how many recommendations are
still open, and how many files could not be evaluated. A report is counted where it
is made (maybe in a worker), so the parent adds small counts, never reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .colour import Shown, paint

if TYPE_CHECKING:
    from ..report.models import Report

SEVERITY_ORDER = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class ReportCount:
    """What one report adds to the batch's totals."""

    advice: tuple[tuple[str, int], ...]  # (severity, number), most severe first
    undetermined: int


def count(report: "Report") -> ReportCount:
    severities = Counter(item.severity for item in report.advice)
    return ReportCount(tuple((severity, severities[severity]) for severity in SEVERITY_ORDER if severities[severity]),
                       len(report.undetermined))


@dataclass
class Tally:
    """The batch's totals so far."""

    scenarios: int = 0
    advice: Counter = field(default_factory=Counter)
    undetermined: int = 0

    def add(self, counted: ReportCount) -> None:
        self.scenarios += 1
        self.advice.update(dict(counted.advice))
        self.undetermined += counted.undetermined


def words(tally: Tally, failed: int, coloured: bool = False) -> str:
    """``3 scenarios; 12 advice (2 critical, 10 high); 5 undetermined; 1 file not evaluated``."""
    total = sum(tally.advice.values())
    by_severity = ", ".join((paint(severity, f"{tally.advice[severity]} {severity}") if coloured
                             else f"{tally.advice[severity]} {severity}")
                            for severity in SEVERITY_ORDER if tally.advice[severity])
    parts = [f"{tally.scenarios} scenario{'s' if tally.scenarios != 1 else ''}",
             f"{total} advice ({by_severity})" if total else "no advice",
             f"{tally.undetermined} undetermined"]
    if failed:
        parts.append(f"{failed} file{'s' if failed != 1 else ''} not evaluated")
    return "; ".join(parts)


def table_line(tally: Tally, failed: int) -> str:
    """The plain-text summary, after a blank line."""
    return Shown(f"\nSummary: {words(tally, failed, coloured=True)}.\n")


def markdown_line(tally: Tally, failed: int) -> str:
    """The Markdown summary, set off from the last report as reports are from each other."""
    return f"\n---\n\n**Summary:** {words(tally, failed)}.\n"
