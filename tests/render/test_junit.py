"""`--format junit`: well-formed JUnit XML a CI dashboard reads, agreeing with --fail-on,
whatever the names and texts of the scenarios hold."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import yaml
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import REPO, SCENARIOS

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"
DIGISOS = SCENARIOS / "digisos-norway.yaml"
HOSTILE_TEXT = REPO / "tests" / "hostile" / "text"


def junit(*args, code: int = 0) -> ET.Element:
    result = CliRunner().invoke(main, ["evaluate", *map(str, args), "--format", "junit"])
    assert result.exit_code == code, result.output
    return ET.fromstring(result.stdout)


def test_each_scenario_is_a_suite_and_each_recommendation_a_case():
    root = junit(NATIONAL, DIGISOS)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["Illustrative: national long-term care benefit service in delivery",
                                               "Digisos (Norway)"]
    assert all(len(s.findall("testcase")) == 23 == int(s.get("tests")) for s in suites)
    assert [c.get("name")[:3] for c in suites[0].findall("testcase")] == [f"R{n:02}" for n in range(1, 24)]
    properties = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert properties["source"] == str(NATIONAL) and properties["as_of"] == "2024"


def test_advice_at_or_above_fail_on_fails_and_open_recommendations_are_skipped_with_their_questions():
    root = junit(NATIONAL, DIGISOS, "--fail-on", "critical", code=1)
    national, digisos = root.findall("testsuite")
    failed = {case.get("name")[:3]: case.find("failure") for case in national.iter("testcase")
              if case.find("failure") is not None}
    assert sorted(failed) == ["R07", "R14"] and national.get("failures") == "2"
    assert failed["R07"].get("type") == "critical" and "How this was concluded" in failed["R07"].text
    below = next(case for case in national.iter("testcase") if case.get("name").startswith("R15"))
    assert below.find("failure") is None and "below --fail-on" in below.find("system-out").text
    skipped = {case.get("name")[:3]: case.find("skipped").get("message") for case in digisos.iter("testcase")
               if case.find("skipped") is not None}
    assert len(skipped) == 19 == int(digisos.get("skipped"))
    assert skipped["R06"] == "undetermined; would be decided by: legal_barriers"


def test_without_fail_on_nothing_fails():
    root = junit(NATIONAL)
    assert root.find("testsuite").get("failures") == "0" and not list(root.iter("failure"))


def test_files_that_failed_are_a_suite_of_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers:\n  phase: build\n")
    root = junit(NATIONAL, bad, code=2)
    errors = root.findall("testsuite")[-1]
    assert errors.get("name") == "Not evaluated" and errors.get("errors") == "1"
    assert "'build' is not one of" in errors.find("testcase/error").get("message")


def test_hostile_names_and_texts_are_escaped_and_the_document_stays_well_formed(tmp_path):
    data = yaml.safe_load(NATIONAL.read_text(encoding="utf-8"))
    data["name"] = "</testsuite><testsuite name=\"x\"> & 'quote' \x1b[31m\x00\ufffe]]>"
    data["as_of"] = "\"/><injected a=\"1"
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(data))
    texts = [str(path) for path in sorted(HOSTILE_TEXT.glob("*.yaml"))]
    result = CliRunner().invoke(main, ["evaluate", str(hostile), *texts, "-f", "junit"])
    root = ET.fromstring(result.stdout)
    suites = root.findall("testsuite")
    assert len(suites) == 3 and not root.findall(".//injected")
    assert suites[0].get("name") == "</testsuite><testsuite name=\"x\"> & 'quote' \\x1b[31m\\x00\\ufffe]]>"
    assert "\x1b" not in result.stdout and "<injected" not in result.stdout
