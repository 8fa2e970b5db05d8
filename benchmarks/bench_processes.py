"""Whole-process figures: batches of scenario files, a plain-script baseline, cold starts.

A user pays for the whole process (interpreter, imports, knowledge-base loading,
parsing, rendering), so these figures time real child processes of the interpreter
that runs the benchmark. The different commands run interleaved, round by round, so a
machine that slows down mid-run shifts all of them rather than one.

Peak memory is the ``ru_maxrss`` that ``os.wait4`` returns for one child (covering the
child and its reaped worker processes; ``RUSAGE_CHILDREN`` would only give the largest
child the benchmark ever had). Each child is started by a tiny wrapper process, which
times it and reports its ``ru_maxrss``: Linux records the resident size of the process
that forked a child as the child's starting ``ru_maxrss`` (it is set at ``execve`` from
the memory image being replaced), so a child forked straight from the benchmark, which
holds thousands of profiles, would report the benchmark's size instead of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_common import Row, median, ms, progress, ratio, secs, verdict

SECTION_BATCH = "2 batch"
SECTION_COLD = "3 cold start"
SECTION_LARGE = "6 large file"
BASELINE_RATIO_TARGET = 3.0
BASELINE_RATIO_FROM = 1000
"""The ratio to the plain script is a target from 1,000 files (below, start-up dominates both)."""
LARGE_JSON_TARGET_MB = 10.0
LARGE_MEMORY_TARGET_MB = 200.0
FLATNESS_TARGET = 0.20
FLATNESS_FROM = 1000
MEMORY_TARGET_MB = 200.0
COLD_RATIO_TARGET = 1.5
BARE_IMPORTS = "import ipsexpert.engine.compat, pydantic, click, yaml, tabulate"
HEAVY_MODULES = ("experta", "pydantic")

PLAIN_SCRIPT = '''\
"""The baseline: read scenario files with PyYAML and evaluate them with the direct evaluator."""
import json
import sys
from pathlib import Path

import yaml

from ipsexpert.knowledge import semantics
from ipsexpert import load_knowledge_base

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
kb = load_knowledge_base()
out = sys.stdout
for path in sorted(Path(sys.argv[1]).iterdir()):
    data = yaml.load(path.read_bytes(), Loader=Loader)
    known = {fact: value for fact, value in (data.get("answers") or {}).items()
             if value is not None and value != "unknown"}
    value_of = semantics.value_of(kb, known)
    outcomes = {rec_id: semantics.recommendation_outcome(rec, value_of)[0] for rec_id, rec in kb.recommendations.items()}
    out.write(json.dumps({"name": data.get("name"), "outcomes": outcomes}) + "\\n")
'''

SPAWN_AND_MEASURE = '''\
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(report, "w") as handle:
    handle.write(f"{seconds!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
'''
"""The wrapper: a few megabytes of Python that spawns the child, waits for it and reports
wall time, peak RSS and exit status to a file (the child keeps stdout and stderr)."""

PARALLEL_PROBE = '''\
import multiprocessing, time
def work(n):
    total = 0
    for i in range(n):
        total += i * i
    return total
if __name__ == "__main__":
    tasks = [400_000] * 16
    best = []
    for _ in range(3):
        start = time.perf_counter(); [work(n) for n in tasks]; serial = time.perf_counter() - start
        with multiprocessing.get_context("fork").Pool(2) as pool:
            pool.map(work, [1, 1])
            start = time.perf_counter(); pool.map(work, tasks, chunksize=1); parallel = time.perf_counter() - start
        best.append(serial / parallel)
    print(sorted(best)[1])
'''
"""How much faster two processes do pure-Python work than one, on this machine: the ceiling of
any ``--jobs 2`` speed-up (a shared or throttled virtual machine may give far less than 2x)."""

IMPORT_CHECK = '''\
import runpy, sys
sys.argv = ["ipsexpert", *sys.argv[1:]]
try:
    runpy.run_module("ipsexpert", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
sys.stdout.flush()
print("HEAVY:" + ",".join(sorted(m for m in %r if m in sys.modules)), file=sys.stderr)
''' % (HEAVY_MODULES,)


@dataclass(frozen=True)
class Child:
    """A finished child process: wall time, peak resident memory (MB) and its output."""

    seconds: float
    maxrss_mb: float | None
    stdout: str
    stderr: str


def _maxrss_mb(maxrss: int) -> float:
    """ru_maxrss is in kilobytes on Linux and in bytes on macOS."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


