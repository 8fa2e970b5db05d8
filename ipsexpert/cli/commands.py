"""The ``ipsexpert`` command line.

Heavy modules (experta, pydantic models) are imported inside the commands that need
them, so ``ipsexpert --help`` and ``--version`` start at the speed of click alone.
User errors print as ``file:line: field: message`` and exit 2; ``--debug`` shows the
traceback instead. Exit 1 means the check found something (``--fail-on``). SIGTERM and
SIGHUP stop a command as cleanly as Ctrl-C does (``console.stop_signals``): a file being
written is left as it was, and the exit code is the shell's for the signal (130, 143, 129).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from contextlib import contextmanager
from datetime import date
from typing import Iterator

import click

from .. import __version__

SEVERITY_CHOICES = ("low", "medium", "high", "critical")
EXIT_FOUND, EXIT_USER_ERROR, EXIT_BROKEN_PIPE = 1, 2, 141
STOP_WORDS = {"SIGINT": "interrupted", "SIGTERM": "terminated (SIGTERM)", "SIGHUP": "hung up (SIGHUP)"}


class _Context:
    debug = False


def report_problems(problems) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn user errors into a clear message and exit 2; Ctrl-C, and SIGTERM or SIGHUP
    inside ``console.stop_signals``, into a word and the shell's code for the signal."""
    from ..errors import IpsExpertError
    from .console import exit_code
    try:
        yield
    except IpsExpertError as exc:
        if _Context.debug:
            raise
        report_problems(exc.problems)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt as exc:  # console.Stopped for SIGTERM and SIGHUP
        if _Context.debug:
            raise
        code = exit_code(exc)
        click.echo(STOP_WORDS[signal.Signals(code - 128).name], err=True)
        sys.exit(code)
    except BrokenPipeError:
        # The reader (`| head`) has gone: stop quietly, with the shell's SIGPIPE code, which
        # cannot be mistaken for --fail-on's 1; nothing more can be written to stdout.
        sys.stdout = open(os.devnull, "w")
        sys.exit(EXIT_BROKEN_PIPE)


kb_option = click.option(
    "--kb", "kb_path", type=click.Path(file_okay=False), default=None, metavar="FOLDER",
    help="Use the knowledge base in FOLDER (holding rules/ and facts/) instead of the shipped one.")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="ipsexpert")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors (for bug reports).")
def main(debug: bool) -> None:
    """Explained, prioritised advice for integrated public services.

    Describe an integrated public service project — in a scenario file or by answering
    questions — and get the inGOV framework's recommendations that apply to it: what to
    do first, why, which of your answers led there, and which open questions could
    still change the verdict.

    \b
    Examples:
      ipsexpert evaluate scenarios/                 every bundled scenario, as tables
      ipsexpert evaluate my-project.yaml --format markdown --output report.md
      ipsexpert evaluate portfolio/ --format json --fail-on high --jobs 0
      ipsexpert consult --save my-project.yaml      a question-and-answer consultation
      ipsexpert kb list                             the 23 recommendations
      ipsexpert kb show R07                         one recommendation or fact, in full

    Exit codes: 0 done; 1 advice at or above --fail-on (evaluate) or findings (kb check);
    2 a user error (bad file, bad option); 130 interrupted; 141 the reader of the output
    went away (e.g. `| head`); 143 and 129 stopped by SIGTERM and SIGHUP (output kept as it was).
    """
    _Context.debug = debug


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="FILE|FOLDER...")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "markdown", "json", "html"]), default="table",
              show_default=True, help="Output format. json prints one array with a report per scenario "
                                      "(ended, if some files failed, by one {\"errors\": [...]} object); "
                                      "html one self-contained page.")
@click.option("--view", type=click.Choice(["report", "roadmap", "matrix"]), default="report", show_default=True,
              help="report: advice by rank; roadmap: advice by timing (overdue, now, next) and construct; "
                   "matrix: scenarios x recommendations, one symbol per outcome.")
@click.option("--explain", is_flag=True, help="With --format table: show how each advice was concluded.")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default=None,
              help="Exit 1 when any scenario gets advice of this severity or higher (for CI).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="The date accepted risks' `until` is compared with (default: today): an expired acceptance "
                   "is shown as expired and counts for --fail-on again. Fixes runs in CI.")
