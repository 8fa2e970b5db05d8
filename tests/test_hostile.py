"""Hostile input: no code runs, bounds hold, every error is clear, and nothing is lost.

The corpus in tests/hostile/ pins the exact problems each file gives; inputs too big to
keep in the repository are generated here. Errors must reach the user as
``file:line: field: message`` with exit code 2 and no traceback, a batch must go on
past a bad file, and an interrupted or failed run must leave an existing --output file
as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

import ipsexpert
from ipsexpert import IpsExpertError
from ipsexpert.documents import DEFAULT_LIMITS, parse_document, read_document
from ipsexpert.errors import InputError, OutputError
from ipsexpert.files import atomic_writer
from tests.conftest import REPO, SCENARIOS, run_cli

HOSTILE = Path(__file__).resolve().parent / "hostile"
MALTA = SCENARIOS / "ingov-pilot-malta.yaml"
NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"
REGIONAL = SCENARIOS / "illustrative-regional-consortium-design.yaml"
DEPTH, NODES, MIB = DEFAULT_LIMITS.max_depth, DEFAULT_LIMITS.max_nodes, DEFAULT_LIMITS.max_bytes
TOO_DEEP = f"is nested deeper than the limit of {DEPTH}"
NO_CONSTRUCTOR = "is not valid YAML: could not determine a constructor for the tag"
RANGE = "outside the range of -9223372036854775807 to 9223372036854775807"
PHASES = "is not one of design, delivery, evaluation"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions, links, signals and process groups")

# file -> every problem it must give, in order: (line or None, field or None, message fragment)
EXPECTED: dict[str, list[tuple[int | None, str | None, str]]] = {
    "exec-os-system.yaml": [(2, None, NO_CONSTRUCTOR + " 'tag:yaml.org,2002:python/object/apply:os.system'")],
    "exec-subprocess.yaml": [(1, None, NO_CONSTRUCTOR + " 'tag:yaml.org,2002:python/object/apply:subprocess")],
    "exec-builtins-open.yaml": [(2, None, NO_CONSTRUCTOR + " 'tag:yaml.org,2002:python/object/apply:builtins.open'")],
    "exec-object-new.yaml": [(2, None, NO_CONSTRUCTOR + " 'tag:yaml.org,2002:python/object/new:os.system'")],
    "exec-verbatim-tag.yaml": [(3, None, NO_CONSTRUCTOR + " 'tag:yaml.org,2002:python/object/apply:os.system'")],
    "exec-python-name.yaml": [(1, None, NO_CONSTRUCTOR + " 'tag:yaml.org,2002:python/name:os.system'")],
    "unknown-tag.yaml": [(2, None, NO_CONSTRUCTOR + " '!vault'")],
    "billion-laughs.yaml": [(7, None, f"expands (through aliases) to more than the limit of {NODES} values")],
    "alias-depth.yaml": [(5, None, f"is nested (through aliases) deeper than the limit of {DEPTH}")],
    "recursive-alias.yaml": [(1, None, "holds an alias to a node that contains it (a recursive structure)")],
    "recursive-merge.yaml": [(1, None, "holds an alias to a node that contains it (a recursive structure)")],
    "empty.yaml": [(None, None, "is empty")],
    "whitespace-only.yaml": [(None, None, "is empty")],
    "comments-only.yaml": [(None, None, "is empty")],
    "top-level-list.yaml": [(1, None, "a scenario must be a mapping with `answers`")],
    "top-level-list.json": [(1, None, "a scenario must be a mapping with `answers`")],
    "top-level-scalar.yaml": [(1, None, "a scenario must be a mapping with `answers`")],
    "binary.yaml": [(None, None, "holds binary content (a NUL byte), not text")],
    "latin-1.yaml": [(None, None, "is not UTF-8 text (byte 9)")],
    "utf-16.yaml": [(None, None, "is UTF-16 text; save it as UTF-8")],
    "multiple-documents.yaml": [(3, None, "holds more than one YAML document")],
    "duplicate-key.yaml": [(3, "name", "the key 'name' is given twice in one mapping (first on line 1)")],
    "duplicate-answer.yaml": [(5, "answers.phase", "the key 'phase' is given twice in one mapping (first on line 3)")],
    "duplicate-key.json": [(3, "answers.phase", "the key 'phase' is given twice in one mapping (first on line 3)")],
    "invalid.json": [(4, None, "is not valid JSON: ")],
    "invalid.yaml": [(3, None, "is not valid YAML: ")],
    "tab-indent.yaml": [(3, None, "is not valid YAML: ")],
    "nan.json": [(3, None, "is not valid JSON: NaN is not a JSON value")],
    "huge-integer.yaml": [(2, "answers.users_expected", "the number is " + RANGE)],
    "huge-hex.yaml": [(3, "answers.users_expected", "the number is " + RANGE)],
    "huge-integer.json": [(1, "answers.users_expected", "the number is " + RANGE)],
    "bad-date.yaml": [(1, None, "is not valid YAML: cannot read '2024-13-45' as timestamp")],
    "unhashable-key.yaml": [(2, None, "is not valid YAML: found unhashable key")],
    "answers-not-mapping.yaml": [(1, "answers", "answers must be a mapping of fact id to value")],
    "bad-answers.yaml": [
        (3, "answers.organisations_involved", "true is not a whole number"),
        (4, "answers.uses_national_eid", "1 is not true or false"),
        (5, "answers.users_expected", "1.5 is not a whole number"),
        (6, "answers.countries_involved", "0 is below the minimum of 1"),
        (7, "answers.phase", "'build' " + PHASES),
        (8, "answers.politcal_sponsor", "unknown fact (did you mean political_sponsor?)"),
        (9, "answers.large_scale", "large_scale is derived from other answers and cannot be stated"),
    ],
    "wrong-fields.yaml": [
        (5, "expect.R99", "unknown recommendation (did you mean R19?)"),
        (1, "name", "valid string"),
        (2, "as_of", "valid string"),
        (3, "illustrative", "valid boolean"),
        (4, "sources", "valid list"),
        (5, "expect.R01.outcome", "'advised', 'satisfied', 'not_applicable' or 'undetermined'"),
        (6, "accepted[0].id", "valid string"),
        (7, "colour", "unknown field; the fields here are name, as_of,"),
    ],
    "wrong-types.json": [
        (5, "answers.users_expected", "'200000' is not a whole number"),
        (6, "answers.processes_personal_data", "'yes' is not true or false"),
        (7, "answers.organisations_involved", "2.0 is not a whole number"),
    ],
}
VALID = {"utf-8-bom.yaml"}  # hostile-looking, but a valid scenario
# The exec-* files that yaml.unsafe_load really would run, and the file each one creates.
EXECUTES = {"exec-os-system.yaml": "ipsexpert-pwned-os-system",
            "exec-subprocess.yaml": "ipsexpert-pwned-subprocess",
            "exec-builtins-open.yaml": "ipsexpert-pwned-open",
            "exec-verbatim-tag.yaml": "ipsexpert-pwned-verbatim"}


def cli(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command in a subprocess; works from any working folder."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return run_cli(*map(str, args), cwd=cwd, env={"PYTHONPATH": path})


def assert_clean_failure(result: subprocess.CompletedProcess, *files) -> None:
    """Exit 2, no traceback, and every named file reported on stderr."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    for name in files:
        assert f"error: {name}" in result.stderr, (name, result.stderr)


