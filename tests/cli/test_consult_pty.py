"""`ipsexpert consult` in a real pseudo-terminal, as a person at a keyboard uses it
(the ``terminal`` fixture: see ``tests/terminal.py``)."""

from __future__ import annotations

import os
import re
import signal

import pytest
import yaml

from ipsexpert.analysis.questions import simulate
from tests.conftest import SCENARIOS
from tests.terminal import Terminal

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and a pseudo-terminal")]

PROFILE = SCENARIOS / "illustrative-regional-consortium-design.yaml"
NAME_PROMPT = re.compile(r"Project name: $")
DATE_PROMPT = re.compile(r"Date the answers describe \(e\.g\. 2024 or 2024-03\): $")


def about(session: Terminal, name: str | None = "", as_of: str = "") -> None:
    """Answer what a consultation at a terminal asks before its questions when the file lacks
    it: the project's name (None: not asked, as on a resume) and the date."""
    if name is not None:
        session.read_until(NAME_PROMPT)
        session.answer(name)
    session.read_until(DATE_PROMPT)
    session.answer(as_of)


def word(value) -> str:
    return "unknown" if value is None else "yes" if value is True else "no" if value is False else str(value)


@pytest.fixture(scope="module")
def profile():
    return yaml.safe_load(PROFILE.read_text(encoding="utf-8"))["answers"]


def answer_some(session: Terminal, profile: dict, count: int) -> list[str]:
    """Answer ``count`` questions from ``profile``, then wait at the next one; the questions answered."""
    given = []
    for _ in range(count):
        fact_id = session.question()
        given.append(fact_id)
        session.answer(word(profile.get(fact_id)))
    assert session.question() is not None
    return given


def left_behind(folder) -> list[str]:
    """Everything in ``folder`` but the scenario: a lock, a temporary file, a backup."""
    return sorted(path.name for path in folder.iterdir() if path.name != "project.yaml")


def answer_all(session: Terminal, profile: dict) -> list[str]:
    """Answer every question from ``profile`` until the session ends; the questions asked."""
    asked = []
    while (fact_id := session.question()) is not None:
        asked.append(fact_id)
        session.answer(word(profile.get(fact_id)))
    return asked


def test_a_full_session_from_a_profile(terminal, tmp_path, kb, expert, profile):
    session = terminal("consult", "--save", "project.yaml", "--respondent", "Regional consortium, PMO")
    about(session, "Regional permits", "2024-03")
    asked = answer_all(session, profile)
    assert session.wait() == 0
    expected_answers, expected_order = simulate(kb, profile)
    assert asked == expected_order and len(asked) == len(set(asked))
    assert "No further answer can change the advice" in session.transcript
    assert "Outcomes:" in session.transcript and "project.yaml" in session.transcript
    saved = yaml.safe_load((tmp_path / "project.yaml").read_text(encoding="utf-8"))
    assert saved["answers"] == {f: "unknown" if v is None else v for f, v in expected_answers.items()}
    assert (saved["name"], saved["as_of"], saved["respondent"]) == ("Regional permits", "2024-03",
                                                                     "Regional consortium, PMO")
    assert "== Regional permits" in session.transcript and "as of 2024-03" in session.transcript
    report, full = expert.evaluate(tmp_path / "project.yaml"), expert.evaluate(profile)
    assert report.outcomes == full.outcomes
    assert [(a.id, a.severity, a.rank) for a in report.advice] == [(a.id, a.severity, a.rank) for a in full.advice]


def shown_again(session: Terminal, fact_id: str) -> bool:
    """Whether the question's line and what it accepts are the last thing above the prompt."""
    lines = session.transcript.rstrip("> ").splitlines()
    return lines[-2].startswith(f"[{fact_id}] ") and lines[-1].startswith("  Answer: ")


def test_why_help_an_invalid_answer_and_back(terminal, tmp_path, kb):
    session = terminal("consult")
    about(session)
    first = session.question()
    assert first is not None and f"[{first}]" in session.transcript
    session.answer("why")
    assert session.question() == first and shown_again(session, first)
    assert re.search(r"R\d\d ", session.transcript.split("> why", 1)[1])
    session.answer("help")
    assert session.question() == first and shown_again(session, first)
    assert " ".join(kb.facts[first].help.split()[:4]) in " ".join(session.transcript.split())
    session.answer("certainly not a number")
    assert session.question() == first and shown_again(session, first)  # at a terminal: asked again
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
    about(session)
    given = answer_some(session, profile, 3)
    session.send("\x03")
    assert session.wait() == 130
    assert "ipsexpert consult --resume project.yaml" in session.transcript
    saved = yaml.safe_load((tmp_path / "project.yaml").read_text(encoding="utf-8"))
    assert list(saved["answers"]) == given
    assert left_behind(tmp_path) == []

    resumed = terminal("consult", "--resume", "project.yaml")
    about(resumed, name=None)  # the name is the file's; the date was skipped, so it is asked again
    asked = answer_all(resumed, profile)
    assert resumed.wait() == 0
    assert not set(asked) & set(given)
    assert given + asked == simulate(kb, profile)[1]
    assert "No further answer can change the advice" in resumed.transcript


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["TERM", "HUP"])
def test_sigterm_and_sighup_keep_the_answers_like_ctrl_c(terminal, tmp_path, profile, signum, code):
    session = terminal("consult", "--save", "project.yaml")
    about(session, as_of="2024")
    given = answer_some(session, profile, 2)
    os.kill(session.pid, signum)
    assert session.wait() == code
    assert f"Stopped by {signal.Signals(signum).name}" in session.transcript
    assert "ipsexpert consult --resume project.yaml" in session.transcript
    saved = yaml.safe_load((tmp_path / "project.yaml").read_text(encoding="utf-8"))
    assert list(saved["answers"]) == given
    assert left_behind(tmp_path) == []  # the lock released and removed, no temporary file

    resumed = terminal("consult", "--resume", "project.yaml")  # the file is free again
    assert resumed.question() not in (None, *given)
    resumed.answer("quit")
    assert resumed.wait() == 0


def test_end_of_input_at_a_terminal_is_said_on_a_line_of_its_own(terminal, tmp_path):
    session = terminal("consult", "--save", "project.yaml")
    about(session)
    assert session.question() is not None
    session.send("\x04")  # Ctrl-D at the prompt: the terminal echoes nothing
    assert session.wait() == 0
    assert re.search(r"(?m)^> \r?\nEnd of input\. Nothing saved", session.transcript), session.transcript[-300:]