class Launcher:
    """Starts children of ``sys.executable`` in a scratch folder, with a fixed environment.

    The scratch folder as working directory keeps a checkout in the caller's working
    directory from shadowing the package the benchmark measures; ``pythonpath`` (absolute
    entries) replaces the caller's PYTHONPATH, so children import what the benchmark does.
    """

    def __init__(self, workdir: Path, pythonpath: list[str]) -> None:
        self.workdir = workdir
        self.env = dict(os.environ)
        if pythonpath:
            self.env["PYTHONPATH"] = os.pathsep.join(pythonpath)
        else:
            self.env.pop("PYTHONPATH", None)
        # The knowledge-base cache of the children: a scratch folder, warm after the first run.
        self.env["XDG_CACHE_HOME"] = str(workdir / "cache")
        self.env.pop("IPSEXPERT_NO_CACHE", None)
        # Byte-compiled modules, as an installed package has them, kept in the scratch folder: a
        # PYTHONDONTWRITEBYTECODE inherited from the caller would make every child compile every
        # module it imports from a checkout again, which is not what a user's start costs.
        self.env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def python(self, *args: str, capture: bool = False, env: dict[str, str] | None = None) -> Child:
        """Run ``sys.executable *args`` (``env`` added to the environment); any exit status but 0 is
        a failed benchmark."""
        argv = [sys.executable, *map(str, args)]
        saved = self.env
        self.env = {**saved, **(env or {})}
        try:
            with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
                returncode, seconds, maxrss = self._measured(argv, out if capture else subprocess.DEVNULL, err)
                out.seek(0)
                err.seek(0)
                child = Child(seconds, maxrss, out.read().decode(errors="replace"),
                              err.read().decode(errors="replace"))
        finally:
            self.env = saved
        if returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {returncode}:\n{child.stderr[-2000:]}")
        return child

    def _measured(self, argv: list[str], stdout, stderr) -> tuple[int, float, float | None]:
        """Exit status, seconds and peak MB of one child, through the wrapper where possible."""
        if not (hasattr(os, "posix_spawn") and hasattr(os, "wait4")):  # Windows: time only
            start = time.perf_counter()
            returncode = subprocess.call(argv, cwd=self.workdir, env=self.env, stdin=subprocess.DEVNULL,
                                         stdout=stdout, stderr=stderr)
            return returncode, time.perf_counter() - start, None
        report = self.workdir / "child-rusage.txt"
        status = subprocess.call([sys.executable, "-c", SPAWN_AND_MEASURE, str(report), *argv],
                                 cwd=self.workdir, env=self.env, stdin=subprocess.DEVNULL,
                                 stdout=stdout, stderr=stderr)
        if status != 0:
            return status, 0.0, None
        seconds, maxrss, returncode = report.read_text(encoding="ascii").split()
        return int(returncode), float(seconds), _maxrss_mb(int(maxrss))

    def ipsexpert(self, *args: str, capture: bool = False) -> Child:
        """The ``ipsexpert`` command, as ``python -m ipsexpert`` of the measured interpreter."""
        return self.python("-m", "ipsexpert", *args, capture=capture)


# --- batches ---------------------------------------------------------------------------

@dataclass
class _BatchSamples:
    """Per repetition: seconds and peak MB of each command, keyed by a short label."""

    seconds: dict[str, list[float]]
    peak_mb: dict[str, list[float]]

    def add(self, label: str, child: Child) -> None:
        self.seconds.setdefault(label, []).append(child.seconds)
        if child.maxrss_mb is not None:
            self.peak_mb.setdefault(label, []).append(child.maxrss_mb)

    def time(self, label: str) -> float:
        return median(self.seconds[label])

    def peak(self, label: str) -> float | None:
        return max(self.peak_mb[label]) if label in self.peak_mb else None


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MB"


def _collect_batches(launcher: Launcher, folders: dict[int, Path], one_file: Path, jobs_size: int,
                     repeat: int) -> _BatchSamples:
    baseline = launcher.workdir / "plain_direct.py"
    baseline.write_text(PLAIN_SCRIPT, encoding="utf-8")
    samples = _BatchSamples({}, {})
    launcher.ipsexpert("evaluate", one_file, "--format", "json")  # byte-compile caches, warm the disk cache
    for index in range(repeat):
        progress(f"batches: repetition {index + 1}/{repeat} ({', '.join(f'{n:,}' for n in folders)} files)")
        samples.add("startup", launcher.ipsexpert("evaluate", one_file, "--format", "json"))
        for size, folder in folders.items():
            samples.add(f"ips{size}", launcher.ipsexpert("evaluate", folder, "--format", "json"))
            samples.add(f"plain{size}", launcher.python(baseline, folder))
        samples.add("jobs2", launcher.ipsexpert("evaluate", folders[jobs_size], "--format", "json",
                                                "--jobs", "2"))
    return samples


