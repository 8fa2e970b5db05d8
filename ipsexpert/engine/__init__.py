"""The inference engine: the knowledge base compiled into experta and run.

Owns the experta import shim (``compat``), the lean Rete matcher and its contract with
experta (``matcher``), the network builder's short cuts (``network``), the engine's run
without experta's per-run dead weight (``lean``), and the compilation of conditions
into rules plus the run and its trace (``compiled``).

May import: ``knowledge`` and the top-level modules.
"""
