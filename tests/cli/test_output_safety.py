"""Trust: nothing the user wrote is lost, and nothing a run writes misleads.

``--output`` never replaces an input of its own run; a failed run leaves an existing
output as it was; a batch where some files failed says so inside the document; every
write is atomic, also on a full disk and when a signal stops the run; ``--fail-on``
says what tripped it; a folder scan never leaves the folder it was given.
"""

from __future__ import annotations

import errno
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

import ipsexpert
from ipsexpert.cli.commands import main
from tests.conftest import REPO, SCENARIOS

HOSTILE = REPO / "tests" / "hostile"
NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"
MALTA = SCENARIOS / "ingov-pilot-malta.yaml"
REGIONAL = SCENARIOS / "illustrative-regional-consortium-design.yaml"
PREVIOUS = b"the previous, complete output\n"
HOSTILE_NAME = "bad\x1b[31m<b>*x*|.yaml"
"""A file name that would recolour a terminal, open HTML and break Markdown if shown raw."""

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX links, permissions and signals")
not_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                              reason="root reads and writes whatever the permissions say")


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def run(*args: object, **options) -> subprocess.CompletedProcess:
    """The real command in a subprocess, as a user (or a CI job) runs it."""
    streams = {} if "stdout" in options else {"capture_output": True}
    return subprocess.run([sys.executable, "-m", "ipsexpert", *map(str, args)], text=True, cwd=REPO,
                          timeout=120, **streams, **options)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in ``folder``: its bytes and inode (a leftover temporary file shows up here)."""
    return {path.name: (path.read_bytes(), path.stat().st_ino) for path in sorted(folder.iterdir())
            if path.is_file() and not path.is_symlink()}


def assert_clean_error(result: Result | subprocess.CompletedProcess, *fragments: str) -> None:
    code = result.exit_code if isinstance(result, Result) else result.returncode
    assert code == 2, (code, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


@pytest.fixture
def project(tmp_path) -> Path:
    path = tmp_path / "project.yaml"
    shutil.copy(NATIONAL, path)
    return path


# --- 1. --output never replaces an input --------------------------------------------------------

def _same_name(tmp_path: Path, project: Path) -> tuple[list, Path]:
    return [project], project


def _another_spelling(tmp_path: Path, project: Path) -> tuple[list, Path]:
    (tmp_path / "sub").mkdir()
    return [project], tmp_path / "sub" / ".." / "project.yaml"


def _symbolic_link(tmp_path: Path, project: Path) -> tuple[list, Path]:
    link = tmp_path / "latest-report.md"
    link.symlink_to(project)
    return [project], link


def _linked_folder(tmp_path: Path, project: Path) -> tuple[list, Path]:
    (tmp_path / "alias").symlink_to(tmp_path, target_is_directory=True)
    return [project], tmp_path / "alias" / "project.yaml"


def _hard_link(tmp_path: Path, project: Path) -> tuple[list, Path]:
    os.link(project, tmp_path / "report.md")
    return [project], tmp_path / "report.md"


def _input_by_hard_link(tmp_path: Path, project: Path) -> tuple[list, Path]:
    os.link(project, tmp_path / "other-name.yaml")
    return [tmp_path / "other-name.yaml", MALTA], project


def _found_in_a_folder(tmp_path: Path, project: Path) -> tuple[list, Path]:
    return [MALTA, tmp_path], project


@posix_only
@pytest.mark.parametrize("case", [_same_name, _another_spelling, _symbolic_link, _linked_folder, _hard_link,
                                  _input_by_hard_link, _found_in_a_folder], ids=lambda case: case.__name__[1:])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_output_never_replaces_an_input_of_the_same_run(tmp_path, project, case, fmt):
    inputs, output = case(tmp_path, project)
    before = snapshot(tmp_path)
    result = invoke("evaluate", *inputs, "--format", fmt, "--output", output)
    assert_clean_error(result, f"error: {output}: is also an input of this run", "choose another --output")
    assert snapshot(tmp_path) == before
    assert result.stdout == ""


def test_output_beside_its_inputs_is_fine(tmp_path, project):
    result = invoke("evaluate", tmp_path, "--format", "json", "--output", tmp_path / "report.md")
    assert result.exit_code == 0, result.output
    assert [report["source"] for report in json.loads((tmp_path / "report.md").read_text())] == [str(project)]


# --- 2. a failed run leaves the output as it was; failures are inside the document -------------------

@pytest.mark.parametrize("fmt, view", [("table", "report"), ("json", "report"), ("markdown", "roadmap"),
                                       ("html", "matrix")])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_that_evaluates_nothing_leaves_the_output_untouched(tmp_path, fmt, view, jobs):
    out = tmp_path / "reports.out"
    out.write_bytes(PREVIOUS)
    before = snapshot(tmp_path)
    result = invoke("evaluate", HOSTILE / "nan.json", HOSTILE / "empty.yaml", tmp_path / "missing.yaml",
                    "--format", fmt, "--view", view, "--jobs", jobs, "--output", out)
    assert_clean_error(result, f"error: {HOSTILE / 'nan.json'}", f"error: {tmp_path / 'missing.yaml'}",
                       f"error: {out}: left as it was: no scenario could be evaluated")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("args", [["--view", "matrix", "--format", "json"], ["--jobs", "-1"],
                                  ["--kb", "no-such-kb"], ["--format", "pdf"]])
def test_a_bad_option_leaves_the_output_untouched(tmp_path, args):
    out = tmp_path / "reports.json"
    out.write_bytes(PREVIOUS)
    before = snapshot(tmp_path)
    result = invoke("evaluate", NATIONAL, "--output", out, *args)
    assert result.exit_code == 2, result.output
    assert snapshot(tmp_path) == before


def test_an_unwritable_output_leaves_the_old_one_untouched(tmp_path, monkeypatch):
    """A temporary file that cannot be made (an unwritable folder) is a clear error; nothing changes."""
    out = tmp_path / "reports.json"
    out.write_bytes(PREVIOUS)
    before = snapshot(tmp_path)
    real_open = os.open

    def refuse_in(path, flags, *args, **kwargs):
        if os.path.dirname(os.fspath(path)) == str(tmp_path) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_in)
    result = invoke("evaluate", NATIONAL, "--output", out)
    assert_clean_error(result, f"error: {out}: cannot be written: Permission denied")
    assert snapshot(tmp_path) == before


@not_root
def test_an_unwritable_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "reports.json").write_bytes(PREVIOUS)
    folder.chmod(0o500)
    try:
        result = run("evaluate", NATIONAL, "--output", folder / "reports.json")
        assert_clean_error(result, f"error: {folder / 'reports.json'}: cannot be written: Permission denied")
        assert sorted(path.name for path in folder.iterdir()) == ["reports.json"]
        assert (folder / "reports.json").read_bytes() == PREVIOUS
    finally:
        folder.chmod(0o700)


def bad_files(tmp_path: Path) -> tuple[Path, Path]:
    """A file with a hostile name that is not valid JSON, and one that does not exist."""
    hostile = tmp_path / "inputs" / HOSTILE_NAME.replace(".yaml", ".json")
    hostile.parent.mkdir()
    shutil.copy(HOSTILE / "nan.json", hostile)
    return hostile, tmp_path / "inputs" / "missing.yaml"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_json_records_the_files_it_could_not_evaluate(tmp_path, jobs):
    hostile, missing = bad_files(tmp_path)
    out = tmp_path / "reports.json"
    out.write_bytes(PREVIOUS)
    result = invoke("evaluate", MALTA, hostile, missing, NATIONAL, "--format", "json", "--jobs", jobs,
                    "--output", out)
    assert_clean_error(result)
    document = json.loads(out.read_text())
    assert [report["source"] for report in document[:-1]] == [str(MALTA), str(NATIONAL)]
    assert document[-1] == {"errors": [
        {"file": str(missing), "line": None, "field": None, "message": "no such file or folder"},
        {"file": str(hostile), "line": 3, "field": None, "message": "is not valid JSON: NaN is not a JSON value"},
    ]}
    on_stdout = invoke("evaluate", MALTA, hostile, missing, NATIONAL, "--format", "json", "--jobs", jobs)
    assert on_stdout.stdout == out.read_text()  # the same document, wherever it goes


def test_json_of_a_clean_run_is_reports_only(tmp_path):
    result = invoke("evaluate", MALTA, NATIONAL, "--format", "json")
    assert result.exit_code == 0
    assert all("errors" not in report and "source" in report for report in json.loads(result.stdout))


@pytest.mark.parametrize("fmt, view", [("table", "report"), ("table", "roadmap"), ("table", "matrix"),
                                       ("markdown", "report"), ("markdown", "matrix")])
def test_text_documents_end_with_a_not_evaluated_section(tmp_path, fmt, view):
    hostile, missing = bad_files(tmp_path)
    out = tmp_path / "reports.txt"
    result = invoke("evaluate", MALTA, hostile, missing, "--format", fmt, "--view", view, "--output", out)
    assert_clean_error(result)
    document = out.read_text()
    section = document[document.index("Not evaluated"):]
    assert "Digital Common Household U" in document[:document.index("Not evaluated")]
    assert "2 files could not be evaluated" in section
    assert "\x1b" not in document
    assert "missing.yaml" in section and "no such file or folder" in section
    assert "is not valid JSON: NaN is not a JSON value" in section
    if fmt == "markdown":
        assert "<b>" not in document and r"bad\\x1b\[31m&lt;b&gt;\*x\*\|.json" in section
        assert "\n# Not evaluated\n" in document
    else:
        assert "bad\\x1b[31m<b>*x*|.json" in section


@pytest.mark.parametrize("view", ["report", "roadmap", "matrix"])
def test_html_pages_hold_a_not_evaluated_section(tmp_path, view):
    hostile, missing = bad_files(tmp_path)
    out = tmp_path / "reports.html"
    result = invoke("evaluate", MALTA, hostile, missing, "--format", "html", "--view", view, "--output", out)
    assert_clean_error(result)
    page = out.read_text()
    assert '<section class="not-evaluated"' in page and "<h2>Not evaluated</h2>" in page
    assert page.index("Not evaluated") > page.index("Digital Common Household Unit")
    assert page.index("Not evaluated") < page.index("<footer>") and page.endswith("</html>\n")
    assert "<b>*x*" not in page and "&lt;b&gt;*x*|.json" in page and "\x1b" not in page
    assert "no such file or folder" in page


def test_a_clean_run_has_no_not_evaluated_section():
    for fmt in ("table", "markdown", "html"):
        assert "Not evaluated" not in invoke("evaluate", MALTA, "--format", fmt).stdout


# --- 3. atomic writes: full disk, unwritable folder, signals ---------------------------------------

def test_output_is_written_beside_the_target_synced_then_renamed(tmp_path, monkeypatch):
    out = tmp_path / "report.md"
    out.write_bytes(PREVIOUS)
    synced, renamed = [], []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}"))
                        or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda src, dst: renamed.append((str(src), str(dst)))
                        or real_replace(src, dst))
    assert invoke("evaluate", NATIONAL, "--output", out).exit_code == 0
    [(temporary, target)] = renamed
    assert target == str(out) and Path(temporary).parent == tmp_path and temporary != str(out)
    assert temporary in synced
    assert list(snapshot(tmp_path)) == ["report.md"] and out.read_bytes() != PREVIOUS


def test_a_full_disk_at_fsync_is_a_clear_error(tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    out.write_bytes(PREVIOUS)
    before = snapshot(tmp_path)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = invoke("evaluate", NATIONAL, MALTA, "--format", "json", "--output", out)
    assert_clean_error(result, f"error: {out}: cannot be written: No space left on device")
    assert snapshot(tmp_path) == before


def _limit_file_size() -> None:
    """Any file this process writes stops growing at 4 KiB: writes then fail as on a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@posix_only
