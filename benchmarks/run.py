#!/usr/bin/env python3
"""ipsexpert benchmarks: one table of figures, each the median of several runs.

    python benchmarks/run.py                 the full run (a few minutes on 2 cores)
    python benchmarks/run.py --quick         a smoke run for CI (well under a minute)
    python benchmarks/run.py --cprofile 500  where Expert.run spends its time, then exit

Options: ``--profiles N`` (in-process profiles), ``--seed S``, ``--repeat R``.

What it measures, and why:

1. engine - the direct three-valued evaluator (``semantics.value_of`` plus every
   ``semantics.recommendation_outcome``) is the floor no engine can beat; ``Expert.run`` and
   ``Expert.evaluate`` are timed beside it on the same profiles, so the ratio shows
   what the Rete engine costs, and the reports are checked against the floor.
2. batch - whole ``ipsexpert evaluate DIR --format json`` processes on generated
   scenario files: time per profile, peak memory, ``--jobs 2``, and the ratio to a
   plain script that reads the same files with PyYAML and runs the direct evaluator.
3. cold start - one scenario end to end against the imports it cannot avoid, with the
   knowledge-base cache warm and cold, and ``--help``/``--version``, which must not import
   experta or pydantic.
4. compile - loading the knowledge base, and compiling it into an Expert.
5. consultation - ``questions.next_question`` latency over simulated consultations, and
   each question order's mean questions against the profiles' stopping bound, on
   complete and on 30 %-unknown profiles.
6. large file - a scenario of 1 MB of free text (the most a file may hold), the worst
   case for a report's size: its JSON report's size and the peak memory.

Outputs are checked byte for byte elsewhere: ``tests/report/test_plain_report.py`` (the
plain report against the pydantic model, every format and view) and
``benchmarks/identical.py`` (every output of ``evaluate`` against a saved baseline).

Everything runs on ``sys.executable``, so the figures are those of the environment the
benchmark is started from: the installed ipsexpert if there is one, else this
checkout's (run with ``PYTHONPATH=.`` to measure the checkout over an installed copy).
Profiles are seeded, so two runs with the same seed evaluate the same scenarios.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def _import_ipsexpert() -> bool:
    """Make ipsexpert importable: the installed one, else this checkout's. True for the checkout."""
    if importlib.util.find_spec("ipsexpert") is not None:
        return False
    sys.path.insert(0, str(CHECKOUT))
    return True


USES_CHECKOUT = _import_ipsexpert()

import ipsexpert  # noqa: E402  (importable only once the checkout may be on the path)
import yaml  # noqa: E402
from tabulate import tabulate  # noqa: E402

from bench_common import Row, progress  # noqa: E402
from bench_inprocess import (compile_rows, consultation_rows, cprofile_engine, engine_rows,  # noqa: E402
                             pipeline_rows)
from bench_large import write_large_scenario  # noqa: E402
from bench_processes import Launcher, batch_rows, cold_start_rows, imported_from, large_file_rows  # noqa: E402
from bench_profiles import Profile, generate_profiles, write_scenarios  # noqa: E402


@dataclass(frozen=True)
class Config:
    """How much to measure: the full run, or the CI smoke run (``--quick``)."""

    profiles: int  # in-process profiles (engine figures)
    batch_sizes: tuple[int, ...]  # files per whole-process batch
    jobs_size: int  # the batch also run with --jobs 2
    repeat: int  # repetitions behind every median
    cold_runs: int  # rounds of the cold-start commands
    consultations: int  # simulated consultations for next_question
    seed: int
    quick: bool


