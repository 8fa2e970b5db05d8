"""The report, roadmap and matrix views in every format, through the command users run."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from ipsexpert.render.output import COMBINATIONS, make_writer
from ipsexpert.render.text import TIMINGS, roadmap_groups
from ipsexpert.render.chart import construct_counts
from tests.conftest import SCENARIOS

NATIONAL = SCENARIOS / "illustrative-national-service-delivery.yaml"
EVIL = "<script>alert(1)</script>"
PAIRS = [(view, fmt) for view, formats in COMBINATIONS.items() for fmt in formats]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def evaluate(*args) -> str:
    result = CliRunner().invoke(main, ["evaluate", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def national_with(tmp_path, **extra):
    """The illustrative national scenario, with fields a test adds (a name, risks, notes)."""
    data = {**yaml.safe_load(NATIONAL.read_text()), **extra}
    path = tmp_path / "project.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


@pytest.fixture
def hostile(tmp_path):
    """A scenario whose user-written texts try to inject markup, with an accepted risk and notes."""
    return national_with(tmp_path, name=f"{EVIL} & co", accepted=[
        {"id": "R07", "reason": "board said <b>no</b>", "until": "2027-01-31"}],
        notes={"dpia_done": "memo <img src=x onerror=alert(2)>", "funding": "budget | line 7"})


class Balance(HTMLParser):
    """Checks that every element is closed, in order; collects tags and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def parsed(page: str) -> Balance:
    parser = Balance()
    parser.feed(page)
    parser.close()
    assert not parser.errors, parser.errors[:5]
    assert not parser.stack, f"unclosed: {parser.stack}"
    return parser


# --- every view in every format ------------------------------------------------------------------

@pytest.mark.parametrize("view, fmt", PAIRS)
def test_every_view_renders_every_format_it_offers(view, fmt):
    out = evaluate(SCENARIOS, "--view", view, "--format", fmt)
    if fmt == "json":
        assert len(json.loads(out)) == len(list(SCENARIOS.glob("*.yaml")))
    else:
        assert "Digisos (Norway)" in out and "R07" in out


@pytest.mark.parametrize("view", ["roadmap", "matrix"])
def test_json_is_the_report_view_only(view):
    result = CliRunner().invoke(main, ["evaluate", str(NATIONAL), "--view", view, "--format", "json"])
    assert result.exit_code == 2
    assert f"--view {view} is available with --format table, markdown, html, not json" in result.output


# --- HTML: well-formed, self-contained, escaped, streamed ----------------------------------------

@pytest.mark.parametrize("view", list(COMBINATIONS))
def test_html_is_one_well_formed_self_contained_page(view):
    page = evaluate(SCENARIOS, "--view", view, "--format", "html")
    parser = parsed(page)
    assert page.startswith("<!DOCTYPE html>") and page.count("<html") == 1
    assert "script" not in parser.tags and "<script" not in page.lower()
    links = [(tag, name, value) for tag, name, value in parser.attributes if name in ("src", "href")]
    # self-contained: nothing is loaded from elsewhere; the only outside links are references to open
    assert all(tag == "a" and name == "href" and (value.startswith("#") or value.startswith(("http://", "https://")))
               for tag, name, value in links), links
    assert "url(" not in page and "@import" not in page and "@media print" in page
    assert "<style>" in page and "<link" not in page


def test_html_report_draws_a_picture_per_scenario_and_folds_explanations():
    page = evaluate(SCENARIOS, "--format", "html")
    scenarios = len(list(SCENARIOS.glob("*.yaml")))
    assert page.count("<svg") == 2 * scenarios and page.count("<svg class=\"maturity\"") == scenarios
    assert page.count('<section class="scenario"') == scenarios
    assert "<details><summary>How this was concluded</summary>" in page
    for heading in ("Advice by priority", "EIF layers", "Still open", "Answers"):
        assert f"<h3>{heading}</h3>" in page
    assert "<code>legal_barriers</code>" in page  # a deciding question
    assert "knowledge base inGOV" in page and "2.0.0" in page