def test_a_file_that_cannot_grow_mid_batch_is_a_clear_error(tmp_path):
    out = tmp_path / "reports.json"
    out.write_bytes(PREVIOUS)
    before = snapshot(tmp_path)
    result = run("evaluate", SCENARIOS, "--format", "json", "--output", out, preexec_fn=_limit_file_size,
                 env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert_clean_error(result, f"error: {out}: cannot be written: File too large")
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_writing_to_a_full_device_is_a_clear_error():
    result = run("evaluate", SCENARIOS, "--output", "/dev/full")
    assert_clean_error(result, "error: /dev/full: cannot be written: No space left on device")
    with open("/dev/full", "w") as full:
        result = run("evaluate", SCENARIOS, stdout=full, stderr=subprocess.PIPE)
    assert_clean_error(result, "error: standard output: cannot be written: No space left on device")
    assert "Exception ignored" not in result.stderr


@pytest.fixture(scope="module")
def large_batch(tmp_path_factory) -> Path:
    """Enough scenarios that a run is still going when its first report is out."""
    folder = tmp_path_factory.mktemp("large-batch")
    sources = sorted(SCENARIOS.glob("*.yaml"))
    for index in range(600):
        shutil.copy(sources[index % len(sources)], folder / f"s{index:04d}.yaml")
    return folder


def stop_with(signum: int, args: list, group: bool) -> tuple[int, str]:
    """Start the CLI, wait for its first bytes on stderr (--trace), send ``signum``.

    ``group`` sends it to the whole process group, as a closing terminal (SIGHUP) or
    ``kill -- -PGID`` does: workers killed mid-way once left the pool waiting forever.
    """
    process = subprocess.Popen([sys.executable, "-m", "ipsexpert", *map(str, args)], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        first = process.stderr.read(1)
        assert first, "the command ended before producing any output"
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # hung: end it and its workers (its own process group)
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    return process.returncode, (first + err).decode(errors="replace")


@posix_only
@pytest.mark.parametrize("signum, code, words", [(signal.SIGTERM, 143, "terminated"),
                                                 (signal.SIGHUP, 129, "hung up")])
@pytest.mark.parametrize("jobs, group", [("1", False), ("2", False), ("2", True)])
def test_a_signal_mid_batch_leaves_the_old_output_and_no_temporary_file(tmp_path, large_batch, signum, code,
                                                                        words, jobs, group):
    out = tmp_path / "reports.json"
    out.write_bytes(PREVIOUS)
    before = snapshot(tmp_path)
    try:
        returncode, err = stop_with(signum, ["evaluate", large_batch, "--format", "json", "--trace", "--jobs", jobs,
                                             "--output", out], group)
    except subprocess.TimeoutExpired:
        pytest.fail("the command hung after the signal")
    assert returncode == code, err
    assert err.rstrip().endswith(f"{words} ({signal.Signals(signum).name})") and "Traceback" not in err
    assert snapshot(tmp_path) == before


# --- 4. --fail-on says what tripped it -------------------------------------------------------------

def tripping(paths: list[Path], severity: str, today: date) -> list[str]:
    """The stderr lines --fail-on should print: one per scenario and advice at or above ``severity``."""
    return [f"{path}: {advice.id} {advice.severity}: {advice.title}"
            for path in paths for advice in ipsexpert.evaluate(path).at_or_above(severity, today)]


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fail_on_names_every_advice_that_tripped_it(fmt, jobs):
    paths = [MALTA, NATIONAL, REGIONAL]
    expected = tripping(paths, "high", date.today())
    assert expected, "the illustrative national service has high or critical advice"
    result = invoke("evaluate", *paths, "--format", fmt, "--jobs", jobs, "--fail-on", "high")
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == f"--fail-on high: {len(expected)} advice at or above high:"
    assert lines[1:] == expected
    plain = invoke("evaluate", *paths, "--format", fmt, "--jobs", jobs)
    assert result.stdout == plain.stdout and plain.stderr == ""


def test_fail_on_below_the_threshold_says_nothing():
    result = invoke("evaluate", MALTA, "--fail-on", "low")
    assert result.exit_code == 0 and result.stderr == ""


def test_fail_on_marks_accepted_risks_that_count_again(tmp_path):
    data = yaml.safe_load(NATIONAL.read_text())
    data["accepted"] = [{"id": "R07", "reason": "board decision", "until": "2027-01-31"}]
    path = tmp_path / "project.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    held = invoke("evaluate", path, "--fail-on", "critical", "--today", "2027-01-31")
    assert held.exit_code == 1 and "R07" not in held.stderr and f"{path}: R14 critical: " in held.stderr
    expired = invoke("evaluate", path, "--fail-on", "critical", "--today", "2027-02-01")
    assert expired.exit_code == 1
    [line] = [line for line in expired.stderr.splitlines() if " R07 " in line]
    assert re.fullmatch(rf"{re.escape(str(path))}: R07 critical: .+ \[accepted until 2027-01-31, expired\]", line)


def test_fail_on_lines_show_hostile_file_names_as_escapes(tmp_path):
    path = tmp_path / "evil\x1b[2J.yaml"
    shutil.copy(NATIONAL, path)
    result = invoke("evaluate", path, "--fail-on", "critical")
    assert result.exit_code == 1 and "\x1b" not in result.stderr and "evil\\x1b[2J.yaml: R07" in result.stderr


# --- 5. a folder scan never leaves its folder -----------------------------------------------------

@posix_only
def test_a_link_out_of_the_folder_is_skipped_with_a_warning_and_never_read(tmp_path):
    folder, elsewhere = tmp_path / "portfolio", tmp_path / "elsewhere"
    folder.mkdir(), elsewhere.mkdir()
    shutil.copy(MALTA, folder / "malta.yaml")
    shutil.copy(HOSTILE / "nan.json", elsewhere / "secret.json")  # read, it would be an error
    (folder / "secret.json").symlink_to(elsewhere / "secret.json")
    (folder / "evil\x1b[31m.yaml").symlink_to(Path("..") / "elsewhere" / "secret.json")
    (folder / "inside.yaml").symlink_to("malta.yaml")  # a link that stays inside is read
    result = invoke("evaluate", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [report["source"] for report in json.loads(result.stdout)] == [
        str(folder / "inside.yaml"), str(folder / "malta.yaml")]
    assert f"warning: {folder / 'secret.json'}: skipped: a symbolic link to a file outside {folder}" \
        in result.stderr
    assert f"warning: {folder}/evil\\x1b[31m.yaml: skipped" in result.stderr and "\x1b" not in result.stderr


@posix_only
def test_a_link_named_directly_is_still_read(tmp_path):
    """The rule is about folder scans: a file the user names is the user's choice."""
    link = tmp_path / "named.yaml"
    link.symlink_to(MALTA)
    assert invoke("evaluate", link).exit_code == 0


def test_an_unreadable_folder_is_an_error_and_the_good_files_still_run(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = invoke("evaluate", locked, MALTA, "--format", "json")
    assert_clean_error(result, f"error: {locked}: cannot be read: Permission denied")
    assert [report["source"] for report in json.loads(result.stdout)[:-1]] == [str(MALTA)]


def test_an_unreadable_file_in_a_folder_is_an_error_naming_it(tmp_path, monkeypatch):
    shutil.copy(MALTA, tmp_path / "a.yaml")
    shutil.copy(NATIONAL, tmp_path / "b.yaml")
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if os.fspath(path) == str(tmp_path / "a.yaml"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)  # how documents.read_bounded opens a scenario
    result = invoke("evaluate", tmp_path, "--format", "json")
    assert_clean_error(result, f"error: {tmp_path / 'a.yaml'}: cannot be read: Permission denied")
    assert [report["source"] for report in json.loads(result.stdout)[:-1]] == [str(tmp_path / "b.yaml")]


@not_root
def test_unreadable_files_and_folders_on_disk(tmp_path):
    folder = tmp_path / "portfolio"
    folder.mkdir()
    shutil.copy(MALTA, folder / "good.yaml")
    shutil.copy(NATIONAL, folder / "locked.yaml")
    (folder / "locked.yaml").chmod(0)
    locked = tmp_path / "locked-folder"
    locked.mkdir(mode=0)
    try:
        result = run("evaluate", folder, locked, "--format", "json")
        assert_clean_error(result, f"error: {folder / 'locked.yaml'}: cannot be read: Permission denied",
                           f"error: {locked}: cannot be read: Permission denied")
        assert json.loads(result.stdout)[0]["source"] == str(folder / "good.yaml")
    finally:
        locked.chmod(0o700)


@posix_only
def test_a_broken_link_in_a_folder_is_an_error_not_a_silent_gap(tmp_path):
    shutil.copy(MALTA, tmp_path / "good.yaml")
    (tmp_path / "moved.yaml").symlink_to(tmp_path / "no-longer-here.yaml")
    result = invoke("evaluate", tmp_path, "--format", "json")
    assert_clean_error(result, f"error: {tmp_path / 'moved.yaml'}: is a symbolic link to a missing file")
    assert json.loads(result.stdout)[0]["source"] == str(tmp_path / "good.yaml")