def assert_problems(problems, path: Path, expected) -> None:
    assert len(problems) == len(expected), "\n".join(map(str, problems))
    for problem, (line, field, fragment) in zip(problems, expected):
        assert problem.file == str(path), str(problem)
        assert (problem.line, problem.field) == (line, field), str(problem)
        assert fragment in problem.message, str(problem)


def measure(function):
    """Run ``function``; its outcome, seconds taken and peak traced memory (for reporting only)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        outcome = function()
    except Exception as exc:  # noqa: BLE001 - the caller asserts on it
        outcome = exc
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, seconds, peak


# --- the corpus ---------------------------------------------------------------------------

def test_every_corpus_file_has_its_expectation():
    files = {path.name for path in HOSTILE.iterdir() if path.is_file()} - {"README.md"}
    assert files == set(EXPECTED) | VALID


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_library_reports_exactly_the_expected_problems(kb, name):
    path = HOSTILE / name
    with pytest.raises(IpsExpertError) as caught:
        ipsexpert.load_scenario(path, kb)
    assert_problems(caught.value.problems, path, EXPECTED[name])
    with pytest.raises(IpsExpertError):
        ipsexpert.evaluate(path)


def test_utf8_byte_order_mark_is_accepted(kb):
    scenario = ipsexpert.load_scenario(HOSTILE / "utf-8-bom.yaml", kb)
    assert scenario.name == "with a byte order mark" and scenario.answers == {"phase": "design"}


def test_cli_prints_every_problem_of_the_corpus_without_a_traceback():
    result = cli("evaluate", HOSTILE, "--format", "json")
    assert_clean_failure(result)
    for name, expected in EXPECTED.items():
        for line, field, fragment in expected:
            where = f"{HOSTILE / name}" + (f":{line}" if line else "") + ": " + (f"{field}: " if field else "")
            assert any(text.startswith(f"error: {where}") and fragment in text
                       for text in result.stderr.splitlines()), (name, line, field, fragment)
    *reports, failed = json.loads(result.stdout)
    assert [report["source"] for report in reports] == [str(HOSTILE / "utf-8-bom.yaml")]
    assert {error["file"] for error in failed["errors"]} == {str(HOSTILE / name) for name in EXPECTED}

@pytest.mark.skipif(shutil.which("touch") is None, reason="the exec-* files run `touch`")
def test_the_exec_files_would_run_code_under_an_unsafe_loader(tmp_path):
    """Control: each exec-* file does create its file when tags can run code."""
    script = ("import sys, yaml\n"
              "for name in sys.argv[1:]:\n"
              "    try:\n"
              "        yaml.unsafe_load(open(name).read())\n"
              "    except Exception:\n"
              "        pass\n")
    subprocess.run([sys.executable, "-c", script, *[str(HOSTILE / name) for name in EXECUTES]],
                   cwd=tmp_path, check=True, timeout=60)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(EXECUTES.values())


def test_yaml_tags_never_run_code_through_the_cli(tmp_path):
    for name in EXPECTED:
        if name.startswith("exec-"):
            shutil.copy(HOSTILE / name, tmp_path / name)
    names = sorted(path.name for path in tmp_path.iterdir())
    result = cli("evaluate", *names, cwd=tmp_path)
    assert_clean_failure(result, *names)
    for name in names:
        assert f"error: {name}:" in result.stderr and "could not determine a constructor" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == names, "a YAML tag ran code"


def test_yaml_tags_never_run_code_through_the_library(tmp_path, monkeypatch, kb):
    monkeypatch.chdir(tmp_path)
    for name in EXECUTES:
        with pytest.raises(InputError, match="could not determine a constructor"):
            parse_document((HOSTILE / name).read_bytes(), name)
        with pytest.raises(IpsExpertError):
            ipsexpert.evaluate(HOSTILE / name)
    assert list(tmp_path.iterdir()) == []


# --- bounds ---------------------------------------------------------------------------------

def test_billion_laughs_is_rejected_before_expansion(capsys, record_property):
    raw = (HOSTILE / "billion-laughs.yaml").read_bytes()
    outcome, seconds, peak = measure(lambda: parse_document(raw, "laughs.yaml"))
    assert isinstance(outcome, InputError) and "expands (through aliases)" in str(outcome)
    record_property("billion_laughs_seconds", round(seconds, 4))
    record_property("billion_laughs_peak_bytes", peak)
    with capsys.disabled():
        print(f"\n[billion laughs] rejected in {seconds * 1000:.1f} ms, peak {peak / 1024:.0f} KiB traced")


def test_billion_laughs_through_the_cli():
    result = cli("evaluate", HOSTILE / "billion-laughs.yaml")
    assert_clean_failure(result, HOSTILE / "billion-laughs.yaml")
    assert "expands (through aliases) to more than the limit" in result.stderr


def deep_inputs(folder: Path, depth: int = 50_000) -> dict[str, str]:
    """Deeply nested documents in every syntax; name -> text."""
    texts = {
        "deep-array.json": "[" * depth + "]" * depth,
        "deep-object.json": '{"a": ' * depth + "1" + "}" * depth,
        "deep-flow-sequence.yaml": "[" * depth + "]" * depth,
        "deep-flow-mapping.yaml": "{a: " * depth + "1" + "}" * depth,
        "deep-block-sequence.yaml": "- " * depth + "1\n",
        "deep-block-mapping.yaml": "".join(" " * level + "a:\n" for level in range(1_000)) + " " * 1_000 + "b: 1\n",
    }
    for name, text in texts.items():
        (folder / name).write_text(text)
    return texts


def test_deep_nesting_is_a_clear_error_not_a_recursion_error(tmp_path, kb):
    for name in deep_inputs(tmp_path):
        outcome, seconds, peak = measure(lambda: ipsexpert.load_scenario(tmp_path / name, kb))
        assert isinstance(outcome, InputError), (name, repr(outcome))
        assert TOO_DEEP in str(outcome) and outcome.file == str(tmp_path / name)


def test_deep_nesting_through_the_cli(tmp_path):
    names = sorted(deep_inputs(tmp_path))
    result = cli("evaluate", *names, cwd=tmp_path)
    assert_clean_failure(result, *names)
    assert result.stderr.count(TOO_DEEP) == len(names)
    assert "RecursionError" not in result.stderr


def test_nesting_up_to_the_limit_is_read():
    assert parse_document(("[" * DEPTH + "]" * DEPTH).encode(), "x.json").data is not None
    assert parse_document(("[" * DEPTH + "]" * DEPTH).encode(), "x.yaml").data is not None
    with pytest.raises(InputError, match=TOO_DEEP):
        parse_document(("[" * (DEPTH + 1) + "]" * (DEPTH + 1)).encode(), "x.yaml")


def test_size_limit_is_checked_before_parsing(tmp_path, kb):
    head = b"name: padded\nanswers: {phase: design}\n"
    exact = tmp_path / "exactly-1-mib.yaml"
    exact.write_bytes(head + b"#" * (MIB - len(head) - 1) + b"\n")
    assert exact.stat().st_size == MIB
    assert ipsexpert.load_scenario(exact, kb).answers == {"phase": "design"}
    over = tmp_path / "over-1-mib.yaml"
    over.write_bytes(exact.read_bytes() + b"\n")
    with pytest.raises(InputError, match=f"is larger than the limit of {MIB} bytes"):
        ipsexpert.load_scenario(over, kb)
    garbage = tmp_path / "garbage.json"  # not even parseable: the size is what is reported
    garbage.write_bytes(b"{" * (10 * MIB))
    outcome, _, peak = measure(lambda: read_document(garbage))
    assert isinstance(outcome, InputError) and "larger than the limit" in str(outcome)
    assert peak < 3 * MIB, "the file was read beyond the limit"


@pytest.mark.parametrize("stated, real, most", [(0, 0, 10), (5, 5, 10), (2, 9, 10), (2, 70_000, 100_000),
                                                 (40, 20, 100), (9, 12, 10)])
def test_a_file_is_read_to_its_end_however_its_size_changed(tmp_path, stated, real, most):
    """The first read asks for the size the file had; one that grew or shrank since is read to its
    end all the same, and never past ``most`` bytes."""
    from ipsexpert.documents import _read_at_most
    path = tmp_path / "changing.yaml"
    path.write_bytes(bytes(range(256)) * (real // 256) + b"x" * (real % 256))
    descriptor = os.open(path, os.O_RDONLY)
    try:
        assert _read_at_most(descriptor, stated, most) == path.read_bytes()[:most]
    finally:
        os.close(descriptor)


def test_too_many_values(tmp_path, kb):
    files = {
        "many-keys.yaml": "".join(f"k{i}: 0\n" for i in range(NODES // 2 + 1)),
        "many-items.json": "[" + ",".join(["0"] * (NODES + 1)) + "]",
        "many-items.yaml": "[" + ",".join(["0"] * (NODES + 1)) + "]",
        "many-answers.json": json.dumps({"answers": {f"k{i}": 0 for i in range(NODES // 2 + 1)}}),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        assert len(text) < MIB
        with pytest.raises(InputError, match=f"more than the limit of {NODES} values"):
            ipsexpert.load_scenario(tmp_path / name, kb)
    result = cli("evaluate", *sorted(files), cwd=tmp_path)
    assert_clean_failure(result, *sorted(files))


def test_a_huge_value_is_quoted_shortly(tmp_path, kb):
    path = tmp_path / "long.yaml"
    path.write_text("answers:\n  phase: " + "x" * 500_000 + "\n")
    with pytest.raises(IpsExpertError) as caught:
        ipsexpert.load_scenario(path, kb)
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (2, "answers.phase")
    assert len(problem.message) <= 410 and problem.message.endswith(PHASES)


def test_thousands_of_problems_are_summed_up(tmp_path, kb):
    path = tmp_path / "many-unknown.yaml"
    path.write_text("answers:\n" + "".join(f"  fact_{i}: true\n" for i in range(5_000)))
    with pytest.raises(IpsExpertError) as caught:
        ipsexpert.load_scenario(path, kb)
    problems = caught.value.problems
    assert len(problems) == 101
    assert (problems[0].line, problems[0].field) == (2, "answers.fact_0")
    assert problems[-1].message == "... and 4900 more problem(s) not shown"


# --- files that are not scenario files --------------------------------------------------------

def test_paths_that_are_not_scenario_files(tmp_path, kb):
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    named_like_a_file = tmp_path / "folder.yaml"
    named_like_a_file.mkdir()
    (tmp_path / "with-subfolder").mkdir()
    (tmp_path / "with-subfolder" / "nested.yaml").mkdir()  # a folder inside is not a scenario
    missing = tmp_path / "missing.yaml"
    result = cli("evaluate", missing, empty, named_like_a_file, tmp_path / "with-subfolder", MALTA)
    assert_clean_failure(result)
    assert f"error: {missing}: no such file or folder" in result.stderr
    for folder in (empty, named_like_a_file, tmp_path / "with-subfolder"):
        assert f"error: {folder}: is a folder with no scenario files" in result.stderr
    assert "Digital Common Household Unit" in result.stdout  # the good file is still evaluated
    with pytest.raises(InputError, match="no such file") as caught:
        ipsexpert.load_scenario(missing, kb)
    assert caught.value.file == str(missing)
    with pytest.raises(InputError, match="is a folder, not a file"):
        ipsexpert.load_scenario(named_like_a_file, kb)
    with pytest.raises(InputError, match="is a folder, not a file"):
        ipsexpert.evaluate(str(named_like_a_file))


def test_output_that_cannot_be_written(tmp_path):
    folder = cli("evaluate", MALTA, "--output", tmp_path)
    assert folder.returncode == 2 and "Traceback" not in folder.stderr and "is a directory" in folder.stderr
    nowhere = tmp_path / "no-such-folder" / "report.md"
    result = cli("evaluate", MALTA, "--output", nowhere)
    assert_clean_failure(result, nowhere)
    assert "cannot be written" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_integers_at_the_edge_of_the_range():
    top = 2**63 - 1
    for name in ("x.json", "x.yaml"):
        ok = parse_document(f'{{"a": [{top}, {-top}]}}'.encode(), name, json_format=name.endswith("json"))
        assert ok.data == {"a": [top, -top]}
        with pytest.raises(InputError, match="outside the range") as caught:
            parse_document(f'{{"a": [1,\n {top + 1}]}}'.encode(), name, json_format=name.endswith("json"))
        assert (caught.value.problems[0].line, caught.value.problems[0].field) == (2, "a[1]")
    with pytest.raises(InputError, match="outside the range"):
        parse_document(b"a: 0x8000_0000_0000_0000", "x.yaml")
    with pytest.raises(InputError, match="is tagged !!int but is not a whole number"):
        parse_document(b"a: !!int twelve", "x.yaml")


def test_merge_keys_may_still_override():
    """The duplicate-key rule leaves YAML's explicit override, the merge key, alone."""
    doc = parse_document(b"base: &base {phase: design, scope: local}\n"
                         b"mine:\n  <<: *base\n  phase: delivery\n", "merge.yaml")
    assert doc.data["mine"] == {"phase": "delivery", "scope": "local"}


