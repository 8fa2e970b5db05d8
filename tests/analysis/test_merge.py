"""Several respondents' answers, one assessment: agreement kept, disagreement never decided for them."""

from __future__ import annotations

import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import ipsexpert
from ipsexpert.analysis.merge import merge
from ipsexpert.cli.commands import main
from ipsexpert.knowledge import semantics
from tests.profiles import profiles


def respondent(kb, name: str):
    return profiles(kb).map(lambda answers: ipsexpert.Scenario(name="project", respondent=name, answers=answers))


def substance(scenario: ipsexpert.Scenario) -> tuple:
    return (scenario.answers, {f: sorted((c.respondent, repr(c.value)) for c in claims)
                               for f, claims in scenario.disputed.items()}, scenario.respondents)


@settings(max_examples=40)
@given(data=st.data())
def test_merging_a_scenario_with_itself_changes_nothing(expert, kb, data):
    one = data.draw(respondent(kb, "Ministry"))
    merged = merge([one, one])
    assert merged.disputed == {} and merged.answers == dict(sorted(one.answers.items()))
    assert expert.evaluate(merged).outcomes == expert.evaluate(one).outcomes


@settings(max_examples=40)
@given(data=st.data())
def test_the_order_of_the_inputs_does_not_change_the_result(kb, data):
    people = [data.draw(respondent(kb, name)) for name in ("Ministry", "Agency", "Municipality")]
    order = data.draw(st.permutations(people))
    assert substance(merge(people)) == substance(merge(order))


@settings(max_examples=40)
@given(data=st.data())
def test_a_disputed_fact_is_never_evaluated_as_either_side(expert, kb, data):
    a, b = data.draw(respondent(kb, "Ministry")), data.draw(respondent(kb, "Agency"))
    merged = merge([a, b])
    report = expert.evaluate(merged)
    for fact_id, claims in merged.disputed.items():
        assert fact_id not in report.answers
        assert {c.respondent for c in claims} == {"Agency", "Ministry"}
    value_of = semantics.value_of(kb, report.answers)
    for fact_id in merged.disputed:
        assert value_of(fact_id) is None


def test_agreement_unknowns_and_disputes_with_who_said_what(kb):
    ministry = ipsexpert.Scenario(name="Benefit", respondent="Ministry of Finance",
                                  answers={"phase": "delivery", "processes_personal_data": True,
                                           "legal_basis_for_data_exchange": "established", "funding": None},
                                  notes={"legal_basis_for_data_exchange": "decree 12/2023"})
    agency = ipsexpert.Scenario(name="Benefit", respondent="Agency", as_of="2025",
                                answers={"phase": "delivery", "processes_personal_data": True,
                                         "legal_basis_for_data_exchange": "unclear", "funding": "project_only"})
    merged = merge([ministry, agency])
    assert merged.respondents == ["Agency", "Ministry of Finance"] and merged.as_of == "2025"
    assert merged.answers["phase"] == "delivery" and merged.given_by["phase"] == ["Agency", "Ministry of Finance"]
    assert merged.answers["funding"] == "project_only" and merged.given_by["funding"] == ["Agency"]
    claims = {c.respondent: (c.value, c.note) for c in merged.disputed["legal_basis_for_data_exchange"]}
    assert claims == {"Agency": ("unclear", None), "Ministry of Finance": ("established", "decree 12/2023")}
    report = ipsexpert.evaluate(merged)
    item = report.disagreements[0]
    sides = {effect.respondents[0]: effect for effect in item.effects}
    assert [(c.id, c.after) for c in sides["Agency"].changes] == [("R07", "advised")]
    assert report.outcomes["R07"] == "undetermined"


def test_a_merged_file_is_a_scenario_every_command_reads(tmp_path):
    merged = merge([ipsexpert.Scenario(respondent="A", answers={"processes_personal_data": True,
                                                               "legal_basis_for_data_exchange": "none"}),
                    ipsexpert.Scenario(respondent="B", answers={"processes_personal_data": True,
                                                               "legal_basis_for_data_exchange": "established"})])
    path = tmp_path / "merged.yaml"
    path.write_text(yaml.safe_dump(merged.model_dump(mode="json", exclude_defaults=True), sort_keys=False))
    for args in (["evaluate", str(path)], ["evaluate", str(path), "--format", "markdown"],
                 ["evaluate", str(path), "--format", "html"], ["whatif", str(path)], ["diff", str(path), str(path)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
    table = CliRunner().invoke(main, ["evaluate", str(path)]).output
    assert table.index("Disagreements (1)") < table.index("No advice yet")
    assert "if A is right (none): R07 becomes advised" in table


def test_a_dispute_that_is_also_answered_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("answers:\n  phase: design\ndisputed:\n  phase:\n    - {respondent: A, value: design}\n"
                    "    - {respondent: B, value: build}\n")
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 2
    assert "is disputed and answered at once" in result.output and "'build' is not one of" in result.output
