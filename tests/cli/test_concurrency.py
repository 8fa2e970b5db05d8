"""Threads: ipsexpert.evaluate() called from 8 threads gives exactly the serial reports.

The library shares one compiled knowledge base per folder between callers (each thread
gets its own engine), so concurrent calls must neither mix up facts between scenarios
nor differ by a byte from one-at-a-time calls; the same holds for files read
concurrently and for the first calls racing to build the shared Expert.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import ipsexpert
from ipsexpert.report import expert as evaluation
from tests.conftest import REPO, SCENARIOS
from tests.profiles import profiles

THREADS = 8
KB = ipsexpert.load_knowledge_base()


def in_threads(function, items: list) -> list:
    """``function`` over ``items`` on THREADS threads that all start at once; results in order."""
    barrier = threading.Barrier(THREADS)

    def worker(offset: int) -> list:
        barrier.wait()
        return [(index, function(items[index])) for index in range(offset, len(items), THREADS)]

    with ThreadPoolExecutor(THREADS) as pool:
        chunks = list(pool.map(worker, range(THREADS)))
    results = [None] * len(items)
    for chunk in chunks:
        for index, result in chunk:
            results[index] = result
    return results


def report_json(subject) -> str:
    return ipsexpert.evaluate(subject).model_dump_json()


@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example,
                                                HealthCheck.data_too_large])
@given(batch=st.lists(profiles(KB), min_size=THREADS, max_size=THREADS * 2))
def test_threads_give_the_serial_reports(batch):
    batch = batch * 3  # several rounds per thread, each thread on different profiles at once
    serial = [report_json(profile) for profile in batch]
    assert in_threads(report_json, batch) == serial


def test_threads_on_one_profile_and_on_files(tmp_path):
    files = sorted(SCENARIOS.glob("*.yaml")) * 4
    serial = [report_json(path) for path in files]
    assert in_threads(report_json, files) == serial
    one = {"phase": "delivery", "organisations_involved": 4, "political_sponsor": "none"}
    assert in_threads(report_json, [one] * THREADS * 4) == [report_json(one)] * THREADS * 4


def test_threads_racing_to_build_the_shared_expert(monkeypatch):
    """First calls for a knowledge-base folder, all at once: one Expert, the same reports."""
    monkeypatch.setattr(evaluation, "_experts", {})
    answers = [{"phase": phase, "scope": scope} for phase in ("design", "delivery", "evaluation")
               for scope in ("local", "national", "cross_border")]
    reports = in_threads(lambda subject: ipsexpert.evaluate(subject, kb=REPO).model_dump_json(), answers)
    assert len(evaluation._experts) == 1
    assert reports == [report_json(subject) for subject in answers]


def test_bad_input_in_one_thread_does_not_disturb_the_others():
    good = [{"phase": "design", "scope": scope} for scope in ("local", "regional", "national")] * THREADS
    bad = {"phase": "build"}

    def evaluate(subject):
        try:
            return report_json(subject)
        except ipsexpert.ScenarioError as exc:
            return [str(problem) for problem in exc.problems]

    mixed = [item for pair in zip(good, [bad] * len(good)) for item in pair]
    results = in_threads(evaluate, mixed)
    assert results[0::2] == [report_json(subject) for subject in good]
    assert results[1::2] == [["answers.phase: 'build' is not one of design, delivery, evaluation"]] * len(good)


@pytest.mark.parametrize("subject", [str(SCENARIOS / "ingov-pilot-malta.yaml")])
def test_threads_with_their_own_experts(subject):
    experts = [ipsexpert.Expert(KB) for _ in range(THREADS)]
    expected = experts[0].evaluate(subject).model_dump_json()
    results = in_threads(lambda expert: expert.evaluate(subject).model_dump_json(), experts)
    assert results == [expected] * THREADS
