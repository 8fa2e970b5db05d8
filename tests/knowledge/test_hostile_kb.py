"""Hostile knowledge bases: each is refused, or checked, within fixed bounds.

A knowledge base is untrusted input: users download one and point ``--kb`` or ``kb
check`` at it. Every case here must end in exit 2 (it cannot be used) or a finding
(exit 1) that reads ``file:line: field: message`` — never a traceback, a recursion
error, a hang or a blow-up of memory. Small cases live in tests/hostile/kb/<case>/ as
files laid over a copy of the shipped knowledge base; large ones and FIFOs are made
here. tests/hostile/README.md says what each one attacks.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from ipsexpert.cli.commands import main
from ipsexpert.documents import DEFAULT_LIMITS
from ipsexpert.errors import KnowledgeBaseError
from ipsexpert.knowledge import conditions, semantics
from ipsexpert.knowledge.catalogue import MAX_ID_LENGTH, MAX_VALUES
from ipsexpert.knowledge.check import MAX_CHECK_STEPS
from ipsexpert.knowledge.conditions import MAX_BRANCHES
from ipsexpert.knowledge.derivations import MAX_DERIVATION_DEPTH
from ipsexpert.knowledge.loading import load_knowledge_base
from ipsexpert.knowledge.rulebase import MAX_WEIGHT
from tests.conftest import REPO, run_cli

CASES = REPO / "tests" / "hostile" / "kb"
README = REPO / "tests" / "hostile" / "README.md"
R99 = "rules/recommendations/R99.yaml"
posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and sockets are POSIX")

TRUE_WAYS = f"this condition can be true in more than {MAX_BRANCHES} different ways"
FALSE_WAYS = f"this condition can be false in more than {MAX_BRANCHES} different ways"
ADVISED_WAYS = f"applies and advised together can advise this recommendation in more than {MAX_BRANCHES}"
SELF = "'self' is a name Python and the rule engine use themselves"
TOO_LONG = f"an id is at most {MAX_ID_LENGTH} characters; this one has "
WEIGHT = f"a weight is a number from 0 to {MAX_WEIGHT:g}"

# case folder -> (file, line, field, message fragment, exit code of `kb check`)
FILE_CASES: dict[str, tuple[str, int, str, str, int]] = {
    "branches-true": (R99, 9, "advised", TRUE_WAYS, 1),
    "branches-false": (R99, 9, "advised", FALSE_WAYS, 1),
    "branches-advised": (R99, 15, "advised", ADVISED_WAYS, 1),
    "fact-id-self": ("facts/hostile.yaml", 3, "facts[0].id", SELF, 1),
    "fact-id-double-underscore": ("facts/hostile.yaml", 3, "facts[0].id", "'data__exchange' holds a double", 1),
    "fact-id-keyword": ("facts/hostile.yaml", 3, "facts[0].id", "'class' is a word Python reserves", 1),
    "fact-id-long": ("facts/hostile.yaml", 3, "facts[0].id", TOO_LONG + "69", 1),
    "rule-id-keyword": (R99, 1, "id", "'None' is a word Python reserves", 1),
    "rule-id-long": (R99, 1, "id", TOO_LONG + "76", 1),
    "weight-nan": ("rules/knowledge-base.yaml", 9, "severity_points.critical", WEIGHT + ", not nan", 2),
    "weight-infinite": ("rules/knowledge-base.yaml", 12, "timing_weights.now", WEIGHT + ", not inf", 2),
    "weight-negative": ("rules/knowledge-base.yaml", 6, "severity_points.low", WEIGHT + ", not -1", 2),
    "weight-huge": ("rules/knowledge-base.yaml", 11, "timing_weights.overdue", WEIGHT + ", not 1e+300", 2),
}


# --- helpers ------------------------------------------------------------------------------

@pytest.fixture
def kb_copy(tmp_path) -> Path:
    """A copy of the shipped knowledge base to spoil."""
    root = tmp_path / "kb"
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "facts", root / "facts")
    return root


def kb_check(root: Path) -> Result:
    return CliRunner().invoke(main, ["kb", "check", str(root)])


def evaluate(root: Path) -> Result:
    scenario = root.parent / "scenario.yaml"
    scenario.write_text("answers: {phase: design, open_standards: false}\n")
    return CliRunner().invoke(main, ["evaluate", "--kb", str(root), str(scenario)])


def assert_reported(result: Result, exit_code: int, where: str, fragment: str) -> None:
    """The exit code, no traceback, and one line that starts at ``where`` and says ``fragment``."""
    output = result.output
    assert result.exit_code == exit_code, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    lines = [line.removeprefix("error: ") for line in output.splitlines()]
    assert any(line.startswith(where) and fragment in line for line in lines), output


def assert_refused_everywhere(root: Path, where: str, fragment: str, check_exit: int = 1) -> None:
    """The library, `kb check` and `evaluate --kb` all refuse the knowledge base the same way."""
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(root)
    assert any(str(problem).startswith(where) and fragment in str(problem)
               for problem in caught.value.problems), str(caught.value)
    assert_reported(kb_check(root), check_exit, where, fragment)
    assert_reported(evaluate(root), 2, where, fragment)


def write_rule(root: Path, applies, advised, rule_id: str = "R99") -> Path:
    path = root / R99
    path.write_text(yaml.safe_dump({
        "id": rule_id, "title": "t", "construct": "governance", "aspect": ["technical"], "phases": ["design"],
        "severity": "low", "applies": applies, "advised": advised, "advice": "a", "rationale": "r", "source": "s"},
        sort_keys=False))
    return path


def add_derived(root: Path, entries: list[dict]) -> Path:
    path = root / "rules" / "derived.yaml"
    data = yaml.safe_load(path.read_text())
    data["derived"] += entries
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# --- the cases kept as files --------------------------------------------------------------

def test_every_case_folder_has_an_expectation_and_a_readme_line():
    folders = {path.name for path in CASES.iterdir() if path.is_dir()}
    assert folders == set(FILE_CASES)
    readme = README.read_text()
    missing = [name for name in folders if f"`kb/{name}/`" not in readme]
    assert missing == []


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_case_is_refused_with_file_line_and_field(kb_copy, case):
    shutil.copytree(CASES / case, kb_copy, dirs_exist_ok=True)
    file, line, field, fragment, check_exit = FILE_CASES[case]
    assert_refused_everywhere(kb_copy, f"{kb_copy / file}:{line}: {field}: ", fragment, check_exit)


# --- 1. conditions whose compiled form would explode --------------------------------------

@pytest.mark.parametrize("combinator, ways", [("any", TRUE_WAYS), ("all", FALSE_WAYS)])
def test_a_list_of_ten_thousand_conditions_is_refused_quickly(kb_copy, combinator, ways):
    tests = [{"fact": "organisations_involved", "at_least": n} for n in range(10_000)]
    path = write_rule(kb_copy, "always", {combinator: tests})
    start = time.perf_counter()
    assert_refused_everywhere(kb_copy, f"{path}:10: advised: ", ways)
    assert time.perf_counter() - start < 20


def test_the_shipped_rules_stay_far_below_the_branch_limit(kb):
    counts = [conditions.branch_count(cond, truth) for cond in semantics.all_conditions(kb)
              for truth in (True, False)]
    assert max(counts) * 16 <= MAX_BRANCHES


def test_kb_check_is_bounded_in_time_on_a_rule_built_to_exhaust_it(kb_copy):
    """250 parts over 11 yes/no facts: 3^11 profiles for each of 250 removals, hours without a limit."""
    facts = ["multi_level_government", "processes_personal_data", "special_category_data",
             "vulnerable_users", "end_users_interact", "dpia_done", "sla_in_place",
             "change_management_procedure", "outsourced_development", "vendor_contracts_secure_reuse",
             "operation_owner_defined"]
    write_rule(kb_copy, "always", {"any": [{"fact": facts[n % len(facts)], "is": n % 2 == 0}
                                           for n in range(250)]})
    start = time.perf_counter()
    result = run_cli("kb", "check", str(kb_copy), timeout=120)
    assert time.perf_counter() - start < 60
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{kb_copy / R99}: kb check did not look for redundant conditions in R99: that would take " \
           in result.stdout, result.stdout
    assert f"steps, beyond the limit of {MAX_CHECK_STEPS:,} for the whole check" in result.stdout


def test_every_check_the_budget_cannot_pay_for_is_a_finding(monkeypatch):
    """With no steps to spend, kb check names what it did not look at instead of passing."""
    monkeypatch.setattr("ipsexpert.knowledge.check.MAX_CHECK_STEPS", 0)
    result = kb_check(REPO)
    assert result.exit_code == 1, result.output
    hidden = "kb check did not look at whether this can hide the question from R02"
    for fragment in ("R01.yaml: examples: kb check did not look at the examples of R01: that would take",
                     "R07.yaml: kb check did not look for redundant conditions in R07",
                     f"governance.yaml: facts[lead_organisation].ask_if: {hidden}"):
        assert fragment in result.output, result.output


def test_an_enum_with_ten_thousand_values_is_refused(kb_copy):
    path = kb_copy / "facts" / "hostile.yaml"
    path.write_text(yaml.safe_dump({"construct": "governance", "facts": [
        {"id": "big", "type": "enum", "values": [f"v{n}" for n in range(10_000)], "question": "q?",
         "help": "h."}]}))
    write_rule(kb_copy, "always", {"fact": "big", "in": [f"v{n}" for n in range(0, 10_000, 2)]})
    assert_refused_everywhere(kb_copy, f"{path}:7: facts[0].values: ",
                              f"an enum fact has at most {MAX_VALUES} values; this one has 10000")


# --- 2. depth -----------------------------------------------------------------------------

def test_five_thousand_nested_nots_stop_at_the_document_depth_limit(kb_copy):
    path = write_rule(kb_copy, "always", {"fact": "open_standards", "is": True})
    nested = "{not: " * 5_000 + "{fact: open_standards, is: true}" + "}" * 5_000
    path.write_text(path.read_text().replace("advised:", f"advised: {nested}\nunused:"))
    where = f"{path}:10: "
    fragment = f"is nested deeper than the limit of {DEFAULT_LIMITS.max_depth}"
    with pytest.raises(KnowledgeBaseError, match=fragment):
        load_knowledge_base(kb_copy)
    assert_reported(kb_check(kb_copy), 2, where, fragment)
    assert_reported(evaluate(kb_copy), 2, where, fragment)


def chain(length: int, cycle: bool = False) -> list[dict]:
    """Derived facts c0..c{length-1}, each reading the next (the last reads a catalogue fact,
    or c0 for a cycle); listed with the shallowest first, the order a recursive walk hates."""
    entries = [{"id": f"c{n}", "meaning": "m", "when": {"fact": f"c{n + 1}", "is": True}}
               for n in range(length - 1)]
    last = {"fact": "c0", "is": True} if cycle else {"fact": "open_standards", "is": False}
    return entries + [{"id": f"c{length - 1}", "meaning": "m", "when": last}]


def when_line(path: Path, derived_id: str) -> int:
    """The line of a derivation's `when`, two below its id as yaml.safe_dump writes it."""
    lines = path.read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if text == f"- id: {derived_id}") + 2


