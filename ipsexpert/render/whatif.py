"""What-if results as text: a terminal table or Markdown; JSON is the model's own dump.

Changes that differ only in the value one fact takes, with the same effect, are one
row (``legal_barriers: found_unresolved → resolved or none_found``): they are one
piece of advice to the reader, who picks whichever fits. A line under the table says
what its columns mean.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.whatif import Change, Effect, OpenQuestion, Option, WhatIf
from ..knowledge.conditions import show_value
from ..knowledge.rulebase import SEVERITIES
from ..safe_text import one_line
from .colour import paint
from .text import OUTCOME_WORDS, fitted, for_terminal, md, title_line

COLUMNS_LEGEND = ("removes: advice the change would settle; adds: advice it would bring; also: severities it "
                  "would change and open recommendations it settles or leaves open; score: the total priority "
                  "score now → after.")


def effect_words(effect: Effect) -> str:
    parts = [f"adds {s.id} ({s.after_severity})" for s in effect.adds]
    parts += [f"settles {s.id} ({OUTCOME_WORDS[s.after]})" for s in effect.settles]
    parts += [f"{s.id} {s.before_severity} → {s.after_severity}" for s in effect.severity_changes]
    parts += [f"removes {s.id} ({s.before_severity})" for s in effect.removes]
    parts += [f"leaves {s.id} open" for s in effect.leaves_open]
    return "; ".join(parts) or "no change"


def _heading(result: WhatIf) -> str:
    return title_line(result.name, result.source, result.as_of)


def _provenance(result: WhatIf) -> str:
    parts = ([f"Scenario: {result.source}"] if result.source else []) + (
        [f"as of {result.as_of}"] if result.as_of else [])
    kb = result.knowledge_base
    return "; ".join(parts + [f"knowledge base {kb.version} ({kb.hash})"]) + "."


def _now(result: WhatIf) -> str:
    if not result.advice:
        if result.undetermined:
            return f"Now: no advice yet, {result.undetermined} recommendation(s) still open."
        return "Now: no advice."
    counts = [f"{n} {severity}" for severity in reversed(SEVERITIES)
              if (n := list(result.advice.values()).count(severity))]
    return f"Now: {len(result.advice)} advice ({', '.join(counts)}), total priority score {result.score:g}."


def effect_cells(effect: Effect) -> list[str]:
    """An option's effect as the table's removes, adds, also and score cells."""
    other = [f"{s.id} {s.before_severity} → {s.after_severity}" for s in effect.severity_changes]
    other += [f"settles {s.id}" for s in effect.settles] + [f"leaves {s.id} open" for s in effect.leaves_open]
    return [", ".join(f"{s.id} {s.before_severity}" for s in effect.removes),
            ", ".join(f"{s.id} {s.after_severity}" for s in effect.adds),
            ", ".join(other),
            f"{effect.score_before:g} → {effect.score_after:g}"]


@dataclass
class Row:
    """Options that differ only in the value one fact takes, and do the same: one row."""

    changes: list[Change]
    labels: list[list[str]]  # per change, the values it may take
    effect: list[str]
    varying: int | None = None  # the change whose value differs between the options

    @classmethod
    def of(cls, option: Option) -> "Row":
        return cls(option.changes, [[change.label] for change in option.changes], effect_cells(option.effect))

    def absorbs(self, option: Option) -> bool:
        """Take ``option`` in when it is this row with one change's value otherwise."""
        if (effect_cells(option.effect) != self.effect or [(c.fact, c.before) for c in option.changes]
                != [(c.fact, c.before) for c in self.changes]):
            return False
        differing = [index for index, change in enumerate(option.changes) if change.label not in self.labels[index]]
        if len(differing) != 1 or self.varying not in (None, differing[0]):
            return False
        self.varying = differing[0]
        self.labels[self.varying].append(option.changes[self.varying].label)
        return True

    def cells(self) -> list[str]:
        changes = " + ".join(f"{change.fact}: {show_value(change.before)} → {' or '.join(labels)}"
                             for change, labels in zip(self.changes, self.labels))
        return [changes, *self.effect]


