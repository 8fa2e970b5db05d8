"""Rendering reports for people: terminal tables and Markdown, in three views.

The report view ranks one scenario's advice; the roadmap view turns it into a to-do
list by timing and construct; the matrix view compares many scenarios in one table.
Renderers only read ``Report`` models, so the shared helpers here (roadmap grouping,
matrix symbols, construct order) are reused by ``render_html``. JSON output is the
models' own serialisation (see ``output``), streamed one report at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tabulate import tabulate

from . import width
from .colour import Shown, paint
from ..knowledge.conditions import show_value
from ..safe_text import markdown as safe_markdown, one_line, printable

if TYPE_CHECKING:  # the report is the plain data of report.data, or the model
    from ..report.models import Accepted, Advice, Report

OUTCOME_WORDS = {"advised": "advised", "satisfied": "satisfied", "not_applicable": "not applicable",
                 "undetermined": "undetermined"}
TIMINGS = ("overdue", "now", "next")
TIMING_HEADINGS = {"overdue": "Overdue — belongs to a phase the project has already passed",
                   "now": "Now — belongs to the project's current phase",
                   "next": "Next — belongs to a later phase"}
OUTCOME_SYMBOLS = {"advised": "●", "satisfied": "○", "undetermined": "?", "not_applicable": "–"}
SEVERITY_LETTERS = {"critical": "C", "high": "H", "medium": "M", "low": "L"}
MATRIX_LEGEND = ("● advised (with its severity: C critical, H high, M medium, L low; a lower-case letter "
                 "marks an accepted risk, ! one whose acceptance has expired), ○ satisfied, ? undetermined, "
                 "– not applicable")
ROADMAP_MARKERS = "[ ] to do, [~] accepted risk"
TABLE_LEGEND = ("↑ escalated severity; score = severity points × timing weight, highest first; "
                "timing: now = the project's phase, next = a later one, overdue = one it has passed.")
NAME_WIDTH = 40  # the matrix table's scenario column; Markdown and HTML show names whole
WRAP = 88


# --- shared helpers ------------------------------------------------------------------------

def heading(report: Report) -> str:
    """The scenario's name, file and date in one line."""
    return title_line(report.name, report.source, report.as_of)


def title_line(name: str, source: str | None, as_of: str | None) -> str:
    """An assessment's name, file and date in one line, whatever they hold."""
    parts = [one_line(name)] + ([one_line(source)] if source else [])
    return " — ".join(parts + ([f"as of {one_line(as_of)}"] if as_of else []))


def respondents_lines(report: Report) -> list[str]:
    """Who answered, for an assessment that names its respondents."""
    if not report.respondents:
        return []
    return ["Respondents: " + "; ".join(one_line(who) for who in report.respondents)]


def for_terminal(lines: list[str]) -> str:
    """A terminal rendering's lines as one text, anything from input that could act shown as
    escapes; a ``Shown`` line was made safe piece by piece (and maybe coloured) already."""
    return "\n".join(line if isinstance(line, Shown) else printable(line, keep_newlines=True) for line in lines)


def summary(report: Report) -> str:
    """Outcome counts in words, each in its outcome's colour when colour is on."""
    return ", ".join(paint(outcome, f"{count} {OUTCOME_WORDS[outcome]}")
                     for outcome, count in report.counts.items() if count)


def no_advice_words(report: Report) -> str:
    """The line that stands where advice would: never "all clear" while recommendations are open."""
    open_count = len(report.undetermined)
    if open_count:
        return (f"No advice yet, but {open_count} recommendation{'s are' if open_count > 1 else ' is'} still "
                "open: answers are missing (see the deciding questions below).")
    return "No advice: nothing is known to be missing."


def open_questions(report: Report) -> list[tuple[str, list[str]]]:
    """Each question that would settle open recommendations, with them, most decisive first."""
    decides: dict[str, list[str]] = {}
    for item in report.undetermined:
        for fact_id in item.deciding_facts:
            decides.setdefault(fact_id, []).append(item.id)
    return sorted(decides.items(), key=lambda entry: -len(entry[1]))


