"""Pages about the knowledge base itself, in the manner of ``ruff rule``.

The "applies when" and "advised when" lines are generated from the conditions, so
the page can never disagree with what the engine runs.
"""

from __future__ import annotations

import difflib
import re
import textwrap

from .catalogue import FactSpec
from .conditions import describe
from ..errors import IpsExpertError
from ..safe_text import printable
from .base import KnowledgeBase
from .rulebase import Recommendation
from .semantics import facts_read, rule_parts


def show(kb: KnowledgeBase, item_id: str) -> str:
    """The page for a recommendation or a fact, safe for a terminal (a knowledge base is input too)."""
    return printable(_page(kb, item_id), keep_newlines=True)


def _page(kb: KnowledgeBase, item_id: str) -> str:
    if item_id in kb.recommendations:
        return recommendation_page(kb, kb.recommendations[item_id])
    upper = item_id.upper()
    if upper in kb.recommendations:
        return recommendation_page(kb, kb.recommendations[upper])
    if item_id in kb.facts:
        return fact_page(kb, kb.facts[item_id])
    if item_id in kb.derived:
        derivation = kb.derived[item_id]
        return (f"{item_id} (derived fact, never asked)\n\n{_wrap(derivation.meaning)}\n\n"
                f"True when: {describe(derivation.when)}\n{_readers(kb, item_id)}")
    ids = list(kb.recommendations) + list(kb.facts) + list(kb.derived)
    raise IpsExpertError(f"no recommendation or fact {item_id!r}{suggest_id(item_id, ids)}; "
                         "`ipsexpert kb list` lists the recommendations, `ipsexpert kb facts` the facts")


def normal_id(text: str) -> str:
    """An id as people mean it: case folded, numbers without leading zeros (``R7`` is ``R07``)."""
    return re.sub(r"\d+", lambda number: number.group().lstrip("0") or "0", text.casefold())


def find_id(text: str, ids: list[str]) -> str | None:
    """The id ``text`` means once case and zero padding are set aside, or None."""
    wanted = normal_id(text)
    return next((item for item in ids if normal_id(item) == wanted), None)


def suggest_id(text: str, ids: list[str]) -> str:
    """A "did you mean" clause for an unknown id: the same id written otherwise (``R7`` for
    ``R07``), else the most similar once both are normalised, or nothing."""
    same = find_id(text, ids)
    if same is not None:
        return f" (did you mean {same}?)"
    normal = {normal_id(item): item for item in ids}
    close = difflib.get_close_matches(normal_id(text), list(normal), n=1, cutoff=0.6)
    return f" (did you mean {normal[close[0]]}?)" if close else ""


def recommendation_page(kb: KnowledgeBase, rec: Recommendation) -> str:
    lines = [f"{rec.id}: {rec.title}", "",
             f"Construct: {kb.meta.constructs[rec.construct]} ({rec.construct})",
             f"Aspects:   {', '.join(rec.aspect)}",
             f"Phases:    {', '.join(rec.phases)}",
             f"Severity:  {rec.severity}"
             + (f", raised one step when {describe(rec.escalate)}" if rec.escalate else ""), "",
             f"Applies when: {describe(rec.applies)}",
             f"Advised when: {describe(rec.advised)}", "",
             "What to do", _wrap(rec.advice), "", "Why", _wrap(rec.rationale), ""]
    if rec.eif:
        catalogue = kb.eif.by_number() if kb.eif else {}
        lines.append("EIF 2017 recommendations: " + ", ".join(map(str, rec.eif)))
        lines += [f"  {n}: {catalogue[n].title} ({kb.eif.layers[catalogue[n].layer]})"
                  for n in rec.eif if n in catalogue]
        lines.append("")
    if rec.references:
        lines.append("References")
        lines += [f"  - {ref.title} ({ref.kind})\n    {ref.url}" for ref in rec.references]
        lines.append("")
    lines += ["Source", _wrap(rec.source), "", f"Examples: {len(rec.examples)} (in {rec.file})"]
    return "\n".join(lines)


def fact_page(kb: KnowledgeBase, fact: FactSpec) -> str:
    lines = [f"{fact.id} ({fact.construct}, {fact.type})", "", f"Question: {fact.question}",
             _wrap(fact.help), "", f"Answers: {fact.accepts()}, or unknown"]
    lines += [f"  {value}: {text}" for value, text in fact.value_help.items()]
    if fact.ask_if is not None:
        lines.append(f"Asked only when: {describe(fact.ask_if)}")
    lines.append(_readers(kb, fact.id))
    return "\n".join(lines)


def _readers(kb: KnowledgeBase, fact_id: str) -> str:
    readers = [d for d, derivation in kb.derived.items() if fact_id in facts_read(derivation.when)]
    readers += [rec.id for rec in kb.recommendations.values()
                if any(fact_id in facts_read(part) for _, part in rule_parts(rec))]
    return "Read by: " + (", ".join(readers) if readers else "nothing")


def _wrap(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=88, initial_indent="  ", subsequent_indent="  ")
