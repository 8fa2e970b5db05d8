"""A loaded knowledge base: what ``loading`` built and checked, ready to be compiled or read."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import KnowledgeBaseError
from .catalogue import FactSpec
from .conditions import FactType
from .rulebase import Derivation, EifCatalogue, Metadata, Recommendation

if TYPE_CHECKING:
    from .maturity import MaturityModel

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def default_path() -> Path:
    """The shipped knowledge base: beside the installed package, or the checkout's top level."""
    for candidate in (_PACKAGE_DIR, _PACKAGE_DIR.parent):
        if (candidate / "rules").is_dir() and (candidate / "facts").is_dir():
            return candidate
    raise KnowledgeBaseError("the shipped knowledge base (rules/ and facts/) is missing from "
                             f"the installation at {_PACKAGE_DIR}")


@dataclass
class KnowledgeBase:
    """A loaded, checked knowledge base."""

    path: Path
    meta: Metadata
    facts: dict[str, FactSpec]
    derived: dict[str, Derivation]  # in dependency order
    recommendations: dict[str, Recommendation]
    digest: str
    files: dict[str, str] = field(default_factory=dict)  # fact/rule/derived id -> file
    eif: EifCatalogue | None = None
    maturity: MaturityModel | None = None

    @cached_property
    def types(self) -> dict[str, FactType]:
        """Every fact a condition may read: the catalogue and the derived facts (yes/no)."""
        types = {fact_id: spec.fact_type for fact_id, spec in self.facts.items()}
        types.update({derived_id: FactType("bool") for derived_id in self.derived})
        return types

    @cached_property
    def accepted_answers(self) -> dict[tuple, tuple]:
        """Answers the catalogue has accepted, as ``(fact, type, value) -> (stored value,)``, filled
        by ``answers.check_answers``: checking an answer is the same work every time."""
        return {}

    @property
    def version(self) -> str:
        return self.meta.version