# --- validation errors and the library ---------------------------------------------------

def test_answers_given_to_the_library_are_checked_strictly(expert):
    with pytest.raises(ipsexpert.ScenarioError) as caught:
        ipsexpert.evaluate({"phase": "build", "users_expected": True, "uses_national_eid": 1,
                            "organisations_involved": 1.5, "countries_involved": 0,
                            "scpoe": "local", "cross_border": False})
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("answers.phase", "'build' " + PHASES),
        ("answers.users_expected", "True is not a whole number"),
        ("answers.uses_national_eid", "1 is not true or false"),
        ("answers.organisations_involved", "1.5 is not a whole number"),
        ("answers.countries_involved", "0 is below the minimum of 1"),
        ("answers.scpoe", "unknown fact (did you mean scope?)"),
        ("answers.cross_border", "cross_border is derived from other answers and cannot be stated; "
                                 "give the answers it is derived from"),
    ]
    assert all(p.file is None and p.line is None for p in caught.value.problems)


def test_errors_keep_every_problem_across_processes():
    import copy
    import pickle
    error = ipsexpert.ScenarioError("'build' " + PHASES, file="x.yaml", line=7, field="answers.phase",
                                    problems=[ipsexpert.errors.Problem("unknown fact", "x.yaml", 8, "answers.a")])
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(clone) is ipsexpert.ScenarioError
        assert clone.problems == error.problems and str(clone) == str(error)


