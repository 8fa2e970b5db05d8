"""Which files a run reads: files named, the scenario files of folders, standard input.

A folder contributes the scenario files in it (with ``--recursive``, in its subfolders
too) and nothing outside it: a symbolic link out of the folder is skipped with a
warning and never read, so pointing the tool at a shared folder cannot make it read
(and quote in a report) a file elsewhere. Files the tool wrote itself into such a
folder (a JSON report, the scenario schema) and files matched by ``exclude`` patterns
are skipped, and the run says how many; a file named on the command line is always
read. A path that does not exist gets the nearest existing one suggested.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Iterable, Sequence

import click

from ..errors import Problem
from ..safe_text import one_line

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
SNIFF_BYTES = 1024 * 1024 + 1
"""As much of a .json file as is read to tell the tool's own output from a scenario
(the reader's limit on a scenario, plus one byte)."""


@dataclass
class Collected:
    """The files to evaluate in order, the paths that could not be read, and what was skipped."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> number of files


@dataclass(frozen=True)
class Exclude:
    """Patterns (fnmatch, as in ruff's ``exclude``) for paths relative to ``root``, a name or
    a folder on the way matching too: ``drafts`` excludes everything in a drafts folder."""

    patterns: tuple[str, ...] = ()
    root: Path = Path(".")

    def matches(self, path: str) -> bool:
        if not self.patterns:
            return False
        try:
            parts = PurePath(os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))).parts
        except ValueError:  # another drive (Windows)
            parts = PurePath(path).parts
        candidates = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)] + list(parts)
        return any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates for pattern in self.patterns)


def collect(paths: Iterable[str], recursive: bool = False, exclude: Exclude = Exclude()) -> Collected:
    """Scenario files named directly or found (sorted) in named folders, and path problems."""
    found = Collected()
    for name in paths:
        if name == STDIN:
            found.files.append(name)
            continue
        try:
            is_folder = stat.S_ISDIR(os.stat(name).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            found.problems.append(Problem(f"no such file or folder{nearest(name)}", name))
            continue
        except OSError as exc:
            found.problems.append(Problem(f"cannot be read: {exc.strerror or exc}", name))
            continue
        if not is_folder:
            found.files.append(name)
            continue
        before = len(found.files) + sum(found.skipped.values())
        problems = _scan(name, found, recursive, exclude)
        if len(found.files) + sum(found.skipped.values()) == before and not problems:
            problems = [Problem("is a folder with no scenario files (*.yaml, *.yml, *.json)"
                                + ("" if recursive else _subfolders_words(name)), name)]
        found.problems.extend(problems)
    return found


def _subfolders_words(folder: str) -> str:
    """Said of a folder without scenario files: its subfolders, if it has any, were not searched."""
    try:
        with os.scandir(folder) as entries:
            has_subfolders = any(entry.is_dir(follow_symlinks=False) for entry in entries)
    except OSError:
        return ""
    return "; subfolders are not searched unless you add --recursive" if has_subfolders else ""


def _scan(folder: str, found: Collected, recursive: bool, exclude: Exclude) -> list[Problem]:
    """Add the scenario files in ``folder`` to ``found``, sorted; return the entries that cannot be read.

    A link out of the folder is skipped with a warning, before anything is read
    through it; a link to nothing is a problem, not a silent gap in the batch.
    """
    try:
        names = _scenario_names(folder, recursive, exclude)
    except OSError as exc:
        return [Problem(f"cannot be read: {exc.strerror or exc}", folder)]
    inside = os.path.realpath(folder)
    problems: list[Problem] = []
    for parts, may_be_link in names:
        path = str(Path(folder, *parts))
        if may_be_link and not _within(os.path.realpath(path), inside):
            click.echo(f"warning: {one_line(path)}: skipped: a symbolic link to a file outside "
                       f"{one_line(folder)}", err=True)
            continue
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):  # a subfolder, a pipe or a device
                continue
        except FileNotFoundError:
            problems.append(Problem("is a symbolic link to a missing file" if os.path.islink(path)
                                    else "no such file (removed while the folder was read)", path))
            continue
        except OSError as exc:
            problems.append(Problem(f"cannot be read: {exc.strerror or exc}", path))
            continue
        reason = "matched by exclude" if exclude.matches(path) else own_output(path)
        if reason:
            found.skipped[reason] += 1
        else:
            found.files.append(path)
    return problems


def _scenario_names(folder: str, recursive: bool, exclude: Exclude) -> list[tuple[tuple[str, ...], bool]]:
    """Scenario file names in ``folder`` as path parts, sorted, each with whether it may be a
    symbolic link (a file that is not one lies in the folder, with no need to resolve its
    path); with ``recursive``, in its subfolders too (not hidden ones, not excluded ones, no
    link followed), each of which may be a link."""
    if not recursive:
        with os.scandir(folder) as entries:
            return sorted(((entry.name,), entry.is_symlink()) for entry in entries
                          if _is_scenario_name(entry.name))
    names = []
    for current, subfolders, files in os.walk(folder, onerror=_raise):
        subfolders[:] = [name for name in subfolders
                         if not name.startswith(".") and not exclude.matches(os.path.join(current, name))]
        relative = PurePath(os.path.relpath(current, folder)).parts
        relative = () if relative == (".",) else relative
        names += [((*relative, name), True) for name in files if _is_scenario_name(name)]
    return sorted(names)


def _raise(error: OSError) -> None:
    raise error


def _is_scenario_name(name: str) -> bool:
    return Path(name).suffix.lower() in SCENARIO_SUFFIXES


OWN_OUTPUTS = (
    (b"[", (b'"knowledge_base"', b'"outcomes"'), "written by ipsexpert (a JSON report)"),
    (b"[", (b'"question"', b'"construct"'), "written by ipsexpert (a JSON list of facts)"),
    (b"[", (b'"phases"', b'"severity"'), "written by ipsexpert (a JSON list of recommendations)"),
    (b"{", (b'"$schema"', b'"ipsexpert scenario"'), "written by ipsexpert (the scenario schema)"),
)
"""How a .json file the tool wrote begins, and keys it always holds (no scenario can:
a scenario is a mapping whose fields are checked)."""


def own_output(path: str) -> str | None:
    """Why a .json file in a folder is the tool's own output rather than a scenario, or None.

    ``evaluate --format json`` writes an array of reports, ``kb list`` and ``kb facts``
    arrays, ``schema`` the scenario schema: a file that opens as one of them and holds
    their keys is skipped; anything else is read as a scenario (and fails as one).
    """
    if not path.lower().endswith(".json"):
        return None
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return None  # reading it for real will say what is wrong
    opening = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return next((reason for start, keys, reason in OWN_OUTPUTS
                 if opening == start and all(key in head for key in keys)), None)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def skipped_words(skipped: Counter) -> str | None:
    """One line on what a run skipped, or None when it skipped nothing."""
    if not skipped:
        return None
    total = sum(skipped.values())
    parts = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()))
    return f"skipped {total} file{'s' if total > 1 else ''}: {parts}"


def nearest(path: str) -> str:
    """A "did you mean" clause naming the existing scenario file or folder nearest ``path``, or nothing."""
    return did_you_mean(nearest_path(path))


def did_you_mean(suggestion: str | None) -> str:
    return f" (did you mean {one_line(suggestion)}?)" if suggestion else ""


def nearest_path(path: str, folders: bool = False) -> str | None:
    """The existing path nearest ``path``, looked for beside it (a misspelt folder on the way
    corrected first): among folders for a folder, among scenario files and folders otherwise."""
    return _nearest(PurePath(path), folders, depth=3)


def _nearest(path: PurePath, folders: bool, depth: int) -> str | None:
    parent = path.parent
    if not os.path.isdir(parent):
        if depth == 0 or parent == path:
            return None
        corrected = _nearest(parent, True, depth - 1)
        if corrected is None:
            return None
        parent = PurePath(corrected)
    try:
        with os.scandir(parent) as entries:
            names = [entry.name for entry in entries
                     if entry.is_dir() or (not folders and _is_scenario_name(entry.name))]
    except OSError:
        return None
    close = _closest(path.name, names)
    return str(parent / close) if close else None


def _closest(name: str, names: Sequence[str]) -> str | None:
    """The name nearest ``name``: the same but for case, the only one it begins (``digisos``
    for ``digisos-norway.yaml``), else the most similar, compared without the extension
    (``.yaml`` in common would make any two names look alike)."""
    folded = {candidate.casefold(): candidate for candidate in names}
    if name.casefold() in folded:
        return folded[name.casefold()]
    stem = Path(name).stem.casefold()
    starts = [candidate for candidate in names if stem and candidate.casefold().startswith(stem)]
    if len(starts) == 1:
        return starts[0]
    stems = {Path(candidate).stem.casefold(): candidate for candidate in names}
    close = difflib.get_close_matches(stem, list(stems), n=1, cutoff=0.6)
    return stems[close[0]] if close else None
