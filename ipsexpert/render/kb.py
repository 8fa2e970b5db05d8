"""The knowledge base listed for a terminal or a tool: one line per recommendation, or JSON."""

from __future__ import annotations

import json

from tabulate import tabulate

from ..knowledge.base import KnowledgeBase
from ..safe_text import printable


def list_recommendations(kb: KnowledgeBase, fmt: str = "table") -> str:
    """Every recommendation, one line each (or a JSON array)."""
    rows = [{"id": r.id, "title": r.title, "construct": r.construct, "phases": r.phases,
             "severity": r.severity} for r in kb.recommendations.values()]
    if fmt == "json":
        return json.dumps(rows, indent=2)
    return printable(tabulate([[r["id"], r["construct"], ", ".join(r["phases"]), r["severity"], r["title"]]
                               for r in rows], headers=["id", "construct", "phases", "severity", "title"]),
                     keep_newlines=True)