@pytest.mark.parametrize("view", list(COMBINATIONS))
def test_html_escapes_what_users_wrote(hostile, view):
    page = evaluate(hostile, "--view", view, "--format", "html")
    parsed(page)
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_html_report_shows_accepted_risks_and_notes_beside_answers(hostile):
    page = evaluate(hostile, "--format", "html")
    assert "<h3>Accepted risks</h3>" in page and "board said &lt;b&gt;no&lt;/b&gt;" in page
    assert '<span class="tag-accepted">accepted risk</span>' in page and "until 2027-01-31" in page
    row = re.search(r"<tr><td><code>dpia_done</code></td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    assert row and row.groups() == ("no", "memo &lt;img src=x onerror=alert(2)&gt;")
    assert "EIF 2017: <strong>15</strong>" in page


def test_html_writer_streams_head_sections_and_tail(expert):
    stream = io.StringIO()
    writer = make_writer("html", "report", False, stream)
    writer.write(expert.evaluate(NATIONAL))
    first = stream.getvalue()
    assert first.startswith("<!DOCTYPE html>") and first.count("<section") == 1 and "</html>" not in first
    writer.write(expert.evaluate(SCENARIOS / "digisos-norway.yaml"))
    assert stream.getvalue().count("<section") == 2 and "</html>" not in stream.getvalue()
    writer.close()
    parsed(stream.getvalue())
    assert stream.getvalue().endswith("</html>\n")


@pytest.mark.parametrize("view", list(COMBINATIONS))
def test_an_empty_batch_is_still_a_whole_page(view):
    stream = io.StringIO()
    writer = make_writer("html", view, False, stream)
    writer.close()
    parsed(stream.getvalue())
    assert "No scenario was evaluated." in stream.getvalue()


def test_construct_counts_add_up_to_the_outcomes(expert):
    for path in sorted(SCENARIOS.glob("*.yaml")):
        report = expert.evaluate(path)
        counts = construct_counts(report)
        assert list(counts) == list(report.constructs)
        for outcome, total in report.counts.items():
            assert sum(per[outcome] for per in counts.values()) == total, (path.name, outcome)


# --- roadmap ----------------------------------------------------------------------------------------

def test_roadmap_groups_by_timing_then_construct_in_roadmap_order(expert):
    order = list(expert.kb.meta.constructs)
    for path in sorted(SCENARIOS.glob("*.yaml")):
        report = expert.evaluate(path)
        groups = roadmap_groups(report)
        timings = [when for when, _ in groups]
        assert timings == [when for when in TIMINGS if when in timings]
        seen = []
        for when, constructs in groups:
            assert [order.index(c) for c, _ in constructs] == sorted(order.index(c) for c, _ in constructs)
            for construct, items in constructs:
                assert items and all(a.timing == when and a.construct == construct for a in items)
                assert [a.rank for a in items] == sorted(a.rank for a in items)
                seen += [a.id for a in items]
        assert sorted(seen) == sorted(a.id for a in report.advice)


def test_roadmap_table_reads_as_a_to_do_list():
    out = evaluate(NATIONAL, "--view", "roadmap")
    headings = [line for line in out.splitlines() if line.split(" —")[0] in ("Overdue", "Now", "Next")]
    assert [h.split(" —")[0] for h in headings] == ["Overdue", "Now", "Next"]
    items = re.findall(r"^    \[ \] (R\d+)", out, flags=re.MULTILINE)
    assert items == ["R07", "R14", "R15", "R16", "R18", "R23"]
    assert out.index("  Stakeholders' involvement") < out.index("  Implementation")
    assert "Roadmap for the delivery phase: 1 overdue, 4 now, 1 next." in out
    assert "Identify the lawful basis" in out  # the "what to do" text


def test_roadmap_marks_accepted_risks(hostile):
    table = evaluate(hostile, "--view", "roadmap")
    assert "[~] R07" in table and "accepted risk until 2027-01-31: board said <b>no</b>" in table
    markdown = evaluate(hostile, "--view", "roadmap", "--format", "markdown")
    assert "- *(accepted risk until 2027-01-31: board said &lt;b&gt;no&lt;/b&gt;)* **R07**" in markdown
    assert "- [ ] **R14**" in markdown and markdown.index("## Overdue") < markdown.index("## Now")


def test_roadmap_without_advice_says_what_is_still_open():
    out = evaluate(SCENARIOS / "app-io-italy.yaml", "--view", "roadmap")
    assert "Roadmap for the delivery phase: nothing to do yet, 17 recommendation(s) still open." in out
    assert "Open questions" in out and "    [ ] " not in out.split("Open questions")[0]


# --- matrix ---------------------------------------------------------------------------------------

EXPECTED_ROWS = {
    "Illustrative: national long-term care b…": "○ ○ ○ ○ ○ ○ ●C ○ ○ – ○ ○ ○ ●C ●M ●M ○ ●M ○ ○ ○ ○ ●M",
    "Illustrative: regional consortium desig…": "●H ●H ●H ●H ●H ●H ○ ●H ●M – – ○ ○ ○ ○ ○ ○ ○ ●M ○ ○ ●M –",
    "Digisos (Norway)": "○ ○ ? ? ? ? ? ? ? ? ? ? ○ ? ? ? ? ? ? ? ○ ? ?",  # R15 open since revision 2 of the case
    "Illustrative: cross-border branch regis…": "○ ○ ○ ○ ○ ○ ●C ○ ○ ●C ●H ●H ●H ●H ○ ○ ●H ○ ○ ●H ●H ●H ○",
}


def matrix_rows(table: str) -> dict[str, list[str]]:
    """Scenario (as shortened) -> its cells, from the matrix table."""
    rows = {}
    for line in table.splitlines()[2:]:
        if not line.strip():
            break
        rows[line[:40].rstrip()] = line[42:].split()
    return rows


def test_matrix_symbols_for_the_bundled_scenarios():
    table = evaluate(SCENARIOS, "--view", "matrix")
    rows = matrix_rows(table)
    for name, cells in EXPECTED_ROWS.items():
        assert rows[name] == cells.split(), name
    reports = json.loads(evaluate(SCENARIOS, "--format", "json"))
    symbols = {"satisfied": "○", "undetermined": "?", "not_applicable": "–"}
    letters = {"critical": "C", "high": "H", "medium": "M", "low": "L"}
    for report in reports:
        severity = {a["id"]: letters[a["severity"]] for a in report["advice"]}
        expected = [symbols.get(outcome) or "●" + severity[rec_id] for rec_id, outcome in report["outcomes"].items()]
        name = report["name"] if len(report["name"]) <= 40 else report["name"][:39] + "…"
        assert rows[name] == expected, name
    assert rows["advised in (of 10)"][:3] == ["1", "1", "1"]
    assert "Legend: ● advised" in table and "R23  Evaluate with stakeholders" in table


def test_matrix_is_one_row_per_scenario_in_every_format():
    count = len(list(SCENARIOS.glob("*.yaml")))
    markdown = evaluate(SCENARIOS, "--view", "matrix", "--format", "markdown")
    body = [line for line in markdown.splitlines() if line.startswith("| ") and not line.startswith("| scenario")]
    assert len(body) == count + 1 and body[-1].startswith("| *advised in (of 10)* |")
    assert "| Digisos (Norway) | ○ | ○ | ? |" in markdown
    page = evaluate(SCENARIOS, "--view", "matrix", "--format", "html")
    assert page.count('<th scope="row" title="') == count
    assert '<th colspan="5">Governance</th>' in page and 'title="R07: advised, critical">●C</td>' in page


def test_matrix_marks_accepted_advice_in_lower_case(hostile):
    rows = matrix_rows(evaluate(hostile, "--view", "matrix"))
    assert next(iter(rows.values()))[6] == "●c"


# --- table and Markdown report view ---------------------------------------------------------------

def test_table_marks_accepted_advice_and_lists_the_risks(hostile):
    out = evaluate(hostile)
    assert re.search(r"R07 .*data exchange \[accepted\]", out)
    assert "Accepted risks (advice the project has decided not to act on):" in out
    assert "  R07  until 2027-01-31: board said <b>no</b>" in out
    assert "EIF:" not in out
    explained = evaluate(hostile, "--explain")
    assert "  EIF: 15 Set a common security and privacy framework" in explained


def test_markdown_report_has_risks_eif_notes_open_questions_and_version(hostile):
    out = evaluate(hostile, "--format", "markdown")
    assert out.startswith("# &lt;script&gt;alert(1)&lt;/script&gt; & co") and EVIL not in out
    assert "> **Accepted risk** until 2027-01-31: board said &lt;b&gt;no&lt;/b&gt;" in out
    assert "| R07 | Establish a lawful basis and data protection for every data exchange | 2027-01-31 |" in out
    assert "EIF 2017: **15** Set a common security and privacy framework" in out
    assert "## EIF layers" in out and "| Underlying principles |" in out
    assert "- `dpia_done`: no — *note:* memo &lt;img src=x onerror=alert(2)&gt;" in out
    assert "- `funding`: multi_year — *note:* budget \\| line 7" in out
    assert "knowledge base 2.0.0" in out and "phase delivery" in out
    latvia = evaluate(SCENARIOS / "latvija-lv.yaml", "--format", "markdown")
    assert "## Still open" in latvia and "`legal_barriers`" in latvia


def test_notes_on_unanswered_facts_are_shown_as_unknown(tmp_path):
    path = national_with(tmp_path, answers={"phase": "design"}, notes={"funding": "asked the ministry"})
    assert "- `funding`: unknown — *note:* asked the ministry" in evaluate(path, "--format", "markdown")


# --- references --------------------------------------------------------------------------------

GDPR = "http://data.europa.eu/eli/reg/2016/679/oj"


@pytest.mark.parametrize("args", [["--explain"], ["--format", "markdown"], ["--format", "html"],
                                  ["--format", "json"]])
def test_every_format_shows_the_references_of_each_advice(args):
    result = CliRunner().invoke(main, ["evaluate", str(SCENARIOS / "illustrative-national-service-delivery.yaml"),
                                       *args])
    assert result.exit_code == 0, result.output
    assert GDPR in result.output
    if "json" in args:
        r07 = next(item for item in json.loads(result.output)[0]["advice"] if item["id"] == "R07")
        assert any(ref["url"] == GDPR and ref["kind"] == "law" and ref["title"] for ref in r07["references"])


def test_kb_show_lists_the_references():
    result = CliRunner().invoke(main, ["kb", "show", "R07"])
    assert "References" in result.output and GDPR in result.output
