"""``ipsexpert evaluate``: a report per scenario, for a terminal, a wiki, a browser or CI.

The options a portfolio always passes can live in its settings file (``config``); an
option given here wins. The format follows ``--output``'s extension when ``--format``
is not given, and the run says on stderr where it wrote. A table or Markdown batch
ends with a summary line; ``junit`` makes each scenario a test suite for a CI dashboard.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .collector import collector_for_a_batch
from .common import (EXIT_FOUND, EXIT_USER_ERROR, FORMATS, SEVERITY_CHOICES, Choice, _Context, color_option,
                     kb_option, report_problems, settings, terminal_style, user_errors)

VIEWS = ("report", "roadmap", "matrix")
FORMAT_BY_SUFFIX = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown",
                    ".json": "json", ".xml": "junit", ".txt": "table"}
SUMMARISED = ("table", "markdown")


@click.command()
@click.argument("paths", nargs=-1, metavar="[FILE|FOLDER|-]...", type=click.Path(allow_dash=True))
@click.option("-f", "--format", "fmt", type=Choice(FORMATS), default=None,
              help="Output format [default: from --output's extension (.html, .md, .json, .xml for junit), "
                   "else the `format` setting, else table]. json prints one array with a report per scenario "
                   "(ended, if some files failed, by one {\"errors\": [...]} object); html one self-contained "
                   "page; junit JUnit XML for CI dashboards (a test suite per scenario).")
@click.option("--view", type=Choice(VIEWS), default="report", show_default=True,
              help="report: advice by rank; roadmap: advice by timing (overdue, now, next) and construct; "
                   "matrix: scenarios x recommendations, one symbol per outcome.")
@click.option("--explain", is_flag=True, help="With --format table and the report view: show how each advice "
                                             "was concluded.")
@click.option("--fail-on", type=Choice(SEVERITY_CHOICES), default=None,
              help="Exit 1 when any scenario gets advice of this severity or higher (for CI) "
                   "[default: the `fail-on` setting].")
@click.option("--select", default=None, metavar="IDS",
              help="Only these recommendations: ids or prefixes, comma-separated (R07,R1) [default: the `select` "
                   "setting, else all].")
@click.option("--ignore", default=None, metavar="IDS",
              help="Leave these recommendations out: ids or prefixes, comma-separated [default: the `ignore` "
                   "setting].")
@click.option("--exclude", multiple=True, metavar="PATTERN",
              help="Skip files found in folders that match this pattern (repeatable; a name, a path or a "
                   "folder, * as wildcard) [default: the `exclude` setting].")
@click.option("-r", "--recursive", is_flag=True, help="Search folders' subfolders too (not hidden ones).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="The date accepted risks' `until` is compared with (default: today): an expired acceptance "
                   "is shown as expired and counts for --fail-on again. Fixes runs in CI.")
@click.option("--trace", is_flag=True, help="Print the rules as they fire, per scenario, on stderr.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the output to this file (atomically) instead of standard output; "
                   "an existing file is replaced only if some scenario was evaluated.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes; 0 means one per core. Output is identical for any value.")
@color_option
@kb_option
def evaluate(paths, fmt, view, explain, fail_on, select, ignore, exclude, recursive, today, trace, output, jobs,
             color, kb_path) -> None:
    """Evaluate scenario files and print a report for each.

    FILE is a scenario in YAML or JSON, `-` one read from standard input; a FOLDER
    contributes every *.yaml, *.yml and *.json file in it, sorted by name (subfolders
    with --recursive; a link out of the folder is skipped), except files ipsexpert wrote
    (JSON reports, the schema) and those matched by --exclude. Without FILE or FOLDER,
    the `paths` setting (ipsexpert.toml, or [tool.ipsexpert] in pyproject.toml, found
    upwards from the current folder). Bad files are reported on stderr and at the end of
    the output, and the rest are still evaluated (exit 2 at the end). --output is
    replaced only by a run that evaluated something, and never when it is one of the
    inputs. With --fail-on, stderr names each advice that tripped it.

    \b
    Examples:
      ipsexpert evaluate scenarios/
      ipsexpert evaluate portfolio/ --recursive --fail-on high --output results.xml
      ipsexpert evaluate my-project.yaml --output report.html
      cat my-project.yaml | ipsexpert evaluate -
    """
    from .console import stop_signals
    with user_errors(), stop_signals():
        found = settings()
        fmt = output_format(fmt, output, found.format)
        check_options(fmt, view, explain)
        inputs = tuple(paths) or tuple(found.path(name) for name in found.paths)
        with terminal_style(color if fmt == "table" else "never", to_file=output is not None):
            run_batch(inputs, fmt=fmt, view=view, explain=explain, fail_on=fail_on or found.fail_on,
                      select=(select, found.select), ignore=(ignore, found.ignore), exclude=_exclude(exclude, found),
                      recursive=recursive, today=today.date() if today else date.today(), trace=trace,
                      output=output, jobs=jobs, kb_path=kb_path)


def output_format(fmt: str | None, output: str | None, setting: str | None) -> str:
    """--format, else what --output's extension says, else the setting, else table."""
    if fmt:
        return fmt
    by_suffix = FORMAT_BY_SUFFIX.get(Path(output).suffix.lower()) if output else None
    return by_suffix or setting or "table"


