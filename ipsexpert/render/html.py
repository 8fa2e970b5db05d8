"""One self-contained HTML page for a whole batch: report, roadmap or matrix view.

The page needs nothing but itself: inline CSS (print-friendly too), pictures drawn as
inline SVG, collapsible explanations with ``<details>``, and no script, so it can be
mailed, archived or printed as it is. The page is written in pieces — ``page_head``
before the first scenario, one section per report, ``page_tail`` at the end — so a
writer holds one report at a time. Every text that reaches the page goes through
``esc``: scenario names, notes and reasons come from users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import __version__
from ..safe_text import html_text as esc
from .chart import construct_chart
from .matrix import MatrixCell, MatrixColumn, MatrixRow, advised_totals, cell_symbol
from .text import (MATRIX_LEGEND, OUTCOME_WORDS, TIMING_HEADINGS, accepted_words, construct_titles, no_advice_words,
                   notes_by_fact, open_questions, roadmap_groups, roadmap_summary, summary)

if TYPE_CHECKING:  # the report is the plain data of report.data, or the model
    from ..report.models import Advice, Report

STYLE = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --soft: #f5f7fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 .25rem; border-bottom: 2px solid var(--ink); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1rem 0 .25rem; }
.meta, .intro { color: var(--muted); margin: .25rem 0; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--soft); }
td.num { text-align: right; }
code { background: var(--soft); padding: 0 .2rem; border-radius: 3px; }
.chips span { display: inline-block; padding: .05rem .55rem; border-radius: 1rem; margin-right: .3rem;
              font-size: .9rem; color: #fff; }
.chips .o-undetermined, .chips .o-not_applicable { color: var(--ink); }
.o-advised { background: #d9480f; } .o-satisfied { background: #2f9e44; }
.o-undetermined { background: #e9b949; } .o-not_applicable { background: #ced4da; }
.sev { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-size: .85rem; color: #fff; }
.sev-critical { background: #7d1d1d; } .sev-high { background: #c92a2a; }
.sev-medium { background: #e67700; } .sev-low { background: #5c940d; }
.accepted { border-left: 4px solid #e67700; background: #fff9db; padding: .3rem .6rem; margin: .4rem 0; }
.tag-accepted { font-size: .85rem; border: 1px solid #e67700; color: #a35200; border-radius: 3px;
                padding: 0 .35rem; }
article.advice { border: 1px solid var(--line); border-radius: 6px; padding: .25rem 1rem .5rem; margin: .75rem 0; }
.eif { font-size: .9rem; color: var(--muted); }
details summary { cursor: pointer; color: #1c5d99; }
ol.steps li { margin: .15rem 0; }
svg { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
ul.todo { list-style: none; padding-left: .25rem; }
ul.todo li { margin: .5rem 0; }
ul.todo .box { font-size: 1.25rem; line-height: 1; margin-right: .35rem; }
ul.todo .what { margin: .15rem 0 0 1.7rem; }
ul.todo .accepted { margin-left: 1.7rem; }
h3.timing { border-left: 6px solid; padding-left: .5rem; }
h3.timing-overdue { border-color: #c92a2a; } h3.timing-now { border-color: #e67700; }
h3.timing-next { border-color: #1c5d99; }
.scroll { overflow-x: auto; }
table.matrix { font-size: .85rem; }
table.matrix th { padding: .15rem .2rem; }
table.matrix td { text-align: center; vertical-align: middle; white-space: nowrap; min-width: 1.9rem;
                  padding: .1rem .2rem; }
table.matrix td.o-advised { background: #ffe0d1; color: #a61e00; font-weight: bold; }
table.matrix td.o-satisfied { background: #e3f4e7; color: #2b7a3b; }
table.matrix td.o-undetermined { background: #fff5d6; color: #8a6d00; }
table.matrix td.o-not_applicable { background: #f1f3f5; color: #868e96; }
table.matrix th[scope=row] { font-weight: normal; min-width: 14rem; padding: .15rem .4rem; }
table.matrix thead th { text-align: center; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
.summary { border: 1px solid var(--line); border-radius: 6px; padding: .2rem 1rem .6rem; margin: .8rem 0 1.2rem; }
.summary h4 { margin: .8rem 0 .2rem; }
.summary ol.decisions { margin: .2rem 0; }
.sev { display: inline-block; min-width: 6.5rem; font-size: .8rem; font-weight: 600; padding: 0 .3rem;
       border-radius: 3px; border: 1px solid #343a40; }
.sev-critical { background: #a61e1e; color: #fff; }
.sev-high { background: #ffd8a8; color: #7a3100; }
.sev-medium { background: #fff; color: #1f2933; }
.sev-low { background: #fff; color: #616e7c; border-style: dotted; }
.id { font-size: .75rem; color: var(--muted); }
p.source { color: var(--muted); }
@media print {
  .summary { break-after: page; border: none; padding: 0; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  section.scenario + section.scenario { break-before: page; }
  article.advice, tr, svg, .accepted { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  details::details-content { content-visibility: visible; }
  a { color: inherit; text-decoration: none; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


# --- the page -----------------------------------------------------------------------------

def page_head(title: str, intro: str) -> str:
    """Everything before the first scenario: document head, inline style, page header."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<header><h1>{esc(title)}</h1><p class=\"intro\">{esc(intro)}</p></header>\n<main>\n")


