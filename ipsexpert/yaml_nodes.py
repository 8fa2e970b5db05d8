"""Bounded YAML: composing a document as nodes, checked before anything is built.

``documents`` decides which parser a file gets; this module holds the YAML side:
an event scan for depth, node count and aliases before composing, the safe loader
with bounded integers, and the walk over the composed nodes that records each
field's line. A file in the simple form (``simple_yaml``) is read line by line
instead, with the same data and lines. JSON documents are composed and walked with
the same functions when an error needs a line (``json_lines``).
"""

from __future__ import annotations

from typing import Any

import yaml

from .documents import DEFAULT_LIMITS, Document, Limits, Path_, format_path, too_large
from .errors import InputError
from .simple_yaml import INT_TAG, NOT_SIMPLE, read_simple, simple_value

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _BoundedLoader(_Loader):
    """The safe loader with bounded integers; a scalar it cannot build is a located error."""

    limits: Limits = DEFAULT_LIMITS

    def resolve(self, kind, value, implicit):
        """The safe resolver's tag, remembered for short scalars: a batch of scenarios asks for
        the tags of the same few hundred words (``true``, ``design``, ``3``) over and over, and
        without path resolvers (the safe loader has none) the tag depends on these arguments only."""
        if kind is yaml.ScalarNode and len(value) <= _RESOLVED_LENGTH and not self.yaml_path_resolvers:
            key = (value, implicit)
            tag = _RESOLVED.get(key)
            if tag is None:
                tag = _Loader.resolve(self, kind, value, implicit)
                if len(_RESOLVED) < _RESOLVED_SIZE:
                    _RESOLVED[key] = tag
            return tag
        return _Loader.resolve(self, kind, value, implicit)


_RESOLVED: dict[tuple, str] = {}
_RESOLVED_LENGTH = 64
_RESOLVED_SIZE = 50_000


def _int_problem(node: yaml.ScalarNode, limits: Limits) -> str | None:
    """What is wrong with an int-tagged scalar, if anything. Judged on its length first:
    converting thousands of digits is slow, and past 4300 Python refuses outright
    (binary, octal, decimal and hexadecimal spellings of 2**63 all fit in 70 characters)."""
    if len(str(node.value).replace("_", "").lstrip("+-")) > 70:
        return too_large(limits, located=True)
    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(_ScalarText, node)
    except (ValueError, IndexError):  # an explicit `!!int` on text that is no number
        return f"{_short(node.value)} is tagged !!int but is not a whole number"
    return too_large(limits, located=True) if abs(value) > limits.max_integer else None


