"""What every command shares: the user-error boundary, the --kb option, the exit codes."""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from typing import Iterator

import click

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