def make_config(options: argparse.Namespace) -> Config:
    """Defaults sized so the full run takes minutes on 2 cores and --quick under a minute."""
    if options.quick:
        profiles, sizes, jobs_size, repeat, consultations = 100, (50, 200), 200, 2, 20
    else:
        profiles, sizes, jobs_size, repeat, consultations = 1000, (100, 1000, 10_000), 1000, 3, 200
    profiles = options.profiles or profiles
    repeat = options.repeat or repeat
    return Config(profiles, sizes, jobs_size, repeat, cold_runs=3 * repeat + 1,
                  consultations=min(consultations, profiles), seed=options.seed, quick=options.quick)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts and fewer repeats (CI smoke run)")
    parser.add_argument("--profiles", type=_positive, default=None, metavar="N",
                        help="profiles timed in process (default 1000, quick 100)")
    parser.add_argument("--seed", type=int, default=20240, metavar="S", help="random seed (default 20240)")
    parser.add_argument("--repeat", type=_positive, default=None, metavar="R",
                        help="repetitions behind each median (default 3, quick 2)")
    parser.add_argument("--cprofile", type=_positive, nargs="?", const=500, default=None, metavar="N",
                        help="only profile Expert.run over N profiles (default 500) and print the top functions")
    return parser.parse_args(argv)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _cpu_model() -> str:
    """The CPU's name where the system says it (Linux), else the platform's processor field."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


def header(config: Config, kb) -> str:
    """The machine and the run, so that two tables are only compared like with like."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    where = Path(ipsexpert.__file__).parent
    sizes = "/".join(f"{size:,}" for size in config.batch_sizes)
    return "\n".join([
        f"ipsexpert benchmarks ({'quick' if config.quick else 'full'} run)",
        f"machine: {os.cpu_count()} cores ({usable} usable), {_cpu_model()}, {platform.platform()}",
        f"python:  {platform.python_implementation()} {platform.python_version()} at {sys.executable}",
        f"package: ipsexpert {ipsexpert.__version__} from {where}"
        f"{' (checkout)' if USES_CHECKOUT else ''}; experta {_version('experta')}, "
        f"pydantic {_version('pydantic')}, PyYAML {yaml.__version__} "
        f"(LibYAML {'yes' if hasattr(yaml, 'CSafeLoader') else 'no'})",
        f"knowledge base: {len(kb.recommendations)} recommendations, {len(kb.facts)} facts, "
        f"{len(kb.derived)} derived facts",
        f"run: seed {config.seed}; {config.profiles:,} profiles in process; batches of {sizes} files "
        f"(--jobs 2 on {config.jobs_size:,}); medians of {config.repeat} repetitions "
        f"({config.cold_runs} for cold starts)",
    ])


def _children_pythonpath() -> list[str]:
    """The children's PYTHONPATH: the caller's, made absolute (children run in a scratch folder)."""
    entries = [str(Path(entry).resolve()) for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep)
               if entry]
    return [str(CHECKOUT), *entries] if USES_CHECKOUT else entries


def _check_same_package(launcher: Launcher) -> None:
    """Children must import the ipsexpert measured in process, or the table mixes two versions."""
    child = Path(imported_from(launcher)).resolve()
    here = Path(ipsexpert.__file__).resolve()
    if child != here:
        raise SystemExit(f"child processes import ipsexpert from {child}, this process from {here}")


def process_rows(config: Config, profiles: list[Profile], expert: ipsexpert.Expert) -> tuple[list[Row], list[Row]]:
    """Sections 2 and 3 (and the in-process breakdown of a batch file), on scenario files
    written to a scratch folder that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="ipsexpert-bench-") as scratch:
        workdir = Path(scratch)
        launcher = Launcher(workdir, _children_pythonpath())
        _check_same_package(launcher)
        largest = max(config.batch_sizes)
        progress(f"writing {sum(config.batch_sizes):,} scenario files")
        texts = [profile.scenario_text() for profile in profiles[:largest]]
        folders = {size: workdir / f"batch-{size}" for size in config.batch_sizes}
        for size, folder in folders.items():
            write_scenarios(folder, texts[:size])
        one_file = workdir / "one.yaml"
        one_file.write_text(texts[0], encoding="utf-8")
        rows = batch_rows(launcher, folders, one_file, config.jobs_size, config.repeat)
        sample = sorted(folders[largest].iterdir())[:config.profiles]
        rows += pipeline_rows(expert, sample, config.repeat)
        rows += cold_start_rows(launcher, one_file, config.cold_runs)
        progress("large file: writing and evaluating a 1 MB scenario")
        large_file = workdir / "large.yaml"
        write_large_scenario(expert, large_file)
        large = large_file_rows(launcher, large_file, config.repeat)
    return rows, large


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    config = make_config(options)
    kb = ipsexpert.load_knowledge_base()
    expert = ipsexpert.Expert(kb)
    count = options.cprofile or max(config.profiles, *config.batch_sizes)
    progress(f"generating {count:,} profiles (seed {config.seed})")
    profiles = generate_profiles(kb, count, config.seed)
    if options.cprofile:
        print(cprofile_engine(expert, profiles[:options.cprofile]))
        return 0
    print(header(config, kb), flush=True)
    rows = engine_rows(expert, profiles[:config.profiles], config.repeat)
    processes, large = process_rows(config, profiles, expert)
    rows += processes
    rows += compile_rows(profiles[0], max(config.repeat, 5))
    rows += consultation_rows(expert, profiles[:config.consultations], config.seed)
    rows += large
    print()
    print(tabulate([(row.section, row.figure, row.value, row.target, row.met) for row in rows],
                   headers=["section", "figure", "value", "target", "met"], disable_numparse=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
