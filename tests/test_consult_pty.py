"""`ipsexpert consult` in a real pseudo-terminal, as a person at a keyboard uses it.

Only the standard library: the child gets a pty as its controlling terminal (so Ctrl-C
is a real SIGINT from the line discipline), and the helper reads until a prompt or the
end of output with ``select`` and a deadline, never sleeping.
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
import yaml

from ipsexpert.questions import simulate
from tests.conftest import REPO, SCENARIOS

pty = pytest.importorskip("pty")
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and a pseudo-terminal")

PROMPT = re.compile(r"(?m)^> ")
QUESTION = re.compile(r"(?m)^\[(\w+)\] ")
PROFILE = SCENARIOS / "illustrative-regional-consortium-design.yaml"


class Terminal:
    """A child `ipsexpert` on a pseudo-terminal, with a transcript of everything it printed."""

    def __init__(self, *args: str, cwd: Path, timeout: float = 60) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", "TERM": "dumb"}
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


@pytest.fixture
def terminal(tmp_path):
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        session = Terminal(*args, cwd=tmp_path)
        started.append(session)
        return session

    yield start
    for session in started:
        session.close()


def word(value) -> str:
    return "unknown" if value is None else "yes" if value is True else "no" if value is False else str(value)


@pytest.fixture(scope="module")
def profile():
    return yaml.safe_load(PROFILE.read_text(encoding="utf-8"))["answers"]


def answer_all(session: Terminal, profile: dict) -> list[str]:
    """Answer every question from ``profile`` until the session ends; the questions asked."""
    asked = []
    while (fact_id := session.question()) is not None:
        asked.append(fact_id)
        session.answer(word(profile.get(fact_id)))
    return asked


def test_a_full_session_from_a_profile(terminal, tmp_path, kb, expert, profile):
    session = terminal("consult", "--save", "project.yaml")
    asked = answer_all(session, profile)
    assert session.wait() == 0
    expected_answers, expected_order = simulate(kb, profile)
    assert asked == expected_order and len(asked) == len(set(asked))
    assert "No further answer can change the advice" in session.transcript
    assert "Outcomes:" in session.transcript and "project.yaml" in session.transcript
    saved = yaml.safe_load((tmp_path / "project.yaml").read_text(encoding="utf-8"))
    assert saved["answers"] == {f: "unknown" if v is None else v for f, v in expected_answers.items()}
    report, full = expert.evaluate(tmp_path / "project.yaml"), expert.evaluate(profile)
    assert report.outcomes == full.outcomes
    assert [(a.id, a.severity, a.rank) for a in report.advice] == [(a.id, a.severity, a.rank) for a in full.advice]


def test_why_help_an_invalid_answer_and_back(terminal, tmp_path, kb):
    session = terminal("consult")
    first = session.question()
    assert first is not None and f"[{first}]" in session.transcript
    session.answer("why")
    assert session.question() == first
    assert re.search(r"R\d\d ", session.transcript.split("> why", 1)[1])
    session.answer("help")
    assert session.question() == first
    assert " ".join(kb.facts[first].help.split()[:4]) in " ".join(session.transcript.split())
    session.answer("certainly not a number")
    assert session.question() == first
    assert "is not an answer to this question" in session.transcript
    session.answer("unknown")
    second = session.question()
    assert second not in (None, first)
    session.answer("back")
    assert session.question() == first
    assert f"Going back to [{first}]" in session.transcript
    session.answer("quit")
    assert session.question() is None
    assert session.wait() == 0
    assert yaml.safe_load((tmp_path / "ipsexpert-consultation.yaml").read_text())["answers"] == {}


def test_ctrl_c_keeps_the_answers_and_resume_finishes(terminal, tmp_path, kb, profile):
    session = terminal("consult", "--save", "project.yaml")
    given = []
    for _ in range(3):
        fact_id = session.question()
        given.append(fact_id)
        session.answer(word(profile.get(fact_id)))
    assert session.question() is not None
    session.send("\x03")
    assert session.wait() == 130
    assert "ipsexpert consult --resume project.yaml" in session.transcript
    saved = yaml.safe_load((tmp_path / "project.yaml").read_text(encoding="utf-8"))
    assert list(saved["answers"]) == given

    resumed = terminal("consult", "--resume", "project.yaml")
    asked = answer_all(resumed, profile)
    assert resumed.wait() == 0
    assert not set(asked) & set(given)
    assert given + asked == simulate(kb, profile)[1]
    assert "No further answer can change the advice" in resumed.transcript
