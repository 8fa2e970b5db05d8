"""Trust in the consultation's file: nothing the user wrote is lost.

Through the command line (click's runner, scripted input) unless two processes are
needed: an existing file is replaced only at the first answer, only if it is a
consultation's own (``description: Consultation``) or with ``--force``, and kept as
FILE.bak; one consultation per file at a time; a resumed file keeps its comments,
order, quoting and anchors, and is not written at all until an answer changes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ipsexpert.analysis.questions import next_question, simulate
from ipsexpert.cli.commands import main
from ipsexpert.cli import consult_file
from ipsexpert.cli.consult_file import locked
from tests.conftest import REPO, SCENARIOS, run_cli

ENV = {"PYTHONPATH": str(REPO)}
OWN = "name: earlier\ndescription: Consultation\nanswers:\n  phase: design\n"
OTHER = "# my project, written by hand\nname: My project\nanswers:\n  phase: design\n"
OLD = 1_000_000_000  # an mtime (2001) that no write in a test can produce


def consult(tmp_path, monkeypatch, *args: str, input: str = "quit\n"):
    """``ipsexpert consult ARGS`` in tmp_path with a scripted standard input."""
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["consult", *args], input=input)


def write(path: Path, text: str) -> Path:
    """``text`` in ``path`` with an old mtime, so any later write shows."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, (OLD, OLD))
    return path


def untouched(path: Path, text: str) -> bool:
    return path.read_text(encoding="utf-8") == text and path.stat().st_mtime_ns == OLD * 10**9


def first_answer(kb) -> str:
    """A line that answers the first question of an empty consultation."""
    spec = kb.facts[next_question(kb, {})]
    return "1" if spec.type in ("enum", "int") else "yes"


# --- 1. --save never destroys an existing scenario ------------------------------------------

def test_save_leaves_an_existing_consultation_untouched_until_the_first_answer(tmp_path, monkeypatch):
    target = write(tmp_path / "project.yaml", OWN)
    result = consult(tmp_path, monkeypatch, "--save", "project.yaml", input="why\nquit\n")
    assert result.exit_code == 0, result.output
    assert untouched(target, OWN) and not (tmp_path / "project.yaml.bak").exists()
    assert "Nothing saved" in result.output


def test_save_refuses_a_file_that_is_not_a_consultation_without_force(tmp_path, monkeypatch, kb):
    target = write(tmp_path / "project.yaml", OTHER)
    result = consult(tmp_path, monkeypatch, "--save", "project.yaml", input=first_answer(kb) + "\n")
    assert result.exit_code == 2
    message = result.stderr
    assert "project.yaml" in message and "--force" in message and "--resume" in message
    assert "Traceback" not in message
    assert untouched(target, OTHER) and not (tmp_path / "project.yaml.bak").exists()