def test_a_chain_of_two_thousand_derived_facts_is_refused_without_recursion(kb_copy):
    path = add_derived(kb_copy, chain(2_000))
    write_rule(kb_copy, "always", {"fact": "c0", "is": True})
    first = len(yaml.safe_load((REPO / "rules" / "derived.yaml").read_text())["derived"])
    too_deep = 2_000 - MAX_DERIVATION_DEPTH - 1  # c{too_deep} is the first with 33 levels below it
    line = when_line(path, f"c{too_deep}")
    assert_refused_everywhere(kb_copy, f"{path}:{line}: derived[{first + too_deep}].when: ",
                              f"derived facts build on each other more than {MAX_DERIVATION_DEPTH} "
                              f"levels deep here: c{too_deep} reads c{too_deep + 1}, which reads")


def test_a_chain_at_the_depth_limit_loads_evaluates_and_passes_kb_check(kb_copy):
    add_derived(kb_copy, chain(MAX_DERIVATION_DEPTH))
    write_rule(kb_copy, "always", {"fact": "c0", "is": True})
    kb = load_knowledge_base(kb_copy)
    assert len(kb.derived) == 8 + MAX_DERIVATION_DEPTH
    result = evaluate(kb_copy)
    assert result.exit_code == 0 and "R99" in result.output, result.output
    check = kb_check(kb_copy)
    assert "Traceback" not in check.output and "R99 has no examples" in check.output


