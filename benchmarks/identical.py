#!/usr/bin/env python3
"""Byte-identical outputs: save what ``ipsexpert evaluate`` writes, and compare later runs with it.

    python benchmarks/identical.py --save DIR       write the scenario files and every output to DIR
    python benchmarks/identical.py --compare DIR    run again on DIR's scenario files, diff with DIR

The corpus is the bundled scenarios and generated profiles (1,000 by default, seeded)
that also carry what real files carry: notes, accepted risks (some expired on the
fixed ``--today``), respondents, disputed answers of a merged assessment, JSON files
and long texts. Every format and view ``evaluate`` offers (and ``--explain``,
``--trace``, ``--fail-on``) is run on both sets, so an optimisation that changes a
single byte of any rendering shows up here. Save the baseline before changing code.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_profiles import generate_profiles  # noqa: E402

TODAY = "2026-01-01"
RUNS = {
    "json": ("--format", "json"),
    "table": ("--format", "table"),
    "table-explain": ("--format", "table", "--explain"),
    "markdown": ("--format", "markdown"),
    "html": ("--format", "html"),
    "roadmap-table": ("--format", "table", "--view", "roadmap"),
    "roadmap-markdown": ("--format", "markdown", "--view", "roadmap"),
    "roadmap-html": ("--format", "html", "--view", "roadmap"),
    "matrix-table": ("--format", "table", "--view", "matrix"),
    "matrix-markdown": ("--format", "markdown", "--view", "matrix"),
    "matrix-html": ("--format", "html", "--view", "matrix"),
    "json-trace-failon": ("--format", "json", "--trace", "--fail-on", "high"),
    "json-jobs2": ("--format", "json", "--jobs", "2"),
}
NOTE_WORDS = ("the ministry", "says", "\"quoted\"", "d'accord", "Zürich", "—", "<b>", "&", "| pipe", "*stars*",
              "line\nbreak", "ünïcödé", "[link](x)", "50%")


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(NOTE_WORDS) for _ in range(words))


def scenario_data(kb, count: int, seed: int) -> list[tuple[str, dict]]:
    """Generated scenarios (file name, data), with the optional parts real files have."""
    rng = random.Random(seed + 1)
    recommendations = list(kb.recommendations)
    found = []
    for index, profile in enumerate(generate_profiles(kb, count, seed)):
        data: dict = {"name": profile.name + (" " + _text(rng, 3) if index % 9 == 0 else ""),
                      "answers": dict(profile.answers)}
        answered = [fact for fact, value in profile.answers.items() if value != "unknown"]
        if index % 5 == 1 and answered:
            data["notes"] = {fact: _text(rng, rng.randint(1, 40 if index % 25 == 1 else 6))
                             for fact in rng.sample(answered, min(3, len(answered)))}
        if index % 7 == 2:
            data["accepted"] = [{"id": rec_id, "reason": _text(rng, 4),
                                 **({"until": rng.choice(["2025-06-30", "2026-12-31"])} if rng.random() < 0.7 else {})}
                                for rec_id in rng.sample(recommendations, 2)]
        if index % 13 == 4:
            data["as_of"] = "2025-03"
            data["respondent"] = "Ministry of " + _text(rng, 2)
        if index % 11 == 3:
            candidates = [fact for fact, spec in kb.facts.items()
                          if spec.type in ("bool", "enum") and fact != kb.meta.phase_fact]
            disputed = {}
            for fact in rng.sample(candidates, 2):
                spec = kb.facts[fact]
                values = [True, False] if spec.type == "bool" else list(spec.values[:2])
                data["answers"].pop(fact, None)
                disputed[fact] = [{"respondent": "agency A", "value": values[0], "note": _text(rng, 2)},
                                  {"respondent": "agency B", "value": values[1]}]
            data["respondents"] = ["agency A", "agency B"]
            data["disputed"] = disputed
        suffix = ".json" if index % 10 == 9 else ".yaml"
        found.append((f"p{index:05d}{suffix}", data))
    return found


def write_corpus(folder: Path, count: int, seed: int) -> None:
    from ipsexpert import load_knowledge_base
    kb = load_knowledge_base()
    generated = folder / "generated"
    generated.mkdir(parents=True)
    for name, data in scenario_data(kb, count, seed):
        path = generated / name
        if name.endswith(".json"):
            path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    shutil.copytree(CHECKOUT / "scenarios", folder / "bundled", ignore=shutil.ignore_patterns("*.md"))


def run_all(corpus: Path, out: Path, only: list[str] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(CHECKOUT))
    for corpus_name in ("bundled", "generated"):
        for label, options in RUNS.items():
            if only and label not in only:
                continue
            result = subprocess.run([sys.executable, "-m", "ipsexpert", "evaluate", str(corpus / corpus_name),
                                     "--today", TODAY, *options], capture_output=True, env=env, cwd=corpus)
            (out / f"{corpus_name}.{label}.out").write_bytes(result.stdout)
            (out / f"{corpus_name}.{label}.err").write_bytes(result.stderr + f"\nexit {result.returncode}\n".encode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, metavar="DIR")
    group.add_argument("--compare", type=Path, metavar="DIR")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240)
    parser.add_argument("--only", nargs="+", choices=list(RUNS), help="compare these runs only")
    options = parser.parse_args()
    if options.save:
        if options.save.exists():
            raise SystemExit(f"{options.save} exists: choose a new folder for a baseline")
        write_corpus(options.save / "corpus", options.count, options.seed)
        run_all(options.save / "corpus", options.save / "outputs")
        print(f"saved {len(list((options.save / 'outputs').iterdir()))} outputs to {options.save / 'outputs'}")
        return 0
    fresh = options.compare / "outputs-now"
    shutil.rmtree(fresh, ignore_errors=True)
    run_all(options.compare / "corpus", fresh, options.only)
    compared = [path for path in sorted((options.compare / "outputs").iterdir()) if (fresh / path.name).exists()]
    differing = [path.name for path in compared if not filecmp.cmp(path, fresh / path.name, shallow=False)]
    total = len(compared)
    print(f"{total - len(differing)}/{total} outputs byte-identical")
    for name in differing:
        print(f"DIFFERS: {name} (diff {options.compare / 'outputs' / name} {fresh / name})")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
