"""Several respondents' answers about one project, combined into one assessment.

An integrated service is run by a consortium, and a ministry, an agency and the
municipalities see it differently. Merging keeps every view: where all known answers
agree, that answer (and who gave it); where one respondent knows and another does not,
the known answer, naming who gave it; where they disagree, the question is *disputed* —
evaluated as unknown, never as one side's answer — with each respondent's answer and
note kept. The result is a normal scenario that every command accepts, and merging is
independent of the order of its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ..errors import ScenarioError
from ..knowledge.scenario import Claim, Scenario
from ..knowledge.semantics import answer_key

UNKNOWN = None


@dataclass(frozen=True)
class _Said:
    """One respondent's answer to one question, from any of the inputs."""

    fact: str
    respondent: str
    value: Any
    note: str | None


def respondent_of(scenario: Scenario, position: int) -> str:
    """Who answered: the scenario's ``respondent``, else its file or name, else its position."""
    return scenario.respondent or scenario.source or (
        scenario.name if scenario.name != "unnamed scenario" else f"respondent {position}")


def _claims(scenario: Scenario, position: int) -> Iterable[_Said]:
    """What one input says, question by question; a merged input speaks for its respondents."""
    who = respondent_of(scenario, position)
    for fact_id, value in scenario.answers.items():
        for respondent in scenario.given_by.get(fact_id) or [who]:
            yield _Said(fact_id, respondent, value, scenario.notes.get(fact_id))
    for fact_id, claims in scenario.disputed.items():
        for claim in claims:
            yield _Said(fact_id, claim.respondent, claim.value, claim.note)


def merge(scenarios: Iterable[Scenario]) -> Scenario:
    """One scenario from several respondents' scenarios of one project (see the module docstring).

    Each input must already be checked against the knowledge base (``load_scenario``).
    """
    inputs = list(scenarios)
    if not inputs:
        raise ScenarioError("merge needs at least one scenario")
    said: dict[str, dict[str, _Said]] = {}
    respondents: set[str] = set()
    for position, scenario in enumerate(inputs, start=1):
        respondents.update(scenario.respondents or [respondent_of(scenario, position)])
        for claim in _claims(scenario, position):
            said.setdefault(claim.fact, {})
            known = said[claim.fact].get(claim.respondent)
            if known is None or known.value is UNKNOWN:
                said[claim.fact][claim.respondent] = claim
            elif claim.value is not UNKNOWN and answer_key(claim.value) != answer_key(known.value):
                said[claim.fact][f"{claim.respondent} ({answer_key(claim.value)[1]})"] = claim
    answers, given_by, disputed, notes = {}, {}, {}, {}
    for fact_id in sorted(said):
        by_respondent = said[fact_id]
        known = {who: claim for who, claim in by_respondent.items() if claim.value is not UNKNOWN}
        values = {answer_key(claim.value) for claim in known.values()}
        if len(values) > 1:
            disputed[fact_id] = [Claim(respondent=who, value=claim.value, note=claim.note)
                                 for who, claim in sorted(known.items())]
            continue
        holders = sorted(known or by_respondent)
        answers[fact_id] = next(iter(known.values())).value if known else UNKNOWN
        given_by[fact_id] = holders
        texts = sorted({f"{who}: {by_respondent[who].note}" if len(holders) > 1 else by_respondent[who].note
                        for who in holders if by_respondent[who].note})
        if texts:
            notes[fact_id] = "; ".join(texts)
    return Scenario(name=_common([s.name for s in inputs]), as_of=max((s.as_of for s in inputs if s.as_of),
                                                                       default=None),
                    description=_common([s.description for s in inputs if s.description], None),
                    respondents=sorted(respondents), answers=answers, given_by=given_by, disputed=disputed,
                    notes=notes)


def _common(values: list[Any], default: Any = "merged assessment") -> Any:
    """The value most inputs give (ties: the first in sorted order), so input order never matters."""
    if not values:
        return default
    return min(set(values), key=lambda value: (-values.count(value), str(value)))
