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
import sys
from datetime import date

import click

from .. import __version__

from .common import EXIT_FOUND, EXIT_USER_ERROR, SEVERITY_CHOICES, _Context, kb_option, report_problems, user_errors


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
@click.option("--respondent", default=None, metavar="TEXT",
              help="Who answers: the organisation and the role, e.g. \"Ministry of Finance, digital unit\"; "
                   "saved as `respondent:` (a resumed file that names one keeps it), for `ipsexpert merge`.")
@kb_option
def consult(save, resume, force, respondent, kb_path) -> None:
    """A question-and-answer consultation that asks only what can still matter.

    One question at a time, and only while its answer can still change a
    recommendation's outcome, the severity of advice or its rank; then the report.
    At every question you may also type: unknown (or ?), why (which recommendations
    depend on it; why more for the rules), help, back, change FACT_ID (reopen an
    earlier answer), quit. At a terminal it first asks the project's name and the
    date the answers describe, if the file lacks them (Enter skips). Answers are
    saved after each one as a scenario file that `ipsexpert evaluate` reads; nothing
    is written before the first. Standard input may be a script: one answer a line,
    or FACT_ID=value for any question that still matters, and name=... or as_of=...
    for the project; a line that cannot be taken stops the script (exit 2, answers
    kept). One consultation at a time per file.

    \b
    Examples:
      ipsexpert consult
      ipsexpert consult --save my-project.yaml
      ipsexpert consult --resume my-project.yaml
      ipsexpert consult --save scripted.yaml < answers.txt    one answer a line
      ipsexpert consult --resume merged.yaml --respondent "Steering committee"

    Exit codes: 0 finished, stopped with quit or at the end of input; 2 a user error
    (an existing default file, a file that is not a consultation's without --force, a
    file in use by another consultation, a bad file to resume, a script's line that
    cannot be taken); 130 interrupted with Ctrl-C, 143 terminated (SIGTERM), 129 hung
    up (SIGHUP), answers kept in each case.
    """
    with user_errors():
        from .consult import run_consultation
        sys.exit(run_consultation(save=save, resume=resume, kb_path=kb_path, force=force, respondent=respondent))
# --- end of consult ---------------------------------------------------------------------


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


from .assessments import diff, merge, whatif  # noqa: E402  (registered on the group defined above)
from .kb_commands import kb  # noqa: E402

for _command in (kb, whatif, diff, merge):
    main.add_command(_command)
