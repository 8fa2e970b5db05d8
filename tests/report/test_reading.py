"""Reading a scenario, the first stage of a report: the short cuts change nothing a reader sees.

A document of block mappings of plain words and numbers is read line by line
(``simple_yaml``); any other plain YAML document is checked and built in one walk
(``yaml_nodes.build_plain``) instead of a walk and then the constructor; a JSON
document's field lines are worked out only when an error asks for one. All are compared
with the long way on every document the tests hold, on documents written to hit each
branch and on generated ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ipsexpert import json_lines, yaml_nodes
from ipsexpert.documents import DEFAULT_LIMITS, Limits, parse_document
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
    "simple": "name: profile 00001\nanswers:\n  phase: design\n  organisations_involved: 3\n  x: yes\n  y: ~\n",
    "simple, three levels": "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
    "simple, comments and blanks": "# head\n\nname: x\n  # indented comment\nanswers:\n\n    a: 1\n# tail",
    "simple, no final newline": "a: 1\nb: two words",
    "simple, same key in two mappings": "a:\n  b: 1\nc:\n  b: 2\n",
    "empty value at the end": "a: 1\nb:\n",
    "empty value before a sibling": "a:\nb: 1\n",
    "uneven indentation": "a:\n    b: 1\n  c: 2\n",
    "indented root": "  a: 1\n  b: 2\n",
    "yaml words as keys": "yes: 1\nnull: 2\nOn: 3\n",
    "values of other types": "a: 010\nb: 0x1F\nc: -3\nd: .inf\ne: 1.5\nf: 2020-01-01\ng: a - b\nh: 1e3\n"
                             "i: 123456789012345678\nj: 1234567890123456789\nk: +1\nl: 1_0\n",
    "duplicate in a nested mapping": "a:\n  b: 1\n  b: 2\n",
    "windows line ends": "a: 1\r\nb:\r\n  c: 2\r\n",
    "tab indentation": "a:\n\tb: 1\n",
    "dash values": "a: - x\n",
    "a lone dash": "a: -\n",
    "trailing spaces": "a: 1  \nb: x \n",
    "document markers": "---\na: 1\n...\n",
    "continued plain scalar": "a: one\n  two\nb: 3\n",
    "comment ended by a carriage return": "a: 1\n# c\rb: 2\n",
    "comment ended by NEL": "a: 1\n# c\x85b: 2\n",
    "comment ended by a line separator": "# c\u2028# d\na: 1\nb: 2\n",
    "comment ended by a paragraph separator": "a:\n  # x\u2029  # y\n  b: 1\n",
    "control character in a comment": "a: 1\n# \x01\n",
    "escape in a comment": "a: 1\n# \x1b[31m\n",
    "non-character in a comment": "a: 1\n# \uffff\n",
    "tab in a comment": "a: 1\n#\tc\n",
    "text in a comment": "a: 1\n# Vorgänger — 前\nb: 2\n",
    "key of 1,024 characters": "k" * 1024 + ": 1\n",
    "key of 1,025 characters": "k" * 1025 + ": 1\n",
    "nested key of 1,025 characters": "a:\n  " + "k" * 1025 + ": 1\n",
    "ten levels": "".join("  " * depth + f"k{depth}:\n" for depth in range(10)) + "  " * 10 + "v: 1\n",
}


def _files() -> list[Path]:
    found = sorted((REPO / "tests" / "hostile").glob("*.yaml")) + sorted((REPO / "scenarios").glob("*.yaml"))
    return found + sorted((REPO / "rules").rglob("*.yaml")) + sorted((REPO / "facts").glob("*.yaml"))


def _outcome(raw: bytes, name: str, limits: Limits = DEFAULT_LIMITS):
    try:
        doc = parse_document(raw, name, limits=limits)
    except InputError as exc:
        return "error", [str(problem) for problem in exc.problems]
    return "data", repr(doc.data), doc.lines


def _both_ways(raw: bytes, name: str, monkeypatch, limits: Limits = DEFAULT_LIMITS) -> tuple:
    short = _outcome(raw, name, limits)
    with monkeypatch.context() as patched:
        patched.setattr(yaml_nodes, "read_simple", lambda *args: None)
        patched.setattr(yaml_nodes, "build_plain", lambda *args: yaml_nodes._NOT_PLAIN)
        long = _outcome(raw, name, limits)
    return short, long


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_one_walk_builds_and_refuses_what_the_walk_and_the_constructor_do(name, monkeypatch):
    short, long = _both_ways(DOCUMENTS[name].encode(), name + ".yaml", monkeypatch)
    assert short == long


@pytest.mark.parametrize("text", ["a: 123456789012345678\n", "answers:\n  x: 101\n", "101: a\n"])
def test_a_lowered_integer_limit_holds_on_every_way(text, monkeypatch):
    short, long = _both_ways(text.encode(), "limited.yaml", monkeypatch, Limits(max_integer=100))
    assert short == long and short[0] == "error"


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_a_lowered_depth_limit_holds_on_every_way(depth, monkeypatch):
    short, long = _both_ways(b"a: 1\nb:\n  c: 2\n", "limited.yaml", monkeypatch, Limits(max_depth=depth))
    assert short == long and short[0] == ("data" if depth == 2 else "error")


def test_every_yaml_file_of_the_project_reads_the_same_both_ways(monkeypatch):
    files = _files()
    assert len(files) > 40
    for path in files:
        short, long = _both_ways(path.read_bytes(), str(path), monkeypatch)
        assert short == long, path


_KEYS = st.sampled_from(["a", "b", "name", "answers", "x_1", "_", "A9"] * 6 + ["yes", "null", "On", "y"])
_SCALARS = st.sampled_from(  # the simple form, more often than the rest
    ["design", "3", "0", "yes", "No", "true", "FALSE", "~", "null", "two  words", "a - b", "1e3", "123456789012345678",
     "x.y", "1+1"] * 16
    + ["00", "010", "-3", "+3", "1.5", ".inf", "1_000", "0x1F", "2020-01-01", "- a", "-", "1234567890123456789",
       "99999999999999999999", "a:b", "x #y", "'q'", "[1]", "{a: 1}", "&a 1", "*a", "!!str 1", "|", ">", "@", "`",
       "%x", "?", "é", "a\tb", "a ", "~x", "+", "."])
_VALUES = st.one_of(st.none(), _SCALARS)
_LINES = st.one_of(
    st.tuples(st.integers(0, 6), _KEYS, _VALUES).map(
        lambda line: " " * line[0] + line[1] + ":" + ("" if line[2] is None else " " + line[2])),
    st.sampled_from(["", "   ", "# comment", "  # indented comment", "- item", "---", "\t", "key:value", "# a\rb: 1",
                     "# a\x85b: 1", "# a\u2028b: 1", "# \x01", "# \x7f", "# \x9f", "# \ufffe", "# é 前", "#\tc"]))
_MAPPINGS = st.recursive(st.dictionaries(_KEYS, _SCALARS, min_size=1),
                         lambda inner: st.dictionaries(_KEYS, inner, min_size=1), max_leaves=8)


def _block(mapping: dict, indent: str, step: str) -> list[str]:
    lines = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            lines += [f"{indent}{key}:", *_block(value, indent + step, step)]
        else:
            lines.append(f"{indent}{key}: {value}")
    return lines


_DOCUMENT_LINES = st.one_of(
    st.lists(_LINES, min_size=1, max_size=12),
    st.builds(_block, _MAPPINGS, st.just(""), st.sampled_from([" ", "  ", "    "])))
_LIMITS = st.sampled_from([DEFAULT_LIMITS, Limits(max_depth=2), Limits(max_integer=100)])


@settings(max_examples=1000)
@given(_DOCUMENT_LINES, st.sampled_from(["\n", "\n", "\n", "\r\n"]), st.booleans(), _LIMITS)
def test_the_line_reader_reads_what_libyaml_reads_or_leaves_it_to_libyaml(lines, end, final, limits):
    """Generated documents in and just outside the simple form: the same data, the same line of
    every field and the same errors as the long way (libyaml, its walk and the constructor)."""
    text = end.join(lines) + (end if final else "")
    with pytest.MonkeyPatch.context() as monkeypatch:
        short, long = _both_ways(text.encode(), "generated.yaml", monkeypatch, limits)
    assert short == long, text
    event("read line by line" if yaml_nodes.read_simple(text, limits.max_depth, limits.max_integer) else "libyaml")


def test_generated_profiles_are_read_line_by_line(kb, tmp_path, monkeypatch):
    """A generated profile (what the benchmark reads) never reaches libyaml."""
    import sys
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from bench_profiles import generate_profiles
    finally:
        sys.path.remove(str(REPO / "benchmarks"))

    def refuse(*args, **kwargs):
        raise AssertionError("libyaml composed the file")

    monkeypatch.setattr(yaml_nodes._BoundedLoader, "get_single_node", refuse)
    for profile in generate_profiles(kb, 20, 7):
        doc = parse_document(profile.scenario_text().encode(), "profile.yaml")
        assert doc.data["answers"] and doc.lines[("answers",)] == 2


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
