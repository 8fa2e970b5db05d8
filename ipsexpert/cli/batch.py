"""Batch evaluation: which files, in which order, in one process or several.

Files are evaluated in input order and results come back in that order even with
``--jobs``, so output is byte-identical whatever the parallelism. Each worker process
compiles the knowledge base once. A bad file yields its problems and the batch goes on.

Which files a batch reads is ``paths``' business. A run refuses an --output that is
one of its inputs and says which advice tripped --fail-on. Standard input (``-``) is
read in this process, once, so a batch that holds it runs without workers.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Iterator

import click

from ..errors import IpsExpertError, Problem
from ..render.batch_summary import ReportCount, count
from ..safe_text import one_line
from .collector import chunk_done
from .paths import STDIN

if TYPE_CHECKING:
    from ..knowledge.scenario import Scenario
    from ..knowledge.scenario_record import ScenarioRecord
    from ..report.expert import Expert
    from ..report.models import Report

OWN_WRITERS = ("junit",)
"""Formats whose writer takes reports, never text rendered beforehand."""
STDIN_NAME = "<stdin>"


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
    kept: frozenset[str] | None = None  # the recommendations selected (--select, --ignore); None: all
    colour: bool = False  # for workers, which render tables themselves
    columns: int | None = None


@dataclass
class Result:
    """One file's evaluation: a report (or its rendered text), or the problems that prevented it."""

    path: str
    report: "Report | None" = None
    text: str | None = None  # the rendered report, for formats that render one report on its own
    tripped: list[str] = field(default_factory=list)  # advice at or above the delivery's fail_on, one line each
    count: ReportCount | None = None  # for the batch's summary line
    problems: list[Problem] | None = None
    trace: list[str] | None = None
    error: IpsExpertError | None = None  # kept in-process, so --debug can show where it was raised


def refuse_output_among_inputs(output: str, files: list[str]) -> None:
    """Refuse to write the output over one of the run's own inputs, which it would destroy.

    Paths are compared once resolved (through symbolic links, ``..`` and other
    spellings) and by device and inode, which also catches a hard link.
    """
    target = os.path.realpath(output)
    try:
        identity = _identity(os.stat(output))
    except OSError:
        identity = None  # nothing there yet (or unreadable): only the path can match
    for name in files:
        try:
            same = identity is not None and _identity(os.stat(name)) == identity
        except OSError:
            same = False
        if same or os.path.realpath(name) == target:
            raise IpsExpertError(f"is also an input of this run ({one_line(name)}): choose another --output; "
                                 "nothing was written", file=output)


def _identity(found: os.stat_result) -> tuple[int, int]:
    return found.st_dev, found.st_ino


def report_tripped(fail_on: str | None, tripped: list[str]) -> None:
    """Say on stderr what made --fail-on fail the run, so a CI log shows which project and advice."""
    if tripped:
        click.echo(f"--fail-on {fail_on}: {len(tripped)} advice at or above {fail_on}:", err=True)
        for line in tripped:
            click.echo(line, err=True)


_worker_expert = None
_worker_delivery: Delivery | None = None


def _init_worker(kb_path: str | None, delivery: Delivery) -> None:
    """Load and compile the knowledge base once per worker; leave stopping to the parent.

    A terminal sends Ctrl-C (SIGINT) and its hang-up (SIGHUP) to the whole process
    group, as ``kill -- -PGID`` does SIGTERM. A worker that dies or unwinds while it
    reads a task or writes a result leaves the pool's queue locked or its pipe half
    written, and the parent's clean stop then waits forever. So each worker leaves the
    parent's process group: such signals reach the parent alone, which ends the pool
    in order (with SIGTERM, at their default again). SIGINT stays ignored where a
    worker cannot leave the group (no ``setpgrp``).
    """
    global _worker_expert, _worker_delivery
    from .console import STOP_SIGNALS
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in STOP_SIGNALS:  # forked with the parent's handler, which would raise in the worker
        signal.signal(signum, signal.SIG_DFL)
    from ..report.expert import Expert
    from ..knowledge.loading import load_knowledge_base
    from ..render import colour, width
    gc.disable()  # as the parent's batch does (``collector``): a collection after each chunk instead
    _worker_expert = Expert(load_knowledge_base(kb_path))
    gc.freeze()  # the knowledge base lives as long as the worker
    _worker_delivery = delivery
    colour.use(delivery.colour)
    width.use(delivery.columns)


def _evaluate_chunk(args: tuple[list[str], bool]) -> list[Result]:
    paths, trace = args
    results = evaluate_chunk(_worker_expert, paths, _worker_delivery, trace)
    for result in results:
        result.error = None  # a traceback does not cross the process boundary; the problems do
    chunk_done()
    return results


def trace_lines(run) -> list[str]:
    """The rules in firing order, as CLIPS's (watch rules) shows them."""
    return [f"FIRE {index} {firing.rule.name}: "
            + ", ".join(f"{fact}={value}" for fact, value in firing.values)
            for index, firing in enumerate(run.firings, start=1)]


