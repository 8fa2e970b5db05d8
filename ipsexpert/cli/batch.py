"""Batch evaluation: which files, in which order, in one process or several.

Files are evaluated in input order and results come back in that order even with
``--jobs``, so output is byte-identical whatever the parallelism. Each worker process
compiles the knowledge base once. A bad file yields its problems and the batch goes on.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from ..errors import IpsExpertError, Problem

if TYPE_CHECKING:
    from ..report.expert import Expert
    from ..report.models import Report

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Delivery:
    """What the batch's reader wants of each report, settled where the report is made.

    With ``--jobs`` that is a worker process: rendering there, and sending back text
    instead of the report, keeps the parent from unpickling and rendering every report
    on its own (which made it the bottleneck of a parallel batch).
    """

    fmt: str
    view: str
    explain: bool = False
    fail_on: str | None = None
    today: date | None = None


@dataclass
class Result:
    """One file's evaluation: a report (or its rendered text), or the problems that prevented it."""

    path: str
    report: "Report | None" = None
    text: str | None = None  # the rendered report, for formats that render one report on its own
    found: bool = False  # advice at or above the delivery's fail_on
    problems: list[Problem] | None = None
    trace: list[str] | None = None
    error: IpsExpertError | None = None  # kept in-process, so --debug can show where it was raised


def collect(paths: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Scenario files named directly or found (sorted) in named folders, and path problems."""
    files: list[str] = []
    problems: list[Problem] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(str(child) for child in path.iterdir()
                           if child.is_file() and child.suffix.lower() in SCENARIO_SUFFIXES)
            if not found:
                problems.append(Problem("is a folder with no scenario files (*.yaml, *.yml, *.json)", name))
            files.extend(found)
        elif path.exists():
            files.append(name)
        else:
            problems.append(Problem("no such file or folder", name))
    return files, problems


_worker_expert = None
_worker_delivery: Delivery | None = None


def _init_worker(kb_path: str | None, delivery: Delivery) -> None:
    """Load and compile the knowledge base once per worker, and ignore Ctrl-C.

    A terminal sends SIGINT to the whole process group: workers that took it too would
    each print a traceback and could leave the pool hanging.
    """
    global _worker_expert, _worker_delivery
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from ..report.expert import Expert
    from ..knowledge.loading import load_knowledge_base
    _worker_expert = Expert(load_knowledge_base(kb_path))
    _worker_delivery = delivery


def _evaluate_file(args: tuple[str, bool]) -> Result:
    path, trace = args
    result = evaluate_file(_worker_expert, path, _worker_delivery, trace)
    result.error = None  # a traceback does not cross the process boundary; the problems do
    return result


def trace_lines(run) -> list[str]:
    """The rules in firing order, as CLIPS's (watch rules) shows them."""
    return [f"FIRE {index} {firing.rule.name}: "
            + ", ".join(f"{fact}={value}" for fact, value in firing.values)
            for index, firing in enumerate(run.firings, start=1)]


def evaluate_file(expert: "Expert", path: str, delivery: Delivery, trace: bool = False) -> Result:
    """Evaluate one file, turning user errors into a Result instead of an exception."""
    try:
        scenario = expert.scenario(path)
        run = expert.run(scenario.answers)
        report = expert.report(scenario, run)
    except IpsExpertError as exc:
        return Result(path, problems=exc.problems, error=exc)
    from ..render.output import standalone_renderer
    render = standalone_renderer(delivery.fmt, delivery.view, delivery.explain)
    found = bool(delivery.fail_on and report.at_or_above(delivery.fail_on, delivery.today or date.today()))
    return Result(path, report=None if render else report, text=render(report) if render else None,
                  found=found, trace=trace_lines(run) if trace else None)


def evaluate_files(files: list[str], expert: "Expert", delivery: Delivery, jobs: int = 1,
                   trace: bool = False) -> Iterator[Result]:
    """Results in input order; ``jobs`` worker processes (0: one per core) when above 1.

    ``expert`` is the already loaded knowledge base: the serial path uses it, and
    workers load the same folder once each.
    """
    if jobs == 0:
        jobs = os.cpu_count() or 1
    if jobs <= 1 or len(files) < 2:
        for path in files:
            yield evaluate_file(expert, path, delivery, trace)
        return
    kb_path = str(expert.kb.path)
    import multiprocessing
    context = multiprocessing.get_context("spawn" if os.name == "nt" else "fork")
    with context.Pool(min(jobs, len(files)), initializer=_init_worker, initargs=(kb_path, delivery)) as pool:
        chunk = max(1, min(64, len(files) // (jobs * 8)))
        yield from pool.imap(_evaluate_file, [(path, trace) for path in files], chunksize=chunk)
