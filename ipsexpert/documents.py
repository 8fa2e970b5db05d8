"""Reading YAML and JSON files as untrusted, bounded documents with line numbers.

Scenario files and edited knowledge bases come from many hands. Every document is
size-checked before parsing, scanned event by event (an iterative parse) for nesting
depth, node count and alias use before anything is built, and only then composed
with the safe loader; aliases are counted as the nodes they would expand to, so a
"billion laughs" file is rejected before it is expanded. The composed node tree also
gives every field its line, so errors can say where they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple  # a field path: keys and list indexes from the document root


@dataclass(frozen=True)
class Limits:
    """Bounds on one input document; the defaults fit any real scenario many times over."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 32
    max_nodes: int = 100_000


DEFAULT_LIMITS = Limits()


@dataclass
class Document:
    """A parsed document: its data, and the line of each field path where known."""

    name: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

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
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", file=name) from None
    return parse_document(raw, name, json_format=name.lower().endswith(".json"), limits=limits)


def parse_document(raw: bytes, name: str, *, json_format: bool = False,
                   limits: Limits = DEFAULT_LIMITS) -> Document:
    """Parse bytes already in memory (the bounds apply the same way)."""
    if len(raw) > limits.max_bytes:
        raise InputError(f"is larger than the limit of {limits.max_bytes} bytes", file=name)
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
    return _parse_yaml(text, name, limits)


def _parse_json(text: str, name: str, limits: Limits) -> Document:
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputError(f"is nested deeper than the limit of {limits.max_depth}", file=name) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"is not valid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    _check_json_shape(data, name, limits)
    return Document(name, data)


def _check_json_shape(data: Any, name: str, limits: Limits) -> None:
    stack = [(data, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > limits.max_depth:
            raise InputError(f"is nested deeper than the limit of {limits.max_depth}", file=name)
        if nodes > limits.max_nodes:
            raise InputError(f"has more than the limit of {limits.max_nodes} values", file=name)
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def _parse_yaml(text: str, name: str, limits: Limits) -> Document:
    try:
        _scan_events(text, name, limits)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise InputError("is empty", file=name)
            _check_expansion(node, name, limits)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"is not valid YAML: {problem}", file=name, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"is not valid YAML: {exc}", file=name) from None
    lines: dict[Path_, int] = {}
    _record_lines(node, (), lines)
    return Document(name, data, lines)


def _scan_events(text: str, name: str, limits: Limits) -> None:
    """Walk the event stream (no recursion, nothing built) to enforce depth and size."""
    depth = 0
    nodes = 0
    documents = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise InputError("holds more than one YAML document", file=name,
                                 line=event.start_mark.line + 1)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            nodes += 1
            if depth > limits.max_depth:
                raise InputError(f"is nested deeper than the limit of {limits.max_depth}",
                                 file=name, line=event.start_mark.line + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            nodes += 1
        if nodes > limits.max_nodes:
            raise InputError(f"has more than the limit of {limits.max_nodes} values", file=name)


def _check_expansion(root: yaml.Node, name: str, limits: Limits) -> None:
    """Count the nodes the document would expand to, aliases included, without expanding."""
    sizes: dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[id(node)] > limits.max_nodes:
                raise InputError(
                    f"expands (through aliases) to more than the limit of {limits.max_nodes} values",
                    file=name, line=node.start_mark.line + 1)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _record_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                key_path = path + (key.value,)
                lines.setdefault(key_path, key.start_mark.line + 1)
                _record_lines(value, key_path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, path + (index,), lines)
