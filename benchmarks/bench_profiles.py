"""Seeded random project profiles drawn from the fact catalogue, and scenario files of them.

The profiles come from the catalogue the knowledge base ships (ids, types, values,
minimums), not from a list kept here, so they follow the knowledge base as it grows.
Whole numbers are drawn mostly around the thresholds the rules compare them with
(read from the conditions themselves): uniform draws would almost never land on
both sides of ``at_least: 2``, and the benchmark would exercise half the rules.
Each profile leaves a share of its facts unknown (0 to 60 %, drawn per profile), as
real scenarios and consultations in progress do; an unknown fact is either omitted
or written as ``unknown``, the two spellings a user may choose.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

INTERESTING_INTS = (0, 1, 2, 3, 5, 10, 99_999, 100_000, 100_001, 1_000_000, 3_000_000)
"""Whole numbers worth drawing whatever the rules say: small counts and population sizes."""

MAX_UNKNOWN_SHARE = 0.6
NEAR_THRESHOLD = 0.85
"""How often an int is drawn from the interesting values rather than uniformly."""

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class Profile:
    """One generated project: ``answers`` as written to its scenario file."""

    name: str
    answers: dict[str, Any]  # known values, and "unknown" for some of the unknown facts

    @property
    def known(self) -> dict[str, Any]:
        """The known answers only: what the direct evaluator reads."""
        return {fact: value for fact, value in self.answers.items() if value != "unknown"}

    def scenario_text(self) -> str:
        """The profile as a YAML scenario file (``name:`` and ``answers:``)."""
        return yaml.dump({"name": self.name, "answers": self.answers}, Dumper=_Dumper, sort_keys=False)


def _conditions(kb) -> Iterator[Any]:
    """Every condition tree of the knowledge base: derivations, ask_if and recommendations."""
    for derivation in kb.derived.values():
        yield derivation.when
    for spec in kb.facts.values():
        yield spec.ask_if
    for rec in kb.recommendations.values():
        yield from (rec.applies, rec.advised, rec.escalate)


def int_thresholds(kb) -> dict[str, set[int]]:
    """Per fact, the constants of its ``at_least``/``at_most`` comparisons and their neighbours.

    Read by duck typing (a comparison has ``fact``, ``op`` and ``value``; combinators
    have ``parts`` or ``part``) so the benchmark does not depend on the condition classes.
    """
    found: dict[str, set[int]] = {}
    pending = [condition for condition in _conditions(kb) if condition is not None]
    while pending:
        node = pending.pop()
        if hasattr(node, "fact") and getattr(node, "op", None) in ("at_least", "at_most"):
            found.setdefault(node.fact, set()).update((node.value - 1, node.value, node.value + 1))
        pending.extend(getattr(node, "parts", ()))
        if getattr(node, "part", None) is not None:
            pending.append(node.part)
    return found


def int_candidates(kb) -> dict[str, list[int]]:
    """The whole numbers worth drawing for each int fact, all at or above its minimum."""
    thresholds = int_thresholds(kb)
    candidates = {}
    for fact_id, spec in kb.facts.items():
        if spec.type == "int":
            minimum = spec.minimum if spec.minimum is not None else 0
            values = {minimum, *INTERESTING_INTS, *thresholds.get(fact_id, ())}
            candidates[fact_id] = sorted(value for value in values if value >= minimum)
    return candidates


def _draw_value(rng: random.Random, spec, candidates: list[int] | None) -> Any:
    if spec.type == "bool":
        return rng.random() < 0.5
    if spec.type == "enum":
        return rng.choice(spec.values)
    if rng.random() < NEAR_THRESHOLD:
        return rng.choice(candidates)
    return rng.randint(spec.minimum if spec.minimum is not None else 0, 10_000_000)


def generate_profiles(kb, count: int, seed: int) -> list[Profile]:
    """``count`` profiles; the same seed and catalogue always give the same profiles."""
    rng = random.Random(seed)
    candidates = int_candidates(kb)
    profiles = []
    for index in range(count):
        unknown_share = rng.uniform(0.0, MAX_UNKNOWN_SHARE)
        answers: dict[str, Any] = {}
        for fact_id, spec in kb.facts.items():
            if rng.random() < unknown_share:
                if rng.random() < 0.5:
                    answers[fact_id] = "unknown"
                continue
            answers[fact_id] = _draw_value(rng, spec, candidates.get(fact_id))
        profiles.append(Profile(f"profile {index:05d}", answers))
    return profiles


def answer_profiles(kb, count: int, seed: int, unknown_share: float) -> list[dict[str, Any]]:
    """Profiles as a consultation meets them: every fact answered, a share of them "unknown" (None).

    ``unknown_share`` 0 gives complete profiles; the consultation benchmark uses 0 and 0.3.
    """
    rng = random.Random(seed)
    candidates = int_candidates(kb)
    return [{fact_id: None if rng.random() < unknown_share else _draw_value(rng, spec, candidates.get(fact_id))
             for fact_id, spec in kb.facts.items()} for _ in range(count)]


def write_scenarios(folder: Path, texts: list[str]) -> list[Path]:
    """One scenario file per text, named so that sorting by name keeps the profile order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, text in enumerate(texts):
        path = folder / f"p{index:05d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
