"""``ipsexpert kb``: read, check and test the knowledge base.

``kb show`` and ``kb facts --construct`` complete the knowledge base's own ids in the shell.
"""

from __future__ import annotations

import sys

import click

from .common import EXIT_FOUND, Choice, configured_kb, kb_folder_problem, kb_option, terminal_style, user_errors


@click.group()
def kb() -> None:
    """Read and verify the knowledge base: list, show, check, test."""


@kb.command("list")
@click.option("-f", "--format", "fmt", type=Choice(["table", "json"]), default="table", show_default=True)
@kb_option
def kb_list(fmt, kb_path) -> None:
    """Every recommendation with its id, title, construct, phases and severity."""
    with user_errors():
        from ..render.kb import list_recommendations
        from ..knowledge.loading import load_knowledge_base
        click.echo(list_recommendations(load_knowledge_base(kb_path), fmt))


def _kb_ids(ctx: click.Context, kind: str) -> list[str]:
    """Ids for shell completion, from the --kb given so far or the shipped knowledge base;
    nothing when it cannot be loaded (completion must never print an error)."""
    from ..errors import IpsExpertError
    from ..knowledge.loading import load_knowledge_base
    try:
        base = load_knowledge_base(ctx.params.get("kb_path"))
    except IpsExpertError:
        return []
    if kind == "constructs":
        return list(dict.fromkeys(fact.construct for fact in base.facts.values()))
    return [*base.recommendations, *base.facts, *base.derived]


def _complete_constructs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    return [name for name in _kb_ids(ctx, "constructs") if name.startswith(incomplete.lower())]


def _complete_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    return [item for item in _kb_ids(ctx, "ids") if item.lower().startswith(incomplete.lower())]


@kb.command("facts")
@click.option("--construct", default=None, metavar="CONSTRUCT", shell_complete=_complete_constructs,
              help="Only the facts of this construct (context, governance, formal_agreements, ...).")
@click.option("-f", "--format", "fmt", type=Choice(["table", "markdown", "json"]), default="table",
              show_default=True)
@kb_option
def kb_facts(construct, fmt, kb_path) -> None:
    """Every fact a scenario may answer: id, construct, type, allowed answers, question.

    In catalogue order, the order `ipsexpert init` writes them. `ipsexpert kb show
    FACT` gives a fact's help and what each answer means.
    """
    with user_errors():
        from ..errors import IpsExpertError
        from ..knowledge.catalogue import suggest
        from ..knowledge.loading import load_knowledge_base
        from ..render.kb import list_facts
        base = load_knowledge_base(kb_path)
        facts = list(base.facts.values())
        if construct is not None:
            constructs = list(dict.fromkeys(fact.construct for fact in facts))
            wanted = construct.strip().lower()
            if wanted not in constructs:
                raise IpsExpertError(f"--construct {construct!r}: no such construct{suggest(wanted, constructs)}; "
                                     f"the constructs are {', '.join(constructs)}")
            facts = [fact for fact in facts if fact.construct == wanted]
        with terminal_style("never"):  # no colour, the terminal's width
            click.echo(list_facts(base, facts, fmt))


@kb.command("show")
@click.argument("item_id", metavar="ID", shell_complete=_complete_ids)
@kb_option
def kb_show(item_id, kb_path) -> None:
    """A page for one recommendation (e.g. R07) or fact (e.g. legal_barriers)."""
    with user_errors():
        from ..knowledge.pages import show
        from ..knowledge.loading import load_knowledge_base
        click.echo(show(load_knowledge_base(kb_path), item_id))


@kb.command("check")
@click.argument("path", required=False, type=click.Path(), metavar="[FOLDER]")
def kb_check(path) -> None:
    """Verify a knowledge base (FOLDER holding rules/ and facts/, the `kb` setting, or the shipped one).

    Reports unknown facts or values, facts nothing reads, ask_if conditions that could
    hide a question that matters, recommendations that can never be advised or are
    advised on every profile, redundant conditions, derivation cycles, missing or
    failing examples. Exit 0 clean, 1 findings, 2 unreadable or not a knowledge base.
    """
    with user_errors():
        from ..errors import IpsExpertError, KnowledgeBaseError
        from ..knowledge.check import check
        from ..knowledge.loading import load_knowledge_base
        path = path if path is not None else configured_kb()
        problem = kb_folder_problem(path) if path is not None else None
        if problem:
            raise IpsExpertError(problem)
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
        from .paths import collect
        collected = collect(paths)
        if collected.problems:
            raise IpsExpertError(problems=collected.problems)
        checked = run_tests(Expert(load_knowledge_base(kb_path)), collected.files)
        for failure in checked.failures:
            click.echo(str(failure))
        counted = f"{checked.examples} examples and {checked.expectations} scenario expectations"
        if checked.failures:
            click.echo(f"{len(checked.failures)} failure(s) in {counted}")
            sys.exit(EXIT_FOUND)
        click.echo(f"ok: {counted} hold")
