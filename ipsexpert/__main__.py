"""``python -m ipsexpert`` is the ``ipsexpert`` command."""

from .cli.commands import main

main(prog_name="ipsexpert")
