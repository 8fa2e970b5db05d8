"""What every command shares: the user-error boundary, choices, the --kb and --color options,
the terminal's colour and width, the exit codes."""

from __future__ import annotations

import difflib
import os
import shutil
import signal
import sys
import traceback
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import click

from ..render.colour import COLOR_CHOICES

SEVERITY_CHOICES = ("low", "medium", "high", "critical")
FORMATS = ("table", "markdown", "json", "html", "junit")
"""evaluate's formats; the other commands offer a few of them."""
EXIT_FOUND, EXIT_USER_ERROR, EXIT_BROKEN_PIPE = 1, 2, 141
STOP_WORDS = {"SIGINT": "interrupted", "SIGTERM": "terminated (SIGTERM)", "SIGHUP": "hung up (SIGHUP)"}


class _Context:
    debug = False


def report_problems(problems) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)


class OptionError(click.ClickException):
    """A user error found while options are read (a setting, the --kb folder): exit 2,
    shown as every other user error is, without click's usage lines."""

    exit_code = EXIT_USER_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn user errors into a clear message and exit 2; Ctrl-C, and SIGTERM or SIGHUP
    inside ``console.stop_signals``, into a word and the shell's code for the signal.

    ``--debug`` adds the traceback but keeps the exit code, so a script that tells a
    user error (2) from a finding (1) reads the same code with and without it.
    """
    from ..errors import IpsExpertError
    from .console import exit_code
    try:
        yield
    except IpsExpertError as exc:
        _traceback_if_debug()
        report_problems(exc.problems)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt as exc:  # console.Stopped for SIGTERM and SIGHUP
        _traceback_if_debug()
        code = exit_code(exc)
        click.echo(STOP_WORDS[signal.Signals(code - 128).name], err=True)
        sys.exit(code)
    except BrokenPipeError:
        # The reader (`| head`) has gone: stop quietly, with the shell's SIGPIPE code, which
        # cannot be mistaken for --fail-on's 1; nothing more can be written to stdout.
        sys.stdout = open(os.devnull, "w")
        sys.exit(EXIT_BROKEN_PIPE)


def _traceback_if_debug() -> None:
    if _Context.debug:
        traceback.print_exc()


class Choice(click.Choice):
    """click's Choice read case-insensitively (``-f JSON``), a typo answered with the nearest."""

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__(list(choices), case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            close = difflib.get_close_matches(str(value).lower(), list(self.choices), n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]}?)" if close else ""
            self.fail(f"{value!r} is not one of {', '.join(self.choices)}{hint}", param, ctx)


def settings():
    """The project's settings (``config``), a broken settings file reported as a user error."""
    from ..errors import IpsExpertError
    from .config import current
    try:
        return current()
    except IpsExpertError as exc:
        raise OptionError(str(exc)) from None


def kb_folder(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--kb, else the ``kb`` setting; refused here when it is no knowledge base, saying
    whether it does not exist or is not one (loading it would only say it failed)."""
    if value is None:
        return configured_kb()
    problem = kb_folder_problem(value)
    if problem:
        raise OptionError(f"--kb: {problem}")
    return value


def configured_kb() -> str | None:
    """The ``kb`` setting as a path from the current folder, checked; None without one."""
    found = settings()
    if found.kb is None:
        return None
    path = found.path(found.kb)
    problem = kb_folder_problem(path)
    if problem:
        raise OptionError(f"{found.file}: kb: {problem}")
    return path


def kb_folder_problem(path: str) -> str | None:
    """Why ``path`` is not a knowledge base folder, in words, or None when it is one."""
    from ..safe_text import one_line
    from .paths import did_you_mean, nearest_path
    shown = one_line(path)
    if not os.path.exists(path):
        suggestion = nearest_path(path, folders=True)
        return f"{shown} does not exist{did_you_mean(suggestion if suggestion and not _missing(suggestion) else None)}"
    if not os.path.isdir(path):
        return f"{shown} is a file; a knowledge base is a folder holding rules/ and facts/"
    missing = _missing(path)
    if missing:
        return (f"{shown} is not a knowledge base: it has no {' and no '.join(missing)} "
                "(a knowledge base is a folder holding rules/ and facts/)")
    return None


def _missing(folder: str) -> list[str]:
    """The parts of a knowledge base ``folder`` lacks."""
    return [part + "/" for part in ("rules", "facts") if not os.path.isdir(os.path.join(folder, part))]


kb_option = click.option(
    "--kb", "kb_path", type=click.Path(), default=None, metavar="FOLDER", callback=kb_folder,
    help="Use the knowledge base in FOLDER (holding rules/ and facts/) instead of the shipped one "
         "[default: the `kb` setting, if any].")

color_option = click.option(
    "--color", "color", type=Choice(COLOR_CHOICES), default="auto", show_default=True,
    help="Colour severities and outcomes in tables: auto (on a terminal, unless NO_COLOR is set), "
         "always or never. Tables also follow the terminal's width (COLUMNS).")


@contextmanager
def terminal_style(color: str, to_file: bool = False) -> Iterator[None]:
    """Colour and width for the tables rendered inside, from where they go and the
    environment; as they were again afterwards (a library caller renders plain text).

    A file (``--output``) gets no width limit, and colour only with ``--color always``.
    """
    from ..render import colour, width
    before = colour.enabled(), width.columns()
    to_terminal = not to_file and sys.stdout.isatty()
    colour.use(colour.wanted(color, to_terminal, os.environ))
    width.use(None if to_file else width.wanted(to_terminal, os.environ, shutil.get_terminal_size().columns))
    try:
        yield
    finally:
        colour.use(before[0])
        width.use(before[1])
