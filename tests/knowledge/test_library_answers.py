"""Answers handed to the library are plain values or refused: never accepted and silently unmatched."""

from __future__ import annotations

import enum

import pytest

import ipsexpert


class Count(enum.IntEnum):
    THREE = 3


class Phase(str, enum.Enum):
    DELIVERY = "delivery"


class NumpyLikeInt:
    """Stands for numpy.int64: not an int subclass, but it has __index__."""

    def __index__(self) -> int:
        return 3


class Exploding:
    def __index__(self) -> int:
        raise RuntimeError("boom")


BASE = {"political_sponsor": "none"}


@pytest.mark.parametrize("value", [Count.THREE, NumpyLikeInt()])
def test_integer_like_answers_are_normalised_and_matched(value):
    report = ipsexpert.evaluate({**BASE, "organisations_involved": value})
    assert report.answers["organisations_involved"] == 3 and type(report.answers["organisations_involved"]) is int
    assert "R01" in {item.id for item in report.advice}  # multi-organisation, no sponsor: matched


def test_string_enum_answers_are_normalised_and_matched():
    report = ipsexpert.evaluate({**BASE, "organisations_involved": 3, "phase": Phase.DELIVERY})
    assert type(report.answers["phase"]) is str and report.phase == "delivery"
    r01 = next(item for item in report.advice if item.id == "R01")
    assert r01.timing == "overdue"


@pytest.mark.parametrize("value, message", [
    (2**64, "outside the range"),
    (-(2**63), "outside the range"),
    (Exploding(), "cannot read an answer of type Exploding: boom"),
    (object(), "object is none of these"),
    (1.5, "is not a whole number"),
])
def test_other_values_are_refused_with_the_librarys_own_error(value, message):
    with pytest.raises(ipsexpert.ScenarioError, match=message):
        ipsexpert.evaluate({"organisations_involved": value})


def test_a_scenario_model_is_checked_the_same_way():
    scenario = ipsexpert.Scenario(answers={"organisations_involved": Count.THREE, "political_sponsor": "none"})
    report = ipsexpert.evaluate(scenario)
    assert "R01" in {item.id for item in report.advice}


def test_remembered_answers_are_checked_as_afresh(kb):
    """Accepted answers are remembered per knowledge base; what a second check returns must be
    what the first did, and a refused answer is refused every time with the same message."""
    from ipsexpert.knowledge.answers import check_answers
    answers = {"phase": "Design", "organisations_involved": 3, "political_sponsor": "unknown",
               "multi_level_government": True, "users_expected": True, "vulnerable_users": 1,
               "target_users": "nobody"}
    kb.accepted_answers.clear()
    first = check_answers(answers, kb)
    assert kb.accepted_answers  # something was remembered
    second = check_answers(answers, kb)
    assert first == second
    checked, problems = second
    assert checked == {"phase": "design", "organisations_involved": 3, "political_sponsor": None,
                       "multi_level_government": True}
    assert type(checked["multi_level_government"]) is bool
    assert [problem.field for problem in problems] == ["answers.users_expected", "answers.vulnerable_users",
                                                       "answers.target_users"]
    assert check_answers({"vulnerable_users": True}, kb) == ({"vulnerable_users": True}, [])
    assert check_answers({"vulnerable_users": 1}, kb)[1]  # equal to True, but not a yes/no answer
