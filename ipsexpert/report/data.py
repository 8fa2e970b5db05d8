"""The report as plain data: what ``Expert.report`` builds, field for field the models' twin.

A batch makes thousands of reports and writes each one out at once; validating each
into pydantic models cost more than the engine run that produced it. These classes
hold the same fields under the same names, with ``__slots__`` and no validation (the
values come from a checked knowledge base and a checked scenario), and offer what the
renderers and the command line read: the same properties and methods as the models
(``at_or_above``, ``accepted_now``, ``words`` ...), ``model_copy(update=...)``, and
``model_dump_json``, which writes the bytes ``Report.model_dump_json`` writes (the
same serializer, pydantic-core's, on the same values in the same order; a test holds
the two equal). ``to_model()`` builds the pydantic ``Report`` — the library's public
model, which ``Expert.evaluate`` returns — only when it is asked for.

Parts that do not depend on the profile (EIF references, references, condition and
score steps, answer steps without a note) are made once per knowledge base and
shared, so they are frozen: setting an attribute of one raises, as it does on a
frozen model.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..knowledge.rulebase import SEVERITIES
from .plain import Frozen, Plain, json_value, set_fields


class Step(Frozen):
    """One link of an explanation chain (frozen, as the model is)."""

    __slots__ = ("kind", "text", "fact", "value", "question", "rule", "note", "_json")
    fields = ("kind", "text", "fact", "value", "question", "rule", "note")
    model_name = "Step"

    def __init__(self, kind: str, text: str, fact: str | None = None, value: Any = None,
                 question: str | None = None, rule: str | None = None, note: str | None = None) -> None:
        setter = object.__setattr__
        setter(self, "kind", kind)
        setter(self, "text", text)
        setter(self, "fact", fact)
        setter(self, "value", value)
        setter(self, "question", question)
        setter(self, "rule", rule)
        setter(self, "note", note)
        setter(self, "_json", None)


class Explanation(Plain):
    __slots__ = ("steps", "text")
    fields = __slots__
    model_name = "Explanation"

    def __init__(self, steps: list[Step], text: str) -> None:
        self.steps, self.text = steps, text

    def json_data(self) -> dict[str, Any]:
        return {"steps": [step.json_data() if type(step) is Step else json_value(step) for step in self.steps],
                "text": self.text}


class EifReference(Frozen):
    __slots__ = ("number", "title", "layer", "_json")
    fields = ("number", "title", "layer")
    model_name = "EifReference"

    def __init__(self, number: int, title: str, layer: str) -> None:
        set_fields(self, number=number, title=title, layer=layer, _json=None)


class EifLayerSummary(Plain):
    __slots__ = ("layer", "name", "eif", "advice")
    fields = __slots__
    model_name = "EifLayerSummary"

    def __init__(self, layer: str, name: str, eif: list[int], advice: list[str]) -> None:
        self.layer, self.name, self.eif, self.advice = layer, name, eif, advice

    def json_data(self) -> dict[str, Any]:
        return {"layer": self.layer, "name": self.name, "eif": self.eif, "advice": self.advice}


class Accepted(Plain):
    __slots__ = ("reason", "until", "expired")
    fields = __slots__
    model_name = "Accepted"

    def __init__(self, reason: str, until: date | None = None, expired: bool = False) -> None:
        self.reason, self.until, self.expired = reason, until, expired

    def json_data(self) -> dict[str, Any]:
        return {"reason": self.reason, "until": self.until, "expired": self.expired}

    @property
    def holds(self) -> bool:
        return not self.expired


class Advice(Plain):
    __slots__ = ("id", "title", "construct", "severity", "base_severity", "escalated", "timing", "score", "rank",
                 "phases", "advice", "eif", "references", "accepted", "explanation")
    fields = __slots__
    model_name = "Advice"

    def __init__(self, id: str, title: str, construct: str, severity: str, base_severity: str, escalated: bool,
                 timing: str, score: float, rank: int, phases: list[str], advice: str, eif: list[EifReference],
                 references: list | None = None, accepted: Accepted | None = None,
                 explanation: Explanation | None = None) -> None:
        self.id, self.title, self.construct, self.severity = id, title, construct, severity
        self.base_severity, self.escalated, self.timing, self.score = base_severity, escalated, timing, score
        self.rank, self.phases, self.advice, self.eif = rank, phases, advice, eif
        self.references = [] if references is None else references
        self.accepted, self.explanation = accepted, explanation

    def counts_for_fail_on(self, today: date) -> bool:
        """Accepted advice does not fail a build until its acceptance runs out."""
        return self.accepted is None or (self.accepted.until is not None and today > self.accepted.until)

    @property
    def accepted_now(self) -> bool:
        """Accepted, and the acceptance has not run out."""
        return self.accepted is not None and not self.accepted.expired

    def json_data(self) -> dict[str, Any]:
        accepted = self.accepted
        return {"id": self.id, "title": self.title, "construct": self.construct, "severity": self.severity,
                "base_severity": self.base_severity, "escalated": self.escalated, "timing": self.timing,
                "score": self.score, "rank": self.rank, "phases": self.phases, "advice": self.advice,
                "eif": _listed(self.eif, EifReference), "references": _listed(self.references, Reference),
                "accepted": accepted.json_data() if type(accepted) is Accepted else json_value(accepted),
                "explanation": json_value(self.explanation)}


class Undetermined(Plain):
    __slots__ = ("id", "title", "construct", "deciding_facts")
    fields = __slots__
    model_name = "Undetermined"

    def __init__(self, id: str, title: str, construct: str, deciding_facts: list[str]) -> None:
        self.id, self.title, self.construct, self.deciding_facts = id, title, construct, deciding_facts

    def json_data(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "construct": self.construct,
                "deciding_facts": self.deciding_facts}


class Settled(Plain):
    __slots__ = ("id", "title", "construct", "outcome", "reason")
    fields = __slots__
    model_name = "Settled"

    def __init__(self, id: str, title: str, construct: str, outcome: str, reason: str) -> None:
        self.id, self.title, self.construct, self.outcome, self.reason = id, title, construct, outcome, reason

    def json_data(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "construct": self.construct, "outcome": self.outcome,
                "reason": self.reason}


class OutcomeMove(Plain):
    __slots__ = ("id", "title", "before", "after", "before_severity", "after_severity")
    fields = __slots__
    model_name = "OutcomeMove"

    def __init__(self, id: str, title: str, before: str, after: str, before_severity: str | None = None,
                 after_severity: str | None = None) -> None:
        self.id, self.title, self.before, self.after = id, title, before, after
        self.before_severity, self.after_severity = before_severity, after_severity


class ClaimEffect(Plain):
    __slots__ = ("value", "respondents", "changes")
    fields = __slots__
    model_name = "ClaimEffect"

    def __init__(self, value: Any, respondents: list[str], changes: list[OutcomeMove]) -> None:
        self.value, self.respondents, self.changes = value, respondents, changes


class Disagreement(Plain):
    __slots__ = ("fact", "question", "effects", "notes")
    fields = __slots__
    model_name = "Disagreement"

    def __init__(self, fact: str, question: str, effects: list[ClaimEffect], notes: dict[str, str] | None = None):
        self.fact, self.question, self.effects = fact, question, effects
        self.notes = {} if notes is None else notes


class ConstructMaturity(Plain):
    __slots__ = ("construct", "title", "level", "name", "next_level", "next_name", "next_status", "open_facts",
                 "needs", "recommendations")
    fields = __slots__
    model_name = "ConstructMaturity"

    def __init__(self, construct: str, title: str, level: int, name: str, next_level: int | None = None,
                 next_name: str | None = None, next_status: bool | None = None, open_facts: list[str] | None = None,
                 needs: str = "", recommendations: list[str] | None = None) -> None:
        self.construct, self.title, self.level, self.name = construct, title, level, name
        self.next_level, self.next_name, self.next_status = next_level, next_name, next_status
        self.open_facts = [] if open_facts is None else open_facts
        self.needs = needs
        self.recommendations = [] if recommendations is None else recommendations

    def json_data(self) -> dict[str, Any]:
        return {"construct": self.construct, "title": self.title, "level": self.level, "name": self.name,
                "next_level": self.next_level, "next_name": self.next_name, "next_status": self.next_status,
                "open_facts": self.open_facts, "needs": self.needs, "recommendations": self.recommendations}

    @property
    def words(self) -> str:
        return maturity_words(self)


def maturity_words(item: Any) -> str:
    """"level 2 (Defined for this project); 3 depends on governance_body" and the like,
    for the plain and the pydantic construct maturity alike."""
    head = f"level {item.level} ({item.name})"
    if item.next_level is None:
        return head + ", the highest"
    if item.next_status is None:
        return f"at least {head}; {item.next_level} depends on {', '.join(item.open_facts)}"
    return head


class KnowledgeBaseInfo(dict):
    """The knowledge base a report was made with; frozen, and a mapping as well as an object.

    Being a mapping lets a model that takes the report's ``knowledge_base`` as its own
    (what-if's result does) validate it as it validates the model: from its fields.
    """

    __slots__ = ()
    fields = ("name", "version", "hash")
    model_name = "KnowledgeBaseInfo"

    def __init__(self, name: str, version: str, hash: str) -> None:
        dict.__init__(self, name=name, version=version, hash=hash)

    name = property(lambda self: self["name"])
    version = property(lambda self: self["version"])
    hash = property(lambda self: self["hash"])  # type: ignore[assignment]

    def _frozen(self, *args, **kwargs):
        raise TypeError("KnowledgeBaseInfo is shared between reports and cannot be changed")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _frozen  # type: ignore[assignment]
    __setattr__ = __delattr__ = _frozen  # type: ignore[assignment]

    def __reduce__(self):
        return KnowledgeBaseInfo, (self["name"], self["version"], self["hash"])

    def __repr__(self) -> str:
        return f"KnowledgeBaseInfo(name={self.name!r}, version={self.version!r}, hash={self.hash!r})"

    def json_data(self) -> dict[str, Any]:
        return {"name": self["name"], "version": self["version"], "hash": self["hash"]}

    model_data = json_data

    def model_copy(self, update: dict[str, Any] | None = None, deep: bool = False) -> "KnowledgeBaseInfo":
        return KnowledgeBaseInfo(**{**self.json_data(), **(update or {})})

    model_dump = Plain.model_dump
    model_dump_json = Plain.model_dump_json
    to_model = Plain.to_model


class Reference(Frozen):
    """A source a practitioner would open, as the knowledge base's ``Reference`` names it."""

    __slots__ = ("kind", "title", "url", "_json")
    fields = ("kind", "title", "url")
    model_name = "Reference"

    def __init__(self, kind: str, title: str, url: str) -> None:
        set_fields(self, kind=kind, title=title, url=url, _json=None)

    def to_model(self):
        from ..knowledge.validation import Reference as Model
        return Model.model_validate(self.model_data())


class Report(Plain):
    """Everything one evaluation concluded about one scenario, as plain data."""

    __slots__ = ("source", "name", "as_of", "answers", "derived", "outcomes", "counts", "advice", "undetermined",
                 "settled", "eif_layers", "notes", "constructs", "knowledge_base", "respondents", "disagreements",
                 "maturity", "phase")
    fields = __slots__[:-1]  # ``phase`` is excluded from the JSON, as in the model
    model_name = "Report"

    def __init__(self, source: str | None, name: str, as_of: str | None, answers: dict[str, Any],
                 derived: dict[str, bool | None], outcomes: dict[str, str], counts: dict[str, int],
                 advice: list[Advice], undetermined: list[Undetermined], settled: list[Settled],
                 eif_layers: list[EifLayerSummary], notes: dict[str, str], constructs: dict[str, str],
                 knowledge_base: KnowledgeBaseInfo, respondents: list[str],
                 disagreements: list[Disagreement] | None = None, maturity: list[ConstructMaturity] | None = None,
                 phase: str | None = None) -> None:
        self.source, self.name, self.as_of, self.answers = source, name, as_of, answers
        self.derived, self.outcomes, self.counts, self.advice = derived, outcomes, counts, advice
        self.undetermined, self.settled, self.eif_layers, self.notes = undetermined, settled, eif_layers, notes
        self.constructs, self.knowledge_base, self.respondents = constructs, knowledge_base, respondents
        self.disagreements = [] if disagreements is None else disagreements
        self.maturity = [] if maturity is None else maturity
        self.phase = phase

    def at_or_above(self, severity: str, today: date) -> list[Advice]:
        """Advice at or above ``severity`` (after escalation), less risks accepted on ``today``."""
        floor = SEVERITIES.index(severity)
        return [item for item in self.advice
                if SEVERITIES.index(item.severity) >= floor and item.counts_for_fail_on(today)]

    def json_data(self) -> dict[str, Any]:
        """The JSON-ready fields, in the model's order. Parts a caller swapped for other objects
        (a model's, say) are dumped as those dump themselves."""
        return {"source": self.source, "name": self.name, "as_of": self.as_of, "answers": self.answers,
                "derived": self.derived, "outcomes": self.outcomes, "counts": self.counts,
                "advice": _listed(self.advice, Advice),
                "undetermined": _listed(self.undetermined, Undetermined), "settled": _listed(self.settled, Settled),
                "eif_layers": _listed(self.eif_layers, EifLayerSummary), "notes": self.notes,
                "constructs": self.constructs, "knowledge_base": json_value(self.knowledge_base),
                "respondents": self.respondents, "disagreements": [json_value(item) for item in self.disagreements],
                "maturity": _listed(self.maturity, ConstructMaturity)}


def _listed(items: list, kind: type) -> list:
    return [item.json_data() if type(item) is kind else json_value(item) for item in items]
