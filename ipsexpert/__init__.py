"""ipsexpert: explained, prioritised advice for integrated public services.

The public API is loaded on first use, so that ``ipsexpert --help`` and ``--version``
start without importing the engine or the models they do not need.

The package is a house of rooms, each importing only the rooms below it:
``cli`` → ``render`` → ``analysis`` → ``report`` → ``engine`` → ``knowledge``, and at
the bottom the top-level modules ``errors`` (the one exception family), ``documents``
and ``yaml_nodes`` (reading untrusted YAML and JSON) and ``files`` (writing safely).
Each room's ``__init__`` says what it owns; ``tests/test_layout.py`` holds the rule.
"""

from __future__ import annotations

__version__ = "0.1.0"

_EXPORTS = {
    "evaluate": "report.expert",
    "Expert": "report.expert",
    "load_knowledge_base": "knowledge.loading",
    "KnowledgeBase": "knowledge.base",
    "Scenario": "knowledge.scenario",
    "load_scenario": "knowledge.scenario",
    "Report": "report.models",
    "Advice": "report.models",
    "Consultation": "analysis.consultation",
    "Question": "analysis.consultation",
    "next_question": "analysis.consultation",
    "IpsExpertError": "errors",
    "ScenarioError": "errors",
    "KnowledgeBaseError": "errors",
    "InputError": "errors",
    "OutputError": "errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        from importlib import import_module
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ipsexpert' has no attribute {name!r}")
