"""The garbage collector in a batch: collections between chunks instead of inside them.

A batch takes its files a chunk at a time (``batch.CHUNK``), and a chunk's scenarios,
engine runs and reports are all alive until the chunk is written. Python's automatic
collections start whenever enough new objects are alive, so in a batch they start in
the middle of a chunk, walk everything the chunk holds, keep it as survivors and walk
it again in the older generations: a tenth of a 10,000-file batch. Almost nothing a
chunk makes is cyclic (the engine's tokens, the steps and the reports are freed by
their reference counts the moment the chunk is written), so the batch turns automatic
collection off and collects the young generations at each chunk's end, when they hold
next to nothing; every ``FULL_EVERY`` chunks a full collection frees whatever cyclic
garbage reached the oldest generation. Garbage a chunk makes is thus freed at its end,
and a batch's memory stays that of one chunk, as before.

The knowledge base and its compiled network live as long as the batch: once loaded
they are frozen, so that the full collections do not walk them. Everything is as it
was again after the batch, so a library or test caller keeps its own collector.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Callable, Iterator

FULL_EVERY = 8
"""Chunks between two full collections (2,048 files in full chunks)."""

_chunks_since_full = 0


@contextmanager
def collector_for_a_batch() -> Iterator[Callable[[], None]]:
    """Automatic collection off for the batch; what it yields freezes the loaded knowledge base."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def chunk_done() -> None:
    """Collect what a finished chunk left: the young generations, and now and then all."""
    global _chunks_since_full
    _chunks_since_full += 1
    if _chunks_since_full >= FULL_EVERY:
        _chunks_since_full = 0
        gc.collect()
    else:
        gc.collect(1)
