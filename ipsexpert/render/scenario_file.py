"""A scenario written back as a YAML file a person can read and edit.

Used for what the tool creates (a merged assessment): answers in catalogue order with
``unknown`` spelled out, the merge's own sections after them, and a first comment that
says where the file came from. Files a user wrote are never re-dumped: the consultation
edits them in place (``cli.consult_file``).
"""

from __future__ import annotations

from typing import Any

import yaml

from ..knowledge.base import KnowledgeBase
from ..knowledge.scenario import Scenario

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def scenario_data(scenario: Scenario, kb: KnowledgeBase) -> dict[str, Any]:
    """The scenario as plain data, keys in the order a reader expects them."""
    dumped = scenario.model_dump(mode="json", exclude_defaults=True, exclude={"answers", "source"})
    answers = {fact_id: "unknown" if scenario.answers[fact_id] is None else scenario.answers[fact_id]
               for fact_id in kb.facts if fact_id in scenario.answers}
    order = ["name", "as_of", "description", "respondent", "respondents"]
    data = {key: dumped.pop(key) for key in order if key in dumped}
    data["answers"] = answers
    for key in ("given_by", "disputed"):
        if key in dumped:
            data[key] = {fact_id: dumped[key][fact_id] for fact_id in kb.facts if fact_id in dumped[key]}
            del dumped[key]
    return {**data, **dumped}


def scenario_yaml(scenario: Scenario, kb: KnowledgeBase) -> str:
    """The scenario as YAML, headed by a comment naming what made it."""
    header = ("# Merged by `ipsexpert merge` from the answers of: " + "; ".join(scenario.respondents) + "\n"
              "# Disputed questions are evaluated as unknown until settled; edit `answers` to settle one\n"
              "# and remove it from `disputed`.\n") if scenario.respondents else ""
    body = yaml.dump(scenario_data(scenario, kb), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body
