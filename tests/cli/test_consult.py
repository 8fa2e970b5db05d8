"""The consultation: question selection as properties, the dialogue through its real streams."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import ast
import re

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import ipsexpert
from ipsexpert.knowledge import semantics
from ipsexpert.analysis import questions as questions
from ipsexpert.knowledge.catalogue import FactSpec
from ipsexpert.cli import console
from ipsexpert.cli.commands import main
from ipsexpert.cli.console import parse_answer
from ipsexpert.cli.consult import DEFAULT_SAVE, ConsultationError, run_consultation
from ipsexpert.analysis.questions import next_question, simulate, stakes
from ipsexpert.knowledge.semantics import choices
from tests.conftest import REPO, SCENARIOS, run_cli
from tests.profiles import profiles

ENV = {"PYTHONPATH": str(REPO)}
SMALL_LOCAL = {"organisations_involved": 1, "countries_involved": 1, "scope": "local",
               "processes_personal_data": False, "users_expected": 500}


def verdict(report) -> tuple:
    """What the consultation promises to settle: outcomes, severities, ranks and scores."""
    return report.outcomes, [(a.id, a.severity, a.rank, a.score, a.timing) for a in report.advice]


def word(value) -> str:
    """An answer as a user types it."""
    return "unknown" if value is None else "yes" if value is True else "no" if value is False else str(value)


def as_file(answers: dict) -> str:
    """A scenario file holding ``answers``, as a consultation saves it."""
    return yaml.safe_dump({"answers": {f: "unknown" if v is None else v for f, v in answers.items()}})


def script(kb, profile) -> tuple[dict, str]:
    """The answers a consultation collects from ``profile``, and the lines a user would type."""
    answers, asked = simulate(kb, profile)
    return answers, "".join(word(answers[fact_id]) + "\n" for fact_id in asked)


# --- question selection ---------------------------------------------------------------------

@settings(max_examples=120)
@given(data=st.data())
def test_consultation_reaches_the_full_profiles_verdict_asking_each_question_once(expert, kb, data):
    profile = data.draw(profiles(kb))
    answers, asked = simulate(kb, profile)
    assert len(asked) == len(set(asked))
    assert verdict(expert.evaluate(answers)) == verdict(expert.evaluate(profile))


@settings(max_examples=60)
@given(data=st.data())
def test_each_question_is_relevant_askable_and_the_relevant_set_only_shrinks(kb, data):
    profile = data.draw(profiles(kb))
    answers: dict = {}
    relevant = set(stakes(kb, answers))
    while (fact_id := next_question(kb, answers)) is not None:
        value_of = semantics.value_of(kb, questions.known(answers))
        assert fact_id not in answers and semantics.askable(kb, fact_id, value_of) and fact_id in relevant
        answers[fact_id] = profile.get(fact_id)
        now = set(stakes(kb, answers))
        assert now <= relevant - {fact_id}  # so "at most N more" is a promise
        relevant = now


@settings(max_examples=60)
@given(data=st.data())
def test_a_single_organisation_local_service_without_personal_data_gets_far_fewer_questions(kb, data):
    profile = {**data.draw(profiles(kb)), **SMALL_LOCAL}
    _, asked = simulate(kb, profile)
    assert len(asked) <= len(kb.facts) * 2 // 3
    hidden = [f for f, spec in kb.facts.items()
              if spec.ask_if is not None and not semantics.askable(kb, f, semantics.value_of(kb, SMALL_LOCAL))]
    assert hidden and not set(hidden) & set(asked)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_scenarios_answered_in_a_consultation_get_their_own_verdict(expert, kb, path):
    scenario = expert.scenario(path)
    answers, asked = simulate(kb, scenario.answers)
    assert len(asked) < len(kb.facts)
    assert verdict(expert.evaluate(answers)) == verdict(expert.evaluate(scenario))


def test_context_comes_first_and_answered_or_hidden_questions_never(kb):
    order = list(stakes(kb, {}))
    constructs = ["context", *kb.meta.constructs]
    positions = [constructs.index(kb.facts[f].construct) for f in order]
    assert positions == sorted(positions)
    assert kb.facts[order[0]].construct == "context"
    answers = {"organisations_involved": 1, "scope": None}
    relevant = stakes(kb, answers)
    value_of = semantics.value_of(kb, questions.known(answers))
    assert not set(answers) & set(relevant)
    assert all(semantics.askable(kb, f, value_of) for f in relevant)


def test_satisfied_recommendation_still_asks_what_could_make_it_not_applicable(kb):
    # R02 is advised when lead_organisation is false; with a lead it is satisfied, but
    # the report still changes to "not applicable" if only one organisation takes part.
    relevant = stakes(kb, {"lead_organisation": True})
    assert questions.Stake("R02", "outcome") in relevant["organisations_involved"]


def test_number_questions_offer_the_ranges_the_rules_tell_apart(kb):
    assert [c.label for c in choices(kb, "organisations_involved")] == ["1", "2 or more"]
    assert [c.label for c in choices(kb, "users_expected")] == ["0 to 99999", "100000 or more"]
    assert [c.value for c in choices(kb, "phase")] == list(kb.facts["phase"].values)


def test_time_next_question_measures_every_call(kb):
    latency = questions.time_next_question(kb, [{}, SMALL_LOCAL])
    assert latency.calls == sum(len(simulate(kb, p)[1]) + 1 for p in ({}, SMALL_LOCAL))
    assert 0 <= latency.median_ms <= latency.p95_ms


# --- reading answers ---------------------------------------------------------------------------

def spec(**fields) -> FactSpec:
    return FactSpec(id="x", construct="context", question="?", help="h", **fields)


@pytest.mark.parametrize("text, value", [("y", True), ("YES", True), ("true", True), ("n", False),
                                         ("No", False), ("false", False), ("?", None), ("unknown", None)])
def test_yes_no_answers(text, value):
    assert parse_answer(spec(type="bool"), text) == value


def test_enum_answers_by_value_or_number_and_numbers_with_separators():
    colours = spec(type="enum", values=("red", "dark_green"))
    assert parse_answer(colours, "2") == parse_answer(colours, "Dark green") == "dark_green"
    assert parse_answer(spec(type="int", minimum=1), "3,200") == 3200
    for bad, kind in (("3", colours), ("0", colours), ("blue", colours), ("0", spec(type="int", minimum=1)),
                      ("2.5", spec(type="int")), ("9" * 5000, spec(type="int")), ("maybe", spec(type="bool"))):
        with pytest.raises(ValueError):
            parse_answer(kind, bad)


# --- the dialogue, in process -------------------------------------------------------------------

def consult(tmp_path, monkeypatch, text: str, **options) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    code = run_consultation(stdin=io.StringIO(text), stdout=out, **options)
    return code, out.getvalue()


def saved(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def severity_or_rank_only_question(kb, expert) -> tuple[dict, str]:
    """Answers from a bundled scenario up to a question that only settles an advice's severity or rank."""
    for path in sorted(SCENARIOS.glob("*.yaml")):
        profile = expert.scenario(path).answers
        answers: dict = {}
        while (fact_id := next_question(kb, answers)) is not None:
            found = questions.effects(kb, answers, fact_id)
            if all(e.kind != "outcome" for e in found) and any(e.current == "advised" for e in found):
                return answers, fact_id
            answers[fact_id] = profile.get(fact_id)
    raise AssertionError("no bundled scenario reaches a question that only settles severity or rank")