def accepted_words(accepted: Accepted) -> str:
    """An acceptance in words: its date first, since an expired one needs attention."""
    if accepted.expired:
        return f"EXPIRED on {accepted.until}, the advice counts again: {one_line(accepted.reason)}"
    return (f"until {accepted.until}: " if accepted.until else "") + one_line(accepted.reason)


def construct_titles(report: Report) -> dict[str, str]:
    """Construct id -> title in roadmap order.

    ``report.constructs`` carries the knowledge base's order; constructs it lacks (a
    report from an older version) follow in the order the recommendations name them.
    """
    titles = dict(report.constructs)
    for item in [*report.advice, *report.undetermined, *report.settled]:
        titles.setdefault(item.construct, item.construct.replace("_", " ").capitalize())
    return titles


def roadmap_groups(report: Report) -> list[tuple[str, list[tuple[str, list[Advice]]]]]:
    """Advice by timing (overdue, now, next) and inside by construct, empty groups left out.

    Inside a construct advice keeps its rank order, so the most pressing comes first.
    """
    groups = []
    for when in TIMINGS:
        due = [a for a in report.advice if a.timing == when]
        if due:
            groups.append((when, [(construct, items) for construct in construct_titles(report)
                                  if (items := [a for a in due if a.construct == construct])]))
    return groups


def roadmap_summary(report: Report) -> str:
    """The project's phase and how much advice each timing holds."""
    phase = report.phase
    counts = [f"{count} {when}" for when in TIMINGS if (count := sum(a.timing == when for a in report.advice))]
    open_count = len(report.undetermined)
    idle = f"nothing to do yet, {open_count} recommendation(s) still open" if open_count else "nothing to do"
    return (f"Roadmap for the {phase} phase" if phase else "Roadmap (phase unknown)") + ": " + (
        ", ".join(counts) or idle)


def notes_by_fact(report: Report) -> list[tuple[str, str, str | None]]:
    """(fact, answer, note) for every answer, then notes on facts left unanswered."""
    rows = [(fact, show_value(value), report.notes.get(fact)) for fact, value in report.answers.items()]
    rows += [(fact, show_value(None), note) for fact, note in report.notes.items() if fact not in report.answers]
    return rows


# --- report view: table ----------------------------------------------------------------------

def table(report: Report, explain: bool = False) -> str:
    """A plain-text report: advice by rank, accepted risks, then what is still open."""
    from . import disagreements, maturity  # they read this module's words
    lines = [f"== {heading(report)}", *respondents_lines(report), Shown(f"Outcomes: {summary(report)}"), ""]
    lines += disagreements.table_lines(report)
    if report.advice:
        rows = [[a.rank, one_line(a.id), paint(a.severity, _severity(a)), a.timing, f"{a.score:g}",
                 one_line(a.title) + _acceptance_mark(a)] for a in report.advice]
        lines.append(fitted(rows, ["rank", "id", "severity", "timing", "score", "advice"], 5))
        lines.append(width.wrap(TABLE_LEGEND))
        lines += _accepted_lines(report.advice)
        if explain:
            lines += _explained(report.advice)
    else:
        lines.append(no_advice_words(report))
    if report.undetermined:
        lines += ["", "Still open — these answers would decide:"]
        rows = [[one_line(u.id), one_line(u.title), one_line(", ".join(u.deciding_facts) or "(no askable question)")]
                for u in report.undetermined]
        lines.append(fitted(rows, ["id", "recommendation", "deciding questions"], 1, 2))
    lines += maturity.table_lines(report)
    lines.append("")
    return for_terminal(lines)


def fitted(rows: list[list[object]], headers: list[str], *wrap: int) -> Shown:
    """A table of cells already safe (and maybe coloured), the ``wrap`` columns wrapped to the width."""
    return Shown(tabulate(rows, headers=headers, maxcolwidths=width.fit(rows, headers, *wrap)))


def _acceptance_mark(a: Advice) -> str:
    if a.accepted is None:
        return ""
    return " [acceptance expired]" if a.accepted.expired else " [accepted]"