@click.option("--trace", is_flag=True, help="Print the rules as they fire, per scenario, on stderr.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the output to this file (atomically) instead of standard output; "
                   "an existing file is replaced only if some scenario was evaluated.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes; 0 means one per core. Output is identical for any value.")
@kb_option
def evaluate(paths, fmt, view, explain, fail_on, today, trace, output, jobs, kb_path) -> None:
    """Evaluate scenario files and print a report for each.

    FILE is a scenario in YAML or JSON; a FOLDER contributes every *.yaml, *.yml and
    *.json file in it, sorted by name (a link out of the folder is skipped). Bad files
    are reported on stderr and at the end of the output, and the rest are still
    evaluated (exit 2 at the end). --output is replaced only by a run that evaluated
    something, and never when it is one of the inputs. With --fail-on, stderr names
    each advice that tripped it.
    """
    from .console import stop_signals
    with user_errors(), stop_signals():
        from .batch import Delivery, collect, evaluate_files, refuse_output_among_inputs, report_tripped
        from ..errors import IpsExpertError
        from ..files import atomic_writer, standard_output
        from ..report.expert import Expert
        from ..knowledge.loading import load_knowledge_base
        from ..render.output import check_combination, make_writer
        from ..safe_text import one_line

        check_combination(fmt, view)
        # Each scenario allocates tens of thousands of short-lived objects (tokens, steps,
        # strings) and frees them all; at Python's default of a young-generation
        # collection every 700 allocations the collector runs dozens of times per file for
        # nothing. A larger threshold takes ~5% off a batch (benchmarks/run.py).
        gc.set_threshold(20_000, *gc.get_threshold()[1:])
        expert = Expert(load_knowledge_base(kb_path))
        today = today.date() if today else date.today()
        files, problems = collect(paths)
        report_problems(problems)
        if output:
            refuse_output_among_inputs(output, files)
        tripped: list[str] = []
        with (atomic_writer(output) if output else standard_output()) as stream:
            writer = make_writer(fmt, view, explain, stream)
            delivery = Delivery(fmt, view, explain, fail_on, today)
            results = evaluate_files(files, expert, delivery, jobs, trace)
            evaluated = 0
            for result in _progress(results, len(files), fmt, output):
                if result.problems:
                    if _Context.debug and result.error is not None:
                        raise result.error
                    report_problems(result.problems)
                    problems.extend(result.problems)
                    continue
                if result.trace is not None:
                    click.echo(f"== trace: {one_line(result.path)}", err=True)
                    for line in result.trace:
                        click.echo(line, err=True)
                if result.text is not None:
                    writer.write_text(result.text)
                else:
                    writer.write(result.report)
                evaluated += 1
                tripped += [f"{one_line(result.path)}: {line}" for line in result.tripped]
            if output and not evaluated:  # an output with no report would replace a good one with nothing
                raise IpsExpertError("left as it was: no scenario could be evaluated", file=output)
            writer.close(problems)
        report_tripped(fail_on, tripped)
        if problems:
            sys.exit(EXIT_USER_ERROR)
        if tripped:
            sys.exit(EXIT_FOUND)


def _progress(results, total: int, fmt: str, output: str | None):
    """A progress bar on stderr for batches, only when stderr is a terminal."""
    if total < 2 or not sys.stderr.isatty() or (fmt == "json" and not output):
        return results
    return _bar(results, total)


def _bar(results, total: int):
    with click.progressbar(results, length=total, label="Evaluating", file=sys.stderr) as bar:
        yield from bar


@main.group()
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


