"""A cache of a knowledge base's parsed files, and the cache files' common reading and writing.

Every ``ipsexpert evaluate`` starts by loading the knowledge base. When nothing changed
since it last loaded without a problem, the checked knowledge base comes whole from its
snapshot (``snapshot``, which uses this module's files). Otherwise — a rule being edited,
say — the files are read, and this cache keeps, per file, what parsing gave (parsing the
YAML is about four fifths of a full load): the data and each field's line, under the
SHA-256 of the file's bytes. A file's parsed form is taken from the cache only when its
bytes hash the same; all the rest of loading — validation, conditions, every check — runs
as without a cache. A changed file is parsed again and the cache rewritten: nothing is
taken on trust from the cache but the parse of bytes whose hash it was stored under.

The cache is one file per knowledge-base folder in the user's cache folder
(``$XDG_CACHE_HOME/ipsexpert``, else ``~/.cache/ipsexpert``), JSON — plain data only,
never pickle — with a header naming the format, the ipsexpert version, a fingerprint of
the parsing code and the SHA-256 of the body. A file whose header or body does not
match, or that does not decode, is ignored and replaced; a folder that cannot be
written is used for nothing, silently. ``IPSEXPERT_NO_CACHE=1`` turns the cache off.

Data is JSON with a tagged form for what JSON has not: a mapping whose keys are not all
text is ``{"\\u0000m": [[key, value], ...]}``, a date ``{"\\u0000d": "2024-01-31"}``, a
date and time ``{"\\u0000t": ...}``, bytes ``{"\\u0000b": base64}``; a document holding
anything else (a set) is not cached. Lines stay a JSON text until a message asks.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import tempfile
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from .. import __version__
from ..documents import Document, parse_document
from .record import Record

FORMAT = 1
MAX_CACHE_BYTES = 64 * 1024 * 1024
"""A cache file larger than this is not read (a knowledge base's is a few hundred KB)."""
_TAG = "\x00"
_PARSING_CODE = ("documents.py", "yaml_nodes.py", "simple_yaml.py", "json_lines.py")


def enabled() -> bool:
    return os.environ.get("IPSEXPERT_NO_CACHE", "") in ("", "0")


def cache_folder() -> Path:
    """``$XDG_CACHE_HOME/ipsexpert`` (an absolute one), else ``~/.cache/ipsexpert``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "ipsexpert"


@lru_cache(maxsize=4)
def fingerprint(code: tuple[str, ...] = _PARSING_CODE) -> str:
    """The ipsexpert version and the bytes of the code that made a cache's content (paths
    within the package): changing either invalidates the cache."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    package = Path(__file__).resolve().parent.parent
    for name in code:
        try:
            digest.update((package / name).read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def cache_file(root: Path, suffix: str, folder: Path | None = None) -> Path:
    """The cache file of one knowledge-base folder, for one kind of content."""
    name = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return (folder if folder is not None else cache_folder()) / f"kb-{name}{suffix}"


def read_checked(path: Path, expected: dict[str, Any]) -> bytes | None:
    """A cache file's body, when its header holds ``expected`` and the SHA-256 of the body; else None
    (missing, foreign, stale, corrupt or too large)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CACHE_BYTES + 1)
        if len(raw) > MAX_CACHE_BYTES:
            return None
        header_end = raw.index(b"\n")
        header = json.loads(raw[:header_end])
        body = raw[header_end + 1:]
    except (OSError, ValueError, RecursionError):
        return None
    if (not isinstance(header, dict) or any(header.get(key) != value for key, value in expected.items())
            or header.get("sha256") != hashlib.sha256(body).hexdigest()):
        return None
    return body


def write_quietly(path: Path, header: dict[str, Any], body: bytes) -> None:
    """Replace a cache file atomically with ``header`` (and the body's SHA-256) and ``body``;
    a read-only or full cache folder leaves it as it was, silently."""
    head = json.dumps({**header, "sha256": hashlib.sha256(body).hexdigest()}).encode("utf-8")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".kb-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(head + b"\n" + body)
            os.replace(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
    except OSError:
        pass  # a read-only or full cache folder: the next start parses again


class NotCachable(Exception):
    """Data that the cache's JSON cannot hold exactly."""


def encode(value: Any, names: Mapping[type, str] | None = None) -> Any:
    """``value`` as JSON data, in the tagged form for what JSON has not. ``names`` gives the
    classes (records and frozen dataclasses) that may be kept, each as its fields."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return [encode(item, names) for item in value]
    if type(value) is dict:
        if all(type(key) is str and not key.startswith(_TAG) for key in value):
            return {key: encode(item, names) for key, item in value.items()}
        return {_TAG + "m": [[encode(key, names), encode(item, names)] for key, item in value.items()]}
    if type(value) is tuple:
        return {_TAG + "u": [encode(item, names) for item in value]}
    if type(value) is frozenset:
        return {_TAG + "s": [encode(item, names) for item in value]}
    if isinstance(value, datetime):
        return {_TAG + "t": value.isoformat()}
    if isinstance(value, date):
        return {_TAG + "d": value.isoformat()}
    if isinstance(value, bytes):
        return {_TAG + "b": base64.b64encode(value).decode("ascii")}
    name = (names or {}).get(type(value))
    if name is None:
        raise NotCachable(type(value).__name__)
    fields = value.fields() if isinstance(value, Record) else {
        field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    return {_TAG + "c": name, _TAG + "f": {key: encode(item, names) for key, item in fields.items()}}


_SCALARS: dict[str, Callable[[Any], Any]] = {
    _TAG + "u": tuple, _TAG + "s": frozenset, _TAG + "d": date.fromisoformat, _TAG + "t": datetime.fromisoformat,
    _TAG + "b": base64.b64decode}


def decoder(classes: Mapping[str, type] | None = None) -> Callable[[dict], Any]:
    """The ``object_hook`` that reverses ``encode``; only ``classes`` (by name) are ever built."""
    def decoded(obj: dict) -> Any:
        if _TAG + "c" in obj:
            cls, fields = (classes or {}).get(obj[_TAG + "c"]), obj.get(_TAG + "f")
            if cls is None or not isinstance(fields, dict):
                raise ValueError(f"not a record this cache keeps: {obj[_TAG + 'c']!r}")
            return cls(**fields)
        if len(obj) == 1:
            key, value = next(iter(obj.items()))
            if key == _TAG + "m":
                return {_scalar_key(item_key): item for item_key, item in value}
            if key in _SCALARS:
                return _SCALARS[key](value)
            if key.startswith(_TAG):
                raise ValueError(f"unknown tag {key!r}")
        return obj
    return decoded


def _scalar_key(key: Any) -> Any:
    if isinstance(key, (list, dict)):
        raise ValueError("a mapping key that is not a scalar")
    return key


def _lines_text(lines: dict[tuple, int]) -> str:
    return json.dumps([[line, *path] for path, line in lines.items()], ensure_ascii=False)


def lines_from_text(text: str) -> dict[tuple, int]:
    """The field lines stored for a document (decoded when a message or an example asks)."""
    return {tuple(path): line for line, *path in json.loads(text)}


class ParsedCache:
    """The parsed files of one knowledge-base folder: looked up by path and bytes, saved if changed."""

    def __init__(self, root: Path, folder: Path | None = None) -> None:
        self.root = root
        self.path = cache_file(root, ".json", folder)
        self.fingerprint = fingerprint()
        self.entries: dict[str, dict] = self._read()
        self.used: dict[str, tuple[bool, dict]] = {}  # relative path -> (parsed now, entry), in reading order
        self.changed = False

    def _read(self) -> dict[str, dict]:
        """The stored entries, or none when the file is missing, foreign, stale or corrupt."""
        body = read_checked(self.path, {"format": FORMAT, "fingerprint": self.fingerprint})
        try:
            entries = json.loads(body, object_hook=decoder()) if body is not None else None
        except (ValueError, TypeError, RecursionError):
            return {}
        if not isinstance(entries, dict) or not all(
                isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                and isinstance(entry.get("lines"), str) and "data" in entry for entry in entries.values()):
            return {}
        return entries

    def parse(self, relative: str, raw: bytes, name: str) -> Document:
        """The file's Document: from the cache when it holds these very bytes, else parsed (and kept)."""
        found = self.get(relative, raw)
        if found is not None:
            data, lines = found
            return Document(name, data, locate=lambda: lines_from_text(lines))
        doc = parse_document(raw, name)
        self.put(relative, raw, doc.data, doc.lines)
        return doc

    def get(self, relative: str, raw: bytes) -> tuple[Any, str] | None:
        """The parsed data of these bytes, and its lines as text, if the cache holds them."""
        digest = hashlib.sha256(raw).hexdigest()
        entry = self.entries.get(relative)
        if entry is None or entry["sha256"] != digest:
            return None
        self.used[relative] = (False, entry)
        return entry["data"], entry["lines"]

    def put(self, relative: str, raw: bytes, data: Any, lines: dict[tuple, int]) -> None:
        """Remember a file just parsed (one holding what JSON cannot keep exactly is left out)."""
        try:
            encoded = encode(data)
        except NotCachable:
            return
        self.used[relative] = (True, {"sha256": hashlib.sha256(raw).hexdigest(), "data": encoded,
                                      "lines": _lines_text(lines)})
        self.changed = True

    def save(self) -> None:
        """Write the entries this load used, if any was new or one fell away; never fails loudly."""
        if not self.changed and set(self.used) == set(self.entries):
            return
        try:
            body = json.dumps({relative: entry if fresh else {**entry, "data": encode(entry["data"])}
                               for relative, (fresh, entry) in self.used.items()},
                              ensure_ascii=False).encode("utf-8")
        except NotCachable:
            return
        write_quietly(self.path, {"format": FORMAT, "fingerprint": self.fingerprint, "root": str(self.root)}, body)
