"""Reports: what one evaluation concluded, ranked and explained.

Owns the Report models (``models``) and their plain-data twins that a batch builds and
writes (``data``, on ``plain``), priority and timing (``priority``), the explanations
built from the engine's trace (``explain``) and ``Expert``, which turns a scenario into
a Report through the engine (``expert``).

May import: ``engine``, ``knowledge`` and the top-level modules.
"""
