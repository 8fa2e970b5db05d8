"""`kb facts` lists what a scenario may answer; `kb show` suggests the id meant."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ipsexpert.cli.commands import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_kb_facts_lists_every_fact_in_catalogue_order_with_its_type_values_and_question(kb):
    result = run("kb", "facts")
    assert result.exit_code == 0, result.output
    rows = [line.split()[0] for line in result.output.splitlines()[2:] if line.strip()][:len(kb.facts)]
    assert rows == list(kb.facts)
    funding = next(line for line in result.output.splitlines() if line.startswith("funding "))
    assert "governance" in funding and "enum" in funding and "none | project_only | multi_year" in funding
    assert "How is the building of the service funded?" in funding
    assert "a whole number >= 1" in result.output and "true | false" in result.output
    assert "Derived by rules, never answered: multi_organisation" in result.output


def test_kb_facts_of_one_construct_as_json_and_markdown(kb):
    facts = json.loads(run("kb", "facts", "--construct", "Governance", "--format", "json").output)
    assert [fact["id"] for fact in facts] == [f.id for f in kb.facts.values() if f.construct == "governance"]
    assert facts[0] == {"id": "political_sponsor", "construct": "governance", "type": "enum",
                        "values": ["none", "informal", "formal"], "minimum": None,
                        "question": kb.facts["political_sponsor"].question, "actionable": True}
    markdown = run("kb", "facts", "--construct", "context", "-f", "markdown").output
    assert markdown.startswith("| id | construct | type | answers | question |")
    assert "| `phase` | context | enum | design \\| delivery \\| evaluation | At what stage" in markdown


def test_an_unknown_construct_suggests_the_nearest():
    result = run("kb", "facts", "--construct", "govrnance")
    assert result.exit_code == 2
    assert "--construct 'govrnance': no such construct (did you mean governance?); the constructs are" in result.output


@pytest.mark.parametrize("typed, suggested", [("R7", "R07"), ("r7", "R07"), ("R007", "R07"),
                                              ("legal_barier", "legal_barriers"), ("Legal_Barriers", "legal_barriers")])
def test_kb_show_suggests_the_id_meant(typed, suggested):
    result = run("kb", "show", typed)
    assert result.exit_code == 2
    assert f"no recommendation or fact {typed!r} (did you mean {suggested}?)" in result.output


def test_kb_show_still_reads_a_lower_case_recommendation_id():
    result = run("kb", "show", "r07")
    assert result.exit_code == 0 and result.output.startswith("R07: ")
