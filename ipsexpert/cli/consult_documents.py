"""The consultation's two file formats, edited without losing what the user wrote.

A save changes only what the consultation changed: answers removed and set, the header
fields it was given (``name``, ``as_of``, ``respondent``) and the disputes its answers
settle (gone from ``disputed``, and ``disputed`` itself once empty). JSON keeps its key
order. YAML is edited as a round trip (ruamel.yaml): comments, order, quoting, block
text and anchors stay (aliases are never expanded), and each save starts again from the
text as first read. ``consult_file`` reads every text back before it is written.
"""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any, Mapping, Sequence

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

HEADER = ("name", "as_of", "description", "respondent")
"""Header fields in the order a reader expects them (``merge`` writes them so): a field
that is new goes after those that come before it, or first."""

_YAML_11 = yaml.resolver.Resolver()  # how PyYAML, which reads the file back, resolves plain text


def header_position(keys: list[str], key: str) -> int:
    """Where a new header field goes among a document's top-level ``keys``."""
    before = [other for other in HEADER[:HEADER.index(key)] if other in keys]
    return keys.index(before[-1]) + 1 if before else 0


class JsonDocument:
    """A JSON file: its data in its own key order, each section changed where it stands."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def render(self, removed: list[str], changed: dict[str, Any], header: Mapping[str, Any] | None = None,
               settled: Sequence[str] = ()) -> str:
        answers = dict(self.data.get("answers") or {})
        for fact_id in removed:
            del answers[fact_id]
        answers.update(changed)  # a changed answer keeps its place; a new one goes last
        data = {**self.data, "answers": answers}
        for key, value in (header or {}).items():
            if key not in data:
                items = list(data.items())
                items.insert(header_position(list(data), key), (key, value))
                data = dict(items)
            data[key] = value
        if settled:
            disputed = {fact_id: claims for fact_id, claims in data["disputed"].items() if fact_id not in settled}
            data["disputed"] = disputed
            if not disputed:
                del data["disputed"]
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


class YamlDocument:
    """A YAML file edited as a round trip: each save starts again from the text as first read.

    Comment lines before ``---`` and after ``...`` are kept aside verbatim: ruamel drops them.
    """

    def __init__(self, text: str) -> None:
        self.before, self.body, self.after = _frame(text)
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 1 << 30  # never re-wrap a long line the user wrote on one
        self.yaml.indent(**_indents(self.body))
        self.yaml.explicit_start = self.body.startswith("---")
        self.yaml.explicit_end = self.body.rstrip().endswith("\n...")

    def render(self, removed: list[str], changed: dict[str, Any], header: Mapping[str, Any] | None = None,
               settled: Sequence[str] = ()) -> str:
        root = self.yaml.load(self.body)
        for key, value in (header or {}).items():
            _set_header(root, key, value)
        for fact_id in removed:
            _remove(root, "answers", fact_id)
        if changed and not isinstance(root.get("answers"), CommentedMap):
            _put(root, "answers", CommentedMap())
        for fact_id, value in changed.items():
            _put(root["answers"], fact_id, _scalar(value), (root, "answers"))
        for fact_id in settled:
            _remove(root, "disputed", fact_id)
        out = StringIO()
        self.yaml.dump(root, out)
        return self.before + out.getvalue() + self.after


_BEFORE_START = re.compile(r"((?:[ \t]*(?:#.*)?\n)*)(?=---(?:[ \t\n]|$))")  # comment lines, then `---`
_AFTER_END = re.compile(r"^\.\.\.[ \t]*\n((?:[ \t]*(?:#.*)?(?:\n|$))*)\Z", re.M)  # `...`, then comment lines


def _frame(text: str) -> tuple[str, str, str]:
    """Comment lines before a ``---`` that starts the text; the document; comment lines after its ``...``."""
    start, end = _BEFORE_START.match(text), _AFTER_END.search(text)
    before, after = start.group(1) if start else "", end.group(1) if end else ""
    return before, text[len(before):len(text) - len(after)], after


_OPENER = re.compile(r"^( *)[^\s#'\"-][^#]*:\s*(#.*)?$")  # a key whose value starts on the next line
_SEQUENCE_ITEM = re.compile(r"^( *)(- +)")


def _indents(text: str) -> dict[str, int]:
    """The file's own indentation, which ruamel cannot find out: for nested mappings, and
    for list items (``offset``: spaces before the dash; ``sequence``: to the item's text)."""
    found: dict[str, int] = {}
    opener: int | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lead = len(line) - len(line.lstrip(" "))
        item = _SEQUENCE_ITEM.match(line)
        if opener is not None and item and lead >= opener and "offset" not in found:
            found.update(offset=lead - opener, sequence=len(item.group(0)) - opener)
        elif opener is not None and not item and lead > opener and "mapping" not in found:
            found["mapping"] = lead - opener
        match = _OPENER.match(line)
        opener = len(match.group(1)) if match else None
    mapping = found.get("mapping", 2)
    return {"mapping": mapping, "sequence": found.get("sequence", mapping + 2), "offset": found.get("offset", 2)}


def _scalar(value: Any) -> Any:
    """A new value, quoted where PyYAML (YAML 1.1, which reads the file back) would take the
    plain word for something else (``no`` for false, ``2024`` for a number)."""
    if isinstance(value, str) and _YAML_11.resolve(yaml.ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
        return DoubleQuotedScalarString(value)
    return value


# ruamel keeps each key's trailing comment with it: the rest of its line, then every
# comment and blank line up to the next key — after a nested block, with the block's
# last scalar. When a key is added after it or removed, those following lines belong
# where they stood, not to the key.

Node = CommentedMap | CommentedSeq


def _slot(node: Node) -> int:
    """Where ruamel keeps the comment after an entry: a mapping's third slot, a list's first."""
    return 0 if isinstance(node, CommentedSeq) else 2


def _deepest(node: Node, key: Any) -> tuple[Node, Any]:
    """The entry that holds the comment lines after ``node[key]``: its last scalar, however nested."""
    value = node[key]
    if isinstance(value, CommentedMap) and len(value):
        return _deepest(value, next(reversed(value)))
    if isinstance(value, CommentedSeq) and len(value):
        return _deepest(value, len(value) - 1)
    return node, key


def _tail(node: Node, key: Any) -> CommentToken | None:
    slots = node.ca.items.get(key)
    return slots[_slot(node)] if slots and len(slots) > _slot(node) else None


def _cut_tail(node: Node, key: Any) -> str:
    """Take the lines that follow ``key``'s own line off its comment, and return them."""
    token = _tail(node, key)
    if token is None:
        return ""
    own, newline, following = token.value.partition("\n")
    if own.strip():
        token.value = own + newline
    else:
        node.ca.items[key][_slot(node)] = None
    return following


def _add_tail(node: Node, key: Any, lines: str) -> None:
    """Put comment lines after ``key``'s own line."""
    if not lines:
        return
    token = _tail(node, key)
    if token is not None:
        token.value += lines
    else:
        node.ca.items.setdefault(key, [None, None, None, None])[_slot(node)] = CommentToken(
            "\n" + lines, CommentMark(0), None)


def _put(mapping: CommentedMap, key: str, value: Any, parent: tuple[CommentedMap, str] | None = None) -> None:
    """Set ``key``: in its place if present, else last, after the lines that follow the
    last key (or, in an empty mapping, the mapping's own key in ``parent``)."""
    if key in mapping:
        mapping[key] = value
        return
    if len(mapping):
        following = _cut_tail(*_deepest(mapping, next(reversed(mapping))))
    else:
        following = _cut_tail(*parent) if parent else ""
        mapping.fa.set_block_style()
    mapping[key] = value
    _add_tail(mapping, key, following)


def _set_header(root: CommentedMap, key: str, value: Any) -> None:
    """Set a header field: in its place if present, else after the header fields before it."""
    if key in root:
        root[key] = _scalar(value)
        return
    position = header_position(list(root), key)
    following = _cut_tail(*_deepest(root, list(root)[position - 1])) if position else ""
    root.insert(position, key, _scalar(value))
    _add_tail(root, key, following)


def _remove(root: CommentedMap, section: str, key: str) -> None:
    """Remove one entry of ``root[section]``, keeping the comment lines that followed it.

    Emptied, ``answers`` stays as ``answers: {}``; any other section goes.
    """
    mapping = root[section]
    keys = list(mapping)
    index = keys.index(key)
    following = _cut_tail(*_deepest(mapping, key))
    del mapping[key]
    mapping.ca.items.pop(key, None)
    if not len(mapping) and section == "answers":
        mapping.fa.set_flow_style()  # `answers: {}`: an empty block mapping cannot be written
        _add_tail(root, section, following)
    elif not len(mapping):
        _remove_section(root, section, following)
    elif index:
        _add_tail(*_deepest(mapping, keys[index - 1]), following)
    elif following.strip():
        slots = root.ca.items.setdefault(section, [None, None, None, None])
        slots[3] = (slots[3] or []) + [CommentToken(following, CommentMark(0), None)]


def _remove_section(root: CommentedMap, section: str, following: str) -> None:
    """Remove an emptied top-level section; the lines after it go to the key before it."""
    keys = list(root)
    index = keys.index(section)
    del root[section]
    root.ca.items.pop(section, None)
    if index:
        _add_tail(*_deepest(root, keys[index - 1]), following)
    elif following.strip():
        start = root.ca.comment or [None, []]
        root.ca.comment = [start[0], (start[1] or []) + [CommentToken(following, CommentMark(0), None)]]
