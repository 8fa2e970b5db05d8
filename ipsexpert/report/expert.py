"""From a scenario to a Report: run the compiled engine, then rank and explain.

``Expert`` pairs a knowledge base with its compiled engine so that a batch, a
consultation or a library caller compiles once and evaluates many times.
``Expert.report`` builds the report as plain data (``data``), which is what a batch
renders and writes; ``Expert.evaluate`` and ``evaluate``, the library's entries,
return the pydantic ``Report`` (``models``) built from it. What does not depend on the
profile — EIF references, references, most explanation steps (``explain.Texts``) —
is made once per Expert.
"""

from __future__ import annotations

import threading
from datetime import date
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Union

from ..knowledge import semantics
from ..engine.compiled import CompiledKnowledgeBase, Run
from ..errors import ScenarioError
from .disagreements import disagreements
from .explain import Explainer, Texts
from .maturity import Standings, construct_maturity
from ..knowledge.base import KnowledgeBase
from ..knowledge.loading import load_knowledge_base
from .priority import rank_key, score, timing
from .data import (Accepted, Advice, EifLayerSummary, EifReference, KnowledgeBaseInfo, Reference, Report, Settled,
                   Undetermined)
from ..knowledge.rulebase import OUTCOMES, escalated
from ..knowledge.answers import check_answers

if TYPE_CHECKING:
    from ..knowledge.scenario import Scenario
    from ..knowledge.scenario_record import ScenarioRecord
    from . import models

Subject = Union["Scenario", Mapping[str, Any], str, PathLike]


