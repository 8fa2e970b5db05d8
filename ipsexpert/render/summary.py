"""The one-page summary for a steering committee, at the top of every HTML and Markdown report.

What a committee asks first: where do we stand per area, what must we decide now, what
is overdue, what is still open and which few questions would settle most of it, and
where the respondents disagree. It fits one printed A4 page; the detail follows.
Internal ids are small labels, and every symbol is explained where it appears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..safe_text import markdown
from .maturity import NOTE, SCALE, chart
from .text import open_questions

if TYPE_CHECKING:  # the report is the plain data of report.data, or the model
    from ..report.models import Advice, Report

DECISIONS = 5
"""Advice shown as decisions to take now: the top of the ranking."""

QUESTIONS = 3
"""Open questions shown: those that settle the most open recommendations."""

SEVERITY_CUES = {"critical": "▲▲ critical", "high": "▲ high", "medium": "■ medium", "low": "· low"}
"""A shape beside the word and the colour, so severities stay apart in greyscale print."""

LEGEND = "▲▲ critical, ▲ high, ■ medium, · low: severity after escalation; the list is in rank order (score)."


def _titles(report: Report) -> dict[str, str]:
    return dict(report.constructs)


def decisions(report: Report) -> list[Advice]:
    """The top of the ranking, accepted risks that still hold left out: they are decided already."""
    return [a for a in report.advice if not a.accepted_now][:DECISIONS]


def overdue(report: Report) -> list[Advice]:
    return [a for a in report.advice if a.timing == "overdue" and not a.accepted_now]


def html(report: Report, esc: Callable[[object], str]) -> str:
    """The summary as one block that ends the printed page."""
    constructs = _titles(report)
    parts = ['<div class="summary">\n<h3>Summary for the steering committee</h3>\n']
    if report.disagreements:
        facts = ", ".join(f"<code>{esc(item.fact)}</code>" for item in report.disagreements)
        parts.append(f'<p class="disagree"><strong>{len(report.disagreements)} disagreement(s)</strong> '
                     f"between respondents, evaluated as unknown until settled: {facts}.</p>\n")
    if report.maturity:
        parts.append(f"<h4>Where we stand</h4>\n{chart(report, esc)}\n<p><small>Levels: {esc(SCALE)}; a dashed "
                     f"box: the next level is not yet known. {esc(NOTE)}</small></p>\n")
    chosen = decisions(report)
    parts.append("<h4>Decisions to take now</h4>\n")
    if chosen:
        items = "".join(f'<li><span class="sev sev-{esc(a.severity)}">{esc(SEVERITY_CUES[a.severity])}</span> '
                        f"{esc(a.title)} <small>— {esc(constructs.get(a.construct, a.construct))} · "
                        f'<span class="id">{esc(a.id)}</span></small></li>' for a in chosen)
        parts.append(f'<ol class="decisions">{items}</ol>\n<p><small>{esc(LEGEND)}</small></p>\n')
    else:
        parts.append("<p>None: no advice is given yet.</p>\n")
    late = overdue(report)
    if late:
        parts.append(f"<h4>Overdue</h4>\n<p>{len(late)} belong to a phase the project has passed: "
                     + ", ".join(f'{esc(a.title)} <span class="id">{esc(a.id)}</span>' for a in late) + ".</p>\n")
    parts.append(_open(report, esc))
    parts.append("</div>\n")
    return "".join(parts)


def _open(report: Report, esc: Callable[[object], str]) -> str:
    if not report.undetermined:
        return "<h4>Still open</h4>\n<p>Nothing: every recommendation is settled by the answers.</p>\n"
    questions = open_questions(report)[:QUESTIONS]
    items = "".join(f"<li><code>{esc(fact)}</code> would settle {len(ids)}</li>" for fact, ids in questions)
    return (f"<h4>Still open</h4>\n<p>{len(report.undetermined)} recommendation(s) wait for answers. "
            f"The questions that settle the most:</p>\n<ul>{items}</ul>\n")


def _bar(item) -> str:
    """Four cells: a full one per level reached, a light one for a next level not yet known."""
    open_next = item.next_level is not None and item.next_status is None
    return ("█" * item.level + ("░" if open_next else "")).ljust(4)


def markdown_lines(report: Report) -> list[str]:
    """The summary in Markdown: the same content, the maturity as text bars."""
    constructs = _titles(report)
    out = ["## Summary for the steering committee", ""]
    if report.disagreements:
        out += [f"**{len(report.disagreements)} disagreement(s)** between respondents, evaluated as unknown until "
                "settled: " + ", ".join(f"`{item.fact}`" for item in report.disagreements) + ".", ""]
    if report.maturity:
        out += ["**Where we stand** (levels: " + SCALE + "; ░ the next level is not yet known):", ""]
        out += [f"- {markdown(item.title)}: `{_bar(item)}` {markdown(item.words)}" for item in report.maturity]
        out += ["", f"*{NOTE}*", ""]
    chosen = decisions(report)
    out += ["**Decisions to take now:**", ""]
    out += [f"{rank}. {SEVERITY_CUES[a.severity]} — {markdown(a.title)} "
            f"({markdown(constructs.get(a.construct, a.construct))}, {a.id})"
            for rank, a in enumerate(chosen, start=1)] or ["None: no advice is given yet."]
    out += ["", f"*{LEGEND}*", ""]
    late = overdue(report)
    if late:
        out += ["**Overdue:** " + ", ".join(f"{markdown(a.title)} ({a.id})" for a in late) + ".", ""]
    if not report.undetermined:
        out += ["**Still open:** nothing; every recommendation is settled by the answers.", ""]
    else:
        questions = open_questions(report)[:QUESTIONS]
        out += [f"**Still open:** {len(report.undetermined)} recommendation(s) wait for answers; the questions "
                "that settle the most: " + ", ".join(f"`{fact}` ({len(ids)})" for fact, ids in questions) + ".", ""]
    return out + ["---", ""]
