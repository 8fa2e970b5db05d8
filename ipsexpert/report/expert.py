"""From a scenario to a Report: run the compiled engine, then rank and explain.

``Expert`` pairs a knowledge base with its compiled engine so that a batch, a
consultation or a library caller compiles once and evaluates many times.
"""

from __future__ import annotations

import threading
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any, Mapping, Union

from ..knowledge import semantics
from ..engine.compiled import CompiledKnowledgeBase, Run
from ..errors import ScenarioError
from .disagreements import disagreements
from .explain import Explainer
from .maturity import construct_maturity
from ..knowledge.base import KnowledgeBase
from ..knowledge.loading import load_knowledge_base
from .priority import rank_key, score, timing
from .models import (Accepted, Advice, EifLayerSummary, EifReference, KnowledgeBaseInfo, Report, Settled,
                     Undetermined)
from ..knowledge.rulebase import OUTCOMES, escalated
from ..knowledge.scenario import Scenario, check_answers, load_scenario

Subject = Union[Scenario, Mapping[str, Any], str, PathLike]


class Expert:
    """A knowledge base compiled once, ready to evaluate any number of scenarios."""

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self.kb = kb if kb is not None else load_knowledge_base()
        self.compiled = CompiledKnowledgeBase(self.kb)
        self._eif_catalogue = self.kb.eif.by_number() if self.kb.eif else {}

    def scenario(self, subject: Subject) -> Scenario:
        """A checked Scenario from a Scenario, a mapping of answers, or a file path."""
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

    def evaluate(self, subject: Subject, today: date | None = None) -> Report:
        """Evaluate one scenario into a ranked, explained Report.

        ``today`` (default: the current date) decides which accepted risks have expired.
        """
        scenario = self.scenario(subject)
        run = self.run(scenario.answers)
        return self.report(scenario, run, today)

    def outcomes(self, run: Run) -> dict[str, str]:
        return {rec_id: semantics.outcome_of_conclusions(run.concluded.get(rec_id, ()))
                for rec_id in self.kb.recommendations}

    def report(self, scenario: Scenario, run: Run, today: date | None = None) -> Report:
        kb = self.kb
        answers = scenario.known_answers()
        value_of = {**answers, **run.derived}.get  # the engine's own derived facts, never re-derived
        explainer = Explainer(kb, run, scenario.notes)
        today = today or date.today()
        accepted = {item.id: Accepted(reason=item.reason, until=item.until,
                                      expired=item.until is not None and today > item.until)
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
                advice.append(Advice(id=rec_id, title=rec.title, construct=rec.construct, severity=severity,
                                     base_severity=rec.severity, escalated=severity != rec.severity,
                                     timing=when, score=points, rank=0, phases=rec.phases, advice=rec.advice,
                                     eif=self.eif_references(rec.eif), references=list(rec.references),
                                     accepted=accepted.get(rec_id),
                                     explanation=explanation))
            elif outcome == "undetermined":
                open_ids = semantics.open_facts(rec.applies, value_of) + semantics.open_facts(rec.advised, value_of)
                deciding = [fact_id for fact_id in semantics.expand_derived(kb, open_ids, value_of)
                            if semantics.askable(kb, fact_id, value_of)]
                undetermined.append(Undetermined(id=rec_id, title=rec.title, construct=rec.construct,
                                                 deciding_facts=deciding))
            else:
                settled.append(Settled(id=rec_id, title=rec.title, construct=rec.construct, outcome=outcome,
                                       reason=explainer.why_not(rec, outcome)))
        advice.sort(key=lambda item: rank_key(item.score, item.construct, item.id, kb.meta))
        for rank, item in enumerate(advice, start=1):
            item.rank = rank
        counts = {outcome: list(outcomes.values()).count(outcome) for outcome in OUTCOMES}
        respondents = scenario.respondents or ([scenario.respondent] if scenario.respondent else [])
        report = Report(source=scenario.source, name=scenario.name, as_of=scenario.as_of, answers=answers,
                        derived={derived_id: run.derived.get(derived_id) for derived_id in kb.derived},
                        outcomes=outcomes, counts=counts, advice=advice, undetermined=undetermined,
                        settled=settled, eif_layers=self.eif_layers(advice), notes=scenario.notes,
                        constructs=dict(kb.meta.constructs), phase=phase, respondents=list(respondents),
                        knowledge_base=KnowledgeBaseInfo(name=kb.meta.name, version=kb.version, hash=kb.digest))
        if kb.maturity is not None:
            report.maturity = construct_maturity(kb.maturity, kb, value_of, {item.id for item in advice})
        if scenario.disputed:
            report.disagreements = disagreements(self, scenario, report,
                                                 lambda trial: self.report(trial, self.run(trial.answers), today))
        return report

    def eif_references(self, numbers: list[int]) -> list[EifReference]:
        """EIF numbers with their titles and layers (numbers alone when there is no catalogue)."""
        catalogue = self._eif_catalogue
        return [EifReference(number=n, title=catalogue[n].title if n in catalogue else "",
                             layer=catalogue[n].layer if n in catalogue else "") for n in numbers]

    def eif_layers(self, advice: list[Advice]) -> list[EifLayerSummary]:
        """Per EIF layer, in the EIF's order, the advice that touches it."""
        if self.kb.eif is None:
            return []
        summaries = []
        for layer, name in self.kb.eif.layers.items():
            touching = [a for a in advice if any(ref.layer == layer for ref in a.eif)]
            if touching:
                numbers = sorted({ref.number for a in touching for ref in a.eif if ref.layer == layer})
                summaries.append(EifLayerSummary(layer=layer, name=name, eif=numbers,
                                                 advice=[a.id for a in touching]))
        return summaries


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
             today: date | None = None) -> Report:
    """Evaluate a Scenario, a mapping of answers or a scenario file into a Report.

    ``today`` (default: the current date) decides which accepted risks have expired.
    """
    expert = Expert(kb) if isinstance(kb, KnowledgeBase) else expert_for(kb)
    return expert.evaluate(subject, today)
