"""Commands that compare or combine assessments: ``whatif``, ``diff``, ``merge``."""

from __future__ import annotations

import click

from .common import Choice, color_option, kb_option, terminal_style, user_errors


@click.command()
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--max-changes", type=click.IntRange(1, 2), default=2, show_default=True,
              help="1: single answer changes only; 2: also pairs of changes that work together.")
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
              help="List at most this many changes (0 lists all).")
@click.option("-f", "--format", "fmt", type=Choice(["table", "markdown", "json"]), default="table",
              show_default=True)
@color_option
@kb_option
def whatif(path, max_changes, top, fmt, color, kb_path) -> None:
    """The fewest answer changes that would remove the most severe advice.

    Tries changing each answer the project can act on (facts marked actionable in the
    catalogue, never the context) to every other answer, then pairs of changes that
    work together, re-running the rules for each. Changes rank by the most severe
    advice they remove, then by how far they lower the total priority score, then by
    fewer changes. Each shows the advice it removes, adds or re-grades; values of one
    fact that do the same are one row (`legal_barriers: found_unresolved → resolved or
    none_found`). For questions still unanswered, it shows what each possible answer
    would add or settle.

    \b
    Examples:
      ipsexpert whatif my-project.yaml
      ipsexpert whatif my-project.yaml --max-changes 1 --top 3
      ipsexpert whatif my-project.yaml --format json > whatif.json
    """
    with user_errors():
        from ..analysis.whatif import what_if
        from ..knowledge.loading import load_knowledge_base
        from ..render.whatif import render
        from ..report.expert import Expert
        expert = Expert(load_knowledge_base(kb_path))
        result = what_if(expert, path, max_changes=max_changes, top=top)
        with terminal_style(color if fmt == "table" else "never"):
            text = render(result, fmt)
        click.echo(text, nl=False, color=True)  # colour was decided above; click would strip it off a terminal


@click.command()
@click.argument("old", metavar="OLD", type=click.Path(dir_okay=False))
@click.argument("new", metavar="NEW", type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=Choice(["table", "markdown", "json"]), default="table",
              show_default=True, help="Output format; the json keys are listed in the README (diff: compare two "
                                      "assessments).")
@color_option
@kb_option
def diff(old, new, fmt, color, kb_path) -> None:
    """Compare two assessments of a project: answers, advice, outcomes.

    OLD and NEW are each a scenario file (evaluated now) or a saved
    `ipsexpert evaluate --format json` output holding one report. Shows the answers
    added, removed and changed; the advice resolved, new, left undetermined or changed
    in severity or score (advice that only moved in rank is one line); and the outcome
    counts before and after. Warns when the two name different projects, and when they
    were made with different knowledge bases, naming the recommendations whose rules a
    revision changed in between. Exit 0 whatever the differences.

    \b
    Examples:
      ipsexpert diff last-year.yaml my-project.yaml
      ipsexpert evaluate my-project.yaml --format json --output 2024.json
      ipsexpert diff 2024.json my-project.yaml --format markdown
    """
    with user_errors():
        from ..analysis.diff import Assessments
        from ..render.diff import render
        result = with_project_warning(Assessments(kb_path).diff(old, new))
        with terminal_style(color if fmt == "table" else "never"):
            text = render(result, fmt)
        click.echo(text, nl=False, color=True)  # colour was decided above; click would strip it off a terminal


def with_project_warning(result):
    """The diff, warned when its two sides name different projects: comparing two projects'
    assessments is usually a slip of the file name, and the diff would read as one project's change."""
    from ..safe_text import one_line

    def normal(name: str) -> str:
        return " ".join(name.casefold().split())

    if normal(result.old.name) == normal(result.new.name):
        return result
    warning = (f"the two assessments name different projects ({one_line(result.old.name)!r} and "
               f"{one_line(result.new.name)!r}): is this the project you meant to compare?")
    return result.model_copy(update={"warnings": [*result.warnings, warning]})


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="SCENARIO...", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Write the merged scenario to FILE (never over one of the inputs) instead of standard output.")
@kb_option
def merge(paths, output, kb_path) -> None:
    """Combine several respondents' scenarios of one project into one assessment.

    Where all known answers agree, that answer (and who gave it); where one respondent
    knows and another does not, the known answer; where they disagree, the question is
    recorded under `disputed` with each respondent's answer and note, and evaluated as
    unknown until it is settled. The result is a normal scenario: evaluate, whatif, diff
    and consult --resume read it, and its reports open with the disagreements. Each
    input names its respondent with `respondent:` (or `consult --respondent`); an input
    without one is known by its file name.

    \b
    Examples:
      ipsexpert merge ministry.yaml agency.yaml municipality.yaml --output project.yaml
      ipsexpert evaluate project.yaml
    """
    with user_errors():
        from ..analysis.merge import merge as merge_scenarios
        from ..files import write_atomically
        from ..knowledge.loading import load_knowledge_base
        from ..knowledge.scenario import load_scenario
        from ..render.scenario_file import scenario_yaml
        from .batch import refuse_output_among_inputs
        kb = load_knowledge_base(kb_path)
        merged = merge_scenarios([load_scenario(path, kb) for path in paths])
        text = scenario_yaml(merged, kb)
        if output:
            refuse_output_among_inputs(output, list(paths))
            write_atomically(output, text)
            click.echo(f"wrote {output}: {len(merged.respondents)} respondents, "
                       f"{len(merged.disputed)} disputed question(s)", err=True)
        else:
            click.echo(text, nl=False)