def check_options(fmt: str, view: str, explain: bool) -> None:
    """Refuse a combination that has no rendering, before any file is read."""
    from ..errors import IpsExpertError
    from ..render.output import check_combination
    if explain and view != "report":
        raise IpsExpertError(f"--explain works with --view report; the {view} has no room for explanations "
                             "(the roadmap gives each advice's text, the matrix one symbol per outcome): "
                             "leave out --explain, or use --view report")
    if fmt == "junit":
        if view != "report":
            raise IpsExpertError(f"--view {view} is available with --format table, markdown, html, not junit")
        return
    check_combination(fmt, view)


def _exclude(option: tuple[str, ...], found):
    from .paths import Exclude
    return Exclude(option, Path.cwd()) if option else Exclude(found.exclude, found.root)


def run_batch(inputs, *, kb_path, **options) -> None:
    """Evaluate the inputs into one document; exit 2 on a user error, 1 when --fail-on tripped."""
    from ..errors import IpsExpertError
    from ..knowledge.loading import load_knowledge_base
    from ..report.expert import Expert
    from .paths import STDIN

    if not inputs:
        raise IpsExpertError("no FILE or FOLDER given: name scenario files or folders (`-` for standard input), "
                             "or set `paths` in ipsexpert.toml or [tool.ipsexpert] in pyproject.toml")
    if list(inputs).count(STDIN) > 1:
        raise IpsExpertError("`-` (standard input) can be read once: name it once")
    with collector_for_a_batch() as loaded:
        expert = Expert(load_knowledge_base(kb_path))
        loaded()
        _evaluate_into_document(expert, inputs, **options)


def _evaluate_into_document(expert, inputs, *, fmt, view, explain, fail_on, select, ignore, exclude, recursive,
                            today, trace, output, jobs) -> None:
    from ..errors import IpsExpertError
    from ..files import atomic_writer, standard_output
    from ..render import colour, width
    from ..render.batch_summary import Tally
    from .batch import Delivery, evaluate_files, refuse_output_among_inputs, report_tripped
    from .paths import collect, skipped_words
    from .selection import kept_ids, selectors

    ids = list(expert.kb.recommendations)
    kept = kept_ids(ids, selectors(*select), selectors(*ignore))
    collected = collect(inputs, recursive, exclude)
    report_problems(collected.problems)
    if skipped := skipped_words(collected.skipped):
        click.echo(skipped, err=True)
    if output:
        refuse_output_among_inputs(output, collected.files)
    delivery = Delivery(fmt, view, explain, fail_on, today, kept, colour.enabled(), width.columns())
    problems = list(collected.problems)
    tripped: list[str] = []
    tally = Tally()
    with (atomic_writer(output) if output else standard_output()) as stream:
        writer = _writer(fmt, view, explain, stream, fail_on, today)
        results = evaluate_files(collected.files, expert, delivery, jobs, trace)
        for result in _progress(results, len(collected.files), fmt, output):
            if result.problems:
                if _Context.debug and result.error is not None:
                    raise result.error
                report_problems(result.problems)
                problems.extend(result.problems)
                continue
            _show_trace(result)
            if result.text is not None:
                writer.write_rendered(result.text)
            else:
                writer.write(result.report)
            tally.add(result.count)
            tripped += [f"{_name(result.path)}: {line}" for line in result.tripped]
        if output and not tally.scenarios:  # an output with no report would replace a good one with nothing
            raise IpsExpertError("left as it was: no scenario could be evaluated", file=output)
        writer.close(problems)
        failed = len({problem.file for problem in problems})
        if fmt in SUMMARISED and len(collected.files) + len({p.file for p in collected.problems}) > 1:
            _write_summary(stream, fmt, tally, failed)
    if output:
        click.echo(f"wrote {_name(output)}: {fmt}, {tally.scenarios} scenario{'s' if tally.scenarios != 1 else ''}"
                   + (f", {failed} file(s) not evaluated" if failed else ""), err=True)
    report_tripped(fail_on, tripped)
    if problems:
        sys.exit(EXIT_USER_ERROR)
    if tripped:
        sys.exit(EXIT_FOUND)


def _writer(fmt: str, view: str, explain: bool, stream, fail_on: str | None, today: date):
    """The writer for the format: JUnit's own, the others' from ``render.output``."""
    if fmt == "junit":
        from ..render.junit import JunitWriter
        return JunitWriter(stream, fail_on, today)
    from ..render.output import make_writer
    return make_writer(fmt, view, explain, stream)


def _write_summary(stream, fmt: str, tally, failed: int) -> None:
    from ..render.batch_summary import markdown_line, table_line
    stream.write(table_line(tally, failed) if fmt == "table" else markdown_line(tally, failed))


def _name(path: str) -> str:
    from ..safe_text import one_line
    return one_line(path)


def _show_trace(result) -> None:
    if result.trace is not None:
        click.echo(f"== trace: {_name(result.path)}", err=True)
        for line in result.trace:
            click.echo(line, err=True)


def _progress(results, total: int, fmt: str, output: str | None):
    """A progress bar on stderr for batches, only when stderr is a terminal."""
    if total < 2 or not sys.stderr.isatty() or (fmt in ("json", "junit") and not output):
        return results
    return _bar(results, total)


def _bar(results, total: int):
    with click.progressbar(results, length=total, label="Evaluating", file=sys.stderr) as bar:
        yield from bar
