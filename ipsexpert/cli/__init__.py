"""The command line: parse options, call the library, hand models to a renderer.

Owns the click commands (``commands`` with ``common``, ``evaluate``, ``init_command``,
``kb_commands``, ``assessments``), the project's settings (``config``), which files a
run reads (``paths``) and which recommendations it speaks of (``selection``), batch
orchestration with workers, progress and ``--fail-on`` (``batch``), and the
terminal side of the consultation: reading and prompting (``console``), the dialogue
over the library's ``Consultation`` (``consult``, its texts in ``consult_words``), and
the file it saves into — lock, backup, round-trip editing (``consult_file``,
``consult_documents``). The only package that prints.

May import: everything else of ipsexpert, click and tabulate.
"""