def batch_rows(launcher: Launcher, folders: dict[int, Path], one_file: Path, jobs_size: int,
               repeat: int) -> list[Row]:
    """Per size: time per profile, peak memory, the plain-script ratio; then flatness and --jobs 2."""
    samples = _collect_batches(launcher, folders, one_file, jobs_size, repeat)
    startup = samples.time("startup")
    rows = [Row(SECTION_BATCH, "evaluate 1 file --format json (start-up)", secs(startup))]
    marginal: dict[int, float] = {}
    for size in folders:
        total, plain = samples.time(f"ips{size}"), samples.time(f"plain{size}")
        marginal[size] = median([(t - s) / max(size - 1, 1) for t, s in
                                 zip(samples.seconds[f"ips{size}"], samples.seconds["startup"])])
        rows += [
            Row(SECTION_BATCH, f"evaluate {size:,} files --format json",
                f"{ms(total / size)}/profile ({ms(marginal[size])} after start-up); {secs(total)}"),
            Row(SECTION_BATCH, f"  peak memory, {size:,} files", _mb(samples.peak(f"ips{size}")),
                *_memory_target(samples.peak(f"ips{size}"), size == max(folders))),
            Row(SECTION_BATCH, f"  plain yaml + direct evaluator, {size:,} files",
                f"{ms(plain / size)}/profile; {secs(plain)}; {_mb(samples.peak(f'plain{size}'))}"),
            Row(SECTION_BATCH, f"  ipsexpert / plain, {size:,} files", ratio(total / plain),
                *((f"<= {BASELINE_RATIO_TARGET:g}x", verdict(total / plain <= BASELINE_RATIO_TARGET))
                  if size >= BASELINE_RATIO_FROM else ("", ""))),
        ]
    rows.append(_flatness_row(marginal))
    serial, parallel = samples.time(f"ips{jobs_size}"), samples.time("jobs2")
    rows += [
        Row(SECTION_BATCH, f"evaluate {jobs_size:,} files --jobs 2",
            f"{ms(parallel / jobs_size)}/profile; {secs(parallel)}; peak {_mb(samples.peak('jobs2'))}"),
        Row(SECTION_BATCH, f"  speed-up of --jobs 2, {jobs_size:,} files", ratio(serial / parallel),
            "> 1x (faster)", verdict(serial / parallel > 1)),
        Row(SECTION_BATCH, "  machine: 2 processes of pure Python against 1 (ceiling of the above)",
            ratio(float(launcher.python("-c", PARALLEL_PROBE, capture=True).stdout.strip()))),
    ]
    return rows


def _memory_target(peak: float | None, largest: bool) -> tuple[str, str]:
    """The memory target is set for the largest batch, where growth would show."""
    if not largest:
        return "", ""
    return f"< {MEMORY_TARGET_MB:.0f} MB", verdict(None if peak is None else peak < MEMORY_TARGET_MB)


def _flatness_row(marginal: dict[int, float]) -> Row:
    """Per-profile cost after start-up, largest batch against the next: growth means O(n^2) or leaks."""
    sizes = sorted(marginal)
    if len(sizes) < 2:
        return Row(SECTION_BATCH, "per-profile cost growth", "n/a (one batch size)")
    small, large = sizes[-2], sizes[-1]
    change = marginal[large] / marginal[small] - 1
    figure = f"per-profile cost after start-up, {large:,} vs {small:,}"
    if small < FLATNESS_FROM:  # small batches are dominated by warm-up noise (--quick)
        return Row(SECTION_BATCH, figure, f"{change:+.1%}", f"(set from {FLATNESS_FROM:,} files)")
    return Row(SECTION_BATCH, figure, f"{change:+.1%}", f"within ±{FLATNESS_TARGET:.0%}",
               verdict(abs(change) <= FLATNESS_TARGET))


# --- cold start ------------------------------------------------------------------------

def _heavy_imports(launcher: Launcher, option: str) -> list[str]:
    """The heavy modules that ``ipsexpert OPTION`` imports, read from the child's sys.modules."""
    child = launcher.python("-c", IMPORT_CHECK, option, capture=True)
    marker = [line for line in child.stderr.splitlines() if line.startswith("HEAVY:")]
    if not marker:
        raise RuntimeError(f"the import check printed no result:\n{child.stderr[-2000:]}")
    found = marker[-1][len("HEAVY:"):]
    return found.split(",") if found else []


COLD_COMMANDS = {
    "interpreter": ("python -c pass (interpreter only)", ("-c", "pass")),
    "imports": ("bare imports (shim, pydantic, click, yaml, tabulate)", ("-c", BARE_IMPORTS)),
    "models": ("bare imports + pydantic.BaseModel", ("-c", BARE_IMPORTS + "; from pydantic import BaseModel")),
    "evaluate": ("ipsexpert evaluate one.yaml, KB cache warm", ("-m", "ipsexpert", "evaluate", "{one}")),
    "cold-cache": ("ipsexpert evaluate one.yaml, KB cache cold", ("-m", "ipsexpert", "evaluate", "{one}")),
    "help": ("ipsexpert --help", ("-m", "ipsexpert", "--help")),
    "version": ("ipsexpert --version", ("-m", "ipsexpert", "--version")),
}


