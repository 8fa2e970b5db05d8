"""``ipsexpert init``: start a scenario from a template instead of from the README.

The file it writes is new or not written at all: it never replaces an existing file,
not even one created between the check and the write, since that file would be
someone's answers.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from .common import kb_option, user_errors

DEFAULT_FILE = "scenario.yaml"
EXISTS = "exists already and is left as it is: name another file, or remove it first"


@click.command()
@click.argument("path", required=False, default=DEFAULT_FILE, metavar="[FILE]",
                type=click.Path(dir_okay=False, allow_dash=True))
@kb_option
def init(path, kb_path) -> None:
    """Write a scenario template: every question as an `unknown` answer to fill in.

    FILE (default: scenario.yaml; `-` for standard output) gets a name (the file's),
    today's date as `as_of`, and every fact of the catalogue grouped by construct,
    each with its question and allowed values as comments, and a first line that
    points editors at the schema of `ipsexpert schema`. An existing FILE is never
    replaced (exit 2). The template loads as it is: `ipsexpert evaluate FILE`.

    \b
    Examples:
      ipsexpert init my-project.yaml
      ipsexpert init - > draft.yaml
    """
    with user_errors():
        from ..errors import IpsExpertError
        from ..knowledge.loading import load_knowledge_base
        from ..render.template import scenario_template
        name = "My project" if path == "-" else Path(path).stem
        text = scenario_template(load_knowledge_base(kb_path), name, date.today())
        if path == "-":
            click.echo(text, nl=False)
            return
        if os.path.lexists(path):
            raise IpsExpertError(EXISTS, file=path)
        write_new(path, text)
        count = text.count(": unknown\n")
        click.echo(f"wrote {path}: {count} questions, all unknown. Fill in what you know, then run: "
                   f"ipsexpert evaluate {path}", err=True)


def write_new(path: str, text: str) -> None:
    """Write ``text`` to a file that must not exist yet: created exclusively, so a file made
    by someone else since the check is never replaced, and removed again if the write fails."""
    from ..errors import OutputError
    try:
        with open(path, "x", encoding="utf-8") as handle:
            try:
                handle.write(text)
            except BaseException:
                os.unlink(path)
                raise
    except FileExistsError:
        raise OutputError(EXISTS, file=path) from None
    except OSError as exc:
        raise OutputError(f"cannot be written: {exc.strerror or exc}", file=path) from None
