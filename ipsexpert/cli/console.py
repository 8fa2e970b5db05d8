"""The terminal side of a consultation: prompts out, lines in, answers parsed.

Standard input is read line by line whether or not it is a terminal, so a
consultation can be scripted; prompts stay on stdout.
"""

from __future__ import annotations

import io
import re
import sys
import textwrap
from typing import IO, Any

from ..knowledge.catalogue import FactSpec, suggest

UNKNOWN_WORDS = ("unknown", "?")
WIDTH = 78


class Console:
    """Prompts on stdout, answers line by line from stdin.

    When stdin is not a terminal nothing echoes the answers, so they are written after
    the prompt: a scripted consultation's output reads like the session it was.
    """

    def __init__(self, stdin: IO[str], stdout: IO[str]) -> None:
        self.stdin, self.stdout = stdin, stdout
        self.echo = not _isatty(stdin)

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def read(self, prompt: str) -> str:
        """One line of input; EOFError at the end of input."""
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            if self.echo:
                self.say()
            raise EOFError
        line = line.rstrip("\r\n")
        if self.echo:  # printable only: a script must not send control sequences to a terminal
            self.say("".join(char if char.isprintable() else "?" for char in line))
        return line


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def parse_answer(spec: FactSpec, text: str) -> Any:
    """A typed answer as stored (None for unknown); ValueError says what would be accepted."""
    word = text.strip().lower()
    if word in UNKNOWN_WORDS:
        return None
    if spec.type == "bool":
        if word in ("y", "yes", "true"):
            return True
        if word in ("n", "no", "false"):
            return False
        raise ValueError("answer yes or no")
    if spec.type == "enum":
        if re.fullmatch(r"[0-9]{1,3}", word) and 1 <= int(word) <= len(spec.values):
            return spec.values[int(word) - 1]
        value = re.sub(r"[\s-]+", "_", word)
        if value in spec.values:
            return value
        raise ValueError(f"answer a number from 1 to {len(spec.values)} or one of "
                         f"{', '.join(spec.values)}{suggest(value, list(spec.values))}")
    number = re.sub(r"(?<=\d)[,_ ](?=\d{3}(\D|$))", "", word)
    if not re.fullmatch(r"-?[0-9]{1,18}", number):
        raise ValueError(f"answer {accepts(spec)}")
    try:
        return spec.check(int(number))
    except ValueError as exc:
        raise ValueError(f"{exc}: answer {accepts(spec)}") from None


def accepts(spec: FactSpec) -> str:
    if spec.type == "bool":
        return "yes or no"
    if spec.type == "enum":
        return f"1-{len(spec.values)} or a value"
    return "a whole number" + (f", at least {spec.minimum}" if spec.minimum is not None else "")


def wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def either(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def text_streams() -> tuple[IO[str], IO[str]]:
    """stdin that never fails on bad bytes: nothing a user types may crash the session."""
    stdin = sys.stdin if sys.stdin is not None else io.StringIO()
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="replace")
    return stdin, sys.stdout
