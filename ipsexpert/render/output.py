"""Turning a stream of reports into one output document, in the chosen format and view.

A writer receives reports one at a time, as a batch produces them. The report and
roadmap views render each report as it arrives and keep none, so memory stays flat
whatever the batch size; the matrix, which compares scenarios, keeps one short row
per scenario (its name, file and a symbol per recommendation: a few hundred bytes)
and renders the table when the batch is closed, since column widths and the
per-recommendation totals need every row.

When some files of the batch could not be evaluated, ``close`` is given their problems
and the document ends with a section naming them (``failures``): the document, not
only the terminal, says that a project is missing from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Callable, Protocol, Sequence

from . import failures as failed
from ..errors import IpsExpertError, Problem
from ..report.plain import Plain

if TYPE_CHECKING:
    from ..report.models import Report  # or report.data's plain twin, which Expert.report makes
    from .matrix import MatrixColumn, MatrixRow

COMBINATIONS = {
    "report": ("table", "markdown", "json", "html"),
    "roadmap": ("table", "markdown", "html"),
    "matrix": ("table", "markdown", "html"),
}

HTML_PAGES = {
    "report": ("ipsexpert report", "Explained, prioritised advice for integrated public services: per scenario, "
               "what to do first, why, and which questions are still open."),
    "roadmap": ("ipsexpert roadmap", "Per scenario, the advice as an agile roadmap: what is overdue, what is due "
                "now and what comes next, and inside by construct in roadmap order."),
    "matrix": ("ipsexpert portfolio matrix", "Every scenario against every recommendation, one symbol per "
               "outcome: for portfolio reviews."),
}


class Writer(Protocol):
    """Receives the batch's reports in order; ``close`` finishes the document."""

    def write(self, report: Report) -> None: ...

    def write_rendered(self, rendered: str | bytes) -> None:
        """A report already rendered by ``standalone_renderer`` for this format and view."""

    def close(self, failures: Sequence[Problem] = ()) -> None:
        """End the document, with a section on the files that failed if there were any."""


def check_combination(fmt: str, view: str) -> None:
    """Refuse a format/view pair that has no rendering, before any file is read."""
    if fmt not in COMBINATIONS[view]:
        supported = ", ".join(COMBINATIONS[view])
        raise IpsExpertError(f"--view {view} is available with --format {supported}, not {fmt}")


def _no_tail(count: int) -> str:
    return ""


@dataclass(frozen=True)
class Layout:
    """How a format frames rendered reports: what comes first, between and last."""

    render: Callable[[Report, int], str | bytes]  # a report and its 1-based position in the batch
    failures: Callable[[Sequence[Problem]], str]  # the section on files that failed, after the reports
    head: str = ""
    separator: str = ""
    tail: Callable[[int], str] = _no_tail  # given how many reports were written


class StreamWriter:
    """Writes each report as soon as it arrives; the head goes out with the first one."""

    def __init__(self, document: Layout, stream: IO[str]) -> None:
        self.document, self.stream, self.count, self.started = document, stream, 0, False

    def write(self, report: Report) -> None:
        self.write_rendered(self.document.render(report, self.count + 1))

    def write_rendered(self, rendered: str | bytes) -> None:
        """Write a report already rendered (by ``standalone_renderer``, maybe in a worker)."""
        self._part(rendered)
        self.count += 1

    def close(self, failures: Sequence[Problem] = ()) -> None:
        if failures:
            self._part(self.document.failures(failures))
        elif not self.started:
            self.stream.write(self.document.head)
        self.stream.write(self.document.tail(self.count))

    def _part(self, rendered: str | bytes) -> None:
        """A report or the failures section, after the head or a separator."""
        self.stream.write(self.document.separator if self.started else self.document.head)
        self.started = True
        if isinstance(rendered, bytes):
            write_utf8(self.stream, rendered)
        else:
            self.stream.write(rendered)
        self.stream.flush()


