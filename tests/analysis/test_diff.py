"""`ipsexpert diff`: two scenario files, two saved JSON reports, or one of each."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from ipsexpert.analysis.diff import Assessments, diff_reports
from ipsexpert.errors import KnowledgeBaseError
from ipsexpert.knowledge.loading import load_knowledge_base
from tests.conftest import REPO, SCENARIOS

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The national scenario, a year later: a DPIA done, an assisted channel, one answer withdrawn;
    and each saved as `evaluate --format json` output."""
    folder = tmp_path_factory.mktemp("diff")
    data = yaml.safe_load(NATIONAL.read_text())
    data["answers"].update(dpia_done=True, assisted_channel=True)
    del data["answers"]["feedback_acted_on"]
    data["as_of"] = "2025"
    old, new = folder / "old.yaml", folder / "new.yaml"
    old.write_text(NATIONAL.read_text())
    new.write_text(yaml.safe_dump(data, sort_keys=False))
    paths = {"old": old, "new": new}
    for name in ("old", "new"):
        result = invoke("evaluate", paths[name], "--format", "json")
        paths[name + "_json"] = folder / f"{name}.json"
        paths[name + "_json"].write_text(result.output)
    return paths


def diff_json(*args) -> dict:
    result = invoke("diff", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_two_scenario_files(files):
    data = diff_json(files["old"], files["new"])
    assert data["warnings"] == []
    assert data["answers"]["changed"] == [{"fact": "dpia_done", "old": False, "new": True},
                                          {"fact": "assisted_channel", "old": False, "new": True}]
    assert data["answers"]["removed"] == [{"fact": "feedback_acted_on", "old": False, "new": None}]
    assert data["answers"]["added"] == []
    advice = data["advice"]
    assert [(a["id"], a["old_severity"], a["new_outcome"]) for a in advice["resolved"]] == [
        ("R07", "critical", "satisfied")]
    assert [(a["id"], a["new_outcome"]) for a in advice["undetermined"]] == [("R16", "undetermined")]
    assert advice["new"] == []
    changed = {a["id"]: a for a in advice["changed"]}
    assert (changed["R14"]["old_severity"], changed["R14"]["new_severity"]) == ("critical", "high")
    assert (changed["R15"]["old_rank"], changed["R15"]["new_rank"]) == (3, 2)
    assert data["counts"] == {"old": {"not_applicable": 1, "advised": 6, "satisfied": 16, "undetermined": 0},
                              "new": {"not_applicable": 1, "advised": 4, "satisfied": 17, "undetermined": 1}}
    assert {(o["id"], o["old"], o["new"]) for o in data["outcomes"]} == {
        ("R07", "advised", "satisfied"), ("R16", "advised", "undetermined")}
    assert data["old"]["as_of"] == "2024" and data["new"]["as_of"] == "2025"


def test_two_saved_reports_give_the_same_diff(files):
    assert diff_json(files["old_json"], files["new_json"]) == diff_json(files["old"], files["new"])


def test_a_saved_report_against_a_scenario(files):
    data = diff_json(files["old_json"], files["new"])
    assert [a["id"] for a in data["advice"]["resolved"]] == ["R07"]


def test_the_library_function(expert, files):
    diff = diff_reports(expert.evaluate(files["new"]), expert.evaluate(files["old"]))
    assert [a.id for a in diff.advice.new] == ["R07", "R16"]
    assert diff.answers.added[0].fact == "feedback_acted_on"


def test_table_and_markdown(files):
    table = invoke("diff", files["old"], files["new"])
    assert table.exit_code == 0
    out = table.output
    assert out.startswith("== Diff: Illustrative: national")
    assert "Outcomes: 1 not applicable, 6 advised, 16 satisfied → 1 not applicable, 4 advised, 17 satisfied, " \
           "1 undetermined" in out
    assert "resolved" in out and "critical → high" in out and "Outcome counts:" in out
    markdown = invoke("diff", files["old"], files["new"], "--format", "markdown")
    assert markdown.exit_code == 0
    assert markdown.output.startswith("# Diff: ")
    assert "| changed | dpia_done | no | yes |" in markdown.output
    assert "| resolved | R07 | critical → — |" in markdown.output


def test_identical_assessments(files):
    result = invoke("diff", files["old"], files["old_json"])
    assert result.exit_code == 0
    assert "No differences in answers, outcomes or advice." in result.output


def test_different_knowledge_bases_are_flagged(files, tmp_path):
    reports = json.loads(files["new_json"].read_text())
    reports[0]["knowledge_base"].update(version="0.9.0", hash="0123456789abcdef")
    older = tmp_path / "older-kb.json"
    older.write_text(json.dumps(reports))
    data = diff_json(older, files["new"])
    assert len(data["warnings"]) == 1 and "0.9.0" in data["warnings"][0]
    assert "warning: OLD was made with knowledge base 0.9.0" in invoke("diff", older, files["new"]).output


def test_an_array_of_two_reports_is_refused(files, tmp_path):
    both = tmp_path / "both.json"
    result = invoke("evaluate", files["old"], files["new"], "--format", "json")
    both.write_text(result.output)
    result = invoke("diff", both, files["new"])
    assert result.exit_code == 2
    assert f"error: {both}:1: holds 2 reports; diff compares one report with one" in result.stderr


def test_a_missing_file(files, tmp_path):
    result = invoke("diff", files["old"], tmp_path / "missing.json")
    assert result.exit_code == 2
    assert f"error: {tmp_path / 'missing.json'}: no such file" in result.stderr


@pytest.mark.parametrize("content, message", [
    ("[]", "is an empty list"),
    ('[{"name": "x"}]', "is a list but not the output of `ipsexpert evaluate --format json`"),
])
def test_lists_that_are_not_one_report(files, tmp_path, content, message):
    path = tmp_path / "odd.json"
    path.write_text(content)
    result = invoke("diff", path, files["new"])
    assert result.exit_code == 2 and message in result.stderr


def test_a_broken_report_names_the_field(files, tmp_path):
    reports = json.loads(files["old_json"].read_text())
    reports[0]["advice"][0]["severity"] = "urgent"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(reports, indent=2))
    result = invoke("diff", broken, files["new"])
    assert result.exit_code == 2
    assert "[0].advice[0].severity: not a valid report" in result.stderr