def page_tail(count: int) -> str:
    """Everything after the last scenario."""
    empty = "<p>No scenario was evaluated.</p>\n" if count == 0 else ""
    return (f"{empty}</main>\n<footer><p>{count} scenario(s). Made by ipsexpert {esc(__version__)}: "
            "explained, prioritised advice for integrated public services, after the inGOV framework "
            "and the European Interoperability Framework (EIF 2017).</p></footer>\n</body>\n</html>\n")


def _scenario_header(report: Report, index: int, title: str) -> str:
    meta = []
    if report.respondents:
        meta.append("respondents: " + esc("; ".join(report.respondents)))
    if report.as_of:
        meta.append(f"as of {esc(report.as_of)}")
    if report.phase:
        meta.append(f"phase <strong>{esc(report.phase)}</strong>")
    kb = report.knowledge_base
    meta.append(f"knowledge base {esc(kb.name)} {esc(kb.version)} ({esc(kb.hash)})")
    return (f'<section class="scenario" id="scenario-{index}">\n<h2>{esc(title)}</h2>\n'
            f'<p class="meta">{" · ".join(meta)}</p>\n')


def _source_footer(report: Report) -> str:
    """The scenario file, at the end: a path matters to whoever keeps the files, not to the reader."""
    return f'<p class="source"><small>Scenario file: <code>{esc(report.source)}</code></small></p>\n' \
        if report.source else ""


def _disagreements(report: Report) -> str:
    """A merged assessment's disputed questions, first: what the committee must settle."""
    from .disagreements import HEADING, INTRO, effect_words
    if not report.disagreements:
        return ""
    items = []
    for item in report.disagreements:
        sides = "".join(f"<li>{esc(effect_words(effect))}</li>" for effect in item.effects)
        notes = "".join(f"<li><em>note from {esc(who)}:</em> {esc(note)}</li>" for who, note in item.notes.items())
        items.append(f"<li><code>{esc(item.fact)}</code> {esc(item.question)}<ul>{sides}{notes}</ul></li>")
    return f'<h3>{HEADING}</h3>\n<p>{esc(INTRO)}</p>\n<ul class="disagreements">{"".join(items)}</ul>\n'


def _chips(report: Report) -> str:
    chips = "".join(f'<span class="o-{esc(outcome)}">{count} {esc(OUTCOME_WORDS[outcome])}</span>'
                    for outcome, count in report.counts.items() if count)
    return f'<p class="chips" aria-label="{esc(summary(report))}">{chips}</p>\n'


def _severity(a: Advice) -> str:
    return (f'<span class="sev sev-{esc(a.severity)}">{esc(a.severity)}'
            f'{" ↑" if a.escalated else ""}</span>')


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A table from cells that are already HTML."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>\n"


# --- report view ------------------------------------------------------------------------------

def report_section(report: Report, index: int) -> str:
    """One scenario: summary, picture by construct, advice, risks, EIF, open questions, answers."""
    from . import summary
    parts = [_scenario_header(report, index, report.name), summary.html(report, esc), _disagreements(report),
             _chips(report), construct_chart(report)]
    parts.append(_advice(report, index) if report.advice
                 else f"<p>{esc(no_advice_words(report))}</p>\n")
    from .maturity import html_section
    parts += [_accepted(report.advice), html_section(report, esc), _eif_layers(report), _undetermined(report),
              _settled(report), _source_footer(report),
              _answers(report), "</section>\n"]
    return "".join(parts)


