"""Reading YAML and JSON files as untrusted, bounded documents with line numbers.

Scenario files and edited knowledge bases come from many hands. Every document is
size-checked before parsing; one that could hold too many values or uses aliases is
scanned event by event (an iterative parse) for nesting depth, node count and alias
use before anything is built, and only then composed with the safe loader; aliases
are counted as the nodes they would expand to, so a "billion laughs" file is rejected
before it is expanded. The commonest scenario form, block mappings of plain words and
numbers, is read line by line (``simple_yaml``). Either way every field gets its line,
so errors can say where they are.

Beyond the size bounds, a document must not hold a recursive alias, a key twice in
one mapping (YAML or JSON: the later value would silently win), an integer outside
the signed 64-bit range (no answer needs more, and JSON readers of the report could
not hold it) or, in JSON, the non-standard ``NaN``/``Infinity``. Every such document
is an ``InputError`` naming the file (and the line where known), never another exception.
"""

from __future__ import annotations

import codecs
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .errors import InputError

Path_ = tuple  # a field path: keys and list indexes from the document root


@dataclass(frozen=True)
class Limits:
    """Bounds on one input document; the defaults fit any real scenario many times over."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 32
    max_nodes: int = 100_000
    max_integer: int = 2**63 - 1


DEFAULT_LIMITS = Limits()


class Document:
    """A parsed document: its data, and the line of each field path where known.

    ``lines`` may be given, or worked out on first use by ``locate`` (a JSON document's
    lines come from composing its text as YAML, which costs more than parsing it: they
    are only worked out when an error needs a line).
    """

    __slots__ = ("name", "data", "_lines", "_locate")

    def __init__(self, name: str, data: Any, lines: dict[Path_, int] | None = None,
                 locate: Callable[[], dict[Path_, int]] | None = None) -> None:
        self.name = name
        self.data = data
        self._lines = lines if lines is not None or locate is not None else {}
        self._locate = locate

    @property
    def lines(self) -> dict[Path_, int]:
        if self._lines is None:
            self._lines = self._locate() if self._locate is not None else {}
            self._locate = None
        return self._lines

    @lines.setter
    def lines(self, value: dict[Path_, int]) -> None:
        self._lines, self._locate = value, None

    def __repr__(self) -> str:
        return f"Document(name={self.name!r}, data={self.data!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (self.name, self.data, self.lines) == (other.name, other.data, other.lines)

    __hash__ = None  # type: ignore[assignment]

    def line_of(self, path: Path_) -> int | None:
        """The line of the deepest known node on ``path`` (a missing field points at its parent)."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def error(self, message: str, path: Path_ = (), cls: type = InputError):
        """An error of family ``cls`` located at ``path`` in this document."""
        return cls(message, file=self.name, line=self.line_of(path), field=format_path(path) or None)


def format_path(path: Path_) -> str:
    """``("answers", "phase")`` → ``answers.phase``; list indexes in brackets."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def read_document(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a ``.json`` file as JSON and anything else as YAML, within ``limits``."""
    name = str(path)
    raw = read_bounded(path, limits)
    return parse_document(raw, name, json_format=name.lower().endswith(".json"), limits=limits)