# --- revisions of the knowledge base ------------------------------------------------------

REVISION_2 = ["R07", "R14", "R17", "R20"]


def kb_copy(folder: Path, version: str, revisions: list[dict]) -> Path:
    """The shipped rules and facts under another version and revision history."""
    shutil.copytree(REPO / "rules", folder / "rules")
    shutil.copytree(REPO / "facts", folder / "facts")
    meta = folder / "rules" / "knowledge-base.yaml"
    data = yaml.safe_load(meta.read_text())
    del data["revisions"]
    data["version"] = version
    if revisions:
        data["revisions"] = revisions
    meta.write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


@pytest.fixture(scope="module")
def version_1_report(files, tmp_path_factory):
    """The old scenario as saved last year, under knowledge base 1.0.0 (before revision 2)."""
    folder = tmp_path_factory.mktemp("kb-1.0.0")
    kb = kb_copy(folder / "kb", "1.0.0", [])
    result = invoke("evaluate", files["old"], "--kb", kb, "--format", "json", "--output", folder / "old.json")
    assert result.exit_code == 0, result.output
    return folder / "old.json"


def test_recommendations_revised_between_the_versions_are_named(files, version_1_report):
    data = diff_json(version_1_report, files["new"])
    assert data["revised"] == REVISION_2
    assert data["warnings"] == [
        f"OLD was made with knowledge base 1.0.0 ({data['old']['knowledge_base']['hash']}) and NEW with "
        f"2.0.0 ({data['new']['knowledge_base']['hash']}): R07, R14, R17 and R20 were revised in between "
        "(revision 2 after a review against EU law (accessibility, eID, DPIA, security)); "
        "their differences may come from the rules, not from the project"]
    rows = [*data["outcomes"], *(a for kind in data["advice"].values() for a in kind)]
    assert {row["id"] for row in rows} >= {"R07", "R14", "R15", "R16"}
    assert all(row["revised"] == (row["id"] in REVISION_2) for row in rows)


def test_a_backward_diff_names_the_same_revision(files, version_1_report):
    assert diff_json(files["new"], version_1_report)["revised"] == REVISION_2


def test_the_table_and_markdown_mark_revised_rows(files, version_1_report):
    table = invoke("diff", version_1_report, files["new"]).output
    assert "R07 (rule revised)" in table and "R14 (rule revised)" in table
    assert "R15 (rule revised)" not in table and "R15" in table
    markdown = invoke("diff", version_1_report, files["new"], "--format", "markdown").output
    assert "| resolved | R07 (rule revised) | critical → — |" in markdown
    assert "R07, R14, R17 and R20 were revised in between" in markdown


def test_the_same_version_names_no_revision(files):
    data = diff_json(files["old_json"], files["new"])
    assert data["revised"] == []
    assert not any(a["revised"] for kind in data["advice"].values() for a in kind)
    assert "rule revised" not in invoke("diff", files["old_json"], files["new"]).output


def test_a_version_that_is_not_dotted_numbers_names_no_revision(files, tmp_path):
    reports = json.loads(files["old_json"].read_text())
    reports[0]["knowledge_base"].update(version="spring-2024", hash="0123456789abcdef")
    odd = tmp_path / "odd-version.json"
    odd.write_text(json.dumps(reports))
    data = diff_json(odd, files["new"])
    assert data["revised"] == []
    assert data["warnings"][0].endswith(": some differences may come from the rules, not from the project")


def test_the_knowledge_base_in_use_tells_the_revisions(files, version_1_report, tmp_path):
    """A later knowledge base knows revision 2 and its own: both lie after 1.0.0 up to 3.0.0, only
    revision 3 after 2.0.0."""
    revisions = [{"version": "2.0.0", "changed": REVISION_2, "note": "revision 2"},
                 {"version": "3.0.0", "changed": ["R20", "R01"], "note": "revision 3"}]
    assessments = Assessments(str(kb_copy(tmp_path, "3.0.0", revisions)))
    diff = assessments.diff(str(version_1_report), str(files["new"]))
    assert diff.new.knowledge_base.version == "3.0.0"
    assert diff.revised == ["R01", *REVISION_2]
    assert "R01, R07, R14, R17 and R20 were revised in between (revision 2; revision 3)" in diff.warnings[0]
    assert assessments.diff(str(files["new_json"]), str(files["new"])).revised == ["R01", "R20"]


def test_a_revision_naming_an_unknown_recommendation_is_a_load_error(tmp_path):
    kb = kb_copy(tmp_path, "2.0.0", [{"version": "2.0.0", "changed": ["R07", "R24"], "note": "revision 2"}])
    with pytest.raises(KnowledgeBaseError) as raised:
        load_knowledge_base(kb)
    assert str(raised.value).startswith(f"{kb / 'rules' / 'knowledge-base.yaml'}: revisions[0].changed[1]: "
                                        "unknown recommendation 'R24'")
