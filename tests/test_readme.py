"""Every console example in the README is what the command prints today.

Each ```console block is run as a reader would run it, from a folder holding the
bundled scenarios and the files the README's stories assume but do not make in that
block (a broken file, last year's and this year's consortium, two respondents and
their merge, a new template), its ``$ ipsexpert ...`` commands one after another
through a shell. The output shown must match the real output, lines compared with
runs of whitespace (column widths) and of table rules (``----``) made equal, a line
``...`` standing for any number of omitted lines and a line ending in `` ...`` for the
rest of a long one. An interactive command (``consult``) is not run.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SCENARIOS

README = REPO / "README.md"
FENCE = re.compile(r"^(?P<indent>[ ]*)```console\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)
INTERACTIVE = ("ipsexpert consult",)
REGIONAL = SCENARIOS / "illustrative-regional-consortium-design.yaml"
NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"


def console_blocks() -> list[tuple[int, str]]:
    """(line in the README, the block's text dedented) for every console block."""
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start()) + 1, textwrap.dedent(match.group("body")))
            for match in FENCE.finditer(text)]


def commands(block: str) -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of a block with the output lines shown under it."""
    found: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        elif found:
            found[-1][1].append(line)
    return found


def normal(line: str) -> str:
    """A line as compared: table rules and whitespace runs of any width made equal."""
    return " ".join(re.sub(r"-{2,}", "--", line).split())


def matches(shown: list[str], real: list[str]) -> bool:
    """Whether the real lines are the shown ones, a line ``...`` standing for any number of
    lines and a line ending in `` ...`` for a longer one."""
    shown = [normal(line) for line in shown]
    real = [normal(line) for line in real]

    @lru_cache(maxsize=None)
    def match(i: int, j: int) -> bool:
        if i == len(shown):
            return j == len(real)
        if shown[i] == "...":
            return match(i + 1, j) or (j < len(real) and match(i, j + 1))
        return j < len(real) and same(shown[i], real[j]) and match(i + 1, j + 1)

    return match(0, 0)


def same(shown: str, real: str) -> bool:
    """A shown line is the real one, or its beginning when it ends in `...` (the rest omitted)."""
    if shown.endswith(" ...") or shown.endswith("…..."):
        return real.startswith(shown[:-3].rstrip())
    return shown == real


def _scenario(source: Path, **changes) -> str:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    answers = dict(data["answers"])
    for fact, value in changes.pop("answers", {}).items():
        if value is None:
            answers.pop(fact, None)
        else:
            answers[fact] = value
    return yaml.safe_dump({**data, **changes, "answers": answers}, sort_keys=False, allow_unicode=True)


def fixtures(kb) -> dict[str, str]:
    """The files the README's stories assume, made from the bundled scenarios: a broken file,
    last year's and this year's consortium, two respondents and their merge, a new template."""
    from ipsexpert.analysis.merge import merge
    from ipsexpert.knowledge.scenario import scenario_from_data
    from ipsexpert.render.scenario_file import scenario_yaml
    from ipsexpert.render.template import scenario_template
    ministry = _scenario(NATIONAL, respondent="Ministry", answers={"dpia_done": False})
    agency = _scenario(NATIONAL, respondent="Agency", answers={"dpia_done": True})
    respondents = [scenario_from_data(yaml.safe_load(text), kb) for text in (ministry, agency)]
    return {
        "bad.yaml": "answers:\n  phase: build\n",
        "consortium-2024.yaml": REGIONAL.read_text(encoding="utf-8"),
        "consortium-2025.yaml": _scenario(REGIONAL, as_of="2025",
                                          answers={"political_sponsor": None, "lead_organisation": True}),
        "ministry.yaml": ministry,
        "agency.yaml": agency,
        "project.yaml": scenario_yaml(merge(respondents), kb),
        "my-project.yaml": scenario_template(kb, "my-project", date.today()),
    }


def written(block: str) -> set[str]:
    """The files a block's own commands write (``init FILE``, ``--output FILE``): not made for it."""
    return set(re.findall(r"(?:\binit|--output)\s+(\S+)", block))


@pytest.fixture
def folder(tmp_path: Path, kb, block: str) -> Path:
    """A reader's folder: the bundled scenarios, the story files the block reads, and
    `ipsexpert` on the PATH."""
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    for name, text in fixtures(kb).items():
        if name not in written(block):
            (tmp_path / name).write_text(text, encoding="utf-8")
    command = tmp_path / "bin" / "ipsexpert"
    command.parent.mkdir()
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ipsexpert "$@"\n')
    command.chmod(command.stat().st_mode | stat.S_IEXEC)
    return tmp_path


def run(command: str, cwd: Path) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "NO_COLOR", "IPSEXPERT")}
    env.update(PATH=f"{cwd / 'bin'}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(REPO),
               PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    result = subprocess.run(["bash", "-c", f"( {command} ) 2>&1"], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300)
    lines = result.stdout.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


BLOCKS = console_blocks()


def test_the_readme_has_console_examples_to_check():
    assert len(BLOCKS) >= 8
    assert all(commands(block) for _, block in BLOCKS)


@pytest.mark.parametrize("line, block", BLOCKS, ids=[f"README.md:{line}" for line, _ in BLOCKS])
def test_each_console_example_prints_what_the_readme_shows(folder, line, block):
    ran = 0
    for command, shown in commands(block):
        if command.startswith(INTERACTIVE):
            continue
        real = run(command, folder)
        ran += 1
        assert matches(shown, real), (f"README.md:{line}: $ {command}\n--- shown:\n" + "\n".join(shown)
                                      + "\n--- real:\n" + "\n".join(real))
    if not ran:
        pytest.skip("an interactive example")


@pytest.mark.parametrize("shown, real, expected", [
    (["a", "...", "d"], ["a", "b", "c", "d"], True),
    (["a", "..."], ["a"], True),
    (["a  b", "----  --"], ["a      b", "------  ---"], True),
    (["a", "c"], ["a", "b", "c"], False),
    (["a"], ["a", "b"], False),
    (["long text ..."], ["long text goes on"], True),
    (["long text ..."], ["other text"], False),
])
def test_the_comparison_allows_omitted_lines_and_other_widths_only(shown, real, expected):
    assert matches(shown, real) is expected
