"""The report as plain data writes, renders and reads exactly as the pydantic Report it stands for.

``Expert.report`` builds plain data and a batch writes that; ``Expert.evaluate`` returns
the pydantic model. These tests hold the two to the same bytes — JSON in both
indentations, and every format and view the writers render — on the bundled scenarios
and on seeded profiles carrying notes, accepted risks (some expired), respondents and
disputed answers.
"""

from __future__ import annotations

import io
import pickle
import random
from datetime import date

import pytest

import ipsexpert
from ipsexpert.knowledge.scenario import Scenario, load_scenario
from ipsexpert.render.output import COMBINATIONS, make_writer
from ipsexpert.report import data, models
from tests.conftest import SCENARIOS, run_cli

TODAY = date(2026, 1, 1)
WORDS = ("the", "ministry", "\"quoted\"", "d'accord", "Zürich", "—", "<b>", "&", "| pipe", "line\nbreak", "50%")


def _text(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def generated_scenarios(kb, count: int = 40, seed: int = 5) -> list[Scenario]:
    """Seeded scenarios with every optional part a file may have."""
    rng = random.Random(seed)
    recommendations = list(kb.recommendations)
    disputable = [fact for fact, spec in kb.facts.items() if spec.type in ("bool", "enum")
                  and fact != kb.meta.phase_fact]
    scenarios = []
    for index in range(count):
        answers = {}
        for fact, spec in kb.facts.items():
            if rng.random() < 0.3:
                continue
            if spec.type == "bool":
                answers[fact] = rng.random() < 0.5
            elif spec.type == "enum":
                answers[fact] = rng.choice(spec.values)
            else:
                answers[fact] = rng.choice([spec.minimum or 0, 1, 2, 5, 100_000, 3_000_000])
        extra: dict = {}
        if index % 2:
            extra["notes"] = {fact: _text(rng, rng.randint(1, 30)) for fact in rng.sample(sorted(answers), 3)}
        if index % 3 == 0:
            extra["accepted"] = [{"id": rec_id, "reason": _text(rng, 3),
                                  **({"until": rng.choice([date(2025, 6, 30), date(2026, 12, 31)])}
                                     if rng.random() < 0.7 else {})}
                                 for rec_id in rng.sample(recommendations, 2)]
        if index % 5 == 1:
            fact = rng.choice(disputable)
            spec = kb.facts[fact]
            values = [True, False] if spec.type == "bool" else list(spec.values[:2])
            answers.pop(fact, None)
            extra["respondents"] = ["agency A", "agency B"]
            extra["disputed"] = {fact: [{"respondent": "agency A", "value": values[0], "note": _text(rng, 2)},
                                        {"respondent": "agency B", "value": values[1]}]}
        if index % 7 == 3:
            extra.update(as_of="2025-03", respondent="Ministry of " + _text(rng, 2))
        scenarios.append(Scenario(name=f"profile {index} " + _text(rng, 2), answers=answers, **extra))
    return scenarios


@pytest.fixture(scope="module")
def scenarios(expert, kb) -> list[Scenario]:
    bundled = [load_scenario(path, kb) for path in sorted(SCENARIOS.glob("*.yaml"))]
    return bundled + [expert.scenario(scenario) for scenario in generated_scenarios(kb)]


@pytest.fixture(scope="module")
def reports(expert, scenarios):
    """(plain report, pydantic model of it) for each scenario."""
    pairs = []
    for scenario in scenarios:
        plain = expert.report(scenario, expert.run(scenario.answers), TODAY)
        pairs.append((plain, plain.to_model()))
    return pairs


def test_the_report_is_plain_data_and_the_model_is_built_on_demand(reports):
    plain, model = next(pair for pair in reports if pair[0].advice)
    assert isinstance(plain, data.Report) and isinstance(model, models.Report)
    assert isinstance(plain.advice[0], data.Advice) and isinstance(model.advice[0], models.Advice)


@pytest.mark.parametrize("indent", [2, None])
def test_plain_json_is_the_models_json_byte_for_byte(reports, indent):
    for plain, model in reports:
        assert plain.model_dump_json(indent=indent) == model.model_dump_json(indent=indent)


def test_the_generated_profiles_reach_every_part_of_the_report(reports):
    """The comparison above covers what it should: escalations, acceptances, disputes, notes."""
    plains = [plain for plain, _ in reports]
    assert any(item.escalated for report in plains for item in report.advice)
    assert any(item.accepted and item.accepted.expired for report in plains for item in report.advice)
    assert any(item.accepted and not item.accepted.expired for report in plains for item in report.advice)
    assert any(report.disagreements for report in plains)
    assert any(step.note for report in plains for item in report.advice for step in item.explanation.steps)
    assert any(report.maturity for report in plains) and any(report.eif_layers for report in plains)


@pytest.mark.parametrize("view, fmt", [(view, fmt) for view, formats in COMBINATIONS.items() for fmt in formats])
def test_every_format_and_view_renders_plain_data_as_it_renders_the_model(reports, view, fmt):
    rendered = []
    for side in (0, 1):
        stream = io.StringIO()
        writer = make_writer(fmt, view, True, stream)
        for pair in reports:
            writer.write(pair[side])
        writer.close()
        rendered.append(stream.getvalue())
    assert rendered[0] == rendered[1]


def test_the_library_returns_the_model_and_its_json_is_the_clis(tmp_path):
    path = SCENARIOS / "illustrative-national-service-delivery.yaml"
    report = ipsexpert.evaluate(path, today=TODAY)
    assert isinstance(report, models.Report)
    result = run_cli("evaluate", str(path), "--format", "json", "--today", "2026-01-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[\n" + report.model_dump_json(indent=2) + "\n]\n"


def test_methods_and_properties_answer_as_the_models_do(reports):
    for plain, model in reports:
        for severity in ("low", "high", "critical"):
            assert [a.id for a in plain.at_or_above(severity, TODAY)] == \
                [a.id for a in model.at_or_above(severity, TODAY)]
        assert [a.accepted_now for a in plain.advice] == [a.accepted_now for a in model.advice]
        assert [a.counts_for_fail_on(TODAY) for a in plain.advice] == \
            [a.counts_for_fail_on(TODAY) for a in model.advice]
        assert [m.words for m in plain.maturity] == [m.words for m in model.maturity]
        assert plain.knowledge_base.version == model.knowledge_base.version


def test_model_copy_updates_a_copy_only(reports):
    plain = next(plain for plain, _ in reports if plain.advice)
    first = plain.advice[0]
    moved = first.model_copy(update={"rank": 99})
    assert moved.rank == 99 and first.rank != 99 and moved.explanation is first.explanation
    trimmed = plain.model_copy(update={"advice": [moved], "phase": "design"})
    assert trimmed.advice == [moved] and trimmed.phase == "design" and plain.advice[0] is first
    with pytest.raises(AttributeError):
        plain.model_copy(update={"no_such_field": 1})


def test_parts_shared_between_reports_are_frozen(reports):
    plain = next(plain for plain, _ in reports if plain.advice)
    step = plain.advice[0].explanation.steps[-1]
    with pytest.raises(TypeError):
        step.text = "changed"
    with pytest.raises(TypeError):
        plain.knowledge_base["name"] = "changed"
    assert plain.advice[0].eif[0].model_copy(update={"title": "x"}).title == "x"


def test_plain_reports_cross_a_process_boundary_intact(reports):
    """``--jobs`` sends reports of the matrix and HTML views back from workers, pickled."""
    for plain, _ in reports[:8]:
        copy = pickle.loads(pickle.dumps(plain))
        assert copy == plain and copy.model_dump_json() == plain.model_dump_json()


def test_a_model_taking_the_reports_knowledge_base_validates_it(reports):
    """What-if's result holds the report's knowledge_base in a model field."""
    plain = reports[0][0]
    info = models.KnowledgeBaseInfo.model_validate(plain.knowledge_base)
    assert info.model_dump() == plain.knowledge_base.json_data()


def test_parts_swapped_for_models_are_written_as_the_models_write_them(reports):
    """A caller may put a model's part into plain data (``model_copy(update=...)``): still the same JSON."""
    plain, model = next(pair for pair in reports if pair[0].advice and pair[0].disagreements)
    mixed = plain.model_copy(update={"advice": [model.advice[0], *plain.advice[1:]], "settled": model.settled,
                                     "maturity": model.maturity, "knowledge_base": model.knowledge_base})
    assert mixed.model_dump_json(indent=2) == model.model_dump_json(indent=2)
    assert mixed.model_dump_json() == model.model_dump_json()