def test_cli_error_format_and_debug_traceback():
    bad = HOSTILE / "bad-answers.yaml"
    plain = cli("evaluate", bad)
    assert_clean_failure(plain, bad)
    assert f"error: {bad}:7: answers.phase: 'build' {PHASES}" in plain.stderr.splitlines()
    assert plain.stderr.count("error:") == len(EXPECTED["bad-answers.yaml"])


def test_debug_shows_the_traceback_of_a_knowledge_base_error(tmp_path):
    root, path, _ = broken_kb(tmp_path, "rules/derived.yaml", "derived:", "derived: [")
    assert_clean_failure(cli("evaluate", MALTA, "--kb", root), path)
    debug = cli("--debug", "evaluate", MALTA, "--kb", root)
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "KnowledgeBaseError" in debug.stderr


def test_debug_shows_the_traceback_of_a_bad_scenario_file():
    debug = cli("--debug", "evaluate", HOSTILE / "bad-answers.yaml")
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "ScenarioError" in debug.stderr


# --- a batch goes on past bad files --------------------------------------------------------------

@pytest.mark.parametrize("jobs", ["1", "3"])
def test_batch_keeps_good_reports_in_input_order(tmp_path, jobs):
    bad = [HOSTILE / "billion-laughs.yaml", HOSTILE / "bad-answers.yaml", tmp_path / "missing.yaml",
           HOSTILE / "exec-os-system.yaml", HOSTILE / "empty.yaml"]
    good = [NATIONAL, MALTA, REGIONAL]
    order = [bad[0], good[0], bad[1], bad[2], good[1], bad[3], bad[4], good[2]]
    result = cli("evaluate", *order, "--format", "json", "--fail-on", "low", "--jobs", jobs)
    assert_clean_failure(result, *bad)  # 2 wins over the 1 that --fail-on low would give
    *reports, failed = json.loads(result.stdout)
    assert [report["source"] for report in reports] == [str(path) for path in good]
    assert {error["file"] for error in failed["errors"]} == {str(path) for path in bad}
    alone = json.loads(cli("evaluate", *good, "--format", "json").stdout)
    assert reports == alone


