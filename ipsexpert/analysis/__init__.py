"""Reasoning about reports and answers: models in, models out, no terminal.

Owns question selection for the consultation (``questions``), the what-if search
(``whatif``) and the diff of two assessments (``diff``). Nothing here prints or
formats for a screen: ``render`` does that.

May import: ``report``, ``engine``, ``knowledge`` and the top-level modules.
"""
