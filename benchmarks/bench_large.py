"""A scenario as large as a file may be, and the size of its report.

A scenario file may hold up to 1 MB (``documents.Limits``). Real large ones are long
because of free text: notes on every answer, long names, respondents' notes on the
questions they disagree on, reasons for accepted risks. A report must grow with such
a file by a small constant factor — a note quoted in every step that mentions its
answer once made a 900 KB file into a 112 MB report — so the benchmark writes one
such file, evaluates it in a child process and measures the JSON and the peak memory.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import yaml

from bench_profiles import generate_profiles

WORDS = ("the", "ministry", "agency", "agreed", "with", "data", "protection", "officer", "that", "service",
         "will", "exchange", "records", "under", "a", "formal", "agreement", "pending", "review", "Zürich",
         "\"quoted\"", "d'accord", "—", "50%")


def _text(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def _most_quoted(expert, seed: int, count: int = 300) -> tuple[dict, list[str]]:
    """The generated profile whose advice quotes answers most often, and its facts by quotes."""
    best: tuple[int, dict, Counter] | None = None
    for profile in generate_profiles(expert.kb, count, seed):
        report = expert.evaluate(profile.answers)
        quoted = Counter(step.fact for item in report.advice for step in item.explanation.steps
                         if step.kind == "answer")
        if best is None or sum(quoted.values()) > best[0]:
            best = (sum(quoted.values()), dict(profile.answers), quoted)
    assert best is not None
    return best[1], [fact for fact, _ in best[2].most_common()]


def large_scenario(expert, target_bytes: int = 1_000_000, seed: int = 7) -> dict:
    """A scenario of about ``target_bytes`` of YAML, the worst case for a report's size: the
    profile whose advice quotes its answers most often, most of the text in notes on the
    answers quoted most, and every other kind of free text a file may hold, long."""
    kb = expert.kb
    rng = random.Random(seed)
    answers, quoted = _most_quoted(expert, seed)
    enums = [fact for fact, spec in kb.facts.items()
             if spec.type in ("bool", "enum") and fact != kb.meta.phase_fact and fact not in quoted]
    disputed = {}
    for fact in rng.sample(enums, 2):
        spec = kb.facts[fact]
        values = [True, False] if spec.type == "bool" else list(spec.values[:2])
        answers.pop(fact, None)
        disputed[fact] = [{"respondent": "Ministry " + _text(rng, 1_000), "value": values[0],
                           "note": _text(rng, 10_000)},
                          {"respondent": "Agency " + _text(rng, 1_000), "value": values[1],
                           "note": _text(rng, 10_000)}]
    respondents = sorted({claim["respondent"] for claims in disputed.values() for claim in claims})
    data = {"name": "Large " + _text(rng, 20_000), "as_of": "2025", "description": _text(rng, 20_000),
            "respondents": respondents, "answers": answers, "disputed": disputed,
            "accepted": [{"id": rec_id, "reason": _text(rng, 2_000), "until": "2030-01-01"}
                         for rec_id in kb.recommendations],
            "notes": {fact: _text(rng, 2_000) for fact in quoted[2:]}}
    used = len(yaml.safe_dump(data, allow_unicode=True, width=10**9).encode("utf-8"))
    for fact in quoted[:2]:
        data["notes"][fact] = _text(rng, max(100, (target_bytes - used) // 2 - 200))
    return data


def write_large_scenario(expert, path: Path, target_bytes: int = 1_000_000) -> int:
    """Write the scenario (YAML, one line per value); its size in bytes."""
    text = yaml.safe_dump(large_scenario(expert, target_bytes), allow_unicode=True, sort_keys=False,
                          width=10**9)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))