@dataclass
class MatrixWriter:
    """Keeps one short row per scenario and writes the matrix on close."""

    fmt: str
    stream: IO[str]
    columns: list[MatrixColumn] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    rows: list[MatrixRow] = field(default_factory=list)

    def write(self, report: Report) -> None:
        from . import matrix, text
        if not self.rows:
            self.columns, self.titles = matrix.matrix_columns(report), text.construct_titles(report)
        self.rows.append(matrix.matrix_row(report, self.columns))

    def write_rendered(self, rendered: str | bytes) -> None:
        raise TypeError("the matrix is built from reports: standalone_renderer has no rendering for it")

    def close(self, failures: Sequence[Problem] = ()) -> None:
        if self.fmt == "html":
            self.stream.write(self._page(failures))
            return
        from . import matrix
        table = self.fmt == "table"
        parts = []
        if self.rows:
            parts.append((matrix.matrix_table if table else matrix.matrix_markdown)(self.columns, self.rows))
        if failures:
            parts.append((failed.as_table if table else failed.as_markdown)(failures))
        self.stream.write("\n".join(parts))

    def _page(self, failures: Sequence[Problem]) -> str:
        from . import html
        title, intro = HTML_PAGES["matrix"]
        body = html.matrix_body(self.columns, self.rows, self.titles) if self.rows else ""
        section = failed.as_html(failures) if failures else ""
        return html.page_head(title, intro) + body + section + html.page_tail(len(self.rows))


def _json_tail(count: int) -> str:
    """The array's end, whatever came before: the head alone, reports, the errors object."""
    return "\n]\n"


def _json_failures(problems: Sequence[Problem]) -> str:
    return "\n" + failed.as_json(problems)


def json_bytes(report: Report) -> bytes:
    """A report's JSON as UTF-8 bytes, which go to the output as they are: decoding 50 KB of
    JSON into text only for the stream to encode it again cost a tenth of a batch."""
    if isinstance(report, Plain):
        return report.json_bytes(indent=2)
    return report.model_dump_json(indent=2).encode("utf-8")


def write_utf8(stream: IO[str], data: bytes) -> None:
    """Write UTF-8 bytes to a text stream: to its binary buffer when it has one and encodes as
    UTF-8 (after the text written before them), else as text."""
    write_bytes = getattr(stream, "write_bytes", None)
    if write_bytes is not None:
        write_bytes(data)
    else:
        stream.write(data.decode("utf-8"))


def _document(fmt: str, view: str, explain: bool) -> Layout:
    """The streamed document of the report and roadmap views in one format.

    Renderers are imported here, for the format asked: a JSON batch never loads the
    table or HTML code, which is part of a cold start.
    """
    if fmt == "json":
        return Layout(lambda r, i: b"\n" + json_bytes(r), _json_failures, "[", ",", _json_tail)
    if fmt == "html":
        from . import html
        section = html.roadmap_section if view == "roadmap" else html.report_section
        return Layout(section, failed.as_html, html.page_head(*HTML_PAGES[view]), tail=html.page_tail)
    from . import text
    if view == "roadmap":
        if fmt == "table":
            return Layout(lambda r, i: text.roadmap_table(r), failed.as_table, separator="\n")
        return Layout(lambda r, i: text.roadmap_markdown(r), failed.as_markdown, separator="\n---\n\n")
    if fmt == "table":
        return Layout(lambda r, i: text.table(r, explain), failed.as_table, separator="\n")
    return Layout(lambda r, i: text.markdown(r), failed.as_markdown, separator="\n---\n\n")


@lru_cache(maxsize=None)
def standalone_renderer(fmt: str, view: str, explain: bool) -> Callable[[Report], str] | None:
    """The rendering of one report on its own, where its text does not depend on its place
    in the document (HTML numbers its sections; the matrix needs every row): None there."""
    if view == "matrix" or fmt == "html":
        return None
    render = _document(fmt, view, explain).render
    return lambda report: render(report, 0)


def make_writer(fmt: str, view: str, explain: bool, stream: IO[str]) -> Writer:
    """The writer for a format and view (check_combination has accepted the pair)."""
    if view == "matrix":
        return MatrixWriter(fmt, stream)
    return StreamWriter(_document(fmt, view, explain), stream)
