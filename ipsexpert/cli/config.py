"""Project settings: ``ipsexpert.toml``, or ``[tool.ipsexpert]`` in ``pyproject.toml``.

A portfolio kept in a repository runs the same command in CI as on a laptop, so its
options belong in a file beside it, as ruff's do. The nearest folder, from the
current one upwards, that holds an ``ipsexpert.toml`` or a ``pyproject.toml`` with a
``[tool.ipsexpert]`` table gives the settings (``ipsexpert.toml`` first in a folder);
nothing is merged from folders further up, and an option on the command line wins
over its setting. Paths in the file are relative to the file's folder, so a setting
means the same from any subfolder. Unknown keys and wrong types are user errors that
name the file, since a misspelt setting silently ignored is a CI job that checks less
than its authors think.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import IpsExpertError
from ..knowledge.catalogue import suggest
from .common import FORMATS, SEVERITY_CHOICES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE_NAMES = ("ipsexpert.toml", "pyproject.toml")
LISTS = ("paths", "exclude", "select", "ignore")
WORDS = {"fail-on": SEVERITY_CHOICES, "format": FORMATS, "kb": None}
KEYS = LISTS + tuple(WORDS)


@dataclass(frozen=True)
class Config:
    """The settings in force; empty when no file gives any."""

    file: Path | None = None
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    format: str | None = None
    kb: str | None = None

    @property
    def root(self) -> Path:
        """The folder paths and ``exclude`` patterns are relative to."""
        return self.file.parent if self.file else Path.cwd()

    def path(self, name: str) -> str:
        """A path from the file, as seen from the current folder (relative where it can be)."""
        absolute = self.root / name
        try:
            return os.path.relpath(absolute)
        except ValueError:  # another drive (Windows)
            return str(absolute)


def current() -> Config:
    """The settings for the current folder (read each time: a few small files at most)."""
    found = find(Path.cwd())
    return load(found) if found else Config()


def find(start: Path) -> Path | None:
    """The nearest settings file from ``start`` upwards, or None."""
    for folder in (start, *start.parents):
        for name in FILE_NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_our_table(candidate)):
                return candidate
    return None


def _has_our_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml holds ``[tool.ipsexpert]``; one that does not even name
    ipsexpert is passed over unparsed, so another project's broken file stops nothing."""
    try:
        if b"ipsexpert" not in pyproject.read_bytes():
            return False
    except OSError:
        return False
    return "ipsexpert" in _tool_tables(pyproject)


def _tool_tables(path: Path) -> dict[str, Any]:
    return _read(path).get("tool", {}) if path.name == "pyproject.toml" else {}


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise IpsExpertError(f"is not valid TOML: {exc}", file=str(path)) from None
    except OSError as exc:
        raise IpsExpertError(f"cannot be read: {exc.strerror or exc}", file=str(path)) from None


def load(path: Path) -> Config:
    """The settings in ``path``, every key checked."""
    table = _tool_tables(path).get("ipsexpert", {}) if path.name == "pyproject.toml" else _read(path)
    where = "[tool.ipsexpert]" if path.name == "pyproject.toml" else None
    if not isinstance(table, dict):
        raise IpsExpertError("`tool.ipsexpert` must be a table of settings", file=str(path))
    values: dict[str, Any] = {}
    for key, value in table.items():
        values[key.replace("-", "_")] = _checked(key, value, path, where)
    return Config(file=path, **values)


def _checked(key: str, value: Any, path: Path, where: str | None) -> Any:
    field = f"{where}.{key}" if where else key
    if key not in KEYS:
        raise IpsExpertError(f"unknown setting{suggest(key, list(KEYS))}; the settings are {', '.join(KEYS)}",
                             file=str(path), field=field)
    if key in LISTS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise IpsExpertError("must be a list of strings", file=str(path), field=field)
        return tuple(value)
    allowed = WORDS[key]
    if not isinstance(value, str) or (allowed and value.lower() not in allowed):
        shape = f"one of {', '.join(allowed)}" if allowed else "a folder (a string)"
        hint = suggest(str(value).lower(), list(allowed)) if allowed and isinstance(value, str) else ""
        raise IpsExpertError(f"must be {shape}{hint}", file=str(path), field=field)
    return value.lower() if allowed else value
