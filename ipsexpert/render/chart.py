"""The page's picture of one report: a stacked bar per construct, as inline SVG.

Where the project stands, at a glance, on a page that runs no script: per construct in
roadmap order, how many recommendations are advised, satisfied, undetermined or not
applicable, each count written inside its segment and given as a tooltip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..safe_text import html_text as esc
from .text import OUTCOME_WORDS, construct_titles

if TYPE_CHECKING:  # the report is the plain data of report.data, or the model
    from ..report.models import Report

CHART_OUTCOMES = ("advised", "satisfied", "undetermined", "not_applicable")
OUTCOME_COLOURS = {"advised": "#d9480f", "satisfied": "#2f9e44", "undetermined": "#e9b949",
                   "not_applicable": "#ced4da"}
LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 190, 400, 28, 18


def construct_counts(report: Report) -> dict[str, dict[str, int]]:
    """Per construct in roadmap order, how many recommendations have each outcome."""
    counts = {construct: dict.fromkeys(CHART_OUTCOMES, 0) for construct in construct_titles(report)}
    for item in report.advice:
        counts[item.construct]["advised"] += 1
    for item in report.undetermined:
        counts[item.construct]["undetermined"] += 1
    for item in report.settled:
        counts[item.construct][item.outcome] += 1
    return counts


def construct_chart(report: Report) -> str:
    """Stacked bars, one per construct: where the project stands, at a glance, without a script."""
    titles, counts = construct_titles(report), construct_counts(report)
    scale = BAR_WIDTH / max([sum(c.values()) for c in counts.values()] + [1])
    rows = [_chart_row(titles[construct], outcomes, scale, position * ROW_HEIGHT)
            for position, (construct, outcomes) in enumerate(counts.items())]
    height = len(rows) * ROW_HEIGHT + ROW_HEIGHT
    width = LABEL_WIDTH + BAR_WIDTH + 40
    label = f"Outcomes by construct for {report.name}"
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="{esc(label)}" font-family="system-ui, sans-serif" font-size="13">'
            f"<title>{esc(label)}</title>{''.join(rows)}{_chart_legend(len(rows) * ROW_HEIGHT)}</svg>\n")


def _chart_row(title: str, outcomes: dict[str, int], scale: float, y: int) -> str:
    parts = [f'<text x="{LABEL_WIDTH - 10}" y="{y + 18}" text-anchor="end">{esc(title)}</text>']
    x = float(LABEL_WIDTH)
    for outcome, count in outcomes.items():
        if count:
            parts.append(_segment(f"{title}: {count} {OUTCOME_WORDS[outcome]}", outcome, count, x, count * scale, y))
            x += count * scale
    parts.append(f'<text x="{x + 6:.1f}" y="{y + 18}" fill="#616e7c">{sum(outcomes.values())}</text>')
    return "".join(parts)


def _segment(tooltip: str, outcome: str, count: int, x: float, width: float, y: int) -> str:
    """One outcome's part of a bar, its count written inside, in a colour that reads on it."""
    ink = "#fff" if outcome in ("advised", "satisfied") else "#1f2933"
    return (f'<rect x="{x:.1f}" y="{y + 5}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{OUTCOME_COLOURS[outcome]}"><title>{esc(tooltip)}</title></rect>'
            f'<text x="{x + width / 2:.1f}" y="{y + 18}" text-anchor="middle" fill="{ink}">{count}</text>')


def _chart_legend(y: int) -> str:
    parts = []
    for position, outcome in enumerate(CHART_OUTCOMES):
        x = 40 + position * 130
        parts.append(f'<rect x="{x}" y="{y + 9}" width="12" height="12" fill="{OUTCOME_COLOURS[outcome]}"/>'
                     f'<text x="{x + 17}" y="{y + 20}">{esc(OUTCOME_WORDS[outcome])}</text>')
    return "".join(parts)