@main.command()
@click.option("--save", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Save the answers to FILE as they are given. An existing FILE is replaced (at the first "
                   "answer, its content kept in FILE.bak) only if it holds a consultation "
                   "(description: Consultation) or with --force "
                   "[default: ipsexpert-consultation.yaml, never replaced].")
@click.option("--resume", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Continue the consultation saved in FILE (any scenario file will do); "
                   "answers go back into FILE, its comments and layout kept, unless --save names another.")
@click.option("--force", is_flag=True,
              help="Let --save replace a FILE that does not hold a consultation (kept in FILE.bak).")
@kb_option
def consult(save, resume, force, kb_path) -> None:
    """A question-and-answer consultation that asks only what can still matter.

    One question at a time, and only while its answer can still change a
    recommendation's outcome, the severity of advice or its rank; then the report.
    At every question you may also type: unknown (or ?), why (which recommendations
    depend on it), help, back, change FACT_ID (reopen an earlier answer), quit.
    Answers are saved after each one as a scenario file that `ipsexpert evaluate`
    reads; nothing is written before the first. Standard input may be a script:
    answers are read one per line. One consultation at a time per file.

    \b
    Examples:
      ipsexpert consult
      ipsexpert consult --save my-project.yaml
      ipsexpert consult --resume my-project.yaml
      ipsexpert consult --save scripted.yaml < answers.txt    one answer a line

    Exit codes: 0 finished, stopped with quit or at the end of input; 2 a user error
    (an existing default file, a file that is not a consultation's without --force, a
    file in use by another consultation, a bad file to resume); 130 interrupted with
    Ctrl-C, 143 terminated (SIGTERM), 129 hung up (SIGHUP), answers kept in each case.
    """
    with user_errors():
        from .consult import run_consultation
        sys.exit(run_consultation(save=save, resume=resume, kb_path=kb_path, force=force))
# --- end of consult ---------------------------------------------------------------------


@main.command()
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--max-changes", type=click.IntRange(1, 2), default=2, show_default=True,
              help="1: single answer changes only; 2: also pairs of changes that work together.")
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
              help="List at most this many changes (0 lists all).")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table",
              show_default=True)
@kb_option
def whatif(path, max_changes, top, fmt, kb_path) -> None:
    """The fewest answer changes that would remove the most severe advice.

    Tries changing each answer the project can act on (facts marked actionable in the
    catalogue, never the context) to every other answer, then pairs of changes that
    work together, re-running the rules for each. Changes rank by the most severe
    advice they remove, then by how far they lower the total priority score, then by
    fewer changes. Each shows the advice it removes, adds or re-grades. For questions
    still unanswered, it shows what each possible answer would add or settle.

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
        click.echo(render(what_if(expert, path, max_changes=max_changes, top=top), fmt), nl=False)


@main.command()
@click.argument("old", metavar="OLD", type=click.Path(dir_okay=False))
@click.argument("new", metavar="NEW", type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table",
              show_default=True, help="Output format; json keys are described in ipsexpert/analysis/diff.py.")
@kb_option
def diff(old, new, fmt, kb_path) -> None:
    """Compare two assessments of a project: answers, advice, outcomes.

    OLD and NEW are each a scenario file (evaluated now) or a saved
    `ipsexpert evaluate --format json` output holding one report. Shows the answers
    added, removed and changed; the advice resolved, new, left undetermined or changed
    in severity, rank or score; and the outcome counts before and after. Warns when
    the two were made with different knowledge bases, naming the recommendations whose
    rules a revision changed in between. Exit 0 whatever the differences.

    \b
    Examples:
      ipsexpert diff last-year.yaml my-project.yaml
      ipsexpert evaluate my-project.yaml --format json --output 2024.json
      ipsexpert diff 2024.json my-project.yaml --format markdown
    """
    with user_errors():
        from ..analysis.diff import Assessments
        from ..render.diff import render
        click.echo(render(Assessments(kb_path).diff(old, new), fmt), nl=False)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the schema to this file instead of standard output.")
@kb_option
def schema(output, kb_path) -> None:
    """The JSON Schema of scenario files, for editors that validate as you type.

    \b
    Save it and point your editor at it, for example with a first line in a scenario:
      # yaml-language-server: $schema=ipsexpert-scenario.schema.json
    """
    from .console import stop_signals
    with user_errors(), stop_signals():
        import json

        from ..files import write_atomically
        from ..knowledge.loading import load_knowledge_base
        from ..knowledge.schema import scenario_schema
        text = json.dumps(scenario_schema(load_knowledge_base(kb_path)), indent=2) + "\n"
        if output:
            write_atomically(output, text)
        else:
            click.echo(text, nl=False)
