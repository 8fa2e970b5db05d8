"""Bounded memories of work done once and asked for again (steps, standings, checked answers).

A batch meets the same few hundred answers and combinations over and over, so what they
give is kept; numbers can make any number of them, so a memory that is full starts again,
and a batch's memory stays flat.
"""

from __future__ import annotations

from typing import Any


def remember(memory: dict, key: Any, value: Any, most: int) -> None:
    """Keep ``value`` under ``key``, emptying the memory first when it holds ``most`` already."""
    if len(memory) >= most:
        memory.clear()
    memory[key] = value