def test_why_at_a_question_that_only_settles_severity_or_rank_names_the_advice(tmp_path, monkeypatch,
                                                                            kb, expert):
    answers, fact_id = severity_or_rank_only_question(kb, expert)
    advised = [e.recommendation for e in questions.effects(kb, answers, fact_id) if e.current == "advised"]
    start = tmp_path / "start.yaml"
    start.write_text(as_file(answers), encoding="utf-8")
    code, out = consult(tmp_path, monkeypatch, "why\nquit\n", resume=str(start))
    assert code == 0 and f"[{fact_id}]" in out
    assert "This answer can still decide" not in out
    assert "severity" in out or "rank" in out
    assert advised and all(rec_id in out for rec_id in advised)


def test_why_for_a_lawful_basis_says_which_answers_lead_to_advice(tmp_path, monkeypatch, kb):
    profile = {"processes_personal_data": True, "phase": "design", "legal_basis_for_data_exchange": "none"}
    answers: dict = {}
    while (fact_id := next_question(kb, answers)) != "legal_basis_for_data_exchange":
        answers[fact_id] = profile.get(fact_id)
    start = tmp_path / "start.yaml"
    start.write_text(as_file(answers), encoding="utf-8")
    code, out = consult(tmp_path, monkeypatch, "why\nwhy more\nquit\n", resume=str(start))
    assert code == 0
    assert "[legal_basis_for_data_exchange]" in out
    short, more = out.split("> why more", 1)
    assert "R07 Establish a lawful basis and data protection for every data exchange: advised if none or " \
           "unclear" in " ".join(short.split())
    assert "R07 is advised if this is none or unclear" in " ".join(more.split())