def _accepted_lines(advice: list[Advice]) -> list[str]:
    accepted = [a for a in advice if a.accepted]
    if not accepted:
        return []
    return ["", "Accepted risks (advice the project has decided not to act on):"] + [
        f"  {a.id}  {accepted_words(a.accepted)}" for a in accepted]


def _explained(advice: list[Advice]) -> list[str]:
    lines = []
    for a in advice:
        lines += ["", f"{a.rank}. {a.id} {a.title}", _indent(a.advice)]
        if a.eif:
            lines.append("  EIF: " + "; ".join(f"{ref.number} {ref.title}".strip() for ref in a.eif))
        if a.references:
            lines.append("  References:")
            lines += [f"    - {ref.title} ({ref.kind}): {ref.url}" for ref in a.references]
        lines.append("  How:")
        lines += [_indent(one_line(step.text), 4) for step in a.explanation.steps]
    return lines


# --- report view: Markdown -------------------------------------------------------------------

def markdown(report: Report) -> str:
    """A report for a wiki or a pull request."""
    from . import disagreements, maturity, summary as committee  # they read this module's words
    out = [f"# {md(report.name)}", "", _md_provenance(report), ""] + committee.markdown_lines(report)
    out += [f"**Outcomes:** {summary(report)}.", ""]
    out += disagreements.markdown_lines(report)
    out += _md_advice(report.advice) if report.advice else [f"**{no_advice_words(report)}**"]
    out += _md_accepted(report.advice) + _md_eif_layers(report)
    if report.undetermined:
        out += ["", "## Still open", "", "| id | recommendation | deciding questions |", "|---|---|---|"]
        out += [f"| {u.id} | {md(u.title)} | {', '.join(f'`{f}`' for f in u.deciding_facts)} |"
                for u in report.undetermined]
    if report.settled:
        out += ["", "## Not advised", ""]
        out += [f"- **{s.id}** {md(s.title)}: {OUTCOME_WORDS[s.outcome]} — {md(s.reason)}" for s in report.settled]
    out += maturity.markdown_lines(report)
    out += _md_answers(report)
    out.append("")
    return "\n".join(out)


def md(text: str) -> str:
    """Text from a scenario or the knowledge base, inert in Markdown (see ``safe_text.markdown``)."""
    return safe_markdown(text)


def _md_provenance(report: Report) -> str:
    facts = []
    if report.source:
        facts.append(f"Scenario: {md(report.source)}")
    if report.respondents:
        facts.append("respondents: " + ", ".join(md(who) for who in report.respondents))
    if report.as_of:
        facts.append(f"as of {md(report.as_of)}")
    if report.phase:
        facts.append(f"phase {report.phase}")
    facts.append(f"knowledge base {report.knowledge_base.version} ({report.knowledge_base.hash})")
    return "; ".join(facts) + "."


def _md_advice(advice: list[Advice]) -> list[str]:
    out = ["## Advice by priority", "",
           "| rank | id | severity | timing | score | advice |", "|---:|---|---|---|---:|---|"]
    out += [f"| {a.rank} | {a.id} | {a.severity}{' (escalated)' if a.escalated else ''} | {a.timing} "
            f"| {a.score:g} | {md(a.title)}{_md_acceptance_mark(a)} |" for a in advice]
    for a in advice:
        out += ["", f"### {a.rank}. {a.id} — {md(a.title)}", "", md(a.advice)]
        if a.accepted:
            label = "Acceptance expired" if a.accepted.expired else "Accepted risk"
            out += ["", f"> **{label}** {md(accepted_words(a.accepted))}"]
        if a.eif:
            out += ["", "EIF 2017: " + "; ".join(f"**{ref.number}** {md(ref.title)}".strip() for ref in a.eif)]
        if a.references:
            out += ["", "References:", ""]
            out += [f"- [{md(ref.title)}](<{ref.url}>) ({ref.kind})" for ref in a.references]
        out += ["", "<details><summary>How this was concluded</summary>", ""]
        out += [f"- {md(step.text)}" for step in a.explanation.steps]
        out += ["", "</details>"]
    return out


def _md_acceptance_mark(a: Advice) -> str:
    if a.accepted is None:
        return ""
    return " — **acceptance expired**" if a.accepted.expired else " — *accepted risk*"