def test_force_replaces_it_at_the_first_answer_and_keeps_the_old_content_as_bak(tmp_path, monkeypatch, kb):
    target = write(tmp_path / "project.yaml", OTHER)
    result = consult(tmp_path, monkeypatch, "--save", "project.yaml", "--force",
                     input=first_answer(kb) + "\nquit\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "project.yaml.bak").read_text(encoding="utf-8") == OTHER
    saved = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert saved["description"] == "Consultation" and list(saved["answers"]) == [next_question(kb, {})]


def test_replacing_its_own_consultation_keeps_the_old_one_as_bak(tmp_path, monkeypatch, kb):
    target = write(tmp_path / "project.yaml", OWN)
    result = consult(tmp_path, monkeypatch, "--save", "project.yaml", input=first_answer(kb) + "\nquit\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "project.yaml.bak").read_text(encoding="utf-8") == OWN
    assert list(yaml.safe_load(target.read_text(encoding="utf-8"))["answers"]) == [next_question(kb, {})]


def test_resuming_into_another_existing_file_needs_force_too(tmp_path, monkeypatch, kb):
    write(tmp_path / "start.yaml", OWN)
    other = write(tmp_path / "other.yaml", OTHER)
    result = consult(tmp_path, monkeypatch, "--resume", "start.yaml", "--save", "other.yaml",
                     input=first_answer(kb) + "\n")
    assert result.exit_code == 2 and "other.yaml" in result.stderr
    assert untouched(other, OTHER)


# --- 2. one consultation per file ------------------------------------------------------------

@pytest.mark.parametrize("option", ["--save", "--resume"])
def test_a_second_consultation_of_the_same_file_is_refused_while_the_first_runs(tmp_path, option):
    target = write(tmp_path / "project.yaml", OWN)
    with locked(target):  # this test process is the first consultation
        result = run_cli("consult", option, "project.yaml", input="1\n", cwd=tmp_path, env=ENV)
    assert result.returncode == 2, result.stdout
    assert "project.yaml" in result.stderr and "another consultation" in result.stderr
    assert "Traceback" not in result.stderr
    assert untouched(target, OWN)


def test_the_lock_is_released_and_its_file_removed_when_the_consultation_ends(tmp_path, monkeypatch, kb):
    result = consult(tmp_path, monkeypatch, "--save", "project.yaml", input=first_answer(kb) + "\nquit\n")
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["project.yaml"]
    with locked(tmp_path / "project.yaml"):
        pass


# --- 3. --resume keeps what the user wrote -----------------------------------------------------

HAND_WRITTEN = """\
# Our project, as the steering group described it.
answers:
  # context
  phase: design        # agreed in March
  scope: 'regional'

  organisations_involved: 7
# what follows is ours, not the consultation's
name: "Permit service: a \\"joint\\" effort"
description: >-
  Six municipalities design one online service,
  replacing six separate procedures.
sources:
  - Minutes of the kick-off meeting
notes:
  phase: "design started in 2024"
"""


def resumed_at(kb, text: str) -> tuple[dict, str]:
    """The answers in ``text`` and the next question a consultation resuming it asks."""
    answers = yaml.safe_load(text)["answers"]
    checked = {f: None if v == "unknown" else v for f, v in answers.items()}
    return answers, next_question(kb, checked)


def test_resume_keeps_comments_order_quoting_and_folded_text(tmp_path, monkeypatch, kb):
    start = write(tmp_path / "project.yaml", HAND_WRITTEN)
    _, asked = resumed_at(kb, HAND_WRITTEN)
    result = consult(tmp_path, monkeypatch, "--resume", "project.yaml", input="unknown\nquit\n")
    assert result.exit_code == 0, result.output
    expected = HAND_WRITTEN.replace("organisations_involved: 7\n",
                                    f"organisations_involved: 7\n  {asked}: unknown\n")
    assert start.read_text(encoding="utf-8") == expected
    assert (tmp_path / "project.yaml.bak").read_text(encoding="utf-8") == HAND_WRITTEN


def test_an_answer_given_and_taken_back_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    start = write(tmp_path / "project.yaml", HAND_WRITTEN)
    result = consult(tmp_path, monkeypatch, "--resume", "project.yaml", input="unknown\nback\nback\n?\nquit\n")
    assert result.exit_code == 0, result.output
    assert start.read_text(encoding="utf-8") == HAND_WRITTEN.replace(
        "  organisations_involved: 7\n", "  organisations_involved: unknown\n")


@pytest.mark.parametrize("name, text", [
    ("project.yaml", HAND_WRITTEN),
    ("project.json", '{"name": "P", "answers": {"phase": "design"},\n "sources": ["a"]}'),
])
@pytest.mark.parametrize("typed", ["quit\n", "why\nhelp\nquit\n", "", "why\n"])
def test_resume_writes_nothing_until_an_answer_changes(tmp_path, monkeypatch, name, text, typed):
    start = write(tmp_path / name, text)
    result = consult(tmp_path, monkeypatch, "--resume", name, input=typed)
    assert result.exit_code == 0, result.output
    assert untouched(start, text)
    assert sorted(path.name for path in tmp_path.iterdir()) == [name]


def test_a_finished_file_is_reported_without_being_written(tmp_path, monkeypatch, kb):
    answers, _ = simulate(kb, {"organisations_involved": 1, "countries_involved": 1, "scope": "local"})
    text = "# finished by hand\n" + yaml.safe_dump({"answers": {f: "unknown" if v is None else v
                                                              for f, v in answers.items()}})
    start = write(tmp_path / "done.yaml", text)
    result = consult(tmp_path, monkeypatch, "--resume", "done.yaml", input="")
    assert result.exit_code == 0 and "No further answer can change the advice" in result.output
    assert untouched(start, text)


def test_aliases_are_never_expanded_on_save(tmp_path, monkeypatch, kb):
    long = "A source quoted again and again: " + "x" * 400
    text = (f"name: Aliases\nsources:\n  - &src \"{long}\"\n" + "  - *src\n" * 40 +
            "answers:\n  countries_involved: &one 1\n  organisations_involved: *one\n")
    start = write(tmp_path / "aliases.yaml", text)
    result = consult(tmp_path, monkeypatch, "--resume", "aliases.yaml", input="unknown\nquit\n")
    assert result.exit_code == 0, result.output
    saved = start.read_text(encoding="utf-8")
    assert saved.count(long) == 1 and saved.count("*src") == 40
    assert len(saved) < len(text) + 80
    assert yaml.safe_load(saved)["answers"]["organisations_involved"] == 1


def test_a_resumed_json_file_keeps_its_key_order_and_other_fields(tmp_path, monkeypatch):
    text = '{"answers": {"phase": "design"}, "name": "P", "sources": ["a"], "notes": {"phase": "n"}}'
    start = write(tmp_path / "project.json", text)
    result = consult(tmp_path, monkeypatch, "--resume", "project.json", input="?\nquit\n")
    assert result.exit_code == 0, result.output
    saved = json.loads(start.read_text(encoding="utf-8"))
    assert list(saved) == ["answers", "name", "sources", "notes"]
    assert saved["sources"] == ["a"] and saved["notes"] == {"phase": "n"}
    assert list(saved["answers"].items())[0] == ("phase", "design") and len(saved["answers"]) == 2


@pytest.mark.parametrize("edit, says", [
    (lambda text: text.replace("name: P", "name: 12"), "not be a valid scenario"),
    (lambda text: text.replace("- a", "- b"), "`sources` would read differently"),
])
def test_a_text_that_would_read_differently_is_never_written(tmp_path, monkeypatch, edit, says):
    """The guard behind the round trip: whatever ruamel (or the comment handling) gets wrong
    is caught by reading the text back, before the first question or before a write."""
    text = "name: P\nsources:\n  - a\nanswers:\n  phase: design\n"
    start = write(tmp_path / "project.yaml", text)
    render = consult_file.YamlDocument.render
    monkeypatch.setattr(consult_file.YamlDocument, "render", lambda self, *edits: edit(render(self, *edits)))
    result = consult(tmp_path, monkeypatch, "--resume", "project.yaml", input="?\n")
    assert result.exit_code == 2 and "project.yaml" in result.stderr and says in result.stderr
    assert "Question" not in result.stdout
    assert untouched(start, text)


@pytest.mark.parametrize("text, removed, changed, expected", [
    pytest.param("answers:\n  # context\n  phase: design   # eol\n  # governance\n  scope: local\nnotes: {}\n",
                 ["phase"], {}, "answers:\n  # context\n  # governance\n  scope: local\nnotes: {}\n",
                 id="the first answer removed, the comment after it kept"),
    pytest.param("answers:\n  phase: design\n  scope: local   # eol\n\n# the rest\nnotes: {}\n",
                 ["scope"], {"users_expected": 5},
                 "answers:\n  phase: design\n  users_expected: 5\n\n# the rest\nnotes: {}\n",
                 id="an answer replaced at the end, the next section's comment kept after it"),
    pytest.param("name: x\nanswers:\n  phase: design\n# the rest\nnotes: {}\n", ["phase"], {},
                 "name: x\nanswers: {}\n# the rest\nnotes: {}\n", id="the only answer removed"),
    pytest.param("# a header\n---\nname: x   # no answers yet\n...\n# a footer\n", [], {"phase": "no"},
                 '# a header\n---\nname: x   # no answers yet\nanswers:\n  phase: "no"\n...\n# a footer\n',
                 id="answers added, a word YAML 1.1 reads as false quoted, markers and their comments kept"),
    pytest.param("answers:\n    phase: design\nsources:\n-   a\n", [], {"scope": "local"},
                 "answers:\n    phase: design\n    scope: local\nsources:\n-   a\n", id="the file's own indentation"),
])
def test_round_trip_edits_keep_the_comments_where_they_stood(text, removed, changed, expected):
    assert consult_file.YamlDocument(text).render(removed, changed) == expected


@pytest.mark.parametrize("text, header, expected", [
    pytest.param("# ours\nanswers: {}\n", {"name": "P", "as_of": "2024"},
                 '# ours\nname: P\nas_of: "2024"\nanswers: {}\n', id="a header put first, a year quoted as text"),
    pytest.param("name: x   # eol\n# about the rest\ndescription: d\nanswers: {}\n", {"as_of": "no", "respondent": "R"},
                 'name: x   # eol\nas_of: "no"\n# about the rest\ndescription: d\nrespondent: R\nanswers: {}\n',
                 id="each after the fields before it, the comment lines kept before the key they were above"),
    pytest.param("name: 'old'\nanswers: {}\n", {"name": "new: with a colon"},
                 "name: 'new: with a colon'\nanswers: {}\n", id="a field present changed in its place"),
])
def test_round_trip_header_fields_go_where_a_reader_expects_them(text, header, expected):
    assert consult_file.YamlDocument(text).render([], {}, header) == expected


MERGED = """\
# Merged by `ipsexpert merge` from the answers of: Agency; Ministry of Finance
name: Permit service
respondents:
- Agency
- Ministry of Finance
answers:
  processes_personal_data: true
given_by:
  processes_personal_data:
  - Agency
  - Ministry of Finance
disputed:
  organisations_involved:   # to settle at the steering committee
  - respondent: Agency
    value: 4
  - respondent: Ministry of Finance
    value: 3
  # the act of 2019 is read differently
  legal_basis_for_data_exchange:
  - respondent: Agency
    value: unclear
  - respondent: Ministry of Finance
    value: established
# kept as written
notes:
  processes_personal_data: both agree
"""


def test_settling_disputes_moves_each_to_answers_and_removes_disputed_once_empty(tmp_path, monkeypatch):
    start = write(tmp_path / "merged.yaml", MERGED)
    result = consult(tmp_path, monkeypatch, "--resume", "merged.yaml", "--respondent", "Steering committee",
                     input="3\nquit\n")
    assert result.exit_code == 0, result.output
    once = start.read_text(encoding="utf-8")
    assert once == MERGED.replace(
        "name: Permit service\n", "name: Permit service\nrespondent: Steering committee\n").replace(
        "  processes_personal_data: true\n", "  processes_personal_data: true\n  organisations_involved: 3\n").replace(
        MERGED[MERGED.index("  organisations_involved:   #"):MERGED.index("  # the act")], "")
    result = consult(tmp_path, monkeypatch, "--resume", "merged.yaml", input="established\nquit\n")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(start.read_text(encoding="utf-8"))
    assert "disputed" not in data and data["answers"]["legal_basis_for_data_exchange"] == "established"
    assert data["respondent"] == "Steering committee" and data["notes"] == {"processes_personal_data": "both agree"}
    assert "# kept as written\nnotes:" in start.read_text(encoding="utf-8")


def test_settling_a_dispute_in_json_and_an_unknown_answer_leaves_it_disputed_and_unsaved(tmp_path, monkeypatch):
    claims = [{"respondent": "A", "value": "local"}, {"respondent": "B", "value": "national"}]
    text = json.dumps({"answers": {"phase": "design"}, "disputed": {"scope": claims}, "notes": {}})
    start = write(tmp_path / "merged.json", text)
    result = consult(tmp_path, monkeypatch, "--resume", "merged.json", input="scope=unknown\nquit\n")
    assert result.exit_code == 0, result.output
    assert "[scope] stays disputed" in result.stdout and untouched(start, text)  # asked first again next time
    result = consult(tmp_path, monkeypatch, "--resume", "merged.json", "--respondent", "C", input="scope=local\nquit\n")
    assert result.exit_code == 0, result.output
    data = json.loads(start.read_text(encoding="utf-8"))
    assert list(data) == ["respondent", "answers", "notes"] and data["answers"]["scope"] == "local"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_scenario_gets_one_new_line_for_one_new_answer(tmp_path, monkeypatch, kb, path):
    text = path.read_text(encoding="utf-8")
    answers, asked = resumed_at(kb, text)
    if asked is None:
        pytest.skip("no question left to ask")
    start = write(tmp_path / path.name, text)
    result = consult(tmp_path, monkeypatch, "--resume", path.name, input="unknown\nquit\n")
    assert result.exit_code == 0, result.output
    saved = start.read_text(encoding="utf-8")
    assert len(saved.splitlines()) == len(text.splitlines()) + 1
    assert yaml.safe_load(saved)["answers"] == {**answers, asked: "unknown"}
    assert f"  {asked}: unknown\n" in saved


# --- 5. text from input is shown escaped --------------------------------------------------------

def test_file_names_and_typed_text_are_shown_with_control_characters_escaped(tmp_path, monkeypatch):
    name = "evil\x1b[2J.yaml"
    write(tmp_path / name, "name: \"\\e]0;owned\\a\"\nanswers:\n  phase: design\n")
    result = consult(tmp_path, monkeypatch, "--resume", name, "--respondent", "\x1b]0;me\a",
                     input="\x1b[31mred\nquit\n")
    assert result.exit_code == 2, result.output  # a script's line that is no answer stops it
    assert "\x1b" not in result.output and "\x07" not in result.output  # stdout and the error on stderr
    assert "evil\\x1b[2J.yaml" in result.output and "\\x1b[31mred" in result.stdout and "\\x1b[31mred" in result.stderr
    assert "Answering as: \\x1b]0;me\\x07." in result.stdout