def test_a_cycle_of_two_thousand_derived_facts_is_reported_briefly(kb_copy):
    path = add_derived(kb_copy, chain(2_000, cycle=True))
    write_rule(kb_copy, "always", {"fact": "c0", "is": True})
    first = len(yaml.safe_load((REPO / "rules" / "derived.yaml").read_text())["derived"])
    line = when_line(path, "c0")
    fragment = "derivation cycle: c0 -> c1 -> c2 -> c3 -> c4 -> … (1992 more) -> c1997 -> c1998 -> c1999 -> c0"
    assert_refused_everywhere(kb_copy, f"{path}:{line}: derived[{first}].when: ", fragment)
    assert len(kb_check(kb_copy).output) < 1_000


# --- 3. ids -------------------------------------------------------------------------------

@pytest.mark.parametrize("derived_id, fragment", [
    ("self", SELF),
    ("not", "'not' is a word Python reserves"),
    ("d__value", "'d__value' holds a double underscore"),
    ("d" * (MAX_ID_LENGTH + 1), f"an id is at most {MAX_ID_LENGTH} characters"),
])
def test_a_derived_fact_with_an_unsafe_id_is_refused(kb_copy, derived_id, fragment):
    path = add_derived(kb_copy, [{"id": derived_id, "meaning": "m", "when": {"fact": "pilot", "equals": "none"}}])
    index = len(yaml.safe_load(path.read_text())["derived"]) - 1
    line = len(path.read_text().splitlines()) - 4
    assert_refused_everywhere(kb_copy, f"{path}:{line}: derived[{index}].id: ", fragment)


