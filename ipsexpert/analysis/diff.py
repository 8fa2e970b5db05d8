"""Diff: what changed between two assessments of one project.

A project is assessed again and again — after a steering-group meeting, at the next
phase, in next year's review — and the question is then what moved: which answers
changed, which advice was resolved or is new, and which changed in severity or rank.
Either side may be a scenario file (evaluated now, with the knowledge base in use) or
a saved ``ipsexpert evaluate --format json`` output holding exactly one report, so an
assessment kept from last year can be compared with today's answers. When the two
were made with different knowledge bases, the diff says so: a difference may then
come from the rules rather than from the project. The knowledge base in use keeps a
history (``revisions`` in rules/knowledge-base.yaml), so the diff names the
recommendations whose rules were revised between the two versions.

The JSON form is the ``Diff`` model, its keys stable for outside tools:

- ``old``, ``new``: ``source``, ``name``, ``as_of``, ``knowledge_base`` (``name``, ``version``, ``hash``);
- ``warnings``: sentences, empty when the knowledge bases agree;
- ``revised``: ids of the recommendations whose rules were revised after the older
  knowledge-base version up to the newer one, as the knowledge base in use records its
  revisions, in knowledge-base order; empty when the versions agree, when one is not
  dotted numbers (it cannot be placed in the history) or when no revision lies between;
- ``answers``: ``added`` and ``removed`` (``fact``, ``old``/``new`` value, the other null)
  and ``changed`` (``fact``, ``old``, ``new``), known answers only;
- ``advice``: ``resolved`` (advised in OLD, satisfied or not applicable in NEW),
  ``undetermined`` (advised in OLD, undecided in NEW: an answer it rested on is now
  unknown), ``new`` (advised in NEW only) and ``changed`` (advised in both, with another
  severity, rank or score), each item
  ``id``, ``title``, ``old_outcome``, ``new_outcome``, ``old_severity``, ``new_severity``,
  ``old_rank``, ``new_rank``, ``old_score``, ``new_score`` (null where it has none),
  ``revised`` (true when its id is in ``revised``);
- ``outcomes``: every recommendation whose outcome changed (``id``, ``title``, ``old``, ``new``,
  ``revised`` as in ``advice``);
- ``counts``: ``old`` and ``new``, outcome -> number of recommendations.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any, Mapping

from pydantic import BaseModel, ValidationError

from ..documents import Document, format_path, read_document
from ..errors import InputError, Problem
from ..knowledge.base import KnowledgeBase
from ..knowledge.loading import load_knowledge_base
from ..knowledge.scenario import scenario_from_data
from ..knowledge.semantics import same_answer
from ..report.expert import Expert
from ..report.models import Advice, KnowledgeBaseInfo, Report

REPORT_KEYS = ("outcomes", "advice")
"""The keys that tell a saved report from a scenario."""

SETTLED = ("satisfied", "not_applicable")

MAX_PROBLEMS = 10
"""Validation problems shown for a broken report; the rest are counted."""


class Side(BaseModel):
    """Which assessment one side of the diff is."""

    source: str | None
    name: str
    as_of: str | None = None
    knowledge_base: KnowledgeBaseInfo


class AnswerChange(BaseModel):
    """One answer added, removed or changed (an added answer has no old value, a removed one no new)."""

    fact: str
    old: Any = None
    new: Any = None


class AnswersDiff(BaseModel):
    added: list[AnswerChange] = []
    removed: list[AnswerChange] = []
    changed: list[AnswerChange] = []


class AdviceChange(BaseModel):
    """One recommendation's advice on both sides."""

    id: str
    title: str
    old_outcome: str | None
    new_outcome: str | None
    old_severity: str | None = None
    new_severity: str | None = None
    old_rank: int | None = None
    new_rank: int | None = None
    old_score: float | None = None
    new_score: float | None = None
    revised: bool = False
    """The knowledge base revised this recommendation's rules between the two versions."""


class AdviceDiff(BaseModel):
    resolved: list[AdviceChange] = []
    undetermined: list[AdviceChange] = []
    new: list[AdviceChange] = []
    changed: list[AdviceChange] = []


class OutcomeChange(BaseModel):
    id: str
    title: str
    old: str | None
    new: str | None
    revised: bool = False
    """As ``AdviceChange.revised``."""


class Counts(BaseModel):
    old: dict[str, int]
    new: dict[str, int]


