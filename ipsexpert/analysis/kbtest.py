"""``kb test``: every rule's examples and every scenario's ``expect`` block, run through the engine.

A knowledge base is edited like code, so its fixtures are run like tests (as ``opa
test`` and semgrep's ``--test`` do): each example and each expectation is evaluated by
the same ``Expert`` that makes reports, never by a second reading of the rules, and a
failure points at the line of the example or expectation that did not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..documents import read_document
from ..errors import ScenarioError
from ..knowledge.rulebase import Expectation
from ..knowledge.scenario import load_scenario
from ..report.expert import Expert
from ..report.models import Report


@dataclass(frozen=True)
class Failure:
    """One expectation that the engine's result did not meet."""

    file: str
    line: int | None
    id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}{f':{self.line}' if self.line else ''}: {self.id}: {self.message}"


@dataclass
class Checked:
    """What a run of ``kb test`` checked and what failed."""

    examples: int = 0
    expectations: int = 0
    failures: list[Failure] = field(default_factory=list)


def _result(report: Report, rec_id: str) -> tuple[str, str | None]:
    severity = next((item.severity for item in report.advice if item.id == rec_id), None)
    return report.outcomes[rec_id], severity


def _check(expected: Expectation, report: Report, rec_id: str, where: tuple[str, int | None],
           found: Checked) -> None:
    problem = expected.mismatch(*_result(report, rec_id))
    if problem is not None:
        found.failures.append(Failure(where[0], where[1], rec_id, problem))


def run_examples(expert: Expert, found: Checked) -> None:
    """Every rule's examples: the answers evaluated as a scenario, the rule's own outcome compared."""
    for rec in expert.kb.recommendations.values():
        if not rec.examples:
            continue
        doc = read_document(rec.file)
        for index, example in enumerate(rec.examples):
            found.examples += 1
            where = (rec.file, doc.line_of(("examples", index)))
            try:
                report = expert.evaluate(example.answers)
            except ScenarioError as exc:
                found.failures.append(Failure(*where, rec.id, f"answers not valid: {exc.problems[0].message}"))
                continue
            _check(example, report, rec.id, where, found)


def run_expectations(expert: Expert, paths: Iterable[str], found: Checked) -> None:
    """Each scenario's ``expect`` block against its report; a scenario without one is a failure."""
    for path in paths:
        scenario = load_scenario(Path(path), expert.kb)
        if not scenario.expect:
            found.failures.append(Failure(path, None, "expect", "the scenario has no `expect` block to test"))
            continue
        doc = read_document(path)
        report = expert.evaluate(scenario)
        for rec_id, expected in scenario.expect.items():
            found.expectations += 1
            _check(expected, report, rec_id, (path, doc.line_of(("expect", rec_id))), found)


def kb_test(expert: Expert, scenario_paths: Iterable[str] = ()) -> Checked:
    """Run every example of the knowledge base and the expectations of the scenarios given."""
    found = Checked()
    run_examples(expert, found)
    run_expectations(expert, scenario_paths, found)
    return found

