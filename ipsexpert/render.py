"""Rendering reports for people: a terminal table and Markdown.

Renderers only read ``Report`` models; JSON output is the models' own serialisation
(see ``cli``), streamed one report at a time.
"""

from __future__ import annotations

from tabulate import tabulate

from .conditions import show_value
from .report import Report

OUTCOME_WORDS = {"advised": "advised", "satisfied": "satisfied", "not_applicable": "not applicable",
                 "undetermined": "undetermined"}


def heading(report: Report) -> str:
    """The scenario's name, file and date in one line."""
    parts = [report.name]
    if report.source:
        parts.append(report.source)
    if report.as_of:
        parts.append(f"as of {report.as_of}")
    return " — ".join(parts)


def summary(report: Report) -> str:
    """Outcome counts in words."""
    return ", ".join(f"{count} {OUTCOME_WORDS[outcome]}" for outcome, count in report.counts.items() if count)


def table(report: Report, explain: bool = False) -> str:
    """A plain-text report: advice by rank, then what is still open."""
    lines = [f"== {heading(report)}", f"Outcomes: {summary(report)}", ""]
    if report.advice:
        rows = [[a.rank, a.id, a.severity + (" ↑" if a.escalated else ""), a.timing, f"{a.score:g}", a.title]
                for a in report.advice]
        lines.append(tabulate(rows, headers=["rank", "id", "severity", "timing", "score", "advice"]))
        if explain:
            for a in report.advice:
                lines += ["", f"{a.rank}. {a.id} {a.title}", _indent(a.advice), "  How:"]
                lines += [_indent(step.text, 4) for step in a.explanation.steps]
    else:
        lines.append("No advice: nothing is known to be missing.")
    if report.undetermined:
        lines += ["", "Still open — these answers would decide:"]
        rows = [[u.id, u.title, ", ".join(u.deciding_facts) or "(no askable question)"]
                for u in report.undetermined]
        lines.append(tabulate(rows, headers=["id", "recommendation", "deciding questions"]))
    lines.append("")
    return "\n".join(lines)


def markdown(report: Report) -> str:
    """A report for a wiki or a pull request."""
    out = [f"# {report.name}", ""]
    facts = []
    if report.source:
        facts.append(f"Scenario: `{report.source}`")
    if report.as_of:
        facts.append(f"as of {report.as_of}")
    facts.append(f"knowledge base {report.knowledge_base.version} ({report.knowledge_base.hash})")
    out += ["; ".join(facts) + ".", "", f"**Outcomes:** {summary(report)}.", ""]
    if report.advice:
        out += ["## Advice by priority", "",
                "| rank | id | severity | timing | score | advice |", "|---:|---|---|---|---:|---|"]
        out += [f"| {a.rank} | {a.id} | {a.severity}{' (escalated)' if a.escalated else ''} | {a.timing} "
                f"| {a.score:g} | {a.title} |" for a in report.advice]
        for a in report.advice:
            out += ["", f"### {a.rank}. {a.id} — {a.title}", "", a.advice, "", "<details><summary>How this was "
                    "concluded</summary>", ""]
            out += [f"- {step.text}" for step in a.explanation.steps]
            out += ["", "</details>"]
    if report.undetermined:
        out += ["", "## Still open", "", "| id | recommendation | deciding questions |", "|---|---|---|"]
        out += [f"| {u.id} | {u.title} | {', '.join(f'`{f}`' for f in u.deciding_facts)} |"
                for u in report.undetermined]
    if report.settled:
        out += ["", "## Not advised", ""]
        out += [f"- **{s.id}** {s.title}: {OUTCOME_WORDS[s.outcome]} — {s.reason}" for s in report.settled]
    if report.answers:
        out += ["", "## Answers", ""]
        out += [f"- `{fact_id}`: {show_value(value)}" for fact_id, value in report.answers.items()]
    out.append("")
    return "\n".join(out)


def _indent(text: str, width: int = 2) -> str:
    return "\n".join(" " * width + line for line in text.splitlines())
