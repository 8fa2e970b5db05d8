"""The matrix view: scenarios × recommendations, one small cell each, for a portfolio.

A cell is data (outcome, severity, acceptance); each renderer draws it its own way —
a symbol here for the terminal and Markdown, a coloured cell with words in HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from ..safe_text import one_line
from .colour import Shown, paint
from .text import MATRIX_LEGEND, NAME_WIDTH, OUTCOME_SYMBOLS, SEVERITY_LETTERS, for_terminal, md

if TYPE_CHECKING:  # the report is the plain data of report.data, or the model
    from ..report.models import Advice, Report


@dataclass(frozen=True)
class MatrixColumn:
    """A recommendation as a matrix column."""

    id: str
    title: str
    construct: str


@dataclass(frozen=True)
class MatrixCell:
    """One scenario's result for one recommendation: each renderer draws it its own way."""

    outcome: str | None  # None where the report has no such recommendation
    severity: str | None = None  # for advice
    accepted: bool = False  # advice whose risk the project accepted, and the acceptance holds
    expired: bool = False  # advice whose acceptance has run out


@dataclass(frozen=True)
class MatrixRow:
    """What the matrix keeps of one report: its name and one small cell per recommendation."""

    name: str
    source: str | None
    cells: tuple[MatrixCell, ...]


def matrix_columns(report: Report) -> list[MatrixColumn]:
    """The recommendations in the knowledge base's order (the order of ``outcomes``)."""
    known = {item.id: item for item in [*report.advice, *report.undetermined, *report.settled]}
    return [MatrixColumn(rec_id, known[rec_id].title, known[rec_id].construct) for rec_id in report.outcomes]


def matrix_row(report: Report, columns: list[MatrixColumn]) -> MatrixRow:
    """One scenario's outcomes, with severity and acceptance beside advised ones."""
    advice = {a.id: a for a in report.advice}
    return MatrixRow(report.name, report.source,
                     tuple(_cell(report.outcomes.get(c.id), advice.get(c.id)) for c in columns))


def _cell(outcome: str | None, advice: Advice | None) -> MatrixCell:
    if advice is None:
        return MatrixCell(outcome)
    expired = advice.accepted is not None and advice.accepted.expired
    return MatrixCell(outcome, advice.severity, advice.accepted_now, expired)


def cell_symbol(cell: MatrixCell) -> str:
    """A cell as a symbol, the severity letter beside advice (lower case when accepted)."""
    if cell.outcome is None:
        return ""
    if cell.severity is None:
        return OUTCOME_SYMBOLS[cell.outcome]
    letter = SEVERITY_LETTERS[cell.severity]
    return OUTCOME_SYMBOLS[cell.outcome] + (letter.lower() if cell.accepted else letter) + ("!" if cell.expired else "")


def advised_totals(columns: list[MatrixColumn], rows: Iterable[MatrixRow]) -> list[int]:
    """For each recommendation, in how many scenarios it is advised: the portfolio's hot spots."""
    rows = list(rows)
    return [sum(row.cells[index].outcome == "advised" for row in rows)
            for index in range(len(columns))]


def cell_style(cell: MatrixCell) -> str:
    """The colour of a cell: advice by its severity (none while its risk is accepted), else its outcome."""
    if cell.severity is not None:
        return "" if cell.accepted else cell.severity
    return cell.outcome or ""


def matrix_table(columns: list[MatrixColumn], rows: list[MatrixRow]) -> str:
    """The matrix as a terminal table, long scenario names shortened, then legend and key.

    Every cell is made safe before it is padded and coloured: names through ``one_line``,
    symbols and ids are the renderer's own (ids checked by the knowledge base's loader).
    """
    width = max([len(c.id) for c in columns] + [3])

    def line(name: str, cells: list[str]) -> Shown:
        return Shown((f"{name:<{NAME_WIDTH}}  " + " ".join(cells)).rstrip())

    lines = [line("scenario", [f"{one_line(c.id):^{width}}" for c in columns]),
             line("-" * NAME_WIDTH, ["-" * width] * len(columns))]
    lines += [line(_shorten(one_line(row.name)), [_painted(cell_style(cell), f"{cell_symbol(cell):^{width}}")
                                                  for cell in row.cells]) for row in rows]
    lines.append(line(f"advised in (of {len(rows)})", [f"{total:^{width}}" for total in advised_totals(columns, rows)]))
    lines += ["", f"Legend: {MATRIX_LEGEND}.", ""] + [f"{c.id}  {c.title}" for c in columns]
    lines.append("")
    return for_terminal(lines)


def matrix_markdown(columns: list[MatrixColumn], rows: list[MatrixRow]) -> str:
    """The matrix as a Markdown table with its legend and the recommendations' titles."""
    out = ["# Portfolio matrix", "", f"{len(rows)} scenario(s) × {len(columns)} recommendations. "
           f"Legend: {MATRIX_LEGEND}.", "",
           "| scenario | " + " | ".join(c.id for c in columns) + " |",
           "|---|" + ":-:|" * len(columns)]
    out += ["| " + " | ".join([md(row.name), *map(cell_symbol, row.cells)]) + " |" for row in rows]
    out.append(f"| *advised in (of {len(rows)})* | " + " | ".join(map(str, advised_totals(columns, rows))) + " |")
    out += ["", "## Recommendations", ""] + [f"- **{c.id}** {md(c.title)}" for c in columns]
    out.append("")
    return "\n".join(out)


def _painted(style: str, padded: str) -> str:
    """A padded cell with its symbol in colour and the padding outside, so a line's end can be stripped."""
    symbol = padded.strip()
    start = padded.index(symbol) if symbol else 0
    return padded[:start] + paint(style, symbol) + padded[start + len(symbol):]


def _shorten(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[:NAME_WIDTH - 1] + "…"