def _md_accepted(advice: list[Advice]) -> list[str]:
    accepted = [a for a in advice if a.accepted]
    if not accepted:
        return []
    out = ["", "## Accepted risks", "", "| id | recommendation | until | reason |", "|---|---|---|---|"]
    return out + [f"| {a.id} | {md(a.title)} | {a.accepted.until or '—'}{' (expired)' if a.accepted.expired else ''} "
                  f"| {md(a.accepted.reason)} |"
                  for a in accepted]


def _md_eif_layers(report: Report) -> list[str]:
    if not report.eif_layers:
        return []
    out = ["", "## EIF layers", "", "The advice by layer of the European Interoperability Framework (2017): "
           "a starting point for an interoperability assessment.", "",
           "| layer | EIF recommendations | advice |", "|---|---|---|"]
    return out + [f"| {md(layer.name)} | {', '.join(map(str, layer.eif))} | {', '.join(layer.advice)} |"
                  for layer in report.eif_layers]


def _md_answers(report: Report) -> list[str]:
    rows = notes_by_fact(report)
    if not rows:
        return []
    return ["", "## Answers", ""] + [f"- `{fact}`: {md(value)}" + (f" — *note:* {md(note)}" if note else "")
                                     for fact, value, note in rows]


# --- roadmap view ----------------------------------------------------------------------------

def roadmap_table(report: Report) -> str:
    """The roadmap as a plain-text to-do list, the advice text wrapped under each item."""
    markers = f" {ROADMAP_MARKERS}" if report.advice else ""
    lines = [f"== {heading(report)}", f"{roadmap_summary(report)}.{markers}"]
    titles = construct_titles(report)
    for when, constructs in roadmap_groups(report):
        lines += ["", TIMING_HEADINGS[when]]
        for construct, items in constructs:
            lines.append(f"  {titles[construct]}")
            for a in items:
                lines.append(Shown(f"    {'[~]' if a.accepted_now else '[ ]'} {one_line(a.id)}  {one_line(a.title)}  "
                                   f"({paint(a.severity, _severity(a))})"))
                if a.accepted:
                    lines.append(_wrap(f"accepted risk {accepted_words(a.accepted)}", 8))
                lines.append(_wrap(a.advice, 8))
    questions = open_questions(report)
    if questions:
        lines += ["", "Open questions — answering them settles what is still open:"]
        lines += [f"  [ ] {fact_id}  (decides {', '.join(ids)})" for fact_id, ids in questions]
    lines.append("")
    return for_terminal(lines)


def roadmap_markdown(report: Report) -> str:
    """The roadmap as a Markdown task list, for a project wiki or an issue."""
    out = [f"# Roadmap: {md(report.name)}", "", _md_provenance(report), "", f"**{roadmap_summary(report)}.**"]
    titles = construct_titles(report)
    for when, constructs in roadmap_groups(report):
        out += ["", f"## {TIMING_HEADINGS[when]}"]
        for construct, items in constructs:
            out += ["", f"### {md(titles[construct])}", ""]
            out += [_md_roadmap_item(a) for a in items]
    questions = open_questions(report)
    if questions:
        out += ["", "## Open questions", "", "Answering them settles what is still open.", ""]
        out += [f"- [ ] `{fact_id}` (decides {', '.join(ids)})" for fact_id, ids in questions]
    out.append("")
    return "\n".join(out)


def _md_roadmap_item(a: Advice) -> str:
    if a.accepted_now:
        marker = f"- *(accepted risk {md(accepted_words(a.accepted))})*"
    else:
        marker = "- [ ]" + (f" *({md(accepted_words(a.accepted))})*" if a.accepted else "")
    return f"{marker} **{a.id}** {md(a.title)} — *{_severity(a)}*  \n  {md(a.advice)}"


def _severity(a: Advice) -> str:
    return a.severity + (" ↑" if a.escalated else "")


def _indent(text: str, width: int = 2) -> str:
    return "\n".join(" " * width + line for line in text.splitlines())


def _wrap(text: str, indent: int) -> str:
    return width.wrap(text, indent, default=WRAP)
