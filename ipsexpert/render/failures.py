"""The files a batch could not evaluate, as a part of the batch's own document.

A report that is mailed, archived or read by a committee travels without the
terminal's error messages: a project missing from it would go unnoticed. So when
some files failed, the document itself says which and why — at its end, after the
reports it does hold. File names and messages come from input (a file name can hold
escape sequences or markup), so each goes through ``safe_text`` on a terminal and in
Markdown, and through ``html_text`` in HTML.

JSON keeps its contract — a top-level array of reports — and, only when files
failed, ends the array with one object ``{"errors": [{"file", "line", "field",
"message"}, ...]}``: a reader that takes the reports by their keys can tell it apart
by its single ``errors`` key.
"""

from __future__ import annotations

import json
from typing import Callable, Sequence

from ..errors import Problem
from ..safe_text import html_text, markdown as safe_markdown, one_line

TITLE = "Not evaluated"


def _count_words(problems: Sequence[Problem]) -> str:
    files = len({problem.file for problem in problems})
    return ("1 file could not be evaluated and is" if files == 1
            else f"{files} files could not be evaluated and are") + " missing from this document:"


def _parts(problem: Problem, show: Callable[[object], str]) -> tuple[str, str]:
    """Where (``file:line: field``, maybe empty) and what, each part from input made safe by ``show``."""
    where = [show(problem.file) + (f":{problem.line}" if problem.line else "")] if problem.file else []
    where += [show(problem.field)] if problem.field else []
    return ": ".join(where), show(problem.message)


def as_table(problems: Sequence[Problem]) -> str:
    """The plain-text section, headed as each report is (``== title``)."""
    lines = [f"== {TITLE}", _count_words(problems), ""]
    lines += ["  " + ": ".join(filter(None, _parts(problem, one_line))) for problem in problems]
    return "\n".join(lines) + "\n"


def as_markdown(problems: Sequence[Problem]) -> str:
    """The Markdown section, a top-level heading as each report's name is."""
    lines = [f"# {TITLE}", "", _count_words(problems), ""]
    for problem in problems:
        where, what = _parts(problem, safe_markdown)
        lines.append(f"- **{where}**: {what}" if where else f"- {what}")
    return "\n".join(lines) + "\n"


def as_html(problems: Sequence[Problem]) -> str:
    """The HTML section, to stand after the last scenario and before the page's footer."""

    def show(text: object) -> str:
        return html_text(one_line(text))  # escapes first, so a bidirectional override cannot reorder the line

    items = []
    for problem in problems:
        where, what = _parts(problem, show)
        items.append(f"<li><code>{where}</code>: {what}</li>\n" if where else f"<li>{what}</li>\n")
    return (f'<section class="not-evaluated" id="not-evaluated">\n<h2>{TITLE}</h2>\n'
            f"<p>{html_text(_count_words(problems))}</p>\n<ul>\n{''.join(items)}</ul>\n</section>\n")


def as_json(problems: Sequence[Problem]) -> str:
    """The object that ends a JSON batch's array, indented as the reports are."""
    errors = [{"file": problem.file, "line": problem.line, "field": problem.field, "message": problem.message}
              for problem in problems]
    return json.dumps({"errors": errors}, indent=2)
