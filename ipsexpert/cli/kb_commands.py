"""``ipsexpert kb``: read, check and test the knowledge base."""

from __future__ import annotations

import sys

import click

from .common import EXIT_FOUND, kb_option, user_errors


@click.group()
def kb() -> None:
    """Read and verify the knowledge base: list, show, check, test."""


@kb.command("list")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@kb_option
def kb_list(fmt, kb_path) -> None:
    """Every recommendation with its id, title, construct, phases and severity."""
    with user_errors():
        from ..render.kb import list_recommendations
        from ..knowledge.loading import load_knowledge_base
        click.echo(list_recommendations(load_knowledge_base(kb_path), fmt))


@kb.command("show")
@click.argument("item_id", metavar="ID")
@kb_option
def kb_show(item_id, kb_path) -> None:
    """A page for one recommendation (e.g. R07) or fact (e.g. legal_barriers)."""
    with user_errors():
        from ..knowledge.pages import show
        from ..knowledge.loading import load_knowledge_base
        click.echo(show(load_knowledge_base(kb_path), item_id))


@kb.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False), metavar="[FOLDER]")
def kb_check(path) -> None:
    """Verify a knowledge base (the shipped one, or FOLDER holding rules/ and facts/).

    Reports unknown facts or values, facts nothing reads, ask_if conditions that could
    hide a question that matters, recommendations that can never be advised or are
    advised on every profile, redundant conditions, derivation cycles, missing or
    failing examples. Exit 0 clean, 1 findings, 2 unreadable.
    """
    with user_errors():
        from ..errors import KnowledgeBaseError
        from ..knowledge.check import check
        from ..knowledge.loading import load_knowledge_base
        try:
            kb = load_knowledge_base(path)
        except KnowledgeBaseError as exc:
            if exc.unreadable:
                raise
            for problem in exc.problems:
                click.echo(str(problem))
            click.echo(f"{len(exc.problems)} finding(s); the knowledge base cannot be used until they are fixed")
            sys.exit(EXIT_FOUND)
        findings = check(kb)
        for finding in findings:
            click.echo(str(finding))
        click.echo(f"{len(findings)} finding(s) in {kb.path}" if findings
                   else f"ok: {len(kb.recommendations)} recommendations, {len(kb.facts)} facts, "
                        f"{len(kb.derived)} derived facts in {kb.path}")
        if findings:
            sys.exit(EXIT_FOUND)


@kb.command("test")
@click.argument("paths", nargs=-1, metavar="[SCENARIO|FOLDER]...")
@kb_option
def kb_test(paths, kb_path) -> None:
    """Run every rule's examples, and the `expect` block of each scenario given, through the engine.

    Each failure is one line, FILE:LINE: ID: expected ..., got ... — as a linter reports.
    Exit 0 when all pass, 1 on any failure, 2 when a file cannot be read.

    \b
    Examples:
      ipsexpert kb test                          the shipped rules' examples
      ipsexpert kb test --kb my-kb scenarios/    an edited knowledge base and its scenarios
    """
    with user_errors():
        from ..analysis.kbtest import kb_test as run_tests
        from ..errors import IpsExpertError
        from ..knowledge.loading import load_knowledge_base
        from ..report.expert import Expert
        from .batch import collect
        files, problems = collect(paths)
        if problems:
            raise IpsExpertError(problems=problems)
        checked = run_tests(Expert(load_knowledge_base(kb_path)), files)
        for failure in checked.failures:
            click.echo(str(failure))
        counted = f"{checked.examples} examples and {checked.expectations} scenario expectations"
        if checked.failures:
            click.echo(f"{len(checked.failures)} failure(s) in {counted}")
            sys.exit(EXIT_FOUND)
        click.echo(f"ok: {counted} hold")
