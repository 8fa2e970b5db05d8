"""The knowledge base listed for a terminal, a wiki or a tool: recommendations and facts,
one line each, or JSON."""

from __future__ import annotations

import json

from tabulate import tabulate

from ..knowledge.base import KnowledgeBase
from ..knowledge.catalogue import FactSpec
from ..safe_text import markdown as md, one_line, printable
from . import width
from .colour import Shown
from .template import allowed_words


def list_recommendations(kb: KnowledgeBase, fmt: str = "table") -> str:
    """Every recommendation, one line each (or a JSON array)."""
    rows = [{"id": r.id, "title": r.title, "construct": r.construct, "phases": r.phases,
             "severity": r.severity} for r in kb.recommendations.values()]
    if fmt == "json":
        return json.dumps(rows, indent=2)
    return printable(tabulate([[r["id"], r["construct"], ", ".join(r["phases"]), r["severity"], r["title"]]
                               for r in rows], headers=["id", "construct", "phases", "severity", "title"]),
                     keep_newlines=True)


FACT_HEADERS = ["id", "construct", "type", "answers", "question"]


def list_facts(kb: KnowledgeBase, facts: list[FactSpec], fmt: str = "table") -> str:
    """The facts a scenario may answer, in catalogue order: a table, Markdown or a JSON array.

    The table ends by naming the derived facts, which rules conclude and no one answers.
    """
    if fmt == "json":
        return json.dumps([{"id": f.id, "construct": f.construct, "type": f.type, "values": list(f.values),
                            "minimum": f.minimum, "question": f.question, "actionable": f.actionable}
                           for f in facts], indent=2, ensure_ascii=False)
    cells = [[f.id, f.construct, f.type, allowed_words(f), " ".join(f.question.split())] for f in facts]
    if fmt == "markdown":
        lines = ["| " + " | ".join(FACT_HEADERS) + " |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(f"`{cell}`" if index == 0 else md(cell) for index, cell in enumerate(row)) + " |"
                  for row in cells]
        return "\n".join(lines)
    rows = [[one_line(cell) for cell in row] for row in cells]
    table = Shown(tabulate(rows, headers=FACT_HEADERS, maxcolwidths=width.fit(rows, FACT_HEADERS, 3, 4)))
    derived = width.wrap(one_line("Derived by rules, never answered: " + ", ".join(kb.derived)))
    return "\n".join([table, "", derived])
