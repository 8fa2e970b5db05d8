"""Shared pieces of the benchmark: table rows, statistics and how figures are written.

Every figure ends up as one ``Row`` of the single table ``run.py`` prints, so that a
reader (or a CI log) compares runs line by line; targets sit beside their figures with
a yes/no verdict, and a figure without a target leaves those cells empty.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    section: str
    figure: str
    value: str
    target: str = ""
    met: str = ""


def median(values: Sequence[float]) -> float:
    """The median: robust to the odd slow run that a mean would let skew a figure."""
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (inclusive method, so it never lies outside the data)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def verdict(ok: bool | None) -> str:
    """yes/no for a target, empty when the figure could not be measured."""
    return "" if ok is None else ("yes" if ok else "no")


def ms(seconds: float) -> str:
    """Milliseconds with enough digits for sub-millisecond figures."""
    value = seconds * 1000
    return f"{value:.3f} ms" if value < 1 else f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def ratio(value: float) -> str:
    return f"{value:.2f}x"


def timed(action: Callable[[], object]) -> float:
    """Wall-clock seconds one call takes (perf_counter: monotonic, highest resolution)."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def progress(message: str) -> None:
    """Progress goes to stderr, so that stdout carries only the header and the table."""
    print(f"... {message}", file=sys.stderr, flush=True)