def _advice(report: Report, index: int) -> str:
    rows = [[str(a.rank), f'<a href="#s{index}-{esc(a.id)}">{esc(a.id)}</a>', _severity(a), esc(a.timing),
             f"{a.score:g}", esc(a.title) + _acceptance_tag(a)] for a in report.advice]
    return ("<h3>Advice by priority</h3>\n" + _table(["rank", "id", "severity", "timing", "score", "advice"], rows)
            + "".join(_advice_article(a, index) for a in report.advice))


def _advice_article(a: Advice, index: int) -> str:
    parts = [f'<article class="advice" id="s{index}-{esc(a.id)}">\n<h4>{a.rank}. {esc(a.id)} {esc(a.title)} '
             f"{_severity(a)} <small>{esc(a.timing)}, score {a.score:g}</small></h4>\n<p>{esc(a.advice)}</p>\n"]
    if a.accepted:
        parts.append(f'<p class="accepted"><strong>{_acceptance_label(a)}</strong> '
                     f'{esc(accepted_words(a.accepted))}</p>\n')
    if a.eif:
        refs = "; ".join(f"<strong>{ref.number}</strong> {esc(ref.title)}" for ref in a.eif)
        parts.append(f'<p class="eif">EIF 2017: {refs}</p>\n')
    if a.references:
        links = "".join(f'<li><a href="{esc(ref.url)}">{esc(ref.title)}</a> <small>({esc(ref.kind)})</small></li>'
                        for ref in a.references)
        parts.append(f'<details class="eif"><summary>References</summary><ul>{links}</ul></details>\n')
    steps = "".join(f'<li class="step-{esc(step.kind)}">{esc(step.text)}</li>' for step in a.explanation.steps)
    parts.append(f'<details><summary>How this was concluded</summary><ol class="steps">{steps}</ol></details>\n'
                 "</article>\n")
    return "".join(parts)


def _acceptance_tag(a: Advice) -> str:
    if a.accepted is None:
        return ""
    words = "acceptance expired" if a.accepted.expired else "accepted risk"
    return f' <span class="tag-accepted">{words}</span>'


def _acceptance_label(a: Advice) -> str:
    return "Acceptance expired" if a.accepted.expired else "Accepted risk"


def _accepted(advice: list[Advice]) -> str:
    rows = [[esc(a.id), esc(a.title),
             esc(a.accepted.until or "—") + (" <strong>(expired)</strong>" if a.accepted.expired else ""),
             esc(a.accepted.reason)]
            for a in advice if a.accepted]
    if not rows:
        return ""
    return ("<h3>Accepted risks</h3>\n<p>Advice the project has decided not to act on, and why.</p>\n"
            + _table(["id", "recommendation", "until", "reason"], rows))


def _eif_layers(report: Report) -> str:
    if not report.eif_layers:
        return ""
    rows = [[esc(layer.name), esc(", ".join(map(str, layer.eif))), esc(", ".join(layer.advice))]
            for layer in report.eif_layers]
    return ("<h3>EIF layers</h3>\n<p>The advice by layer of the European Interoperability Framework (2017): "
            "a starting point for an interoperability assessment.</p>\n"
            + _table(["layer", "EIF recommendations", "advice"], rows))


def _undetermined(report: Report) -> str:
    if not report.undetermined:
        return ""
    rows = [[esc(u.id), esc(u.title), ", ".join(f"<code>{esc(f)}</code>" for f in u.deciding_facts)
             or "(no askable question)"] for u in report.undetermined]
    return ("<h3>Still open</h3>\n<p>Unknown answers leave these open; answering the deciding questions "
            "settles them.</p>\n" + _table(["id", "recommendation", "deciding questions"], rows))


def _settled(report: Report) -> str:
    if not report.settled:
        return ""
    rows = [[esc(s.id), esc(s.title), esc(OUTCOME_WORDS[s.outcome]), esc(s.reason)] for s in report.settled]
    return (f"<details><summary>Not advised: {len(rows)} recommendation(s) satisfied or not applicable"
            f"</summary>\n{_table(['id', 'recommendation', 'outcome', 'why'], rows)}</details>\n")


def _answers(report: Report) -> str:
    rows = [[f"<code>{esc(fact)}</code>", esc(value), esc(note or "")] for fact, value, note in notes_by_fact(report)]
    if not rows:
        return ""
    return "<h3>Answers</h3>\n" + _table(["fact", "answer", "note"], rows)


# --- roadmap view -----------------------------------------------------------------------------

