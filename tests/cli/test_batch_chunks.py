"""A batch taken through its stages in chunks, and the bytes its JSON goes out as.

A batch reads, runs and reports its files a chunk at a time (``batch.CHUNK``); a bad file
anywhere, also at a chunk's edge, must fail alone, and the document must be the one
that evaluating each file on its own would give, in input order, with or without workers.
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from ipsexpert.cli.batch import CHUNK, CHUNK_BYTES, chunks
from ipsexpert.cli.commands import main
from tests.conftest import SCENARIOS, run_cli

GOOD = sorted(SCENARIOS.glob("*.yaml"))
BAD_AT = (0, CHUNK - 1, CHUNK, 2 * CHUNK + 3)
"""Bad files at a batch's start, on both sides of the first chunk's edge, and in the last chunk."""


def run(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.fixture
def batch(tmp_path):
    """2 chunks and a part, good scenarios in turn, with bad files at BAD_AT."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for index in range(2 * CHUNK + 5):
        target = folder / f"s{index:03d}.yaml"
        if index in BAD_AT:
            target.write_text("answers:\n  phase: nowhere\n", encoding="utf-8")
        else:
            shutil.copyfile(GOOD[index % len(GOOD)], target)
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_batch_over_several_chunks_reports_each_file_as_alone_and_in_order(batch, jobs):
    result = run("evaluate", batch, "--format", "json", "--jobs", jobs, "--today", "2026-01-01")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    reports, errors = document[:-1], document[-1]["errors"]
    files = sorted(batch.iterdir())
    assert [report["source"] for report in reports] == [str(f) for i, f in enumerate(files) if i not in BAD_AT]
    assert [error["file"] for error in errors] == [str(files[i]) for i in BAD_AT]
    for report in reports[:: CHUNK // 2]:
        alone = run("evaluate", report["source"], "--format", "json", "--today", "2026-01-01")
        assert json.loads(alone.stdout) == [report]


def _sized(folder, sizes: dict[str, int]) -> list[str]:
    for name, size in sizes.items():
        with open(folder / name, "wb") as handle:
            handle.truncate(size)
    return [str(folder / name) for name in sizes]


def test_chunks_hold_at_most_so_many_files_and_so_many_bytes(tmp_path):
    files = _sized(tmp_path, {"a": 10, "b": 10, "c": CHUNK_BYTES - 15, "d": 5, "e": 2 * CHUNK_BYTES, "f": 1})
    assert [[name[-1] for name in chunk] for chunk in chunks(files)] == [["a", "b"], ["c", "d"], ["e"], ["f"]]
    tiny = _sized(tmp_path, {f"t{index}": 1 for index in range(7)})
    assert [len(chunk) for chunk in chunks(tiny, most=3)] == [3, 3, 1]
    assert list(chunks([tiny[0], "-", tiny[1], str(tmp_path / "missing")])) == [
        [tiny[0]], ["-"], [tiny[1], str(tmp_path / "missing")]]


def test_a_batch_of_large_files_takes_them_a_few_at_a_time(tmp_path, monkeypatch):
    """A chunk's reports are alive until it is written: large files must not share one."""
    from ipsexpert.cli import batch as batch_module
    folder = tmp_path / "large"
    folder.mkdir()
    note = "x" * 600_000
    for index in range(3):
        (folder / f"l{index}.yaml").write_text(f"name: large {index}\nanswers:\n  phase: design\n"
                                               f"notes:\n  phase: {note}\n", encoding="utf-8")
    for index in range(5):
        shutil.copyfile(GOOD[index], folder / f"s{index}.yaml")
    seen = []
    evaluate_chunk = batch_module.evaluate_chunk
    monkeypatch.setattr(batch_module, "evaluate_chunk",
                        lambda expert, paths, *rest: seen.append(len(paths)) or evaluate_chunk(expert, paths, *rest))
    result = run("evaluate", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    assert seen == [1, 1, 6] and len(json.loads(result.stdout)) == 8


def test_files_are_named_as_their_paths_normalise(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(GOOD[0], tmp_path / "a.yaml")
    (tmp_path / "bad.yaml").write_text("answers:\n  phase: nowhere\n", encoding="utf-8")
    result = run("evaluate", "./a.yaml", ".//bad.yaml", "--format", "json")
    document = json.loads(result.stdout)
    assert document[0]["source"] == "a.yaml" and document[-1]["errors"][0]["file"] == "bad.yaml"


@pytest.mark.parametrize("enabled", [True, False])
def test_a_batch_leaves_the_garbage_collector_as_it_found_it(enabled):
    import gc
    threshold = gc.get_threshold()
    if not enabled:
        gc.disable()
    try:
        assert run("evaluate", GOOD[0], GOOD[1], "--format", "json").exit_code == 0
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0


class _Cycle:
    """An object in a reference cycle, counting how many are alive (freed only by a collection)."""

    alive = peak = 0

    def __init__(self) -> None:
        self.itself = self
        _Cycle.alive += 1
        _Cycle.peak = max(_Cycle.peak, _Cycle.alive)

    def __del__(self) -> None:
        _Cycle.alive -= 1


def test_cyclic_garbage_of_a_chunk_is_freed_at_its_end(batch, monkeypatch):
    """Automatic collection is off during a batch: what a chunk leaves in cycles must still go."""
    from ipsexpert.report.expert import Expert
    report = Expert.report

    def leaving_a_cycle(self, *args, **kwargs):
        _Cycle()
        return report(self, *args, **kwargs)

    monkeypatch.setattr(Expert, "report", leaving_a_cycle)
    monkeypatch.setattr(_Cycle, "alive", 0)
    monkeypatch.setattr(_Cycle, "peak", 0)
    assert run("evaluate", batch, "--format", "json").exit_code == 2  # the bad files
    assert 0 < _Cycle.peak <= CHUNK and _Cycle.alive == 0


def test_json_bytes_keep_the_newlines_of_a_stream_that_translates_them(monkeypatch):
    import io
    import os

    from ipsexpert.files import GuardedStream
    monkeypatch.setattr(os, "linesep", "\r\n")  # as on Windows, where text files write CRLF
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="\r\n")
    guarded = GuardedStream(stream, "out")
    guarded.write("[\n")
    guarded.write_bytes(b'{\n  "a": 1\n}')
    guarded.write("\n]\n")
    stream.flush()
    assert raw.getvalue() == b'[\r\n{\r\n  "a": 1\r\n}\r\n]\r\n'


def test_json_is_utf8_whatever_the_encoding_of_a_redirected_standard_output(tmp_path):
    # "—" and "×" are in every report; an ASCII standard output used to end the run with a traceback
    for fmt in ("json", "table", "html"):
        result = run_cli("evaluate", str(SCENARIOS), "--format", fmt, env={"PYTHONIOENCODING": "ascii"})
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert "×" in result.stdout
    reports = json.loads(run_cli("evaluate", str(SCENARIOS), "--format", "json",
                                 env={"PYTHONIOENCODING": "latin-1"}).stdout)
    assert len(reports) == len(GOOD)


def test_json_bytes_follow_the_text_written_before_them_in_a_file(tmp_path):
    target = tmp_path / "out.json"
    result = run("evaluate", GOOD[0], tmp_path / "missing.yaml", GOOD[1], "--output", target)
    assert result.exit_code == 2
    document = json.loads(target.read_text(encoding="utf-8"))
    assert [item.get("source") for item in document[:-1]] == [str(GOOD[0]), str(GOOD[1])]
    assert document[-1]["errors"][0]["file"] == str(tmp_path / "missing.yaml")