def read_bounded(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A regular file's bytes, never more than one byte past ``limits.max_bytes`` (so that
    parse_document can say it is too large without the whole file in memory).

    Anything else is refused before it is opened: opening a FIFO blocks until someone
    writes to it, and a device can give endless bytes or act on being opened. A file
    swapped for one of those between the check and the open is caught too: the open
    never blocks (O_NONBLOCK) and the opened file is checked again. Links are followed.
    """
    name = str(path)
    try:
        _check_regular(os.stat(path).st_mode, name)
        descriptor = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
        try:
            status = os.fstat(descriptor)
            _check_regular(status.st_mode, name)
            return _read_at_most(descriptor, status.st_size, limits.max_bytes + 1)
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", file=name) from None


def _read_at_most(descriptor: int, size: int, most: int) -> bytes:
    """Up to ``most`` bytes of an open file, to its end. The first read asks for the size the
    file had (and one byte more, to see a file that grew): asking for ``most`` would make a
    buffer of a megabyte for every file of a batch."""
    parts = []
    held = 0
    wanted = min(size + 1, most)
    while held < most:
        part = os.read(descriptor, min(wanted, most - held))
        if not part:
            break
        parts.append(part)
        held += len(part)
        wanted = _READ_SIZE
    return parts[0] if len(parts) == 1 else b"".join(parts)


_READ_SIZE = 64 * 1024


_OPEN_FLAGS = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)

_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"))


def _check_regular(mode: int, name: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError("is a folder, not a file", file=name)
    kind = next((words for test, words in _KINDS if test(mode)), "a special file")
    raise InputError(f"is not a regular file ({kind}); only regular files are read", file=name)


_OTHER_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
               (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def parse_document(raw: bytes, name: str, *, json_format: bool = False,
                   limits: Limits = DEFAULT_LIMITS) -> Document:
    """Parse bytes already in memory (the bounds apply the same way)."""
    if len(raw) > limits.max_bytes:
        raise InputError(f"is larger than the limit of {limits.max_bytes} bytes", file=name)
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            raise InputError(f"is {encoding} text; save it as UTF-8", file=name)
    if b"\x00" in raw:
        raise InputError("holds binary content (a NUL byte), not text", file=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (byte {exc.start})", file=name) from None
    if not text.strip():
        raise InputError("is empty", file=name)
    if json_format:
        return _parse_json(text, name, limits)
    return yaml_nodes.parse_yaml(text, name, limits)


class _JSONRejected(ValueError):
    """Raised from inside the JSON parser's hooks; ``line`` where it can be found."""

    def __init__(self, message: str, line: int | None = None, locate: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.locate = locate  # the fragment of the located error to look for, see _locate_in_json


def _parse_json(text: str, name: str, limits: Limits) -> Document:
    def bounded_int(digits: str) -> int:
        # Checked on the text first: converting thousands of digits is slow, and
        # beyond 4300 digits Python refuses with a ValueError of its own.
        if len(digits.lstrip("-")) <= 20:
            value = int(digits)
            if abs(value) <= limits.max_integer:
                return value
        raise _JSONRejected(too_large(limits), _line_of_text(text, digits), locate=too_large(limits, True))

    def no_constant(constant: str) -> Any:
        raise _JSONRejected(f"is not valid JSON: {constant} is not a JSON value",
                            _line_of_text(text, constant))

    def unique_keys(pairs: list[tuple[str, Any]]) -> dict:
        result: dict = {}
        for key, value in pairs:
            if key in result:
                raise _JSONRejected(f"holds the key {key!r} twice in one object", locate="is given twice")
            result[key] = value
        return result

    try:
        data = json.loads(text, parse_int=bounded_int, parse_constant=no_constant,
                          object_pairs_hook=unique_keys)
    except RecursionError:
        raise InputError(f"is nested deeper than the limit of {limits.max_depth}", file=name) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"is not valid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    except _JSONRejected as exc:
        located = json_lines.locate_in_json(text, name, limits, exc.locate) if exc.locate else None
        raise located or InputError(str(exc), file=name, line=exc.line) from None
    except ValueError as exc:  # anything else the standard parser refuses
        raise InputError(f"is not valid JSON: {exc}", file=name) from None
    _check_json_shape(data, name, limits)
    return Document(name, data, locate=lambda: json_lines.json_lines(text))


def _line_of_text(text: str, fragment: str) -> int | None:
    index = text.find(fragment)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _check_json_shape(data: Any, name: str, limits: Limits) -> None:
    """Depth and size after parsing (JSON has no aliases); keys count, as they do in YAML."""
    stack = [(data, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1 + (len(node) if isinstance(node, dict) else 0)
        if depth > limits.max_depth:
            raise InputError(f"is nested deeper than the limit of {limits.max_depth}", file=name)
        if nodes > limits.max_nodes:
            raise InputError(f"has more than the limit of {limits.max_nodes} values", file=name)
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def too_large(limits: Limits, located: bool = False) -> str:
    return (("the number is" if located else "holds a number") + " outside the range of "
            f"-{limits.max_integer} to {limits.max_integer}")


# Imported last: the YAML side builds the Document and Limits defined above.
from . import json_lines, yaml_nodes  # noqa: E402
