"""The command line: parse options, call the library, hand models to a renderer.

Owns the click commands (``commands``), batch orchestration with workers, progress and
``--fail-on`` (``batch``), and the terminal side of the consultation (``console``,
``consult``). The only package that prints.

May import: everything else of ipsexpert, click and tabulate.
"""
