"""The terminal side of a consultation: prompts out, lines in, answers parsed, signals.

Standard input is read line by line whether or not it is a terminal, so a
consultation can be scripted; prompts stay on stdout. Whatever the user typed is
shown back with control characters escaped (``safe_text``). SIGTERM and SIGHUP (a
closed terminal, a logout, a ``kill``) stop a consultation the way Ctrl-C does, so it
keeps its answers and lets go of its file.
"""

from __future__ import annotations

import io
import re
import shlex
import signal
import sys
import textwrap
import threading
from contextlib import contextmanager
from typing import IO, Any, Iterator

from ..knowledge.catalogue import FactSpec, suggest
from ..safe_text import one_line, printable

UNKNOWN_WORDS = ("unknown", "?")
WIDTH = 78


class Console:
    """Prompts on stdout, answers line by line from stdin.

    When stdin is not a terminal (``interactive`` is false) nothing echoes the answers,
    so they are written after the prompt: a scripted consultation's output reads like
    the session it was. ``line`` counts the lines read, to say where a script went wrong.
    """

    def __init__(self, stdin: IO[str], stdout: IO[str]) -> None:
        self.stdin, self.stdout = stdin, stdout
        self.interactive = _isatty(stdin)
        self.line = 0

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def read(self, prompt: str) -> str:
        """One line of input; EOFError at the end of input."""
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:  # the cursor is after the prompt (Ctrl-D echoes nothing): what follows needs a line
            self.say()
            raise EOFError
        self.line += 1
        line = line.rstrip("\r\n")
        if not self.interactive:  # escaped: a script must not send control sequences to a terminal
            self.say(printable(line))
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


def shown(path: object) -> str:
    """A file name for the terminal, quoted for the shell and with control characters escaped."""
    return one_line(shlex.quote(str(path)))


def quoted(text: str, limit: int = 40) -> str:
    """Something the user typed, quoted in a message: short, and never acting on the terminal."""
    return f"'{one_line(text, limit)}'"


def wrap(text: str, indent: str = "  ", hanging: str | None = None) -> str:
    """``text`` on lines of at most WIDTH, indented; ``hanging`` indents the lines after the first."""
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent,
                         subsequent_indent=indent if hanging is None else hanging)


def either(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def text_streams() -> tuple[IO[str], IO[str]]:
    """stdin that never fails on bad bytes: nothing a user types may crash the session."""
    stdin = sys.stdin if sys.stdin is not None else io.StringIO()
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="replace")
    return stdin, sys.stdout


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Ctrl-C raises KeyboardInterrupt, so that one path
    saves the answers, says how to resume and releases the file for all three."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, frame: object) -> None:
    raise Stopped(signum)


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Stopped while the block runs (only the main thread can
    handle signals; elsewhere they keep their usual effect)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_stopped) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """128 + the signal's number, as a shell reports a process a signal ended: 130 for
    Ctrl-C, 143 for SIGTERM, 129 for SIGHUP; a caller can tell which one stopped it."""
    return 128 + getattr(interrupt, "signum", signal.SIGINT)


def stop_words(interrupt: KeyboardInterrupt) -> str:
    """How the consultation ended, for the line that says what was kept."""
    signum = getattr(interrupt, "signum", None)
    return f"Stopped by {signal.Signals(signum).name}." if signum else "Interrupted."
