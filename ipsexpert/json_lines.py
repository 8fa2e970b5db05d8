"""Lines for a JSON document, worked out only when a message needs one.

Python's JSON parser gives data without positions. Valid JSON is YAML flow, so when an
error needs a line — a duplicate key, a number out of range, a problem in a scenario — the
text is composed as YAML (``yaml_nodes``) and its nodes give the lines; their values are
never used. A valid batch never pays for this.
"""

from __future__ import annotations

import yaml

from . import yaml_nodes
from .documents import Limits, Path_
from .errors import InputError


def locate_in_json(text: str, name: str, limits: Limits, fragment: str) -> InputError | None:
    """A duplicate key's or a huge number's line and field, found by composing the text
    as YAML flow and walking it as a YAML document is walked; None if not found.

    The JSON parser stopped at the duplicate, so the rest of the text is unchecked:
    it goes through the same bounded steps as any YAML document, and any failure
    there just means the error is reported without a line.
    """
    try:
        yaml_nodes.scan_events(text, name, limits)
        node = yaml_nodes.compose(text)
        if node is None:
            return None
        yaml_nodes.check_expansion(node, name, limits)
        yaml_nodes.walk_nodes(node, name, {}, limits)
    except InputError as exc:
        return exc if fragment in str(exc) else None
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    return None


def json_lines(text: str) -> dict[Path_, int]:
    """Field lines for a JSON document, best effort: valid JSON composes as YAML flow.

    Only node positions are taken from the YAML composer (never its values); the
    document is already known to be valid, bounded JSON, which has no aliases.
    """
    try:
        node = yaml_nodes.compose(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}
    lines: dict[Path_, int] = {}
    if node is not None:
        try:
            yaml_nodes.walk_nodes(node, "", lines, None)
        except InputError:
            return {}
    return lines