def rows_of(options: list[Option]) -> list[Row]:
    """The options as rows, alternatives merged, in the order of each row's best option."""
    rows: list[Row] = []
    for option in options:
        if not any(row.absorbs(option) for row in rows):
            rows.append(Row.of(option))
    return rows


def _coloured(cells: list[str]) -> list[str]:
    """A row's cells safe for a terminal, what it removes in green and what it adds in red."""
    change, removes, adds, also, score = map(one_line, cells)
    return [change, paint("better", removes), paint("worse", adds), also, score]


def _search_words(result: WhatIf) -> str:
    s = result.search
    pairs = (f"{s.pairs_run} of {s.pairs_possible} pairs (the others share no recommendation)"
             if s.max_changes >= 2 else "no pairs (--max-changes 1)")
    return (f"Searched {s.single_changes} single change(s) to the {s.relevant} of {s.answered_actionable} "
            f"answered actionable facts that advised recommendations read, and {pairs}; "
            f"{s.engine_runs} engine runs.")


def _question_rows(question: OpenQuestion) -> list[list[str]]:
    """One row per distinct effect, its answers together: [question, answers, effect]."""
    by_effect: dict[str, list[str]] = {}
    for answer in question.answers:
        by_effect.setdefault(effect_words(answer.effect), []).append(answer.label)
    first = f"{question.fact} ({', '.join(question.decides)})"
    return [[first if index == 0 else "", ", ".join(labels), words]
            for index, (words, labels) in enumerate(by_effect.items())]


def _found_words(result: WhatIf) -> str:
    shown = len(result.options)
    return f" ({shown} of {result.found} changes shown)" if shown < result.found else ""


def table(result: WhatIf) -> str:
    """The what-if as plain text: ranked options, then open questions, then the search."""
    lines = [f"== What if: {_heading(result)}", _now(result), ""]
    if result.options:
        lines.append(f"Answer changes that would remove or lower advice, best first{_found_words(result)}:")
        rows = [[rank, *_coloured(row.cells())] for rank, row in enumerate(rows_of(result.options), start=1)]
        lines += [fitted(rows, ["#", "change", "removes", "adds", "also", "score"], 1, 4), COLUMNS_LEGEND]
    else:
        lines.append("No change of an actionable answer would remove or lower advice.")
    if result.open_questions:
        lines += ["", "Open questions — what each answer would change:"]
        rows = [[one_line(cell) for cell in row] for q in result.open_questions for row in _question_rows(q)]
        lines.append(fitted(rows, ["question (decides)", "answer", "effect"], 1, 2))
    lines += ["", _search_words(result), ""]
    return for_terminal(lines)


def markdown(result: WhatIf) -> str:
    """The what-if for a wiki or a pull request."""
    out = [f"# What if: {md(result.name)}", "", md(_provenance(result)), "", md(_now(result)), ""]
    if result.options:
        out += [f"## Answer changes that would remove or lower advice{_found_words(result)}", "",
                "| # | change | removes | adds | also | score |", "|---:|---|---|---|---|---|"]
        out += [f"| {rank} | " + " | ".join(md(cell) for cell in row.cells()) + " |"
                for rank, row in enumerate(rows_of(result.options), start=1)]
        out += ["", md(COLUMNS_LEGEND)]
    else:
        out.append("No change of an actionable answer would remove or lower advice.")
    if result.open_questions:
        out += ["", "## Open questions", "", "What each answer would change.", "",
                "| question (decides) | answer | effect |", "|---|---|---|"]
        out += ["| " + " | ".join(md(cell) for cell in row) + " |"
                for q in result.open_questions for row in _question_rows(q)]
    out += ["", md(_search_words(result)), ""]
    return "\n".join(out)


def render(result: WhatIf, fmt: str) -> str:
    """The result in ``fmt``: table, markdown, or json (the ``WhatIf`` model's keys, stable)."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    return table(result) if fmt == "table" else markdown(result)