def test_batch_with_only_bad_files_prints_only_the_errors():
    result = cli("evaluate", HOSTILE / "empty.yaml", HOSTILE / "nan.json", "--format", "json")
    assert_clean_failure(result, HOSTILE / "empty.yaml", HOSTILE / "nan.json")
    [failed] = json.loads(result.stdout)
    assert [error["file"] for error in failed["errors"]] == [str(HOSTILE / "empty.yaml"), str(HOSTILE / "nan.json")]

def broken_kb(tmp_path: Path, relative: str, old: str, new: str) -> tuple[Path, Path, int]:
    """A copy of the shipped knowledge base with one edit; its folder, the file, the edited line."""
    root = tmp_path / "kb"
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "facts", root / "facts")
    path = root / relative
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))
    return root, path, text[:text.index(old) + len(old) - len(old.lstrip("\n"))].count("\n") + 1


LAUGHS = (HOSTILE / "billion-laughs.yaml").read_text().split("\nanswers:")[0] + "\n"

# case -> (file, text replaced, replacement, the problem's expected "line: field: message" text)
KB_BREAKS = {
    "unknown-fact": ("rules/recommendations/R01.yaml", "advised: {fact: political_sponsor,",
                     "advised: {fact: politcal_sponsor,",
                     "{line}: advised.fact: unknown fact 'politcal_sponsor' (did you mean political_sponsor?)"),
    "yaml-syntax": ("rules/recommendations/R02.yaml", "\ntitle: ", "\ntitle: [unclosed ",
                    "{after}: is not valid YAML: "),
    "derivation-cycle": ("rules/derived.yaml", "when: {fact: organisations_involved, at_least: 2}",
                         "when: {fact: large_scale, is: true}",
                         "{line}: derived[0].when: derivation cycle: multi_organisation -> large_scale -> "
                         "multi_organisation"),
    "billion-laughs": ("facts/roadmap.yaml", "construct: roadmap\n", LAUGHS + "construct: roadmap\n",
                       "7: expands (through aliases) to more than the limit"),
    "duplicate-key": ("rules/recommendations/R03.yaml", "\nseverity:", "\nseverity: low\nseverity:",
                      "{after}: severity: the key 'severity' is given twice in one mapping (first on line {line}"),
}