class Diff(BaseModel):
    """Everything that differs between two assessments."""

    old: Side
    new: Side
    warnings: list[str]
    revised: list[str] = []
    answers: AnswersDiff
    advice: AdviceDiff
    outcomes: list[OutcomeChange]
    counts: Counts

    def unchanged(self) -> bool:
        a = self.answers
        return not (a.added or a.removed or a.changed or self.outcomes or self.advice.changed)


# --- reading the two sides --------------------------------------------------------------

class Assessments:
    """Reads either side: a saved report as it is, a scenario through one Expert built on first need."""

    def __init__(self, kb_path: str | None = None) -> None:
        self.kb_path = kb_path

    @cached_property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in use: it evaluates scenarios, and its history explains a change of version."""
        return load_knowledge_base(self.kb_path)

    @cached_property
    def expert(self) -> Expert:
        return Expert(self.kb)

    def diff(self, old: str, new: str) -> Diff:
        """The diff of two files; the knowledge base in use (``--kb``), not the shipped one, explains a
        change of version, so it is read even when both sides are saved reports."""
        return diff_reports(self.load(old), self.load(new), self.kb)

    def load(self, path: str) -> Report:
        doc = read_document(path)
        if isinstance(doc.data, list) or _is_report(doc.data):
            return report_from(doc)
        return self.expert.evaluate(scenario_from_data(doc.data, self.kb, doc))


def _is_report(data: Any) -> bool:
    return isinstance(data, Mapping) and all(key in data for key in REPORT_KEYS)


def report_from(doc: Document) -> Report:
    """The one report in a saved ``evaluate --format json`` output; InputError otherwise.

    A bare report object (``Report.model_dump_json()`` from the library) is read too.
    """
    if _is_report(doc.data):
        return _validated(doc.data, doc, ())
    data = doc.data
    if len(data) != 1:
        held = f"holds {len(data)} reports" if data else "is an empty list"
        raise doc.error(f"{held}; diff compares one report with one: save each scenario's "
                        "`ipsexpert evaluate --format json` output to its own file")
    if not _is_report(data[0]):
        raise doc.error("is a list but not the output of `ipsexpert evaluate --format json` "
                        "(an object with `outcomes` and `advice`)", (0,))
    return _validated(data[0], doc, (0,))


def _validated(data: Any, doc: Document, base: tuple) -> Report:
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems=_problems(doc, exc, base)) from None


def _problems(doc: Document, exc: ValidationError, base: tuple) -> list[Problem]:
    errors = exc.errors()
    problems = [Problem(f"not a valid report: {error['msg']}", doc.name, doc.line_of((*base, *error["loc"])),
                        format_path((*base, *error["loc"]))) for error in errors[:MAX_PROBLEMS]]
    if len(errors) > MAX_PROBLEMS:
        problems.append(Problem(f"... and {len(errors) - MAX_PROBLEMS} more problem(s) not shown", doc.name))
    return problems


# --- comparing ----------------------------------------------------------------------------

def diff_reports(old: Report, new: Report, kb: KnowledgeBase | None = None) -> Diff:
    """What changed from ``old`` to ``new``.

    ``kb`` is the knowledge base whose ``revisions`` explain a change of version; the
    shipped one by default, read only when the two versions differ.
    """
    revised, notes = _revised(old, new, kb)
    marked = set(revised)
    return Diff(old=_side(old), new=_side(new), warnings=_warnings(old, new, revised, notes), revised=revised,
                answers=_answers(old.answers, new.answers), advice=_advice(old, new, marked),
                outcomes=_outcomes(old, new, marked), counts=Counts(old=old.counts, new=new.counts))


def _side(report: Report) -> Side:
    return Side(source=report.source, name=report.name, as_of=report.as_of, knowledge_base=report.knowledge_base)


def _version(text: str) -> tuple[int, ...] | None:
    """``"2.0.0"`` → ``(2, 0, 0)``, so that 10.0.0 comes after 9.0.0; None when not dotted numbers."""
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", text):
        return None
    return tuple(int(part) for part in text.split("."))


def _revised(old: Report, new: Report, kb: KnowledgeBase | None) -> tuple[list[str], list[str]]:
    """The ids revised after the older version up to the newer one, in knowledge-base order, and the
    notes of those revisions.

    Either side may be the newer: a diff may run backwards. A version that cannot be
    placed in the history leaves both lists empty rather than guessing.
    """
    a, b = _version(old.knowledge_base.version), _version(new.knowledge_base.version)
    if a is None or b is None or a == b:
        return [], []
    kb = kb if kb is not None else load_knowledge_base()
    revisions = [r for r in kb.meta.revisions if _within(r.version, min(a, b), max(a, b))]
    changed = {rec_id for revision in revisions for rec_id in revision.changed}
    return [rec_id for rec_id in kb.recommendations if rec_id in changed], [r.note for r in revisions]


def _within(version: str, after: tuple[int, ...], up_to: tuple[int, ...]) -> bool:
    parsed = _version(version)
    return parsed is not None and after < parsed <= up_to


def _warnings(old: Report, new: Report, revised: list[str], notes: list[str]) -> list[str]:
    a, b = old.knowledge_base, new.knowledge_base
    if (a.version, a.hash) == (b.version, b.hash):
        return []
    return [f"OLD was made with knowledge base {a.version} ({a.hash}) and NEW with {b.version} ({b.hash}): "
            + (_revision_cause(revised, notes) if revised else
               "some differences may come from the rules, not from the project")]


def _revision_cause(revised: list[str], notes: list[str]) -> str:
    """Names the revised recommendations, so a reader knows which differences to doubt."""
    one = len(revised) == 1
    names = revised[0] if one else f"{', '.join(revised[:-1])} and {revised[-1]}"
    return (f"{names} {'was' if one else 'were'} revised in between ({'; '.join(notes)}); "
            f"{'its' if one else 'their'} differences may come from the rules, not from the project")


def _answers(old: Mapping[str, Any], new: Mapping[str, Any]) -> AnswersDiff:
    facts = list(old) + [fact for fact in new if fact not in old]
    result = AnswersDiff()
    for fact in facts:
        if fact not in new:
            result.removed.append(AnswerChange(fact=fact, old=old[fact]))
        elif fact not in old:
            result.added.append(AnswerChange(fact=fact, new=new[fact]))
        elif not same_answer(old[fact], new[fact]):
            result.changed.append(AnswerChange(fact=fact, old=old[fact], new=new[fact]))
    return result


def _advice(old: Report, new: Report, revised: set[str]) -> AdviceDiff:
    before = {item.id: item for item in old.advice}
    after = {item.id: item for item in new.advice}
    result = AdviceDiff()
    for rec_id, item in before.items():
        if rec_id not in after:
            gone = result.resolved if new.outcomes.get(rec_id) in SETTLED else result.undetermined
            gone.append(_advice_change(old, new, item, None, revised))
        elif _moved(item, after[rec_id]):
            result.changed.append(_advice_change(old, new, item, after[rec_id], revised))
    result.new = [_advice_change(old, new, None, item, revised)
                  for rec_id, item in after.items() if rec_id not in before]
    return result


def _moved(a: Advice, b: Advice) -> bool:
    return (a.severity, a.rank, a.score) != (b.severity, b.rank, b.score)


def _advice_change(old: Report, new: Report, a: Advice | None, b: Advice | None,
                   revised: set[str]) -> AdviceChange:
    rec_id = (a or b).id
    return AdviceChange(id=rec_id, title=(b or a).title,
                        old_outcome=old.outcomes.get(rec_id), new_outcome=new.outcomes.get(rec_id),
                        old_severity=a.severity if a else None, new_severity=b.severity if b else None,
                        old_rank=a.rank if a else None, new_rank=b.rank if b else None,
                        old_score=a.score if a else None, new_score=b.score if b else None,
                        revised=rec_id in revised)


def _outcomes(old: Report, new: Report, revised: set[str]) -> list[OutcomeChange]:
    titles = _titles(old) | _titles(new)
    ids = list(new.outcomes) + [rec_id for rec_id in old.outcomes if rec_id not in new.outcomes]
    return [OutcomeChange(id=rec_id, title=titles.get(rec_id, ""), old=old.outcomes.get(rec_id),
                          new=new.outcomes.get(rec_id), revised=rec_id in revised)
            for rec_id in ids if old.outcomes.get(rec_id) != new.outcomes.get(rec_id)]


def _titles(report: Report) -> dict[str, str]:
    return {item.id: item.title for item in [*report.advice, *report.undetermined, *report.settled]}
