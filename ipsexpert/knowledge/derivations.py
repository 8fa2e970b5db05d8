"""Derived facts in dependency order: one pass evaluates them all, and a knowledge base
whose derived facts read each other in a circle, or too deep, is refused with a message.

The walk keeps its own stack, as a chain of thousands of derived facts written to break
the loader must be refused with a message, not overflow Python's.
"""

from __future__ import annotations

from typing import Callable

from . import semantics
from ..documents import Document
from .rulebase import Derivation

MAX_DERIVATION_DEPTH = 32
"""How deep derived facts may build on one another (``a`` reads ``b`` reads ``c`` ...):
explanations follow such chains down to the answers. The shipped ones go 2 deep."""

Raw = dict[str, tuple[dict, Document, tuple]]
"""Each derived fact's entry as written, its document and its path there."""
Fail = Callable[[Document, str, tuple], None]
"""Notes a problem at a path of a document (the loader's ``fail``)."""


def dependency_order(parsed: dict[str, Derivation], raw: Raw, fail: Fail) -> dict[str, Derivation]:
    """The derived facts in dependency order; each cycle, and each chain deeper than
    MAX_DERIVATION_DEPTH (when there is no cycle), is a problem noted through ``fail``."""
    reads = {derived_id: sorted(semantics.facts_read(derivation.when) & parsed.keys())
             for derived_id, derivation in parsed.items()}
    ordered: dict[str, Derivation] = {}
    depth: dict[str, int] = {}
    cyclic = False
    for start in parsed:
        if start in ordered:
            continue
        path, on_path, pending = [start], {start}, [iter(reads[start])]
        while path:
            dependency = next(pending[-1], None)
            if dependency is None:
                done = path.pop()
                on_path.discard(done)
                pending.pop()
                depth[done] = 1 + max((depth.get(d, 0) for d in reads[done]), default=0)
                ordered[done] = parsed[done]
            elif dependency in on_path:
                cyclic = True
                _, doc, where = raw[dependency]
                cycle = path[path.index(dependency):] + [dependency]
                fail(doc, "derivation cycle: " + _abridged(cycle), where + ("when",))
            elif dependency not in ordered:
                path.append(dependency)
                on_path.add(dependency)
                pending.append(iter(reads[dependency]))
    if not cyclic:
        _check_depth(depth, reads, raw, fail)
    return ordered


def _check_depth(depth: dict[str, int], reads: dict[str, list[str]], raw: Raw, fail: Fail) -> None:
    """Each derived fact that stands one level above MAX_DERIVATION_DEPTH is an error,
    shown with the start of its chain (the facts deeper still are the same problem)."""
    for derived_id, levels in depth.items():
        if levels != MAX_DERIVATION_DEPTH + 1:
            continue
        below = max(reads[derived_id], key=depth.__getitem__)
        _, doc, where = raw[derived_id]
        fail(doc, f"derived facts build on each other more than {MAX_DERIVATION_DEPTH} levels "
             f"deep here: {derived_id} reads {below}, which reads "
             f"{max(reads[below], key=depth.__getitem__)}, and so on; make the chain shorter",
             where + ("when",))


def _abridged(ids: list[str], head: int = 5, tail: int = 4) -> str:
    """``a -> b -> ...`` in full when short, else its start and end: a cycle through
    thousands of derived facts must still fit in one readable message."""
    if len(ids) <= head + tail + 1:
        return " -> ".join(ids)
    return " -> ".join(ids[:head] + [f"… ({len(ids) - head - tail} more)"] + ids[-tail:])
