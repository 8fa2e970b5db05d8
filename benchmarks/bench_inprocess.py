"""In-process figures: the direct-evaluation floor, the engine, compiling, consultation.

Everything goes through public APIs (``load_knowledge_base``, ``Expert``,
``KnowledgeBase.value_of``, ``Recommendation.evaluate``, ``questions.next_question``)
so the figures stay comparable while the engine's insides change. The floor and the
engine are timed side by side in every repetition, so their ratio is not skewed by the
machine getting busier or quieter between two separate measurements.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import tempfile
import statistics
import time
from pathlib import Path
from typing import Any

from tabulate import tabulate

from bench_common import Row, median, ms, p95, progress, ratio, timed, verdict
from bench_profiles import Profile, answer_profiles
from ipsexpert import Expert, load_knowledge_base
from ipsexpert.analysis import questions
from ipsexpert.cli.batch import chunks
from ipsexpert.cli.collector import chunk_done, collector_for_a_batch
from ipsexpert.knowledge import semantics
from ipsexpert.knowledge.scenario_record import read_scenario
from ipsexpert.render.output import json_bytes

ENGINE_TARGET_S = 0.0006
SECTION_ENGINE = "1 engine"
SECTION_BATCH = "2 batch"
SECTION_COMPILE = "4 compile"
SECTION_CONSULT = "5 consultation"


def _checked(expert: Expert, profiles: list[Profile]) -> list[dict[str, Any]]:
    """The checked answers ``Expert.run`` takes, prepared outside any timing."""
    return [expert.scenario(profile.answers).answers for profile in profiles]


def _direct(kb, known: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """Outcome and escalation of every recommendation by the direct evaluator."""
    value_of = semantics.value_of(kb, known)
    return {rec_id: semantics.recommendation_outcome(rec, value_of) for rec_id, rec in kb.recommendations.items()}


def agreement_row(expert: Expert, profiles: list[Profile]) -> Row:
    """Whether the engine's reports agree with the direct evaluator (also the warm-up pass).

    A faster engine that concludes something else is not faster; checking here means an
    optimisation that breaks the reasoning shows up in the benchmark, not only in tests.
    """
    disagreements = 0
    for profile in profiles:
        report = expert.evaluate(profile.answers)
        escalated = {item.id for item in report.advice if item.escalated}
        for rec_id, (outcome, escalates) in _direct(expert.kb, profile.known).items():
            if report.outcomes[rec_id] != outcome or (rec_id in escalated) != escalates:
                disagreements += 1
                break
    return Row(SECTION_ENGINE, "engine agrees with direct evaluator",
               f"{len(profiles) - disagreements}/{len(profiles)} profiles", "all", verdict(disagreements == 0))


def engine_rows(expert: Expert, profiles: list[Profile], repeat: int) -> list[Row]:
    """Per profile: the floor, ``Expert.run`` and ``Expert.evaluate``, and their ratios."""
    kb = expert.kb
    recommendations = list(kb.recommendations.values())
    knowns = [profile.known for profile in profiles]
    checked = _checked(expert, profiles)
    count = len(profiles)

    def floor() -> None:
        for known in knowns:
            value_of = semantics.value_of(kb, known)
            for rec in recommendations:
                semantics.recommendation_outcome(rec, value_of)

    def run() -> None:
        for answers in checked:
            expert.run(answers)

    scenarios = [expert.scenario(profile.answers) for profile in profiles]

    def report() -> None:
        for scenario in scenarios:
            expert.report(scenario, expert.run(scenario.answers))

    def evaluate() -> None:
        for profile in profiles:
            expert.evaluate(profile.answers)

    rows = [agreement_row(expert, profiles)]
    samples: dict[str, list[float]] = {"floor": [], "run": [], "report": [], "evaluate": []}
    for index in range(repeat):
        progress(f"engine: repetition {index + 1}/{repeat} over {count} profiles")
        for name, action in (("floor", floor), ("run", run), ("report", report), ("evaluate", evaluate)):
            samples[name].append(timed(action) / count)
    floor_s, run_s, report_s, evaluate_s = (median(samples[name]) for name in ("floor", "run", "report", "evaluate"))
    run_ratio = median([r / f for r, f in zip(samples["run"], samples["floor"])])
    evaluate_ratio = median([e / f for e, f in zip(samples["evaluate"], samples["floor"])])
    rows += [
        Row(SECTION_ENGINE, "direct floor: value_of + evaluate, per profile", ms(floor_s)),
        Row(SECTION_ENGINE, "Expert.run (engine only), per profile", ms(run_s),
            f"<= {ms(ENGINE_TARGET_S)}", verdict(run_s <= ENGINE_TARGET_S)),
        Row(SECTION_ENGINE, "Expert.run + Expert.report (plain data), per profile", ms(report_s)),
        Row(SECTION_ENGINE, "Expert.evaluate (+ the pydantic Report), per profile", ms(evaluate_s)),
        Row(SECTION_ENGINE, "Expert.run / floor", ratio(run_ratio)),
        Row(SECTION_ENGINE, "Expert.evaluate / floor", ratio(evaluate_ratio)),
    ]
    return rows


PIPELINE_STAGES = ("read + check the file", "Expert.run", "Expert.report", "JSON rendering")


def pipeline_rows(expert: Expert, paths: list[Path], repeat: int) -> list[Row]:
    """Where one file of a batch goes, stage by stage, as ``evaluate --format json`` does it:
    a chunk of files at a time through each stage (``batch.chunks``), read as the batch reads
    them (``read_scenario``: a record for a plain file) and written as the bytes it writes.

    The whole-process figures say how far ipsexpert is from the plain script; this says
    which stage to work on: reading and checking, the engine, the report, or the JSON.
    """
    samples: dict[str, list[float]] = {stage: [] for stage in PIPELINE_STAGES}
    with collector_for_a_batch() as loaded:  # the batch's garbage collection, as evaluate has it
        loaded()
        for index in range(repeat):
            progress(f"pipeline: repetition {index + 1}/{repeat} over {len(paths)} files")
            totals = dict.fromkeys(PIPELINE_STAGES, 0.0)
            for chunk in chunks(paths):
                scenarios = timed_stage(totals, PIPELINE_STAGES[0],
                                        lambda: [read_scenario(p, expert.kb) for p in chunk])
                runs = timed_stage(totals, PIPELINE_STAGES[1], lambda: [expert.run(s.answers) for s in scenarios])
                reports = timed_stage(totals, PIPELINE_STAGES[2],
                                      lambda: [expert.report(s, r) for s, r in zip(scenarios, runs)])
                timed_stage(totals, PIPELINE_STAGES[3], lambda: [json_bytes(report) for report in reports])
                scenarios = runs = reports = None  # freed before the collection, as a batch frees them
                chunk_done()
            for stage, total in totals.items():
                samples[stage].append(total / len(paths))
    medians = {stage: median(values) for stage, values in samples.items()}
    whole = sum(medians.values())
    return [Row(SECTION_BATCH, f"  in process, per file: {stage}", f"{ms(seconds)} ({seconds / whole:.0%})")
            for stage, seconds in medians.items()]


def timed_stage(totals: dict[str, float], stage: str, work):
    """Run ``work`` and add its seconds to ``totals[stage]``; what it returned."""
    start = time.perf_counter()
    result = work()
    totals[stage] += time.perf_counter() - start
    return result


def compile_rows(sample: Profile, repeat: int) -> list[Row]:
    """Loading the knowledge base, compiling it into an Expert, and the first run after.

    The first run is timed apart because an engine may defer work (building its
    per-thread instance) until first use: compile time alone would then look free.
    """
    load, uncached, construct, first_run = [], [], [], []
    saved = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "IPSEXPERT_NO_CACHE")}
    with tempfile.TemporaryDirectory(prefix="ipsexpert-bench-cache-") as folder:
        try:
            os.environ["XDG_CACHE_HOME"] = folder
            os.environ.pop("IPSEXPERT_NO_CACHE", None)
            load_knowledge_base()  # writes the cache
            for _ in range(repeat):
                load.append(timed(load_knowledge_base))
            os.environ["IPSEXPERT_NO_CACHE"] = "1"
            for _ in range(repeat):
                uncached.append(timed(load_knowledge_base))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    kb = load_knowledge_base()
    answers = Expert(kb).scenario(sample.answers).answers
    for _ in range(repeat):
        start = time.perf_counter()
        expert = Expert(kb)
        built = time.perf_counter()
        expert.run(answers)
        construct.append(built - start)
        first_run.append(time.perf_counter() - built)
    return [
        Row(SECTION_COMPILE, "load_knowledge_base(), cache warm", ms(median(load))),
        Row(SECTION_COMPILE, "load_knowledge_base(), no cache (IPSEXPERT_NO_CACHE=1)", ms(median(uncached))),
        Row(SECTION_COMPILE, "Expert(kb): compile the engine (KB loaded)", ms(median(construct))),
        Row(SECTION_COMPILE, "first Expert.run on a new Expert", ms(median(first_run))),
    ]


# --- consultation ----------------------------------------------------------------------

def _consultation_latencies(kb, profiles: list[Profile]) -> tuple[list[float], list[int]]:
    """Every ``next_question`` call of consultations answered from the profiles.

    Walking whole consultations times the calls a user actually waits for, from the
    first question (nothing known) to the last (almost everything known).
    """
    durations, asked = [], []
    for profile in profiles:
        known = profile.known
        answers: dict[str, Any] = {}
        while True:
            start = time.perf_counter()
            fact_id = questions.next_question(kb, answers)
            durations.append(time.perf_counter() - start)
            if fact_id is None:
                break
            answers[fact_id] = known.get(fact_id)  # None: the user answers "unknown"
        asked.append(len(answers))
    return durations, asked


MAX_OVER_BOUND = 1.5
"""Target: questions asked on complete profiles, on average, above the stopping bound."""


def order_rows(kb, count: int, seed: int) -> list[Row]:
    """Each question order against the stopping bound, on complete and on 30 %-unknown profiles."""
    rows = []
    for label, share in (("complete", 0.0), ("30% unknown", 0.3)):
        profiles = answer_profiles(kb, count, seed, share)
        progress(f"consultation orders: {count} {label} profiles")
        bound = statistics.mean(questions.stopping_bound(kb, profile) for profile in profiles)
        rows.append(Row(SECTION_CONSULT, f"stopping bound, {label} profiles (mean)", f"{bound:.2f}"))
        for order in questions.ORDERS:
            asked = statistics.mean(len(questions.simulate(kb, profile, order)[1]) for profile in profiles)
            target = f"<= bound + {MAX_OVER_BOUND}" if share == 0 and order == questions.ORDERS[0] else ""
            met = verdict(asked - bound <= MAX_OVER_BOUND) if target else ""
            rows.append(Row(SECTION_CONSULT, f"  {order}: questions asked (mean), over the bound",
                            f"{asked:.2f}; +{asked - bound:.2f}", target, met))
    return rows


def consultation_rows(expert: Expert, profiles: list[Profile], seed: int = 1) -> list[Row]:
    """next_question latency (median, p95) with the default order, then the orders compared."""
    progress(f"consultation: {len(profiles)} simulated consultations")
    durations, asked = _consultation_latencies(expert.kb, profiles)
    return [
        Row(SECTION_CONSULT, f"next_question median ({questions.ORDERS[0]})", ms(median(durations)), "< 20 ms",
            verdict(median(durations) < 0.020)),
        Row(SECTION_CONSULT, "next_question p95", ms(p95(durations))),
        Row(SECTION_CONSULT, "calls timed; questions per consultation (median)",
            f"{len(durations)}; {median(asked):.0f}"),
        *order_rows(expert.kb, min(len(profiles), 200), seed),
    ]


# --- profiling -------------------------------------------------------------------------

def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    parts = Path(filename).parts
    anchors = [index for index, part in enumerate(parts) if part in ("ipsexpert", "experta")]
    start = anchors[-1] if anchors else len(parts) - 2  # from the package down: experta/matchers/...
    return f"{'/'.join(parts[start:])}:{line}({name})"


def cprofile_engine(expert: Expert, profiles: list[Profile], top: int = 15) -> str:
    """Where ``Expert.run`` spends its time: the top functions by cumulative and own time."""
    checked = _checked(expert, profiles)
    expert.run(checked[0])
    profiler = cProfile.Profile()
    profiler.enable()
    for answers in checked:
        expert.run(answers)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # (file, line, name) -> (primitive, calls, tottime, cumtime, callers)
    count = len(checked)
    sections = []
    for title, column in (("cumulative", 3), ("tottime", 2)):
        ranked = sorted(stats.items(), key=lambda item: item[1][column], reverse=True)[:top]
        table = [(calls, f"{own:.3f}", f"{cumulative:.3f}", f"{cumulative / count * 1000:.3f}", _where(key))
                 for key, (_, calls, own, cumulative, _) in ranked]
        sections.append(f"Expert.run over {count} profiles, top {top} by {title}:\n" + tabulate(
            table, headers=["ncalls", "tottime s", "cumtime s", "cum ms/profile", "function"],
            disable_numparse=True))
    return "\n\n".join(sections)
