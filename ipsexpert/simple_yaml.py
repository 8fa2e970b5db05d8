"""The commonest scenario file read line by line: block mappings of plain words and numbers.

Almost every scenario — every generated one, most hand-written ones — is a mapping of
``key: value`` lines and nested ``key:`` blocks, each value a plain word, number or
yes/no on its own line. Composing such a file with libyaml, node by node, and then
walking the nodes cost more than evaluating it; read as lines it costs a third.

The line grammar here is a strict subset of YAML whose meaning is never in doubt: keys
are identifiers (up to 1,000 characters), values are plain scalars of letters, digits,
spaces and ``_ . ~ + -`` (no ``:``, ``#``, quote, bracket or indicator that could start
anything else), blank lines and whole-line comments of printable characters are skipped,
and each nested mapping (up to ``_DEEPEST``) is indented deeper than its key, its entries
in one column. A value's type is what PyYAML's own resolver says it is (``yes`` is true,
``3`` is an integer, ``design`` is text), and only text, null, yes/no and plain decimal
integers are built here. Anything else — a list, a quote, a float, a date, a tab, a
control character, any line break but ``\n`` (YAML also breaks lines at ``\r``, NEL,
U+2028 and U+2029), a key given twice, an empty value, a key that is not text — and the
file goes to libyaml (``yaml_nodes``), which reads and reports as always. Tests hold the
two to the same data, the same line of every field and the same errors.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_KEY_LENGTH = 1000
"""The longest key read here: libyaml refuses a key of more than 1,024 characters (and says so)."""
_DEEPEST = 8
"""The deepest nesting read here (scenarios nest two deep); libyaml's own nesting guard stays in
charge of deeper documents."""
_COMMENT_TEXT = "[ -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
"""What a comment may hold here: printable characters, no tab, control or line break of any kind
(YAML also ends a line at NEL, U+2028 and U+2029, and refuses control characters)."""
_LINE = re.compile(rf"( *)(?:([A-Za-z_][A-Za-z0-9_]{{0,{_KEY_LENGTH - 1}}}):(?: ((?!- |-$)[A-Za-z0-9_.~+-]"
                   rf"(?:[A-Za-z0-9_.~+ -]*[A-Za-z0-9_.~+-])?))?|#{_COMMENT_TEXT}*)?")
"""A line: its indentation, then a key with or without a plain value, a comment, or nothing."""

_RESOLVER = yaml.resolver.Resolver()  # the safe loaders' resolver (CSafeLoader's too)
_PLAIN = (True, False)  # resolver's "implicit" flags of a plain (unquoted) scalar
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
BOOLS = yaml.constructor.SafeConstructor.bool_values
NOT_SIMPLE = object()
"""What ``simple_value`` returns for a scalar whose value only the safe constructor can build."""

_BUILT: dict[str, tuple] = {}
"""Values of short plain scalars, remembered: a batch reads the same few hundred words over and
over. Bounded (``_BUILT_LENGTH``, ``_BUILT_SIZE``), so that distinct long values cannot grow it."""
_BUILT_LENGTH = 64
_BUILT_SIZE = 50_000


def simple_value(tag: str, text: str) -> Any:
    """A scalar's value where it is plain text, null, yes/no or a decimal integer well inside
    64 bits (what the safe constructor makes of it); NOT_SIMPLE for any other."""
    if tag == STR_TAG:
        return text
    if tag == NULL_TAG:
        return None
    if tag == BOOL_TAG:
        value = BOOLS.get(text.lower())
        return NOT_SIMPLE if value is None else value
    if tag == INT_TAG and text.isascii() and text.isdigit() and len(text) <= 18 and (text[0] != "0" or text == "0"):
        return int(text)
    return NOT_SIMPLE


def _plain(text: str) -> tuple:
    """``(value,)`` of a plain scalar, or ``()`` when it is not simple."""
    built = _BUILT.get(text)
    if built is None:
        value = simple_value(_RESOLVER.resolve(yaml.ScalarNode, text, _PLAIN), text)
        built = () if value is NOT_SIMPLE else (value,)
        if len(text) <= _BUILT_LENGTH and len(_BUILT) < _BUILT_SIZE:
            _BUILT[text] = built
    return built


class _Block:
    """A mapping being read: its path, its entries' column (None until the first is read)."""

    __slots__ = ("path", "column", "mapping")

    def __init__(self, path: tuple, column: int | None, mapping: dict) -> None:
        self.path, self.column, self.mapping = path, column, mapping


def read_simple(text: str, max_depth: int, max_integer: int) -> tuple[dict, dict[tuple, int]] | None:
    """The data and the line of every field path of a document in the simple form, as the
    composed nodes would give them; None for any other document.

    ``max_depth`` and ``max_integer`` are the caller's limits: a document that reaches them
    is not simple, and libyaml's reading reports it.
    """
    if max_depth < 1:
        return None  # even the top mapping is too deep
    root: dict = {}
    lines: dict[tuple, int] = {}
    blocks = [_Block((), 0, root)]
    match = _LINE.fullmatch
    for number, line in enumerate(text.split("\n"), start=1):
        parts = match(line)
        if parts is None:
            return None
        indent, key, value = parts.groups()
        if key is None:
            continue  # blank or comment
        column = len(indent)
        block = blocks[-1]
        if block.column is None:  # the first entry of a nested mapping sets its column
            if column <= blocks[-2].column:
                return None  # ``key:`` with nothing under it is null, which libyaml builds
            block.column = column
        elif column != block.column:
            while column < block.column:
                blocks.pop()
                block = blocks[-1]
            if column != block.column:
                return None
        if _plain(key) != (key,):
            return None  # a key YAML reads as something else (``yes``, ``null``) or not at all
        if key in block.mapping:
            return None  # a duplicate: libyaml's reading names both lines
        path = block.path + (key,)
        lines.setdefault((), number)
        lines[path] = number
        if value is None:
            if len(path) >= max_depth or len(path) >= _DEEPEST:
                return None
            block.mapping[key] = nested = {}
            blocks.append(_Block(path, None, nested))
            continue
        built = _plain(value)
        if not built or (type(built[0]) is int and built[0] > max_integer):
            return None
        block.mapping[key] = built[0]
    if not lines or blocks[-1].column is None:
        return None
    return root, lines
