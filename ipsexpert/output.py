"""Turning a stream of reports into one output document, in the chosen format and view.

A writer receives reports one at a time, as a batch produces them, so the report view
and JSON hold one report at a time whatever the batch size; views that compare
scenarios (the matrix) keep only what their rows need.
"""

from __future__ import annotations

from typing import IO

from . import render
from .errors import IpsExpertError
from .report import Report

COMBINATIONS = {
    "report": ("table", "markdown", "json"),
    "roadmap": (),
    "matrix": (),
}


def check_combination(fmt: str, view: str) -> None:
    """Refuse a format/view pair that has no rendering, before any file is read."""
    if fmt not in COMBINATIONS[view]:
        supported = ", ".join(COMBINATIONS[view]) or "none yet"
        raise IpsExpertError(f"--view {view} is available with --format {supported}, not {fmt}")


class ReportWriter:
    """The report view: each report rendered and written as soon as it arrives."""

    def __init__(self, fmt: str, explain: bool, stream: IO[str]) -> None:
        self.fmt, self.explain, self.stream, self.count = fmt, explain, stream, 0

    def write(self, report: Report) -> None:
        if self.fmt == "json":
            self.stream.write(("[\n" if self.count == 0 else ",\n") + report.model_dump_json(indent=2))
        elif self.fmt == "markdown":
            self.stream.write(("\n---\n\n" if self.count else "") + render.markdown(report))
        else:
            self.stream.write(("\n" if self.count else "") + render.table(report, self.explain))
        self.stream.flush()
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json":
            self.stream.write("[]\n" if self.count == 0 else "\n]\n")


def make_writer(fmt: str, view: str, explain: bool, stream: IO[str]) -> ReportWriter:
    """The writer for a format and view (check_combination has accepted the pair)."""
    return ReportWriter(fmt, explain, stream)