@pytest.mark.parametrize("case", sorted(KB_BREAKS))
def test_broken_knowledge_base_is_a_clear_error(tmp_path, case):
    relative, old, new, expected = KB_BREAKS[case]
    root, path, line = broken_kb(tmp_path, relative, old, new)
    if case == "derivation-cycle":  # large_scale must read multi_organisation too
        path.write_text(path.read_text().replace("- {fact: users_expected, at_least: 100000}",
                                                 "- {fact: multi_organisation, is: true}"))
    expected = f"error: {path}:" + expected.format(line=line, after=line + 1)
    result = cli("evaluate", MALTA, "--kb", root)
    assert_clean_failure(result, path)
    assert any(text.startswith(expected) for text in result.stderr.splitlines()), (expected, result.stderr)
    assert result.stdout == ""
    checked = cli("kb", "check", root)  # a finding (1), or unreadable (2); never a crash
    assert checked.returncode in (1, 2) and "Traceback" not in checked.stderr
    assert str(path) in checked.stdout + checked.stderr
    with pytest.raises(ipsexpert.KnowledgeBaseError) as caught:
        ipsexpert.load_knowledge_base(root)
    assert str(path) in {problem.file for problem in caught.value.problems}


@pytest.mark.parametrize("old, new, expected", [
    ("phases: [design]", "phases: 5", "phases: Input should be a valid list"),
    ("construct: governance", "construct: [governance]", "construct: unknown construct ['governance']")])
