"""The one-page summary for a steering committee, at the top of HTML and Markdown reports."""

from __future__ import annotations

from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import SCENARIOS

CROSS_BORDER = SCENARIOS / "illustrative-cross-border-evaluation.yaml"


def render(path, fmt: str) -> str:
    result = CliRunner().invoke(main, ["evaluate", str(path), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_markdown_opens_with_the_summary_and_its_decisions_in_rank_order():
    out = render(CROSS_BORDER, "markdown")
    summary = out[out.index("## Summary for the steering committee"):out.index("## Advice by priority")]
    decisions = [line for line in summary.splitlines() if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert len(decisions) == 5 and decisions[0].startswith("1. ▲▲ critical — Establish a lawful basis")
    assert "**Where we stand**" in summary and "not an inGOV artefact" in summary
    assert "**Overdue:**" in summary and "**Still open:** nothing" in summary
    assert "▲▲ critical, ▲ high, ■ medium, · low" in summary  # every symbol explained where it appears


def test_html_summary_comes_first_with_shape_cues_small_ids_and_the_path_in_a_footer():
    page = render(CROSS_BORDER, "html")
    section = page[page.index('<section class="scenario"'):]
    assert section.index('<div class="summary">') < section.index("Advice by priority")
    assert '<span class="sev sev-critical">▲▲ critical</span>' in section
    assert '<span class="sev sev-high">▲ high</span>' in section
    assert '<span class="id">R07</span>' in section
    header = section[:section.index('<div class="summary">')]
    assert str(CROSS_BORDER) not in header and f"Scenario file: <code>{CROSS_BORDER}</code>" in section


def test_the_summary_says_what_is_open_and_which_questions_settle_most():
    out = render(SCENARIOS / "digisos-norway.yaml", "markdown")
    summary = out[out.index("## Summary"):out.index("**Outcomes:**")]
    assert "**Still open:** 19 recommendation(s) wait for answers" in summary
    assert "None: no advice is given yet." in summary
