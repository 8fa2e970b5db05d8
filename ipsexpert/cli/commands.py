"""The ``ipsexpert`` command line.

Heavy modules (experta, pydantic models) are imported inside the commands that need
them, so ``ipsexpert --help`` and ``--version`` start at the speed of click alone.
User errors print as ``file:line: field: message`` and exit 2; ``--debug`` shows the
traceback instead. Exit 1 means the check found something (``--fail-on``). SIGTERM and
SIGHUP stop a command as cleanly as Ctrl-C does (``console.stop_signals``): a file being
written is left as it was, and the exit code is the shell's for the signal (130, 143, 129).
"""

from __future__ import annotations

import atexit
import functools
import gc
import os
import sys

import click

from .. import __version__

from .common import _Context, kb_option, user_errors


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="ipsexpert")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors (for bug reports); the exit code stays "
                                           "the same.")
@click.option("--no-cache", is_flag=True,
              help="Read the knowledge base afresh instead of from its cache (as IPSEXPERT_NO_CACHE=1 does).")
def main(debug: bool, no_cache: bool) -> None:
    """Explained, prioritised advice for integrated public services.

    Describe an integrated public service project — in a scenario file or by answering
    questions — and get the inGOV framework's recommendations that apply to it: what to
    do first, why, which of your answers led there, and which open questions could
    still change the verdict.

    \b
    Examples:
      ipsexpert init my-project.yaml                a scenario template to fill in
      ipsexpert kb facts                            every question a scenario may answer
      ipsexpert evaluate scenarios/                 every bundled scenario, as tables
      ipsexpert evaluate my-project.yaml --format markdown --output report.md
      ipsexpert evaluate portfolio/ --fail-on high --output results.xml    JUnit for CI
      ipsexpert consult --save my-project.yaml      a question-and-answer consultation
      ipsexpert kb list                             the 23 recommendations
      ipsexpert kb show R07                         one recommendation or fact, in full

    Settings: ipsexpert.toml or [tool.ipsexpert] in pyproject.toml, found upwards from
    the current folder (paths, exclude, fail-on, format, kb, select, ignore); options win.
    Shell completion: eval "$(_IPSEXPERT_COMPLETE=bash_source ipsexpert)" (zsh_source, fish_source).

    Exit codes: 0 done; 1 advice at or above --fail-on (evaluate) or findings (kb check);
    2 a user error (bad file, bad option; also with --debug); 130 interrupted; 141 the reader
    of the output went away (e.g. `| head`); 143 and 129 stopped by SIGTERM and SIGHUP (output
    kept as it was).
    """
    _Context.debug = debug
    _skip_the_last_collection()
    if no_cache:
        os.environ["IPSEXPERT_NO_CACHE"] = "1"  # read by knowledge.cache, in this process and its workers


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


@functools.cache
def _skip_the_last_collection() -> None:
    """At exit, freeze what is left for the garbage collector, once per process.

    A command's objects (the knowledge base, its compiled network, the modules) are freed
    with the process; Python's last collection at exit would walk them all first, a
    sixth of a one-file ``evaluate``. Outputs and temporary files are closed and removed
    by the commands themselves, never left to a collector.
    """
    atexit.register(gc.freeze)


from .assessments import diff, merge, whatif  # noqa: E402  (registered on the group defined above)
from .evaluate import evaluate  # noqa: E402
from .init_command import init  # noqa: E402
from .kb_commands import kb  # noqa: E402

for _command in (evaluate, init, kb, whatif, diff, merge):
    main.add_command(_command)