def test_wrongly_typed_recommendation_fields_are_clear_errors(tmp_path, old, new, expected):
    root, path, line = broken_kb(tmp_path, "rules/recommendations/R01.yaml", old, new)
    result = cli("evaluate", MALTA, "--kb", root)
    assert_clean_failure(result, path)
    assert f"error: {path}:{line}: {expected}" in result.stderr


def test_an_oversize_knowledge_base_file_is_not_read_whole(tmp_path):
    root, path, _ = broken_kb(tmp_path, "facts/roadmap.yaml", "construct: roadmap", "construct: roadmap")
    huge = root / "facts" / "zz-huge.yaml"
    huge.write_bytes(b"#" * (32 * MIB))
    outcome, _, peak = measure(lambda: ipsexpert.load_knowledge_base(root))
    assert isinstance(outcome, ipsexpert.KnowledgeBaseError) and "larger than the limit" in str(outcome)
    assert peak < 8 * MIB, f"peak {peak / MIB:.0f} MiB for a {huge.stat().st_size // MIB} MiB file"


# --- nothing lost: atomic output and Ctrl-C ----------------------------------------------------------

def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


@pytest.mark.parametrize("error", [RuntimeError("mid-way"), KeyboardInterrupt()])
def test_atomic_writer_leaves_the_old_file_when_interrupted(tmp_path, error):
    target = tmp_path / "report.json"
    target.write_text("the previous report\n")
    with pytest.raises(type(error)):
        with atomic_writer(target) as handle:
            handle.write("half of a new rep")
            raise error
    assert target.read_text() == "the previous report\n"
    assert leftovers(tmp_path) == []


