"""The "Disagreements" section of a merged assessment, for every format: it comes first.

Each disputed question shows who said what and what each answer would change, in the
committee's words: "if Ministry of Finance is right (established): R07 becomes advised
(critical)". Text from input (respondents, notes) is made safe for where it goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..knowledge.conditions import show_value
from ..safe_text import markdown, one_line
from .text import OUTCOME_WORDS

if TYPE_CHECKING:  # the report is the plain data of report.data, or the model
    from ..report.models import ClaimEffect, OutcomeMove, Report

HEADING = "Disagreements"
INTRO = ("The respondents answered these questions differently. Each is evaluated as unknown until it is "
         "settled; here is what each answer would change.")


def _move(change: OutcomeMove) -> str:
    after = OUTCOME_WORDS[change.after] + (f" ({change.after_severity})" if change.after_severity else "")
    if change.before == change.after:
        return f"{change.id} stays {OUTCOME_WORDS[change.after]}, {change.before_severity} → {change.after_severity}"
    return f"{change.id} becomes {after}"


def effect_words(effect: ClaimEffect) -> str:
    """One side of a dispute in words, respondents as written (the caller escapes them)."""
    who = " and ".join(effect.respondents)
    changes = "; ".join(_move(change) for change in effect.changes) or "no recommendation changes"
    return f"if {who} {'are' if len(effect.respondents) > 1 else 'is'} right ({show_value(effect.value)}): {changes}"


def table_lines(report: Report) -> list[str]:
    if not report.disagreements:
        return []
    lines = [f"{HEADING} ({len(report.disagreements)}):"]
    for item in report.disagreements:
        lines.append(f"  [{item.fact}] {one_line(item.question)}")
        lines += [f"    - {one_line(effect_words(effect))}" for effect in item.effects]
        lines += [f"      note from {one_line(who)}: {one_line(note)}" for who, note in item.notes.items()]
    return lines + [""]


def markdown_lines(report: Report) -> list[str]:
    if not report.disagreements:
        return []
    out = [f"## {HEADING}", "", INTRO, ""]
    for item in report.disagreements:
        out.append(f"- **`{item.fact}`** {markdown(item.question)}")
        out += [f"  - {markdown(effect_words(effect))}" for effect in item.effects]
        out += [f"  - *note from {markdown(who)}:* {markdown(note)}" for who, note in item.notes.items()]
    return out + [""]
