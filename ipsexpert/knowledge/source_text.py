"""A scenario file's own text, for messages that quote it and name its mistakes.

The parsed data has lost how the user spelled things: YAML reads ``yes`` as true, and
a message saying "True is not a whole number" quotes something nobody wrote. Nor does
the YAML parser say that a tab is the trouble when indentation holds one. Both need
the text, which is only decoded and split when a message asks (a valid file never pays).
"""

from __future__ import annotations

import re
from functools import cached_property

from ..errors import InputError

_TAB_INDENT = re.compile(r"[ ]*\t")
_PLAIN_VALUE = r"""([^\s#,{}\[\]"'][^#,{}\[\]]*?)\s*(?:[,}\]]|\s#|$)"""
"""A value that is not quoted text, up to a comment or the end of a JSON or flow item."""


class SourceText:
    """The text of a document, looked at line by line on demand."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    @cached_property
    def lines(self) -> list[str]:
        return self.raw.decode("utf-8-sig", errors="replace").splitlines()

    def value_at(self, line: int | None, key: str) -> str | None:
        """The value written after ``key:`` on ``line`` (YAML or JSON), or None when it is not there."""
        if line is None or not 0 < line <= len(self.lines):
            return None
        key_part = rf"""(?:^|[\s{{,])["']?{re.escape(key)}["']?\s*:\s*"""
        match = re.search(key_part + _PLAIN_VALUE, self.lines[line - 1])
        return match.group(1) if match else None


def explain_tabs(error: InputError, raw: bytes) -> InputError:
    """A YAML syntax error in a document indented with a tab, said as that (YAML indents
    with spaces only); any other error as it is."""
    first = error.problems[0] if error.problems else None
    if first is None or not first.message.startswith("is not valid YAML") or b"\t" not in raw:
        return error
    lines = SourceText(raw).lines
    tabbed = [number for number, text in enumerate(lines, start=1) if _TAB_INDENT.match(text)]
    if not tabbed:
        return error
    before = [number for number in tabbed if first.line is None or number <= first.line]
    line = before[-1] if before else tabbed[0]
    return InputError(f"is not valid YAML: line {line} is indented with a tab; indent with spaces only",
                      file=first.file, line=line)
