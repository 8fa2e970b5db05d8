"""Reading YAML and JSON files as untrusted, bounded documents with line numbers.

Scenario files and edited knowledge bases come from many hands. Every document is
size-checked before parsing, scanned event by event (an iterative parse) for nesting
depth, node count and alias use before anything is built, and only then composed
with the safe loader; aliases are counted as the nodes they would expand to, so a
"billion laughs" file is rejected before it is expanded. The composed node tree also
gives every field its line, so errors can say where they are.

Beyond the size bounds, a document must not hold a recursive alias, a key twice in
one mapping (YAML or JSON: the later value would silently win), an integer outside
the signed 64-bit range (no answer needs more, and JSON readers of the report could
not hold it) or, in JSON, the non-standard ``NaN``/``Infinity``. Every such document
is an ``InputError`` naming the file (and the line where known), never another exception.
"""

from __future__ import annotations

import codecs
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
    max_integer: int = 2**63 - 1


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
    raw = read_bounded(path, limits)
    return parse_document(raw, name, json_format=name.lower().endswith(".json"), limits=limits)


def read_bounded(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A file's bytes, never more than one byte past ``limits.max_bytes`` (so that
    parse_document can say it is too large without the whole file in memory)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            return handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", file=name) from None


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
    return _parse_yaml(text, name, limits)


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
        raise _JSONRejected(_too_large(limits), _line_of_text(text, digits), locate=_too_large(limits, True))

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
        located = _locate_in_json(text, name, limits, exc.locate) if exc.locate else None
        raise located or InputError(str(exc), file=name, line=exc.line) from None
    except ValueError as exc:  # anything else the standard parser refuses
        raise InputError(f"is not valid JSON: {exc}", file=name) from None
    _check_json_shape(data, name, limits)
    return Document(name, data, _json_lines(text))


def _line_of_text(text: str, fragment: str) -> int | None:
    index = text.find(fragment)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _locate_in_json(text: str, name: str, limits: Limits, fragment: str) -> InputError | None:
    """A duplicate key's or a huge number's line and field, found by composing the text
    as YAML flow and walking it as a YAML document is walked; None if not found.

    The JSON parser stopped at the duplicate, so the rest of the text is unchecked:
    it goes through the same bounded steps as any YAML document, and any failure
    there just means the error is reported without a line.
    """
    try:
        _scan_events(text, name, limits)
        node = yaml.compose(text, Loader=_Loader)
        if node is None:
            return None
        _check_expansion(node, name, limits)
        _walk_nodes(node, name, {}, limits)
    except InputError as exc:
        return exc if fragment in str(exc) else None
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    return None