def _cold_times(launcher: Launcher, one_file: Path, runs: int) -> dict[str, float]:
    """Median seconds per cold-start command, after one warm-up run of each.

    The cold-cache runs each get a new, empty cache folder: they parse the knowledge base
    and write its cache, as the first run after an install or an edit of the rules does.
    """
    commands = {key: tuple(arg.format(one=one_file) for arg in args) for key, (_, args) in COLD_COMMANDS.items()}
    for args in commands.values():
        launcher.python(*args)  # byte-compile caches, the disk cache and the warm KB cache
    progress(f"cold start: {runs} rounds of {len(commands)} commands")
    times: dict[str, list[float]] = {key: [] for key in commands}
    for round_number in range(runs):
        for key, args in commands.items():
            env = {"XDG_CACHE_HOME": str(launcher.workdir / f"cold-cache-{round_number}")} if key == "cold-cache" else None
            times[key].append(launcher.python(*args, env=env).seconds)
    return {key: median(values) for key, values in times.items()}


def cold_start_rows(launcher: Launcher, one_file: Path, runs: int) -> list[Row]:
    """One scenario end to end against the bare imports it cannot avoid; --help and --version."""
    times = _cold_times(launcher, one_file, runs)
    label = {key: text for key, (text, _) in COLD_COMMANDS.items()}
    cold = times["evaluate"] / times["imports"]
    rows = [Row(SECTION_COLD, label[key], ms(times[key]))
            for key in ("interpreter", "imports", "models", "evaluate", "cold-cache")]
    rows.append(Row(SECTION_COLD, "  evaluate one.yaml (warm cache) / bare imports", ratio(cold),
                    f"<= {COLD_RATIO_TARGET:g}x", verdict(cold <= COLD_RATIO_TARGET)))
    rows.append(Row(SECTION_COLD, "  evaluate one.yaml (cold cache) / bare imports",
                    ratio(times["cold-cache"] / times["imports"])))
    # `import pydantic` alone is lazy and loads no model machinery; any program that
    # defines a model pays for BaseModel, so this ratio shows what is ipsexpert's own.
    rows.append(Row(SECTION_COLD, "  evaluate one.yaml (warm cache) / bare imports + BaseModel",
                    ratio(times["evaluate"] / times["models"])))
    rows += [Row(SECTION_COLD, label[key], ms(times[key])) for key in ("help", "version")]
    for option in ("--help", "--version"):
        heavy = _heavy_imports(launcher, option)
        rows.append(Row(SECTION_COLD, f"{option} imports neither experta nor pydantic",
                        "yes" if not heavy else f"no (imports {', '.join(heavy)})", "yes", verdict(not heavy)))
    return rows


def imported_from(launcher: Launcher) -> str:
    """Where a child process imports ipsexpert from (must be the package measured in process)."""
    child = launcher.python("-c", "import ipsexpert; print(ipsexpert.__file__)", capture=True)
    return child.stdout.strip()


# --- a large file ----------------------------------------------------------------------

def large_file_rows(launcher: Launcher, large_file: Path, runs: int) -> list[Row]:
    """A scenario as large as a file may be (1 MB of free text): its JSON report's size and the peak memory."""
    size = large_file.stat().st_size
    children = [launcher.ipsexpert("evaluate", large_file, "--format", "json", capture=True) for _ in range(runs)]
    json_mb = len(children[0].stdout.encode("utf-8")) / (1024 * 1024)
    peaks = [child.maxrss_mb for child in children if child.maxrss_mb is not None]
    peak = max(peaks) if peaks else None
    return [
        Row(SECTION_LARGE, "scenario file (notes, names, disputes, acceptances)", f"{size / (1024 * 1024):.2f} MB"),
        Row(SECTION_LARGE, "  evaluate --format json: time", secs(median([child.seconds for child in children]))),
        Row(SECTION_LARGE, "  evaluate --format json: JSON report", f"{json_mb:.2f} MB ({json_mb * 1024 * 1024 / size:.1f}x the file)",
            f"< {LARGE_JSON_TARGET_MB:g} MB", verdict(json_mb < LARGE_JSON_TARGET_MB)),
        Row(SECTION_LARGE, "  evaluate --format json: peak memory", _mb(peak), f"< {LARGE_MEMORY_TARGET_MB:.0f} MB",
            verdict(None if peak is None else peak < LARGE_MEMORY_TARGET_MB)),
    ]
