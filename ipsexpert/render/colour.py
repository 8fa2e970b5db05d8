"""Colour for terminal tables: severities and outcomes stand out, and nothing else changes.

Colour is a reading aid on a terminal and noise everywhere else, so it is off unless
the command line turns it on (``--color``, ``NO_COLOR``, a terminal: see ``wanted``).
The codes come only from ``STYLES`` and wrap text that a renderer has already made
safe (``safe_text``): input never chooses a colour, and an escape sequence in input
still shows as ``\\x1b``. A line that holds colour is a ``Shown`` line, which
``text.for_terminal`` passes through instead of escaping the codes it holds.
"""

from __future__ import annotations

from typing import Mapping

STYLES = {
    "critical": "1;31", "high": "31", "medium": "33", "low": "36",
    "advised": "31", "satisfied": "32", "undetermined": "33", "not_applicable": "2",
    "better": "32", "worse": "31", "dim": "2",
}
"""Style name -> SGR parameters: red for what needs doing, green for what is done or
removed, yellow for what is open, dim for what does not apply."""

COLOR_CHOICES = ("auto", "always", "never")

_state = {"enabled": False}


class Shown(str):
    """A line (or block) already safe for a terminal, maybe coloured: shown as it is."""


def use(enabled: bool) -> None:
    """Turn colour on or off for the renderings that follow (in this process)."""
    _state["enabled"] = enabled


def enabled() -> bool:
    return _state["enabled"]


def paint(style: str, text: str) -> str:
    """``text`` (already safe) in ``style`` when colour is on; as it is otherwise."""
    code = STYLES.get(style)
    if not _state["enabled"] or code is None or not text:
        return text
    return f"\x1b[{code}m{text}\x1b[0m"


def wanted(choice: str, to_terminal: bool, environ: Mapping[str, str]) -> bool:
    """Whether to colour: ``always`` and ``never`` decide; ``auto`` colours a terminal only,
    unless ``NO_COLOR`` is set (https://no-color.org) or the terminal is ``dumb``."""
    if choice != "auto":
        return choice == "always"
    return to_terminal and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"