def _json_lines(text: str) -> dict[Path_, int]:
    """Field lines for a JSON document, best effort: valid JSON composes as YAML flow.

    Only node positions are taken from the YAML composer (never its values); the
    document is already known to be valid, bounded JSON, which has no aliases.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}
    lines: dict[Path_, int] = {}
    if node is not None:
        try:
            _walk_nodes(node, "", lines, None)
        except InputError:
            return {}
    return lines


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


def _too_large(limits: Limits, located: bool = False) -> str:
    return (("the number is" if located else "holds a number") + " outside the range of "
            f"-{limits.max_integer} to {limits.max_integer}")


_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"


class _BoundedLoader(_Loader):
    """The safe loader with bounded integers; a scalar it cannot build is a located error."""

    limits: Limits = DEFAULT_LIMITS


def _int_problem(node: yaml.ScalarNode, limits: Limits) -> str | None:
    """What is wrong with an int-tagged scalar, if anything. Judged on its length first:
    converting thousands of digits is slow, and past 4300 Python refuses outright
    (binary, octal, decimal and hexadecimal spellings of 2**63 all fit in 70 characters)."""
    if len(str(node.value).replace("_", "").lstrip("+-")) > 70:
        return _too_large(limits, located=True)
    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(_ScalarText, node)
    except (ValueError, IndexError):  # an explicit `!!int` on text that is no number
        return f"{_short(node.value)} is tagged !!int but is not a whole number"
    return _too_large(limits, located=True) if abs(value) > limits.max_integer else None


def _short(value: object, size: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= size else text[:size] + "..."


class _ScalarText:
    """Just enough of a constructor for SafeConstructor.construct_yaml_int (pure text work)."""

    @staticmethod
    def construct_scalar(node: yaml.ScalarNode) -> str:
        return str(node.value)


def _bounded_int(loader: _BoundedLoader, node: yaml.ScalarNode) -> int:
    # _walk_nodes has already checked every int value with its field path; this is the
    # backstop (keys, and non-scalars, which the standard constructor refuses itself).
    problem = _int_problem(node, loader.limits) if isinstance(node, yaml.ScalarNode) else None
    if problem:
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


def _guarded(construct):
    """A scalar constructor whose failure on odd text (the date 2020-13-45, ``!!bool maybe``)
    becomes a located YAML error instead of a ValueError, KeyError or AttributeError."""
    def wrapper(loader, node):
        try:
            return construct(loader, node)
        except (ValueError, OverflowError, KeyError, AttributeError, IndexError, TypeError) as exc:
            detail = f": {exc}" if isinstance(exc, (ValueError, OverflowError)) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {_short(node.value)} as {node.tag.rsplit(':', 1)[-1]}{detail}",
                node.start_mark) from None
    return wrapper


_BoundedLoader.add_constructor(_INT_TAG, _bounded_int)
for _tag in ("null", "bool", "float", "binary", "timestamp", "str"):
    _tag = "tag:yaml.org,2002:" + _tag
    _BoundedLoader.add_constructor(_tag, _guarded(_Loader.yaml_constructors[_tag]))

# libyaml's own nesting guard fires before ours on very deep flow collections.
_LIBYAML_DEPTH = "exceeded maximum nesting depth"
# The composer's complaint about a second document (when no event scan ran first).
_SECOND_DOCUMENT = "expected a single document in the stream"


def _needs_scan(text: str, limits: Limits) -> bool:
    """Whether the event scan must bound the document before it is composed.

    A YAML node takes at least one character of text (measured on the densest forms:
    ``{a,a}``, ``?`` lines, at most one node per character), so a document of at most
    half ``max_nodes`` characters cannot hold too many; without a ``*`` it holds no
    alias, so its composed tree is its real size, and ``_walk_nodes`` checks its depth.
    Every real scenario is such a document, and the scan would cost a third of reading it.
    """
    return len(text) * 2 > limits.max_nodes or "*" in text


def _parse_yaml(text: str, name: str, limits: Limits) -> Document:
    lines: dict[Path_, int] = {}
    try:
        aliases = _scan_events(text, name, limits) if _needs_scan(text, limits) else False
        loader = _BoundedLoader(text)
        loader.limits = limits
        try:
            node = loader.get_single_node()
            if node is None:
                raise InputError("is empty", file=name)
            if aliases:  # without them, the event scan has measured the whole document
                _check_expansion(node, name, limits)
            _walk_nodes(node, name, lines, limits)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context == _SECOND_DOCUMENT:
            raise InputError("holds more than one YAML document", file=name, line=line) from None
        if problem == _LIBYAML_DEPTH:
            raise InputError(f"is nested deeper than the limit of {limits.max_depth}",
                             file=name, line=line) from None
        raise InputError(f"is not valid YAML: {problem}", file=name, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"is not valid YAML: {exc}", file=name) from None
    return Document(name, data, lines)


def _scan_events(text: str, name: str, limits: Limits) -> bool:
    """Walk the event stream (no recursion, nothing built) to enforce depth and size;
    whether the document uses aliases (and so needs _check_expansion)."""
    depth = 0
    nodes = 0
    documents = 0
    aliases = False
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
            aliases = aliases or isinstance(event, yaml.AliasEvent)
        if nodes > limits.max_nodes:
            raise InputError(f"has more than the limit of {limits.max_nodes} values", file=name)
    return aliases


def _check_expansion(root: yaml.Node, name: str, limits: Limits) -> None:
    """Size and depth of the document as aliases would expand it, without expanding it.

    An iterative depth-first walk over the node graph, each node once: a node met
    again while its own children are still being walked is an alias to itself.
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    walking: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            depths[key] = (1 + max((depths[id(child)] for child in children), default=0)
                           if isinstance(node, yaml.CollectionNode) else 0)
            walking.discard(key)
            line = node.start_mark.line + 1
            if sizes[key] > limits.max_nodes:
                raise InputError(
                    f"expands (through aliases) to more than the limit of {limits.max_nodes} values",
                    file=name, line=line)
            if depths[key] > limits.max_depth:
                raise InputError(
                    f"is nested (through aliases) deeper than the limit of {limits.max_depth}",
                    file=name, line=line)
            continue
        if key in sizes:
            continue
        if key in walking:
            raise InputError("holds an alias to a node that contains it (a recursive structure)",
                             file=name, line=node.start_mark.line + 1)
        walking.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _walk_nodes(root: yaml.Node, name: str, lines: dict[Path_, int], limits: Limits | None) -> None:
    """Record the line of every field path; with ``limits``, also reject a collection
    nested too deep, a key given twice in one mapping and an integer out of range,
    naming the field.

    Iterative (the expanded depth is already bounded, but the walk follows aliases).
    Keys are compared as written with their resolved tag, so ``a`` and ``"a"`` are the
    same key; merge keys (``<<``) are YAML's explicit way to override and are allowed.
    """
    stack = [(root, ())]
    while stack:
        node, path = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if limits is not None and isinstance(node, yaml.CollectionNode) and len(path) >= limits.max_depth:
            raise InputError(f"is nested deeper than the limit of {limits.max_depth}",
                             file=name, line=node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple, int] = {}
            children = []
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                    continue
                line = key.start_mark.line + 1
                if limits is not None and (key.tag, key.value) in seen:
                    raise InputError(f"the key {key.value!r} is given twice in one mapping (first on "
                                     f"line {seen[(key.tag, key.value)]})", file=name, line=line,
                                     field=format_path(path + (key.value,)) or None)
                seen[(key.tag, key.value)] = line
                key_path = path + (key.value,)
                lines.setdefault(key_path, line)
                children.append((value, key_path))
            stack.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed([(item, path + (index,)) for index, item in enumerate(node.value)]))
        elif limits is not None and node.tag == _INT_TAG and isinstance(node, yaml.ScalarNode):
            problem = _int_problem(node, limits)
            if problem:
                raise InputError(problem, file=name, line=node.start_mark.line + 1,
                                 field=format_path(path) or None)