class Expert:
    """A knowledge base compiled once, ready to evaluate any number of scenarios."""

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self.kb = kb if kb is not None else load_knowledge_base()
        self.compiled = CompiledKnowledgeBase(self.kb)
        self._eif_catalogue = self.kb.eif.by_number() if self.kb.eif else {}
        self.texts = Texts(self.kb)
        self._references = {rec_id: (tuple(self.eif_references(rec.eif)),
                                     tuple(Reference(ref.kind, ref.title, ref.url) for ref in rec.references))
                            for rec_id, rec in self.kb.recommendations.items()}
        self._kb_info = KnowledgeBaseInfo(self.kb.meta.name, self.kb.version, self.kb.digest)
        self._standings = Standings(self.kb.maturity, self.kb) if self.kb.maturity is not None else None
        self._order = {rec_id: rank_key(0.0, rec.construct, rec_id, self.kb.meta)[1:]
                       for rec_id, rec in self.kb.recommendations.items()}

    def scenario(self, subject: Subject) -> Scenario:
        """A checked Scenario from a Scenario, a mapping of answers, or a file path."""
        from ..knowledge.scenario import Scenario, load_scenario  # the model, for callers that hold one
        if isinstance(subject, Scenario):
            answers, problems = check_answers(subject.answers, self.kb)
            if problems:
                raise ScenarioError(problems=problems)
            return subject.model_copy(update={"answers": answers})
        if isinstance(subject, Mapping):
            answers, problems = check_answers(subject, self.kb)
            if problems:
                raise ScenarioError(problems=problems)
            return Scenario(answers=answers)
        if isinstance(subject, (str, PathLike)):
            return load_scenario(Path(subject), self.kb)
        raise TypeError("evaluate() takes a Scenario, a mapping of answers or a file path")

    def run(self, answers: Mapping[str, Any]) -> Run:
        """The engine's raw conclusions for checked answers."""
        return self.compiled.run(answers)

    def evaluate(self, subject: Subject, today: date | None = None) -> models.Report:
        """Evaluate one scenario into a ranked, explained Report (the pydantic model).

        ``today`` (default: the current date) decides which accepted risks have expired.
        """
        scenario = self.scenario(subject)
        run = self.run(scenario.answers)
        return self.report(scenario, run, today).to_model()

    def outcomes(self, run: Run) -> dict[str, str]:
        return {rec_id: semantics.outcome_of_conclusions(run.concluded.get(rec_id, ()))
                for rec_id in self.kb.recommendations}

    def report(self, scenario: Scenario | ScenarioRecord, run: Run, today: date | None = None) -> Report:
        """The report of one run, as plain data (``to_model()`` makes the pydantic Report of it).

        ``scenario`` is the model or, in a batch, its record twin (``scenario_record``)."""
        kb = self.kb
        answers = scenario.known_answers()
        value_of = {**answers, **run.derived}.get  # the engine's own derived facts, never re-derived
        explainer = Explainer(kb, run, scenario.notes, self.texts)
        today = today or date.today()
        accepted = {item.id: Accepted(item.reason, item.until, item.until is not None and today > item.until)
                    for item in scenario.accepted}
        outcomes = self.outcomes(run)
        phase = answers.get(kb.meta.phase_fact)
        advice, undetermined, settled = [], [], []
        for rec_id, rec in kb.recommendations.items():
            outcome = outcomes[rec_id]
            if outcome == "advised":
                severity = escalated(rec.severity) if rec_id in run.escalated else rec.severity
                when = timing(rec.phases, phase, kb.meta)
                points = score(severity, when, kb.meta)
                explanation = explainer.advice(rec, severity if severity != rec.severity else None,
                                               when, points, severity, phase)
                eif, references = self._references[rec_id]
                advice.append(Advice(rec_id, rec.title, rec.construct, severity, rec.severity, severity != rec.severity,
                                     when, points, 0, list(rec.phases), rec.advice, list(eif), list(references),
                                     accepted.get(rec_id), explanation))
            elif outcome == "undetermined":
                open_ids = semantics.open_facts(rec.applies, value_of) + semantics.open_facts(rec.advised, value_of)
                deciding = [fact_id for fact_id in semantics.expand_derived(kb, open_ids, value_of)
                            if semantics.askable(kb, fact_id, value_of)]
                undetermined.append(Undetermined(rec_id, rec.title, rec.construct, deciding))
            else:
                settled.append(Settled(rec_id, rec.title, rec.construct, outcome, explainer.why_not(rec, outcome)))
        order = self._order  # rank_key's order after the score, worked out once per recommendation
        advice.sort(key=lambda item: (-item.score, *order[item.id]) if item.id in order
                    else rank_key(item.score, item.construct, item.id, kb.meta))
        for rank, item in enumerate(advice, start=1):
            item.rank = rank
        counts = dict.fromkeys(OUTCOMES, 0)
        for outcome in outcomes.values():
            counts[outcome] += 1
        respondents = scenario.respondents or ([scenario.respondent] if scenario.respondent else [])
        report = Report(scenario.source, scenario.name, scenario.as_of, answers,
                        {derived_id: run.derived.get(derived_id) for derived_id in kb.derived},
                        outcomes, counts, advice, undetermined, settled, self.eif_layers(advice),
                        dict(scenario.notes), dict(kb.meta.constructs), self._kb_info, list(respondents),
                        phase=phase)
        if kb.maturity is not None:
            report.maturity = construct_maturity(kb.maturity, kb, value_of, {item.id for item in advice},
                                                 self._standings)
        if scenario.disputed:
            report.disagreements = disagreements(self, scenario, report,
                                                 lambda trial: self.report(trial, self.run(trial.answers), today))
        return report

    def eif_references(self, numbers: list[int]) -> list[EifReference]:
        """EIF numbers with their titles and layers (numbers alone when there is no catalogue)."""
        catalogue = self._eif_catalogue
        return [EifReference(n, catalogue[n].title if n in catalogue else "",
                             catalogue[n].layer if n in catalogue else "") for n in numbers]

    def eif_layers(self, advice: list[Advice]) -> list[EifLayerSummary]:
        """Per EIF layer, in the EIF's order, the advice that touches it (in the advice's order)
        and the EIF numbers it cites there."""
        if self.kb.eif is None:
            return []
        touching: dict[str, tuple[list[str], set[int]]] = {}
        for item in advice:
            for ref in item.eif:
                ids, numbers = touching.setdefault(ref.layer, ([], set()))
                if not ids or ids[-1] != item.id:
                    ids.append(item.id)
                numbers.add(ref.number)
        return [EifLayerSummary(layer, name, sorted(touching[layer][1]), touching[layer][0])
                for layer, name in self.kb.eif.layers.items() if layer in touching]


_experts: dict[str, Expert] = {}
_experts_lock = threading.Lock()


def expert_for(kb_path: str | PathLike | None = None) -> Expert:
    """A cached Expert per knowledge-base folder, shared by library calls."""
    key = str(Path(kb_path).resolve()) if kb_path is not None else ""
    with _experts_lock:
        if key not in _experts:
            kb = load_knowledge_base(kb_path) if kb_path is not None else None
            _experts[key] = Expert(kb)
        return _experts[key]


def evaluate(subject: Subject, kb: str | PathLike | KnowledgeBase | None = None,
             today: date | None = None) -> models.Report:
    """Evaluate a Scenario, a mapping of answers or a scenario file into a Report.

    ``today`` (default: the current date) decides which accepted risks have expired.
    """
    expert = Expert(kb) if isinstance(kb, KnowledgeBase) else expert_for(kb)
    return expert.evaluate(subject, today)