def test_scripted_session_saves_a_scenario_that_evaluate_accepts(tmp_path, kb, expert):
    profile = yaml.safe_load((SCENARIOS / "illustrative-regional-consortium-design.yaml").read_text())["answers"]
    answers, text = script(kb, profile)
    result = run_cli("consult", "--save", "regional.yaml", input=text, cwd=tmp_path, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "No further answer can change the advice" in result.stdout
    assert "How:" in result.stdout or "No advice" in result.stdout
    data = saved(tmp_path / "regional.yaml")
    assert data["description"] == "Consultation"
    assert data["answers"] == {f: "unknown" if v is None else v for f, v in answers.items()}
    evaluated = run_cli("evaluate", "regional.yaml", "--format", "json", cwd=tmp_path, env=ENV)
    assert evaluated.returncode == 0, evaluated.stderr
    assert verdict(expert.evaluate(tmp_path / "regional.yaml")) == verdict(expert.evaluate(profile))


def test_end_of_input_keeps_the_answers_and_exits_0(tmp_path):
    result = run_cli("consult", input="2\n", cwd=tmp_path, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "End of input" in result.stdout
    assert f"ipsexpert consult --resume {DEFAULT_SAVE}" in result.stdout
    assert len(saved(tmp_path / DEFAULT_SAVE)["answers"]) == 1
    assert run_cli("evaluate", DEFAULT_SAVE, cwd=tmp_path, env=ENV).returncode == 0


def test_the_default_file_is_never_overwritten(tmp_path):
    (tmp_path / DEFAULT_SAVE).write_text("answers: {phase: design}\n", encoding="utf-8")
    result = run_cli("consult", input="2\n", cwd=tmp_path, env=ENV)
    assert result.returncode == 2
    assert "--resume" in result.stderr and "--save" in result.stderr and "Traceback" not in result.stderr
    assert saved(tmp_path / DEFAULT_SAVE) == {"answers": {"phase": "design"}}


def test_default_file_refusal_is_a_user_error(tmp_path, monkeypatch):
    (tmp_path / DEFAULT_SAVE).write_text("answers: {}\n", encoding="utf-8")
    with pytest.raises(ConsultationError):
        consult(tmp_path, monkeypatch, "")


def test_resume_goes_on_without_asking_again_and_keeps_the_files_other_fields(tmp_path, monkeypatch, kb):
    start = tmp_path / "project.yaml"
    start.write_text("name: My project\nsources: [a note]\nanswers:\n  phase: design\n  scope: unknown\n",
                     encoding="utf-8")
    code, out = consult(tmp_path, monkeypatch, "3\nquit\n", resume=str(start))
    assert code == 0
    assert "[phase]" not in out and "[scope]" not in out
    data = saved(start)
    assert data["name"] == "My project" and data["sources"] == ["a note"]
    assert list(data["answers"])[:2] == ["phase", "scope"] and len(data["answers"]) == 3


def test_save_elsewhere_leaves_the_resumed_file_alone(tmp_path, monkeypatch):
    start = tmp_path / "project.yaml"
    start.write_text("answers: {phase: design}\n", encoding="utf-8")
    code, _ = consult(tmp_path, monkeypatch, "3\nquit\n", resume=str(start), save="copy.yaml")
    assert code == 0
    assert saved(start) == {"answers": {"phase": "design"}}
    assert len(saved(tmp_path / "copy.yaml")["answers"]) == 2


def test_back_and_change_reopen_answers(tmp_path, monkeypatch, kb):
    first = next_question(kb, {})
    second = next_question(kb, {first: None})
    code, out = consult(tmp_path, monkeypatch, f"?\nback\n?\n?\nchange {first}\nwhy\nquit\n", save="s.yaml")
    assert code == 0
    assert f"Going back to [{first}]" in out and f"Reopening [{first}]" in out
    asked = re.findall(r"(?m)^Question \d+.*\n\[(\w+)\] ", out)
    assert asked == [first, second, first, second, next_question(kb, {first: None, second: None}), first]
    assert list(saved(tmp_path / "s.yaml")["answers"]) == [second]


@pytest.fixture
def at_terminal(monkeypatch):
    """The scripted input is taken as typed at a terminal: a refused line is asked again, not fatal,
    and a new consultation first asks for the project's name and date."""
    monkeypatch.setattr(console, "_isatty", lambda stream: True)


def test_at_a_terminal_nothing_typed_can_crash_the_session_and_a_refused_line_is_asked_again(
        tmp_path, monkeypatch, kb, at_terminal):
    garbage = ["", "   ", "maybe", "-5", "1e9", "9" * 5000, "change", "change ", "change nosuch", "back", "why why",
               "\x00\x1b[A", "ünïcode ✓", "help me", "quit now", "x" * 10000, "nosuch=1", "phase=build"]
    code, out = consult(tmp_path, monkeypatch, "\n\n" + "\n".join(garbage) + "\n", save="g.yaml")
    assert code == 0
    assert "is not an answer to this question" in out and "End of input" in out
    assert "There is no question 'nosuch'" in out and "Nothing to go back to" in out
    assert "'build' is not an answer to [phase]" in out
    assert out.count(f"[{next_question(kb, {})}] ") == len(garbage) + 1  # asked again after every one
    assert "Nothing saved" in out and not (tmp_path / "g.yaml").exists()  # no answer, so no file


def test_no_input_or_undecodable_input_is_not_fatal(tmp_path):
    assert run_cli("consult", "--save", "b.yaml", input="", cwd=tmp_path, env=ENV).returncode == 0
    raw = subprocess.run([sys.executable, "-m", "ipsexpert", "consult", "--save", "b.yaml"],
                         input=b"2\n\xff\xfe\xfa\n", capture_output=True, cwd=tmp_path,
                         env={**os.environ, **ENV}, timeout=60)
    assert raw.returncode == 2 and b"Traceback" not in raw.stderr  # a script's line that is no answer stops it
    assert b"is not an answer" in raw.stdout and b"standard input:2" in raw.stderr
    assert len(saved(tmp_path / "b.yaml")["answers"]) == 1


def test_a_finished_file_shows_the_report_at_once(tmp_path, monkeypatch, kb):
    answers, _ = simulate(kb, SMALL_LOCAL)
    done = tmp_path / "done.yaml"
    done.write_text(as_file(answers), encoding="utf-8")
    code, out = consult(tmp_path, monkeypatch, "", resume=str(done))
    assert code == 0 and "Question" not in out and "No further answer can change the advice" in out


def test_a_resumed_json_file_stays_json(tmp_path, monkeypatch):
    start = tmp_path / "project.json"
    start.write_text('{"answers": {"phase": "design"}}', encoding="utf-8")
    code, _ = consult(tmp_path, monkeypatch, "3\nquit\n", resume=str(start))
    assert code == 0
    assert len(json.loads(start.read_text(encoding="utf-8"))["answers"]) == 2


def test_a_file_that_cannot_be_written_is_a_user_error(tmp_path):
    result = run_cli("consult", "--save", "missing-folder/answers.yaml", input="", cwd=tmp_path, env=ENV)
    assert result.returncode == 2
    assert "missing-folder/answers.yaml" in result.stderr and "Traceback" not in result.stderr


# --- the terminal as a client of the library -------------------------------------------------------

def cli(tmp_path, monkeypatch, *args: str, input: str):
    """``ipsexpert consult ARGS`` through click, in tmp_path, with scripted input."""
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["consult", *args], input=input)


def asked_in(out: str) -> list[str]:
    """The questions a transcript asked, in order (each block starts with its number)."""
    return re.findall(r"(?m)^Question \d+.*\n\[(\w+)\] ", out)


def test_the_terminal_leaves_choosing_questions_to_the_library():
    cli_room = Path(ipsexpert.__file__).parent / "cli"
    for path in cli_room.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert "questions" not in (node.module or "").split("."), path.name
                assert "questions" not in [alias.name for alias in node.names], path.name


def test_after_why_or_help_the_question_is_shown_again(tmp_path, monkeypatch, kb):
    first = ipsexpert.Consultation(kb).next_question()
    result = cli(tmp_path, monkeypatch, "--save", "s.yaml", input="why\nwhy more\nhelp\nquit\n")
    assert result.exit_code == 0, result.output
    before_prompts = result.stdout.split("\n> ")[:-1]
    assert len(before_prompts) == 4
    for chunk in before_prompts[1:]:  # after why, why more and help
        assert chunk.splitlines()[-2:] == [f"[{first.fact}] {first.text}", "  Answer: a whole number, at least 1, or unknown (?)"]


def test_why_names_recommendations_by_title_one_line_each_and_why_more_gives_the_rules(tmp_path, monkeypatch, kb):
    consultation = ipsexpert.Consultation(kb)
    first = consultation.next_question()
    result = cli(tmp_path, monkeypatch, "--save", "s.yaml", input="why\nwhy more\nquit\n")
    assert result.exit_code == 0, result.output
    short = result.stdout.split("> why\n", 1)[1].split("\n\n", 1)[0]
    more = result.stdout.split("> why more\n", 1)[1].split("\n\n", 1)[0]
    internal = set(kb.derived) | set(kb.facts)
    assert not internal & set(re.findall(r"[a-z][a-z0-9_]+", short)), short  # no fact ids, derived or asked
    entries = re.findall(r"(?m)^    (R\d\d) (.+?): ", " ".join(short.split("\n      ")))
    deciding = [reason for reason in first.why if reason.kind == "outcome" and len(set(reason.by_answer.values())) > 1]
    assert [(rec_id, title) for rec_id, title in entries] == [(r.recommendation, r.title) for r in deciding]
    assert "not applicable if 1; still open if 2 or more" in short
    assert short.endswith("why more") and len(short.splitlines()) < len(more.splitlines())
    assert "applies when" in more  # the rules, as before


def test_progress_says_about_how_many_more_and_numbers_follow_back_and_change(tmp_path, monkeypatch, kb):
    consultation = ipsexpert.Consultation(kb)
    first = consultation.next_question().fact
    left = consultation.remaining()
    result = cli(tmp_path, monkeypatch, "--save", "s.yaml", input=f"?\n?\nback\n?\n?\nchange {first}\n?\nquit\n")
    assert result.exit_code == 0, result.output
    headers = re.findall(r"(?m)^Question (\d+): about (\d+) more after this one \(at most (\d+)\)$", result.stdout)
    assert [int(number) for number, _, _ in headers] == [1, 2, 3, 2, 3, 4, 3, 4]  # answers given + 1
    assert headers[0][1:] == (str(left.estimate - 1), str(left.at_most - 1))
    assert headers[3] == headers[1]  # back: the same answers as before, so the same progress
    assert all(int(about) <= int(at_most) for _, about, at_most in headers)


def test_a_script_may_name_the_question_it_answers(tmp_path, monkeypatch, kb):
    consultation = ipsexpert.Consultation(kb)
    first = consultation.next_question().fact
    later = next(fact_id for fact_id in questions.stakes(kb, {}) if fact_id != first and kb.facts[fact_id].type == "bool")
    hidden = next(fact_id for fact_id, spec in kb.facts.items() if spec.ask_if is not None
                  and not semantics.askable(kb, fact_id, semantics.value_of(kb, {later: True, first: 1})))
    script = f"{later}=yes\n{first} = 1\n{hidden}=unknown\n{later}=no\n?\nquit\n"
    result = cli(tmp_path, monkeypatch, "--save", "s.yaml", input=script)
    assert result.exit_code == 0, result.output
    assert f"Recorded [{later}]: yes." in result.stdout
    assert f"[{hidden}] cannot change the advice now; not recorded." in result.stdout
    assert f"[{later}] is already answered (yes); to change it, type change {later}." in " ".join(result.stdout.split())
    assert later not in asked_in(result.stdout) and asked_in(result.stdout)[0] == first
    answers = saved(tmp_path / "s.yaml")["answers"]
    assert list(answers)[:2] == [later, first] and answers[later] is True and answers[first] == 1 and len(answers) == 3


@pytest.mark.parametrize("line, says", [
    ("maybe", "'maybe' is not an answer to this question: answer yes or no, or unknown (?)"),
    ("", "Nothing typed: answer yes or no, or unknown (?)"),
    ("nosuch=1", "There is no question 'nosuch'"),
    ("phase=build", "'build' is not an answer to [phase]: answer a number from 1 to 3"),
    ("multi_organisation=yes", "Multi_organisation is derived from other answers and is never asked"),
    ("back", "Nothing to go back to"),
])
def test_a_scripted_line_that_cannot_be_taken_stops_with_exit_2_keeping_the_answers(tmp_path, monkeypatch, kb,
                                                                                    line, says):
    first = ipsexpert.Consultation(kb).next_question().fact
    script = ("back\n" if line == "back" else f"{first}=2\n{line}\n") + "unknown\nunknown\n"
    result = cli(tmp_path, monkeypatch, "--save", "s.yaml", input=script)
    assert result.exit_code == 2, result.output
    number = 1 if line == "back" else 2
    assert says in " ".join(result.stdout.split()) and f"Stopped at line {number} of the input" in result.stdout
    assert result.stderr.startswith(f"error: standard input:{number}: ") and says.lower()[:20] in result.stderr.lower()
    assert "Traceback" not in result.output
    if line != "back":  # the answer before it is kept; the lines after it are never read as answers
        assert saved(tmp_path / "s.yaml")["answers"] == {first: 2}
        assert "ipsexpert consult --resume s.yaml" in result.stdout


def test_respondent_is_saved_and_a_resumed_files_own_is_kept(tmp_path, monkeypatch, kb):
    first = ipsexpert.Consultation(kb).next_question().fact
    result = cli(tmp_path, monkeypatch, "--save", "s.yaml", "--respondent", "Ministry of Finance, digital unit",
                 input="2\nquit\n")
    assert result.exit_code == 0, result.output
    assert "Answering as: Ministry of Finance, digital unit." in result.stdout
    data = saved(tmp_path / "s.yaml")
    assert data["respondent"] == "Ministry of Finance, digital unit" and data["answers"] == {first: 2}
    resumed = cli(tmp_path, monkeypatch, "--resume", "s.yaml", "--respondent", "Agency", input="?\nquit\n")
    assert resumed.exit_code == 0, resumed.output
    assert "--respondent 'Agency' is not used" in resumed.stdout
    assert saved(tmp_path / "s.yaml")["respondent"] == "Ministry of Finance, digital unit"
    empty = cli(tmp_path, monkeypatch, "--save", "t.yaml", "--respondent", " ", input="quit\n")
    assert empty.exit_code == 2 and "--respondent needs a text" in empty.stderr


def test_a_script_gives_the_projects_name_and_date_as_named_lines(tmp_path, monkeypatch):
    result = cli(tmp_path, monkeypatch, "--save", "s.yaml", input="name=Permit service\nas_of = 2024-03\n?\nquit\n")
    assert result.exit_code == 0, result.output
    assert "Project name: Permit service (saved with the next answer)." in result.stdout
    data = saved(tmp_path / "s.yaml")
    assert (data["name"], data["as_of"], data["description"]) == ("Permit service", "2024-03", "Consultation")
    assert list(data)[:3] == ["name", "as_of", "description"]


def test_at_a_terminal_a_new_consultation_asks_the_projects_name_and_date_and_a_resume_only_what_it_lacks(
        tmp_path, monkeypatch, at_terminal):
    result = cli(tmp_path, monkeypatch, "--save", "s.yaml", input="Permit service\n\n?\nquit\n")
    assert result.exit_code == 0, result.output
    assert "Project name: " in result.stdout and "Date the answers describe" in result.stdout
    data = saved(tmp_path / "s.yaml")
    assert data["name"] == "Permit service" and "as_of" not in data  # the date was skipped
    resumed = cli(tmp_path, monkeypatch, "--resume", "s.yaml", input="2024\n?\nquit\n")
    assert resumed.exit_code == 0, resumed.output
    assert "Project name: " not in resumed.stdout
    assert saved(tmp_path / "s.yaml")["as_of"] == "2024"
    again = cli(tmp_path, monkeypatch, "--resume", "s.yaml", input="quit\n")
    assert "About the project" not in again.stdout


MERGED = """\
# Merged by `ipsexpert merge` from the answers of: Agency; Ministry of Finance
name: Permit service
respondents:
- Agency
- Ministry of Finance
answers:
  processes_personal_data: true
disputed:
  organisations_involved:
  - respondent: Agency
    value: 4
  - respondent: Ministry of Finance
    value: 3
  legal_basis_for_data_exchange:
  - respondent: Ministry of Finance
    value: established
    note: the act of 2019
  - respondent: Agency
    value: unclear
"""


def test_a_merged_assessment_asks_its_disputed_questions_first_saying_who_answered_what(tmp_path, monkeypatch):
    (tmp_path / "merged.yaml").write_text(MERGED, encoding="utf-8")
    result = cli(tmp_path, monkeypatch, "--resume", "merged.yaml", input="3\n?\nquit\n")
    assert result.exit_code == 0, result.output
    assert asked_in(result.stdout)[:2] == ["organisations_involved", "legal_basis_for_data_exchange"]
    assert "Disputed: Agency: 4; Ministry of Finance: 3" in result.stdout
    assert "Disputed: Ministry of Finance: established (the act of 2019); Agency: unclear" in " ".join(
        result.stdout.split())
    assert "[organisations_involved] settled: 3; no longer disputed." in result.stdout
    assert "[legal_basis_for_data_exchange] stays disputed: an unknown answer does not settle it" in " ".join(
        result.stdout.split())
    data = saved(tmp_path / "merged.yaml")
    assert data["answers"] == {"processes_personal_data": True, "organisations_involved": 3}
    assert list(data["disputed"]) == ["legal_basis_for_data_exchange"]
    again = cli(tmp_path, monkeypatch, "--resume", "merged.yaml", input="quit\n")
    assert asked_in(again.stdout) == ["legal_basis_for_data_exchange"]  # still disputed, so asked first again
