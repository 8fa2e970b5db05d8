"""A report grows with its scenario by a small constant factor, whatever the scenario's free text.

A note is quoted in every explanation step that cites its answer: a long one once made
a 900 KB scenario into a 112 MB report. Steps now quote at most NOTE_IN_STEP characters
of a note, with a marker saying how much is left out and where the whole note is.
"""

from __future__ import annotations

from ipsexpert.knowledge.scenario import Scenario
from ipsexpert.report.explain import NOTE_IN_STEP, quoted_note


def _quoted_facts(expert, answers):
    """Answers cited by the advice of a report, most cited first."""
    report = expert.evaluate(answers)
    counts: dict[str, int] = {}
    for item in report.advice:
        for step in item.explanation.steps:
            if step.kind == "answer":
                counts[step.fact] = counts.get(step.fact, 0) + 1
    return sorted(counts, key=counts.get, reverse=True)


ANSWERS = {"phase": "delivery", "organisations_involved": 5, "lead_organisation": False,
           "political_sponsor": "none", "governance_body": "none", "processes_personal_data": True,
           "legal_basis_for_data_exchange": "unclear", "scope": "cross_border"}


def test_a_long_note_is_cut_in_steps_and_whole_under_notes(expert):
    fact = _quoted_facts(expert, ANSWERS)[0]
    note = "x" * (NOTE_IN_STEP + 500)
    scenario = expert.scenario(Scenario(answers=ANSWERS, notes={fact: note}))
    report = expert.report(scenario, expert.run(scenario.answers))
    assert report.notes[fact] == note
    quoting = [step for item in report.advice for step in item.explanation.steps if step.fact == fact]
    assert len(quoting) > 1
    for step in quoting:
        assert step.note == quoted_note(fact, note)
        assert step.note.startswith("x" * NOTE_IN_STEP + "… [500 more characters; the whole note is under "
                                    f"notes.{fact}]")
        assert note not in step.text


def test_a_note_up_to_the_limit_is_quoted_whole(expert):
    fact = _quoted_facts(expert, ANSWERS)[0]
    note = "y" * NOTE_IN_STEP
    scenario = expert.scenario(Scenario(answers=ANSWERS, notes={fact: note}))
    report = expert.report(scenario, expert.run(scenario.answers))
    step = next(step for item in report.advice for step in item.explanation.steps if step.fact == fact)
    assert step.note == note and step.text.endswith(f" — note: {note}")


def test_the_json_grows_linearly_with_the_notes(expert):
    """Every cited answer with a long note: the JSON holds each note once, plus a bounded quote per step."""
    facts = _quoted_facts(expert, ANSWERS)
    sizes = []
    for length in (20_000, 80_000):
        notes = {fact: "z" * length for fact in facts}
        scenario = expert.scenario(Scenario(answers=ANSWERS, notes=notes))
        sizes.append(len(expert.report(scenario, expert.run(scenario.answers)).model_dump_json(indent=2)))
    growth = (sizes[1] - sizes[0]) / (60_000 * len(facts))
    assert growth < 1.01  # the notes section only: steps do not grow with a note past the limit
