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
