"""A child ``ipsexpert`` on a real pseudo-terminal, as a person at a keyboard runs it.

Only the standard library: the child gets a pty as its controlling terminal (so Ctrl-C
is a real SIGINT from the line discipline, and stdout and stderr are terminals), and
the reader waits for a prompt or the end of output with ``select`` and a deadline,
never sleeping.
"""

from __future__ import annotations

import codecs
import os
import re
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pty = pytest.importorskip("pty")

PROMPT = re.compile(r"(?m)^> ")  # a consultation waiting for an answer
QUESTION = re.compile(r"(?m)^\[(\w+)\] ")  # a consultation's question line: [fact_id] text


class Terminal:
    """A child `ipsexpert` on a pseudo-terminal, with a transcript of everything it printed."""

    def __init__(self, *args: str, cwd: Path, timeout: float = 60, env: dict[str, str] | None = None) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", "TERM": "dumb", **(env or {})}
        pid, fd = pty.fork()
        if pid == 0:  # the child: become ipsexpert, or exit without running pytest's cleanup
            try:
                os.chdir(cwd)
                os.execve(sys.executable, [sys.executable, "-m", "ipsexpert", *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd, self.timeout = pid, fd, timeout
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending = ""
        self.transcript = ""
        self.status: int | None = None

    def read_until(self, pattern: re.Pattern) -> str | None:
        """Output up to and including ``pattern``; None when the output ends first."""
        deadline = time.monotonic() + self.timeout
        while not (match := pattern.search(self.pending)):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise TimeoutError(f"no {pattern.pattern!r} within {self.timeout}s; got:\n{self.pending}")
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                data = b""
            if not data:
                self.transcript += self.pending
                return None
            self.pending += self.decoder.decode(data)
        seen, self.pending = self.pending[:match.end()], self.pending[match.end():]
        self.transcript += seen
        return seen

    def question(self) -> str | None:
        """The fact id of the question now waiting for an answer; None when the session ended."""
        seen = self.read_until(PROMPT)
        if seen is None:
            return None
        asked = QUESTION.findall(seen)
        return asked[-1] if asked else self.last_question

    @property
    def last_question(self) -> str | None:
        asked = QUESTION.findall(self.transcript)
        return asked[-1] if asked else None

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def answer(self, text: str) -> None:
        self.send(text + "\n")

    def wait(self) -> int:
        """Read to the end of output, then the exit code."""
        while self.read_until(re.compile(r"(?!)")) is not None:
            pass
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def close(self) -> None:
        """Never leave a child behind when a test fails half-way."""
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                os.close(self.fd)
            except OSError:
                pass