@posix_only
def test_atomic_writer_keeps_permissions_and_writes_through_links(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "latest.md"
    link.symlink_to(target)
    with atomic_writer(link) as handle:
        handle.write("new")
    assert link.is_symlink() and target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.md"
    with atomic_writer(fresh) as handle:
        handle.write("x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # as an ordinary write, not 0600
    assert leftovers(tmp_path) == []


@posix_only
def test_atomic_writer_writes_a_pipe_in_place(tmp_path):
    """A device or a pipe (--output /dev/stdout) is written to, never replaced by a file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    with atomic_writer(fifo) as handle:
        handle.write("through the pipe")
    reader.join(10)
    assert received == ["through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode) and leftovers(tmp_path) == []


def test_atomic_writer_errors_are_user_errors(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        with atomic_writer(tmp_path):
            pass
    with pytest.raises(OutputError, match="cannot be written") as caught:
        with atomic_writer(tmp_path / "missing" / "x.json"):
            pass
    assert caught.value.file == str(tmp_path / "missing" / "x.json")


def test_output_of_a_batch_with_bad_files_holds_the_good_reports(tmp_path):
    out = tmp_path / "reports.json"
    out.write_text("previous\n")
    result = cli("evaluate", MALTA, HOSTILE / "nan.json", NATIONAL, "--format", "json", "--output", out)
    assert_clean_failure(result, HOSTILE / "nan.json")
    *reports, failed = json.loads(out.read_text())
    assert [r["source"] for r in reports] == [str(MALTA), str(NATIONAL)]
    assert [error["file"] for error in failed["errors"]] == [str(HOSTILE / "nan.json")]
    assert leftovers(tmp_path) == []


def test_output_is_untouched_when_the_knowledge_base_is_broken(tmp_path):
    root, path, _ = broken_kb(tmp_path, "rules/derived.yaml", "derived:", "derived: [")
    out = tmp_path / "report.md"
    out.write_text("previous\n")
    assert_clean_failure(cli("evaluate", MALTA, "--output", out, "--kb", root), path)
    assert out.read_text() == "previous\n" and leftovers(tmp_path) == []


@pytest.fixture(scope="module")
def large_batch(tmp_path_factory) -> Path:
    """Enough scenarios that a run is still going when its first report is out."""
    folder = tmp_path_factory.mktemp("large-batch")
    sources = sorted(SCENARIOS.glob("*.yaml"))
    for index in range(2_000):
        shutil.copy(sources[index % len(sources)], folder / f"s{index:04d}.yaml")
    return folder


def interrupt(args: list, wait_on: str, group: bool = False, timeout: float = 120) -> tuple[int, str]:
    """Start the CLI, wait for its first bytes on ``wait_on`` (stdout or stderr), send SIGINT.

    ``group`` sends it to the whole process group, as a terminal's Ctrl-C does.
    """
    def default_sigint():  # a child started from a shell job may inherit SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    process = subprocess.Popen([sys.executable, "-m", "ipsexpert", *map(str, args)], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=default_sigint)
    try:
        first = getattr(process, wait_on).read(1)
        assert first, "the command ended before producing any output"
        if group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:  # hung: end it and its workers (its own process group)
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    return process.returncode, (first if wait_on == "stderr" else b"").decode() + err.decode()


@posix_only
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_a_batch_cleanly(large_batch, jobs):
    code, err = interrupt(["evaluate", large_batch, "--format", "json", "--jobs", jobs], "stdout")
    assert code == 130, err
    assert err.strip().splitlines()[-1] == "interrupted" and "Traceback" not in err


@posix_only
@pytest.mark.parametrize("attempt", range(4))
def test_ctrl_c_to_the_process_group_stops_workers_cleanly(large_batch, attempt):
    """As a terminal's Ctrl-C: the workers get SIGINT too (unhandled, it once hung one run in four)."""
    try:
        code, err = interrupt(["evaluate", large_batch, "--jobs", "2"], "stdout", group=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("the command hung after Ctrl-C")
    assert code == 130 and "Traceback" not in err, err
    assert err.rstrip().endswith("interrupted")


@posix_only
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_leaves_an_existing_output_whole(tmp_path, large_batch, jobs):
    out = tmp_path / "reports.json"
    previous = json.dumps([{"source": "the previous, complete run"}]) + "\n"
    out.write_text(previous)
    # --trace writes to stderr as each file is done, after the output file has been opened
    code, err = interrupt(["evaluate", large_batch, "--format", "json", "--trace", "--jobs", jobs,
                           "--output", out], "stderr")
    assert code == 130, err
    # (the test reads stderr only once, so the line being written may be cut short)
    assert err.rstrip().endswith("interrupted") and "Traceback" not in err
    assert out.read_text() == previous
    assert sorted(path.name for path in tmp_path.iterdir()) == ["reports.json"]
