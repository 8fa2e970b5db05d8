"""Shared fixtures and the seeded hypothesis profile that keeps the suite deterministic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ipsexpert", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ipsexpert")



def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every hypothesis property test is slow, wherever it lives: the quick loop skips them all."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="session")
def expert():
    """One compiled shipped knowledge base for the whole session."""
    from ipsexpert.report.expert import Expert
    return Expert()


@pytest.fixture(scope="session")
def kb(expert):
    return expert.kb


def run_cli(*args: str, input: str | None = None, cwd: Path | None = None,
            env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real command in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "ipsexpert", *args], input=input, capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=timeout)


@pytest.fixture
def terminal(tmp_path):
    """Start ``ipsexpert ARGS`` on a pseudo-terminal in tmp_path; every child is reaped."""
    from tests.terminal import Terminal
    started: list[Terminal] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Terminal:
        session = Terminal(*args, cwd=tmp_path, env=env)
        started.append(session)
        return session

    yield start
    for session in started:
        session.close()
