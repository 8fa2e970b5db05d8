"""Text from input made safe for where it goes: a terminal, a Markdown page, an error line.

A scenario name, a note, a file name or a key in a hostile file can hold escape
sequences that recolour, move or clear a terminal, bidirectional overrides that show
text in another order than it is read, or a carriage return that hides the start of a
line. Every renderer and every message passes such text through here, so it shows as
visible escapes (``\\x1b``) and never acts.
"""

from __future__ import annotations

import html
import re
import unicodedata

_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
"""Controls, format characters (bidi overrides, zero-width), surrogates, unassigned and
private-use code points, and the Unicode line and paragraph separators."""

MESSAGE_VALUE_LIMIT = 200
"""Characters of one value quoted in a message: enough to recognise it, never a flood."""

_MARKDOWN_INLINE = re.compile(r"([\\`*|\[\]])")
"""Characters that open code spans, emphasis, links or images, or split a table cell."""

_MARKDOWN_LINE_START = re.compile(r"^(\s*\d*)(#+|[+*.)-])(?=\s|$)")
"""What makes a line a heading or a list item (a quote needs `>`, which becomes an entity)."""


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: object, keep_newlines: bool = False) -> str:
    """``text`` with every unsafe character shown as an escape; newlines kept if asked."""
    text = str(text)
    if text.isprintable():  # the common case: nothing to look at one by one
        return text
    return "".join(char if (keep_newlines and char == "\n") or
                   (char == " " or unicodedata.category(char) not in _UNSAFE_CATEGORIES)
                   else _escape(char) for char in text)


def shorten(text: str, limit: int = MESSAGE_VALUE_LIMIT) -> str:
    """At most ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def one_line(text: object, limit: int | None = None) -> str:
    """A single-line field from input (a name, a file name, a reason) for a terminal."""
    safe = printable(text)
    return shorten(safe, limit) if limit else safe


def markdown(text: object) -> str:
    """Text from input as inert Markdown: no heading, list, link, image, HTML or table break.

    Line breaks — carriage returns included — become spaces, so a value never starts a
    line of its own; a value placed at the start of a line cannot open a heading, quote
    or list; code, emphasis, link and image brackets and table pipes are escaped; angle
    brackets become entities, since a wiki may pass raw HTML through.
    """
    safe = printable(str(text).replace("\r\n", " ").replace("\r", " ").replace("\n", " "))
    safe = _MARKDOWN_INLINE.sub(r"\\\1", safe)
    safe = _MARKDOWN_LINE_START.sub(r"\1\\\2", safe)
    return safe.replace("<", "&lt;").replace(">", "&gt;")


def html_text(value: object) -> str:
    """Any value as HTML text or attribute content."""
    return html.escape(str(value), quote=True)