CHUNK = 256
"""Files a batch takes through each stage together, at most. Reading, running, reporting and
writing files one stage at a time keeps each stage's code and data in the processor's caches:
10,000 generated files take a tenth less time than in chunks of 32 and a third less than one
file at a time (larger chunks gain nothing more and hold more memory), with the same results
in the same order."""
CHUNK_BYTES = 1024 * 1024
"""Input bytes a chunk holds at most (a file may be larger, alone). A chunk's scenarios, runs
and reports are all alive until it is written, and a report takes a few times its file's size
in memory: so a batch of large files goes through a few at a time, and its memory stays that of
a few files, whatever the files' sizes."""


def chunks(files: list[str], most: int = CHUNK, budget: int = CHUNK_BYTES) -> Iterator[list[str]]:
    """The files in input order, in chunks of at most ``most`` files and ``budget`` bytes."""
    chunk: list[str] = []
    held = 0
    for path in files:
        size = _size(path, budget)
        if chunk and (len(chunk) >= most or held + size > budget):
            yield chunk
            chunk, held = [], 0
        chunk.append(path)
        held += size
    if chunk:
        yield chunk


def _size(path: str, budget: int) -> int:
    """A file's size as it stands; standard input counts as a whole chunk (its size is not known
    before it is read), a file that cannot be examined as nothing (reading it will say why)."""
    if path == STDIN:
        return budget
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def evaluate_chunk(expert: "Expert", paths: list[str], delivery: Delivery, trace: bool = False) -> list[Result]:
    """Evaluate files stage by stage (read all, run all, report all), turning user errors into
    Results instead of exceptions; results in the order of ``paths``."""
    results: list[Result | None] = [None] * len(paths)
    names = [STDIN_NAME if path == STDIN else path for path in paths]

    def attempt(index: int, stage, *args):
        try:
            return stage(*args)
        except IpsExpertError as exc:
            results[index] = Result(names[index], problems=exc.problems, error=exc)
            return None

    scenarios = {index: attempt(index, _read, expert, path) for index, path in enumerate(paths)}
    runs = {index: attempt(index, expert.run, scenario.answers)
            for index, scenario in scenarios.items() if scenario is not None}
    for index, run in runs.items():
        if run is not None:
            report = attempt(index, expert.report, scenarios[index], run, delivery.today)
            if report is not None:
                results[index] = _delivered(names[index], report, run, delivery, trace)
    return results


def _read(expert: "Expert", path: str) -> "Scenario | ScenarioRecord":
    from ..knowledge.scenario_record import read_scenario
    return stdin_scenario(expert) if path == STDIN else read_scenario(path, expert.kb)


def _delivered(name: str, report: "Report", run, delivery: Delivery, trace: bool) -> Result:
    """A report as the batch's reader wants it: selected, maybe rendered, --fail-on worked out."""
    if delivery.kept is not None:
        from .selection import keep
        report = keep(report, delivery.kept)
    from ..render.output import standalone_renderer
    render = None if delivery.fmt in OWN_WRITERS else standalone_renderer(delivery.fmt, delivery.view,
                                                                          delivery.explain)
    return Result(name, report=None if render else report, text=render(report) if render else None,
                  tripped=tripped_lines(report, delivery), trace=trace_lines(run) if trace else None,
                  count=count(report))


def stdin_scenario(expert: "Expert") -> "Scenario | ScenarioRecord":
    """The one scenario on standard input, read as a file is (bounded, JSON when it looks like it)."""
    from ..documents import DEFAULT_LIMITS
    from ..knowledge.scenario_record import scenario_of_bytes
    raw = sys.stdin.buffer.read(DEFAULT_LIMITS.max_bytes + 1)
    return scenario_of_bytes(raw, STDIN_NAME, expert.kb)


def tripped_lines(report: "Report", delivery: Delivery) -> list[str]:
    """``ID severity: title`` for each advice at or above --fail-on, an acceptance that ran out marked.

    Worked out where the report is made (maybe a worker), since the parent may only get
    the report's text.
    """
    if not delivery.fail_on:
        return []
    lines = []
    for advice in report.at_or_above(delivery.fail_on, delivery.today or date.today()):
        expired = f" [accepted until {advice.accepted.until}, expired]" if advice.accepted else ""
        lines.append(f"{advice.id} {advice.severity}: {one_line(advice.title)}{expired}")
    return lines


def evaluate_files(files: list[str], expert: "Expert", delivery: Delivery, jobs: int = 1,
                   trace: bool = False) -> Iterator[Result]:
    """Results in input order; ``jobs`` worker processes (0: one per core) when above 1.

    ``expert`` is the already loaded knowledge base: the serial path uses it, and
    workers load the same folder once each.
    """
    if jobs == 0:
        jobs = os.cpu_count() or 1
    if jobs <= 1 or len(files) < 2 or STDIN in files:
        for chunk in chunks(files):
            yield from evaluate_chunk(expert, chunk, delivery, trace)
            chunk_done()
        return
    kb_path = str(expert.kb.path)
    import multiprocessing
    context = multiprocessing.get_context("spawn" if os.name == "nt" else "fork")
    most = max(1, min(CHUNK, len(files) // (jobs * 8)))  # enough tasks to keep every worker busy to the end
    tasks = [(chunk, trace) for chunk in chunks(files, most)]
    with context.Pool(min(jobs, len(files)), initializer=_init_worker, initargs=(kb_path, delivery)) as pool:
        for results in pool.imap(_evaluate_chunk, tasks):
            yield from results