def _short(value: object, size: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= size else text[:size] + "..."


class _ScalarText:
    """Just enough of a constructor for SafeConstructor.construct_yaml_int (pure text work)."""

    @staticmethod
    def construct_scalar(node: yaml.ScalarNode) -> str:
        return str(node.value)


def _bounded_int(loader: _BoundedLoader, node: yaml.ScalarNode) -> int:
    # walk_nodes has already checked every int value with its field path; this is the
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


_BoundedLoader.add_constructor(INT_TAG, _bounded_int)
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
    alias, so its composed tree is its real size, and ``walk_nodes`` checks its depth.
    Every real scenario is such a document, and the scan would cost a third of reading it.
    """
    return len(text) * 2 > limits.max_nodes or "*" in text


def parse_yaml(text: str, name: str, limits: Limits) -> Document:
    needs_scan = _needs_scan(text, limits)
    if not needs_scan:
        simple = read_simple(text, limits.max_depth, limits.max_integer)
        if simple is not None:
            return Document(name, *simple)
    lines: dict[Path_, int] = {}
    try:
        aliases = scan_events(text, name, limits) if needs_scan else False
        loader = _BoundedLoader(text)
        loader.limits = limits
        try:
            node = loader.get_single_node()
            if node is None:
                raise InputError("is empty", file=name)
            if aliases:  # without them, the event scan has measured the whole document
                check_expansion(node, name, limits)
            data = _NOT_PLAIN if aliases or "*" in text else build_plain(loader, node, name, lines, limits)
            if data is _NOT_PLAIN:
                lines.clear()
                walk_nodes(node, name, lines, limits)
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


def scan_events(text: str, name: str, limits: Limits) -> bool:
    """Walk the event stream (no recursion, nothing built) to enforce depth and size;
    whether the document uses aliases (and so needs check_expansion)."""
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


def check_expansion(root: yaml.Node, name: str, limits: Limits) -> None:
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


def walk_nodes(root: yaml.Node, name: str, lines: dict[Path_, int], limits: Limits | None) -> None:
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
                key_path = _record_key(key, path, seen, lines, name, check=limits is not None)
                children.append((value, key_path))
            stack.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed([(item, path + (index,)) for index, item in enumerate(node.value)]))
        elif limits is not None and node.tag == INT_TAG and isinstance(node, yaml.ScalarNode):
            problem = _int_problem(node, limits)
            if problem:
                raise InputError(problem, file=name, line=node.start_mark.line + 1,
                                 field=format_path(path) or None)


_NOT_PLAIN = object()
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset("tag:yaml.org,2002:" + tag for tag in ("str", "null", "bool", "int", "float", "timestamp",
                                                                 "binary"))


def build_plain(loader: _BoundedLoader, root: yaml.Node, name: str, lines: dict[Path_, int],
                limits: Limits) -> Any:
    """``walk_nodes`` and the safe constructor in one pass, for a plain document; else _NOT_PLAIN.

    A plain document — every real scenario — holds mappings, sequences and scalars of the
    standard tags, no alias and no merge key, and a mapping's keys are scalars. For it, the
    data the constructor would build (the same values, through the same scalar
    constructors, a later duplicate overriding an earlier one in place) is built while the
    walk checks the nodes and records their lines, in the walk's order, so the same check
    fails first. Anything else, and any scalar its constructor refuses, is left to the walk
    and the constructor, which then run as before and report as before.
    """
    constructors = loader.yaml_constructors
    result: list[Any] = [None]
    stack: list[tuple[yaml.Node, tuple, Any, Any]] = [(root, (), result, 0)]
    try:
        while stack:
            node, path, parent, slot = stack.pop()
            lines.setdefault(path, node.start_mark.line + 1)
            if isinstance(node, yaml.CollectionNode) and len(path) >= limits.max_depth:
                raise InputError(f"is nested deeper than the limit of {limits.max_depth}",
                                 file=name, line=node.start_mark.line + 1)
            tag = node.tag
            if isinstance(node, yaml.MappingNode):
                if tag != _MAP_TAG:
                    return _NOT_PLAIN
                value: Any = {}
                seen: dict[tuple, int] = {}
                children = []
                for key, item in node.value:
                    if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                        return _NOT_PLAIN
                    key_path = _record_key(key, path, seen, lines, name, check=True)
                    built = _scalar(constructors, loader, key, None, name, key_path)
                    if built is _NOT_PLAIN:
                        return _NOT_PLAIN
                    children.append((item, key_path, value, built))
                stack.extend(reversed(children))
            elif isinstance(node, yaml.SequenceNode):
                if tag != _SEQ_TAG:
                    return _NOT_PLAIN
                value = [None] * len(node.value)
                stack.extend(reversed([(item, path + (index,), value, index)
                                       for index, item in enumerate(node.value)]))
            else:
                value = _scalar(constructors, loader, node, limits, name, path)
                if value is _NOT_PLAIN:
                    return _NOT_PLAIN
            parent[slot] = value
    except yaml.YAMLError:
        return _NOT_PLAIN
    return result[0]


def _scalar(constructors: dict, loader: _BoundedLoader, node: yaml.ScalarNode, limits: Limits | None, name: str,
            path: Path_) -> Any:
    """A scalar's value as the safe constructor builds it. With ``limits`` (a value, not a key), an
    int out of range is walk_nodes' located error; a key's is the constructor's, as before."""
    tag = node.tag
    if tag not in _SCALAR_TAGS:
        return _NOT_PLAIN
    value = simple_value(tag, node.value)
    if value is not NOT_SIMPLE and not (type(value) is int and value > loader.limits.max_integer):
        return value
    if tag == INT_TAG and limits is not None:
        problem = _int_problem(node, limits)
        if problem:
            raise InputError(problem, file=name, line=node.start_mark.line + 1, field=format_path(path) or None)
    return constructors[tag](loader, node)


def compose(text: str) -> yaml.Node | None:
    """The node tree of a document, composed by the safe loader (no bounds: the caller's)."""
    return yaml.compose(text, Loader=_Loader)


def _record_key(key: yaml.ScalarNode, path: tuple, seen: dict, lines: dict, name: str, check: bool) -> tuple:
    """A mapping key's field path, its line recorded; a key given twice in one mapping is an error
    (the later value would silently win)."""
    line = key.start_mark.line + 1
    if check and (key.tag, key.value) in seen:
        raise InputError(f"the key {key.value!r} is given twice in one mapping (first on "
                         f"line {seen[(key.tag, key.value)]})", file=name, line=line,
                         field=format_path(path + (key.value,)) or None)
    seen[(key.tag, key.value)] = line
    key_path = path + (key.value,)
    lines.setdefault(key_path, line)
    return key_path
