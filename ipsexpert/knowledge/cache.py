"""A cache of a knowledge base's parsed files, so that a start does not parse YAML again.

Parsing the knowledge base's YAML is most of loading it (about four fifths), and every
``ipsexpert evaluate`` starts by loading it. The cache keeps, per file, what parsing
gave — the data and each field's line — under the SHA-256 of the file's bytes. Loading
still reads every file (the knowledge base's own digest is over their bytes), and
takes a file's parsed form from the cache only when its bytes hash the same; all the
rest of loading — validation, conditions, every check — runs as without a cache. A
changed file is parsed again and the cache rewritten: nothing is taken on trust from
the cache but the parse of bytes whose hash it was stored under.

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
import hashlib
import json
import os
import tempfile
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__
from ..documents import Document, parse_document

FORMAT = 1
MAX_CACHE_BYTES = 64 * 1024 * 1024
"""A cache file larger than this is not read (a knowledge base's is a few hundred KB)."""
_TAG = "\x00"
_PARSING_CODE = ("documents.py", "yaml_nodes.py")


def enabled() -> bool:
    return os.environ.get("IPSEXPERT_NO_CACHE", "") in ("", "0")


def cache_folder() -> Path:
    """``$XDG_CACHE_HOME/ipsexpert`` (an absolute one), else ``~/.cache/ipsexpert``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "ipsexpert"


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """The ipsexpert version and the parsing code's bytes: either changing invalidates the cache."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    package = Path(__file__).resolve().parent.parent
    for name in _PARSING_CODE:
        try:
            digest.update((package / name).read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


class _NotCachable(Exception):
    """Parsed data that the cache's JSON cannot hold exactly."""


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith(_TAG) for key in value):
            return {key: _encode(item) for key, item in value.items()}
        return {_TAG + "m": [[_encode(key), _encode(item)] for key, item in value.items()]}
    if isinstance(value, datetime):
        return {_TAG + "t": value.isoformat()}
    if isinstance(value, date):
        return {_TAG + "d": value.isoformat()}
    if isinstance(value, bytes):
        return {_TAG + "b": base64.b64encode(value).decode("ascii")}
    raise _NotCachable(type(value).__name__)


def _decoded(obj: dict) -> Any:
    if len(obj) == 1:
        key = next(iter(obj))
        if key.startswith(_TAG):
            value = obj[key]
            if key == _TAG + "m":
                return {_frozen_key(k): v for k, v in value}
            if key == _TAG + "d":
                return date.fromisoformat(value)
            if key == _TAG + "t":
                return datetime.fromisoformat(value)
            if key == _TAG + "b":
                return base64.b64decode(value)
            raise ValueError(f"unknown tag {key!r}")
    return obj


def _frozen_key(key: Any) -> Any:
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
        self.folder = folder if folder is not None else cache_folder()
        name = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
        self.path = self.folder / f"kb-{name}.json"
        self.fingerprint = _fingerprint()
        self.entries: dict[str, dict] = self._read()
        self.used: dict[str, tuple[bool, dict]] = {}  # relative path -> (parsed now, entry), in reading order
        self.changed = False

    def _read(self) -> dict[str, dict]:
        """The stored entries, or none when the file is missing, foreign, stale or corrupt."""
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(MAX_CACHE_BYTES + 1)
            if len(raw) > MAX_CACHE_BYTES:
                return {}
            header_end = raw.index(b"\n")
            header = json.loads(raw[:header_end])
            body = raw[header_end + 1:]
            if (not isinstance(header, dict) or header.get("format") != FORMAT
                    or header.get("fingerprint") != self.fingerprint
                    or header.get("sha256") != hashlib.sha256(body).hexdigest()):
                return {}
            entries = json.loads(body, object_hook=_decoded)
            if not isinstance(entries, dict) or not all(
                    isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                    and isinstance(entry.get("lines"), str) and "data" in entry for entry in entries.values()):
                return {}
            return entries
        except (OSError, ValueError, TypeError, RecursionError):
            return {}

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
            encoded = _encode(data)
        except _NotCachable:
            return
        self.used[relative] = (True, {"sha256": hashlib.sha256(raw).hexdigest(), "data": encoded,
                                      "lines": _lines_text(lines)})
        self.changed = True

    def save(self) -> None:
        """Write the entries this load used, if any was new or one fell away; never fails loudly."""
        if not self.changed and set(self.used) == set(self.entries):
            return
        try:
            body = json.dumps({relative: entry if fresh else {**entry, "data": _encode(entry["data"])}
                               for relative, (fresh, entry) in self.used.items()},
                              ensure_ascii=False).encode("utf-8")
        except _NotCachable:
            return
        header = json.dumps({"format": FORMAT, "fingerprint": self.fingerprint, "root": str(self.root),
                             "sha256": hashlib.sha256(body).hexdigest()}).encode("utf-8")
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=".kb-", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(header + b"\n" + body)
                os.replace(temporary, self.path)
            except BaseException:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
                raise
        except OSError:
            pass  # a read-only or full cache folder: the next start parses again