def roadmap_section(report: Report, index: int) -> str:
    """One scenario's advice as a to-do list: by timing, then construct in roadmap order."""
    parts = [_scenario_header(report, index, f"Roadmap: {report.name}"), f"<p>{esc(roadmap_summary(report))}.</p>\n"]
    titles = construct_titles(report)
    for when, constructs in roadmap_groups(report):
        parts.append(f'<h3 class="timing timing-{esc(when)}">{esc(TIMING_HEADINGS[when])}</h3>\n')
        for construct, items in constructs:
            parts.append(f'<h4>{esc(titles[construct])}</h4>\n<ul class="todo">\n')
            parts += [_todo(a) for a in items]
            parts.append("</ul>\n")
    parts.append(_open_questions(report))
    parts.append("</section>\n")
    return "".join(parts)


def _open_questions(report: Report) -> str:
    questions = open_questions(report)
    if not questions:
        return ""
    items = "".join(f"<li><code>{esc(fact_id)}</code> <small>(decides {esc(', '.join(ids))})</small></li>"
                    for fact_id, ids in questions)
    return f'<h3>Open questions</h3>\n<p>Answering them settles what is still open.</p>\n<ul>{items}</ul>\n'


def _todo(a: Advice) -> str:
    box = "☒" if a.accepted_now else "☐"
    accepted = (f'<div class="accepted"><strong>{_acceptance_label(a)}</strong> '
                f'{esc(accepted_words(a.accepted))}</div>' if a.accepted else "")
    return (f'<li><span class="box" aria-hidden="true">{box}</span><strong>{esc(a.id)}</strong> {esc(a.title)} '
            f'{_severity(a)}{accepted}<p class="what">{esc(a.advice)}</p></li>\n')


# --- matrix view ------------------------------------------------------------------------------

def matrix_body(columns: list[MatrixColumn], rows: list[MatrixRow], titles: dict[str, str]) -> str:
    """Scenarios × recommendations, grouped under their constructs, with legend and key."""
    head = _matrix_construct_row(columns, titles) + "<tr><th>scenario</th>" + "".join(
        f'<th><abbr title="{esc(c.title)}">{esc(c.id)}</abbr></th>' for c in columns) + "</tr>"
    body = "".join(_matrix_row(row, columns) for row in rows)
    totals = "".join(f"<td>{total}</td>" for total in advised_totals(columns, rows))
    key = "".join(f"<li><strong>{esc(c.id)}</strong> {esc(c.title)} "
                  f"<small>({esc(titles.get(c.construct, c.construct))})</small></li>" for c in columns)
    return (f"<p>{len(rows)} scenario(s) × {len(columns)} recommendations. Legend: {esc(MATRIX_LEGEND)}.</p>\n"
            f'<div class="scroll"><table class="matrix"><thead>{head}</thead>\n<tbody>\n{body}</tbody>\n'
            f'<tfoot><tr><th scope="row">advised in (of {len(rows)})</th>{totals}</tr></tfoot></table></div>\n'
            f"<h3>Recommendations</h3>\n<ul>{key}</ul>\n")


def _matrix_construct_row(columns: list[MatrixColumn], titles: dict[str, str]) -> str:
    """A header row naming the construct over each run of its recommendations."""
    runs: list[tuple[str, int]] = []
    for column in columns:
        if runs and runs[-1][0] == column.construct:
            runs[-1] = (column.construct, runs[-1][1] + 1)
        else:
            runs.append((column.construct, 1))
    return "<tr><th></th>" + "".join(f'<th colspan="{span}">{esc(titles.get(construct, construct))}</th>'
                                     for construct, span in runs) + "</tr>"


def _matrix_row(row: MatrixRow, columns: list[MatrixColumn]) -> str:
    cells = "".join(f'<td class="o-{esc(cell.outcome or "none")}" '
                    f'title="{esc(column.id)}: {esc(_cell_words(cell))}">{esc(cell_symbol(cell))}</td>'
                    for cell, column in zip(row.cells, columns))
    source = f' title="{esc(row.source)}"' if row.source else ""
    return f'<tr><th scope="row"{source}>{esc(row.name)}</th>{cells}</tr>\n'


def _cell_words(cell: MatrixCell) -> str:
    """A cell in words, for its tooltip: "advised, high (accepted risk)"."""
    if cell.outcome is None:
        return "no outcome"
    if cell.severity is None:
        return OUTCOME_WORDS[cell.outcome]
    status = " (accepted risk)" if cell.accepted else " (acceptance expired)" if cell.expired else ""
    return f"{OUTCOME_WORDS[cell.outcome]}, {cell.severity}{status}"
