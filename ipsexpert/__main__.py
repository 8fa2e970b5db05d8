"""``python -m ipsexpert`` is the ``ipsexpert`` command."""

from .cli import main

main(prog_name="ipsexpert")