def test_an_id_of_exactly_the_length_limit_is_accepted(kb_copy):
    write_rule(kb_copy, "always", {"fact": "open_standards", "is": False}, rule_id="R" * MAX_ID_LENGTH)
    assert "R" * MAX_ID_LENGTH in load_knowledge_base(kb_copy).recommendations


# --- 4. files that are not regular files --------------------------------------------------

@posix_only
@pytest.mark.parametrize("relative", [R99, "rules/knowledge-base.yaml", "rules/derived.yaml",
                                      "rules/eif.yaml", "facts/hostile.yaml"])
def test_a_fifo_in_the_knowledge_base_is_refused_and_never_opened(kb_copy, relative):
    fifo = kb_copy / relative
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    for args in (["kb", "check", str(kb_copy)], ["evaluate", "--kb", str(kb_copy), "--format", "json",
                                                 str(REPO / "scenarios" / "ingov-pilot-malta.yaml")]):
        result = run_cli(*args, timeout=30)  # opening the FIFO for reading would block for ever
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert f"error: {fifo}: is not a regular file (a named pipe)" in result.stderr, result.stderr


@posix_only
def test_a_rule_file_linked_to_a_device_is_refused(kb_copy):
    (kb_copy / R99).symlink_to("/dev/zero")
    assert_reported(kb_check(kb_copy), 2, f"{kb_copy / R99}: ", "is not a regular file (a device)")


@posix_only
def test_a_socket_in_the_facts_folder_is_refused(kb_copy, monkeypatch):
    monkeypatch.chdir(kb_copy / "facts")  # a socket's path must be short: bind it by its name
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("hostile.yaml")
        assert_reported(kb_check(kb_copy), 2, f"{kb_copy / 'facts' / 'hostile.yaml'}: ",
                        "is not a regular file (a socket)")


@posix_only
def test_a_symlinked_rule_file_is_still_read(kb_copy, tmp_path):
    target = tmp_path / "elsewhere.yaml"
    shutil.move(kb_copy / "rules" / "recommendations" / "R02.yaml", target)
    (kb_copy / "rules" / "recommendations" / "R02.yaml").symlink_to(target)
    result = kb_check(kb_copy)
    assert result.exit_code == 0, result.output


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_scenario_that_is_not_a_regular_file_is_refused(tmp_path, kind):
    scenario = tmp_path / "scenario.yaml"
    if kind == "fifo":
        os.mkfifo(scenario)
    else:
        scenario.symlink_to("/dev/zero")
    result = run_cli("evaluate", str(scenario), timeout=30)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"error: {scenario}: is not a regular file" in result.stderr, result.stderr
