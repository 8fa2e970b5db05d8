"""A scenario template: every question of the catalogue as an ``unknown`` answer to fill in.

A new user's first file should not be written from the README: the template names
every fact the knowledge base can use, grouped by construct, each with its question
and allowed values as comments, so filling it in is editing values. It loads as it is
(every answer unknown), and its first line points the YAML language server at the
schema that ``ipsexpert schema`` writes, as the README's Editor support describes.
"""

from __future__ import annotations

import json
from datetime import date

from ..knowledge.base import KnowledgeBase
from ..knowledge.catalogue import FactSpec
from ..safe_text import printable

SCHEMA_FILE = "ipsexpert-scenario.schema.json"


def _comment(text: str) -> str:
    """Knowledge-base text as one safe comment line (a line break would end the comment)."""
    return printable(" ".join(str(text).split()))


def allowed_words(fact: FactSpec) -> str:
    """The answers a fact takes, as the template lists them."""
    if fact.type == "bool":
        return "true | false"
    if fact.type == "enum":
        return " | ".join(fact.values)
    return "a whole number" + (f" >= {fact.minimum}" if fact.minimum is not None else "")


def construct_groups(kb: KnowledgeBase) -> list[tuple[str, list[FactSpec]]]:
    """The catalogue's facts by construct, constructs in the order the catalogue first names them."""
    groups: dict[str, list[FactSpec]] = {}
    for fact in kb.facts.values():
        groups.setdefault(fact.construct, []).append(fact)
    return list(groups.items())


def construct_title(kb: KnowledgeBase, construct: str) -> str:
    return kb.meta.constructs.get(construct, construct.replace("_", " ").capitalize())


def scenario_template(kb: KnowledgeBase, name: str, today: date) -> str:
    """The template as YAML text, for a project called ``name`` described as of ``today``."""
    lines = [f"# yaml-language-server: $schema={SCHEMA_FILE}",
             "# Made by `ipsexpert init`. Create the schema the line above points at with:",
             f"#   ipsexpert schema --output {SCHEMA_FILE}",
             "# Replace `unknown` with what you know and leave the rest unknown (never read as \"no\");",
             "# `ipsexpert evaluate` on this file says which answers would decide what is still open.",
             "# `ipsexpert kb show FACT` explains a question and each of its answers.",
             f"name: {json.dumps(printable(name), ensure_ascii=False)}",
             f"as_of: \"{today.isoformat()}\"   # the date the answers describe",
             "answers:"]
    for construct, facts in construct_groups(kb):
        lines += ["", f"  # --- {_comment(construct_title(kb, construct))} ---"]
        for fact in facts:
            lines += ["", f"  # {_comment(fact.question)}", f"  # {_comment(allowed_words(fact))}",
                      f"  {fact.id}: unknown"]
    return "\n".join(lines) + "\n"
