"""Reading a scenario, the first stage of a report: the short cuts change nothing a reader sees.

A plain YAML document is checked and built in one walk (``yaml_nodes.build_plain``)
instead of a walk and then the constructor; a JSON document's field lines are worked
out only when an error asks for one. Both are compared with the long way on every
document the tests hold and on documents written to hit each branch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ipsexpert import json_lines, yaml_nodes
from ipsexpert.documents import parse_document
from ipsexpert.errors import InputError
from tests.conftest import REPO

DOCUMENTS = {
    "int keys": "levels:\n  2: two\n  3: three\n",
    "same int twice, spelt differently": "a:\n  1: one\n  0x1: again\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "merge key": "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "anchor, no alias": "a: &anchor 1\nb: 2\n",
    "explicit tags": "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!binary aGVsbG8=\ne: 2024-01-31\n",
    "bad explicit int": "a: !!int twelve\n",
    "bad bool": "a: !!bool maybe\n",
    "bad date": "a: 2020-13-45\n",
    "huge int value": "a: 99999999999999999999999\n",
    "huge int key": "99999999999999999999999: a\n",
    "huge int after a bad date": "a: 2020-13-45\nb: 99999999999999999999999\n",
    "set": "a: !!set {x, y}\n",
    "omap": "a: !!omap [{x: 1}, {y: 2}]\n",
    "custom tag": "a: !thing 1\n",
    "sequence key": "? [a, b]\n: 1\n",
    "nulls and bools": "a: ~\nb: null\nc: yes\nd: off\ne: ''\nf: [1, -2, +3, 0o17, 1_000]\n",
    "deep": "a:\n" + "".join("  " * depth + f"- k{depth}:\n" for depth in range(1, 40)),
    "nested lists and maps": "a: [[1, 2], {b: [c, {d: e}]}]\nf: {g: h}\n",
    "ints": "a: [0, 00, 017, 0x1F, 0b11, 1_000, +5, -5, 1:30, 123456789012345678, 1234567890123456789]\n"
            "b: !!int '١٢'\nc: !!int '²'\n",
    "bools": "a: [TRUE, Yes, oN, OFF, y, n]\nb: !!bool 'TRUE'\n",
    "scalar keys": "0: zero\n017: octal\ntrue: yes\n~: null\n1.5: float\n2024-01-01: date\n",
}


def _files() -> list[Path]:
    found = sorted((REPO / "tests" / "hostile").glob("*.yaml")) + sorted((REPO / "scenarios").glob("*.yaml"))
    return found + sorted((REPO / "rules").rglob("*.yaml")) + sorted((REPO / "facts").glob("*.yaml"))


def _outcome(raw: bytes, name: str):
    try:
        doc = parse_document(raw, name)
    except InputError as exc:
        return "error", [str(problem) for problem in exc.problems]
    return "data", repr(doc.data), doc.lines


def _both_ways(raw: bytes, name: str, monkeypatch) -> tuple:
    short = _outcome(raw, name)
    with monkeypatch.context() as patched:
        patched.setattr(yaml_nodes, "build_plain", lambda *args: yaml_nodes._NOT_PLAIN)
        long = _outcome(raw, name)
    return short, long


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_one_walk_builds_and_refuses_what_the_walk_and_the_constructor_do(name, monkeypatch):
    short, long = _both_ways(DOCUMENTS[name].encode(), name + ".yaml", monkeypatch)
    assert short == long


def test_every_yaml_file_of_the_project_reads_the_same_both_ways(monkeypatch):
    files = _files()
    assert len(files) > 40
    for path in files:
        short, long = _both_ways(path.read_bytes(), str(path), monkeypatch)
        assert short == long, path


def test_the_walk_builds_plain_documents_itself(monkeypatch):
    """The bundled scenarios take the one-walk path (the constructor never runs)."""
    def refuse(*args, **kwargs):
        raise AssertionError("the constructor ran")

    monkeypatch.setattr(yaml_nodes._BoundedLoader, "construct_document", refuse)
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        parse_document(path.read_bytes(), str(path))


def test_json_lines_are_worked_out_only_when_asked(monkeypatch):
    calls = []
    original = json_lines.json_lines
    monkeypatch.setattr(json_lines, "json_lines", lambda text: calls.append(1) or original(text))
    doc = parse_document(b'{\n  "name": "x",\n  "answers": {\n    "phase": "design"\n  }\n}\n', "s.json",
                         json_format=True)
    assert doc.data == {"name": "x", "answers": {"phase": "design"}} and calls == []
    assert doc.line_of(("answers", "phase")) == 4 and calls == [1]
    assert doc.lines[("name",)] == 2 and calls == [1]


def test_a_json_scenario_with_a_problem_still_names_its_line(tmp_path, expert):
    from ipsexpert.errors import ScenarioError
    path = tmp_path / "project.json"
    path.write_text('{\n  "name": "x",\n  "answers": {\n    "phase": "sometime"\n  }\n}\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        expert.scenario(path)
    assert error.value.problems[0].line == 4
