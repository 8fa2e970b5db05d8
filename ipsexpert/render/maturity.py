"""Maturity per construct, for every format: a short block of text, a table, a small bar chart.

The levels are this project's reading of the framework (``rules/maturity.yaml``), and
every rendering says so where the levels appear.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..safe_text import markdown

if TYPE_CHECKING:  # the report is the plain data of report.data, or the model
    from ..report.models import ConstructMaturity, Report

NOTE = "Maturity levels are ipsexpert's own reading of the framework, not an inGOV artefact."
SCALE = "1 ad hoc, 2 defined for this project, 3 formalised and agreed, 4 institutionalised and sustained"


def next_words(item: ConstructMaturity) -> str:
    """What the next level needs, in words."""
    if item.next_level is None:
        return "the highest level"
    lift = f"; advice that lifts it: {', '.join(item.recommendations)}" if item.recommendations else ""
    if item.next_status is None:
        return f"level {item.next_level} depends on {', '.join(item.open_facts)}{lift}"
    return f"level {item.next_level} needs {item.needs}{lift}"


def table_lines(report: Report) -> list[str]:
    if not report.maturity:
        return []
    width = max(len(item.title) for item in report.maturity)
    lines = ["", f"Maturity per construct ({SCALE}):"]
    for item in report.maturity:
        lift = f" — lifted by {', '.join(item.recommendations)}" if item.recommendations else ""
        lines.append(f"  {item.title:<{width}}  {item.words}{lift}")
        if item.next_status is False:
            lines.append(f"  {'':<{width}}  level {item.next_level} needs {item.needs}")
    return lines + [f"  {NOTE}"]


def markdown_lines(report: Report) -> list[str]:
    if not report.maturity:
        return []
    out = ["", "## Maturity per construct", "", f"Levels: {SCALE}. {NOTE}", "",
           "| construct | level | next |", "|---|---|---|"]
    out += [f"| {markdown(item.title)} | {markdown(item.words)} | {markdown(next_words(item))} |"
            for item in report.maturity]
    return out


def chart(report: Report, esc) -> str:
    """Levels as horizontal bars (four steps), the open next level a dashed outline: readable in greyscale too."""
    if not report.maturity:
        return ""
    row, label_width, step = 22, 200, 60
    height = row * len(report.maturity) + 24
    parts = [f'<svg class="maturity" role="img" width="{label_width + 4 * step + 10}" height="{height}" '
             f'aria-label="maturity per construct">']
    for index, item in enumerate(report.maturity):
        y = index * row + 4
        parts.append(f'<text x="0" y="{y + 13}" font-size="13">{esc(item.title)}</text>'
                     f'<rect x="{label_width}" y="{y}" width="{item.level * step}" height="16" fill="#1c7ed6">'
                     f'<title>{esc(item.words)}</title></rect>')
        if item.next_level is not None and item.next_status is None:
            parts.append(f'<rect x="{label_width + item.level * step}" y="{y}" width="{step}" height="16" '
                         f'fill="#e9ecef" stroke="#495057" stroke-dasharray="3"><title>{esc(next_words(item))}</title></rect>')
        parts.append(f'<text x="{label_width + item.level * step - 12}" y="{y + 13}" fill="#fff" '
                     f'font-size="11">{item.level}</text>')
    for level in range(1, 5):
        x = label_width + level * step
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height - 20}" stroke="#adb5bd" stroke-dasharray="2"/>'
                     f'<text x="{x - 4}" y="{height - 6}" font-size="11">{level}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_section(report: Report, esc) -> str:
    if not report.maturity:
        return ""
    rows = "".join(f"<tr><td>{esc(item.title)}</td><td>{esc(item.words)}</td><td>{esc(next_words(item))}</td></tr>"
                   for item in report.maturity)
    return (f"<h3>Maturity per construct</h3>\n<p><small>Levels: {esc(SCALE)} (the chart is in the summary). "
            f"{esc(NOTE)}</small></p>\n<table><thead><tr><th>construct</th>"
            f"<th>level</th><th>next</th></tr></thead><tbody>{rows}</tbody></table>\n")
