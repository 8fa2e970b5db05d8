"""Maturity per construct: levels as data, read three-valued, shown in every format."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

import ipsexpert
from ipsexpert.cli.commands import main
from ipsexpert.errors import KnowledgeBaseError
from ipsexpert.knowledge import maturity, semantics
from ipsexpert.knowledge.loading import load_knowledge_base
from tests.conftest import REPO, SCENARIOS


@pytest.fixture(scope="module")
def model(kb):
    return kb.maturity


def test_the_shipped_levels_are_ordered_reachable_and_their_examples_hold(model, kb):
    assert set(model.constructs) == set(kb.meta.constructs)
    assert maturity.findings(model, kb) == []
    assert len(model.examples) >= len(model.constructs)


def test_a_level_is_reached_not_reached_or_not_yet_known(model, kb):
    def at(answers):
        return maturity.standing(model, "governance", semantics.value_of(kb, answers))
    nothing = at({})
    assert (nothing.level, nothing.next_level, nothing.next_status) == (1, 2, None)
    assert set(nothing.open_facts) == {"political_sponsor", "lead_organisation", "governance_body"}
    informal = at({"political_sponsor": "informal", "lead_organisation": False, "governance_body": "informal"})
    assert (informal.level, informal.next_status) == (2, False) and "political_sponsor is formal" in informal.missing
    assert at({"political_sponsor": "formal"}).next_status is None  # at least 2; 3 depends on the rest


def test_reports_carry_maturity_in_json_and_show_it_in_every_format():
    scenario = str(SCENARIOS / "digisos-norway.yaml")
    report = json.loads(CliRunner().invoke(main, ["evaluate", scenario, "--format", "json"]).output)[0]
    governance = next(item for item in report["maturity"] if item["construct"] == "governance")
    assert governance["level"] == 2 and governance["next_status"] is None and governance["open_facts"]
    table = CliRunner().invoke(main, ["evaluate", scenario]).output
    assert "Maturity per construct" in table and "at least level 2 (Defined for this project)" in table
    assert "not an inGOV artefact" in table
    assert "## Maturity per construct" in CliRunner().invoke(main, ["evaluate", scenario, "-f", "markdown"]).output
    assert '<svg class="maturity"' in CliRunner().invoke(main, ["evaluate", scenario, "-f", "html"]).output


def test_the_library_gives_the_same_levels(model, kb):
    report = ipsexpert.evaluate(SCENARIOS / "illustrative-regional-consortium-design.yaml")
    assert [(m.construct, m.level) for m in report.maturity][:2] == [("governance", 2), ("formal_agreements", 2)]


@pytest.fixture
def kb_copy(tmp_path):
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    shutil.copytree(REPO / "facts", tmp_path / "facts")
    return tmp_path


def test_levels_out_of_order_and_failing_examples_are_found(kb_copy, kb):
    path = kb_copy / "rules" / "maturity.yaml"
    text = path.read_text()
    # level 3 of roadmap asks for something level 2 does not build on: 3 can hold without 2
    start = text.index("  roadmap:\n    2:")
    level3 = text.index("    3:", start)
    level3_end = text.index("      recommendations:", level3)
    text = text[:level3] + "    3:\n      when: {fact: scaling_plan, is: true}\n" + text[level3_end:]
    path.write_text(text.replace(
        "{construct: governance, level: 1,", "{construct: governance, level: 2,", 1))
    broken = load_knowledge_base(kb_copy)
    found = dict(maturity.findings(broken.maturity, broken))
    assert "level 3 can hold while level 2 does not" in found["constructs.roadmap.3"]
    assert "expected level 2 for governance, the levels give 1" in found["examples[0]"]
    result = CliRunner().invoke(main, ["kb", "check", str(kb_copy)])
    assert result.exit_code == 1 and "maturity.yaml: constructs.roadmap.3: level 3 can hold" in result.output


def test_an_unknown_fact_in_a_level_is_a_load_error(kb_copy, kb):
    path = kb_copy / "rules" / "maturity.yaml"
    path.write_text(path.read_text().replace("{fact: kpis_defined, is: true}", "{fact: kpi_defined, is: true}", 1))
    with pytest.raises(KnowledgeBaseError, match="unknown fact 'kpi_defined'"):
        load_knowledge_base(kb_copy)
    result = CliRunner().invoke(main, ["kb", "check", str(kb_copy)])
    assert result.exit_code == 1 and "maturity.yaml" in result.output and "kpi_defined" in result.output


def test_a_level_too_large_to_enumerate_is_reported_not_checked(kb_copy):
    path = kb_copy / "rules" / "maturity.yaml"
    facts = ["staged_rollout", "iterative_delivery", "kpis_defined", "monitoring_in_place", "scaling_plan",
             "evaluation_with_stakeholders", "evaluation_feeds_back", "open_standards", "shared_semantics",
             "security_by_design", "open_source", "user_testing", "feedback_channel", "feedback_acted_on"]
    text = path.read_text()
    start = text.index("  roadmap:\n    2:")
    level4 = text.index("    4:", start)
    end = text.index("      recommendations:", level4)
    when = "".join(f"          - {{fact: {fact}, is: true}}\n" for fact in facts)
    path.write_text(text[:level4] + "    4:\n      when:\n        all:\n" + when + text[end:])
    kb = load_knowledge_base(kb_copy)
    found = dict(maturity.findings(kb.maturity, kb))
    assert "was not checked" in found["constructs.roadmap.4"]
