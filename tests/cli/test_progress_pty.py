"""The batch progress bar: on stderr when stderr is a terminal, and nowhere else."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, SCENARIOS

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and a pseudo-terminal")]

BAR_LABEL = "Evaluating"


def _evaluate_piped(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ipsexpert", "evaluate", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)


def test_a_batch_written_to_a_file_shows_a_bar_on_the_terminal(terminal, tmp_path):
    out = tmp_path / "report.txt"
    session = terminal("evaluate", str(SCENARIOS), "--output", str(out))
    assert session.wait() == 0
    assert BAR_LABEL in session.transcript
    assert "100%" in session.transcript
    assert out.read_text(encoding="utf-8") == _evaluate_piped(str(SCENARIOS), cwd=tmp_path).stdout


def test_json_on_a_terminal_stdout_gets_no_bar(terminal):
    """JSON on stdout is data even on a terminal: a bar would interleave with it."""
    session = terminal("evaluate", str(SCENARIOS), "--format", "json")
    assert session.wait() == 0
    assert BAR_LABEL not in session.transcript
    assert session.transcript.lstrip().startswith("[")


def test_one_file_gets_no_bar(terminal):
    session = terminal("evaluate", str(next(SCENARIOS.glob("*.yaml"))))
    assert session.wait() == 0
    assert BAR_LABEL not in session.transcript


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path):
    result = _evaluate_piped(str(SCENARIOS), "-o", str(tmp_path / "out.txt"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"wrote {tmp_path / 'out.txt'}: table, {len(list(SCENARIOS.glob('*.yaml')))} scenarios\n"


def test_a_terminal_that_cannot_show_a_character_gets_a_question_mark_not_a_traceback(terminal):
    session = terminal("evaluate", str(SCENARIOS / "digisos-norway.yaml"),
                       env={"PYTHONIOENCODING": "ascii"})
    assert session.wait() == 0
    assert "Traceback" not in session.transcript
    assert "== Digisos (Norway) ? scenarios" in session.transcript.replace(str(SCENARIOS) + "/", "scenarios/")
