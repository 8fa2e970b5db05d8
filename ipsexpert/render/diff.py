"""A diff of two assessments as text: a terminal table or Markdown; JSON is the model's own dump.

Advice that only moved in rank — because other advice came or went — is one line,
not a row each: the rows are kept for what changed about the advice itself.
"""

from __future__ import annotations

from typing import Any, Mapping

from tabulate import tabulate

from ..analysis.diff import AdviceChange, Diff, OutcomeChange, Side
from ..knowledge.conditions import show_value
from ..safe_text import one_line
from .colour import paint
from .text import OUTCOME_WORDS, fitted, for_terminal, md, title_line

KIND_STYLES = {"resolved": "better", "new": "worse", "undetermined": "undetermined"}


def _name(side: Side) -> str:
    return title_line(side.name, side.source, side.as_of)


def _value(value: Any) -> str:
    return show_value(value) if value is not None else "—"


def _outcome(outcome: str | None) -> str:
    return OUTCOME_WORDS.get(outcome, "—") if outcome else "—"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {OUTCOME_WORDS.get(outcome, outcome)}" for outcome, n in counts.items() if n) or "none"


def _answer_rows(result: Diff) -> list[list[str]]:
    a = result.answers
    return ([["added", c.fact, _value(c.old), _value(c.new)] for c in a.added]
            + [["removed", c.fact, _value(c.old), _value(c.new)] for c in a.removed]
            + [["changed", c.fact, _value(c.old), _value(c.new)] for c in a.changed])


def _id(change: AdviceChange | OutcomeChange) -> str:
    """The id, marked when the knowledge base revised its rules between the two versions: the reader
    then knows the row may show a change in the rules rather than in the project."""
    return f"{change.id} (rule revised)" if change.revised else change.id


def _pair(old: Any, new: Any) -> str:
    if old == new:
        return _value(old)
    return f"{_value(old)} → {_value(new)}"


def _advice_rows(result: Diff) -> list[list[str]]:
    rows = []
    advice = result.advice
    changed = [c for c in advice.changed if not _rank_only(c)]
    for kind, items in (("resolved", advice.resolved), ("undetermined", advice.undetermined),
                        ("new", advice.new), ("changed", changed)):
        rows += [[kind, _id(c), _pair(c.old_severity, c.new_severity), _pair(c.old_rank, c.new_rank),
                  _pair(_score(c.old_score), _score(c.new_score)),
                  _pair(_outcome(c.old_outcome), _outcome(c.new_outcome)), c.title] for c in items]
    return rows


def _rank_only(change: AdviceChange) -> bool:
    """Advice that stayed what it was and only moved in rank."""
    return (change.old_severity == change.new_severity and change.old_score == change.new_score
            and change.old_outcome == change.new_outcome)


def rank_shifts(result: Diff) -> str | None:
    """One line for all the advice that only moved in rank, or None."""
    shifts = [c for c in result.advice.changed if _rank_only(c)]
    if not shifts:
        return None
    return ("Rank only (same severity and score, moved by other advice): "
            + ", ".join(f"{_id(c)} {c.old_rank} → {c.new_rank}" for c in shifts))


def _coloured(row: list[str]) -> list[str]:
    """An advice row's cells safe for a terminal, its kind in colour."""
    kind, *rest = map(one_line, row)
    return [paint(KIND_STYLES.get(kind, ""), kind), *rest]


def _score(score: float | None) -> str | None:
    return None if score is None else f"{score:g}"


def _other_outcomes(result: Diff) -> list[OutcomeChange]:
    """Outcome changes that did not give or take advice (the advice rows show those)."""
    return [c for c in result.outcomes if "advised" not in (c.old, c.new)]


def _count_rows(result: Diff) -> list[list[Any]]:
    outcomes = list(result.counts.new) + [o for o in result.counts.old if o not in result.counts.new]
    return [[OUTCOME_WORDS.get(o, o), result.counts.old.get(o, 0), result.counts.new.get(o, 0)] for o in outcomes]


ADVICE_HEADERS = ["advice", "id", "severity", "rank", "score", "outcome", "recommendation"]


def table(result: Diff) -> str:
    """The diff as plain text."""
    lines = [f"== Diff: {_name(result.old)}", f"     → {_name(result.new)}"]
    lines += [f"warning: {warning}" for warning in result.warnings]
    lines += [f"Outcomes: {_counts(result.counts.old)} → {_counts(result.counts.new)}", ""]
    if result.unchanged():
        lines += ["No differences in answers, outcomes or advice.", ""]
        return for_terminal(lines)
    answer_rows, advice_rows, others = _answer_rows(result), _advice_rows(result), _other_outcomes(result)
    if answer_rows:
        lines += ["Answers:", tabulate(answer_rows, headers=["", "fact", "old", "new"]), ""]
    shifts = rank_shifts(result)
    if advice_rows or shifts:
        lines.append("Advice:")
    if advice_rows:
        lines.append(fitted([_coloured(row) for row in advice_rows], ADVICE_HEADERS, 6))
    if shifts:
        lines.append(shifts)
    if advice_rows or shifts:
        lines.append("")
    if others:
        rows = [[_id(c), _outcome(c.old), _outcome(c.new), c.title] for c in others]
        lines += ["Other outcome changes:", tabulate(rows, headers=["id", "old", "new", "recommendation"]), ""]
    lines += ["Outcome counts:", tabulate(_count_rows(result), headers=["outcome", "old", "new"]), ""]
    return for_terminal(lines)


def markdown(result: Diff) -> str:
    """The diff for a wiki or a pull request."""
    out = [f"# Diff: {md(result.old.name)} → {md(result.new.name)}", "",
           f"- **Old:** {md(_name(result.old))}", f"- **New:** {md(_name(result.new))}", ""]
    out += [f"> **Warning:** {md(warning)}\n" for warning in result.warnings]
    if result.unchanged():
        return "\n".join(out + ["No differences in answers, outcomes or advice.", ""])
    answer_rows, advice_rows, others = _answer_rows(result), _advice_rows(result), _other_outcomes(result)
    if answer_rows:
        out += ["## Answers", "", "| | fact | old | new |", "|---|---|---|---|"]
        out += [_md_row(row) for row in answer_rows] + [""]
    shifts = rank_shifts(result)
    if advice_rows or shifts:
        out += ["## Advice", ""]
    if advice_rows:
        out += ["| " + " | ".join(ADVICE_HEADERS) + " |", "|---|---|---|---|---|---|---|"]
        out += [_md_row(row) for row in advice_rows] + [""]
    if shifts:
        out += [md(shifts), ""]
    if others:
        out += ["## Other outcome changes", "", "| id | old | new | recommendation |", "|---|---|---|---|"]
        out += [_md_row([_id(c), _outcome(c.old), _outcome(c.new), c.title]) for c in others] + [""]
    out += ["## Outcome counts", "", "| outcome | old | new |", "|---|---:|---:|"]
    out += [_md_row(row) for row in _count_rows(result)] + [""]
    return "\n".join(out)


def _md_row(cells: list[Any]) -> str:
    return "| " + " | ".join(md(str(cell)) for cell in cells) + " |"


def render(result: Diff, fmt: str) -> str:
    """The diff in ``fmt``: table, markdown, or json (the ``Diff`` model; its keys in the README)."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    return table(result) if fmt == "table" else markdown(result)
