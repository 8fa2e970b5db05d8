"""Shell completion through click's _IPSEXPERT_COMPLETE: scripts for bash, zsh and fish, and
the knowledge base's own ids completed where a command takes one."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize("shell, opening", [("bash", "_ipsexpert_completion() {"),
                                            ("zsh", "#compdef ipsexpert"),
                                            ("fish", "function _ipsexpert_completion")])
def test_each_shell_gets_its_completion_script(shell, opening):
    result = run_cli(env={"_IPSEXPERT_COMPLETE": f"{shell}_source"})
    assert result.returncode == 0 and result.stdout.lstrip().startswith(opening), result.stdout[:200]


def complete(words: str) -> list[str]:
    result = run_cli(env={"_IPSEXPERT_COMPLETE": "bash_complete", "COMP_WORDS": words,
                          "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))})
    assert result.returncode == 0, result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines()]


def test_commands_options_and_choices_complete():
    assert {"init", "evaluate"} <= set(complete("ipsexpert "))
    assert complete("ipsexpert evaluate --format j") == ["json", "junit"]


def test_kb_show_completes_recommendation_and_fact_ids():
    assert complete("ipsexpert kb show R0") == [f"R0{n}" for n in range(1, 10)]
    assert complete("ipsexpert kb show legal_") == ["legal_barriers", "legal_basis_for_data_exchange"]
    assert complete("ipsexpert kb facts --construct go") == ["governance"]
