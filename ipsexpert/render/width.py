"""How wide terminal tables may be, and wrapping the one column that can give way.

On a terminal a table follows its width (``COLUMNS``, or the terminal's own), and the
long column — an advice title, the deciding questions, a question's text — wraps
inside its cell instead of folding every row at the screen's edge. Written to a file
or a pipe without ``COLUMNS``, nothing is wrapped: one row stays one line, for grep
and diff. The command line decides (``use``); renderers ask ``columns``.
"""

from __future__ import annotations

import re
import textwrap
from typing import Mapping, Sequence

MIN_COLUMN = 20
"""The narrowest a wrapped column gets, however narrow the terminal: a word or two a line."""

SEPARATOR = 2
"""Spaces between columns in tabulate's "simple" format."""

HEADER_PADDING = 2
"""What tabulate adds to a header's width in that format (its MIN_PADDING)."""

_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_state: dict[str, int | None] = {"columns": None}


def use(columns: int | None) -> None:
    """The width the renderings that follow fit into (None: no limit)."""
    _state["columns"] = columns


def columns() -> int | None:
    return _state["columns"]


def wanted(to_terminal: bool, environ: Mapping[str, str], terminal_columns: int) -> int | None:
    """``COLUMNS`` when it holds a width, the terminal's width on a terminal, else no limit."""
    given = environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    return terminal_columns if to_terminal else None


def visible(text: str) -> int:
    """The width of ``text`` on screen, colour codes left out."""
    return max((len(_COLOUR.sub("", line)) for line in str(text).split("\n")), default=0)


def fit(rows: Sequence[Sequence[object]], headers: Sequence[str], *wrapped: int) -> list[int | None] | None:
    """tabulate's ``maxcolwidths`` that wrap the ``wrapped`` columns so the table fits the
    width, or None when there is no width or it fits as it is. The widest are narrowed
    first, down to a common width, so that no column is squeezed while another stays wide."""
    limit = columns()
    if limit is None or not rows:
        return None
    widths = [max([visible(header) + HEADER_PADDING] + [visible(row[index]) for row in rows])
              for index, header in enumerate(headers)]
    excess = sum(widths) + SEPARATOR * (len(widths) - 1) - limit
    if excess <= 0:
        return None
    common = max(widths[index] for index in wrapped)
    while common > MIN_COLUMN and sum(max(0, widths[index] - common) for index in wrapped) < excess:
        common -= 1
    return [common if index in wrapped and widths[index] > common else None for index in range(len(headers))]


def wrap(text: str, indent: int = 0, default: int | None = None) -> str:
    """``text`` wrapped to the width (or ``default`` when there is none), each line indented."""
    limit = columns() or default
    if limit is None:
        return " " * indent + text
    return textwrap.fill(text, max(limit, indent + MIN_COLUMN), initial_indent=" " * indent,
                         subsequent_indent=" " * indent, break_on_hyphens=False)
