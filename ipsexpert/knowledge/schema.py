"""The JSON Schema of the scenario format, so editors can validate and complete as people type.

The structure comes from the pydantic models; the answers come from the fact
catalogue (each fact's type, allowed values, question and help), so the schema follows
the knowledge base it is generated from.
"""

from __future__ import annotations

from typing import Any

from .base import KnowledgeBase
from .scenario import Scenario

UNKNOWN_ANSWER = [{"const": "unknown"}, {"type": "null"}]


def fact_schema(spec) -> dict[str, Any]:
    """One answer: the fact's own type, or unknown."""
    if spec.type == "bool":
        known: dict[str, Any] = {"type": "boolean"}
    elif spec.type == "enum":
        known = {"enum": list(spec.values)}
    else:
        known = {"type": "integer"}
        if spec.minimum is not None:
            known["minimum"] = spec.minimum
    return {"title": spec.question, "description": spec.help, "anyOf": [known, *UNKNOWN_ANSWER]}


def scenario_schema(kb: KnowledgeBase) -> dict[str, Any]:
    """The whole scenario format for this knowledge base."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ipsexpert scenario"
    schema["description"] = (f"A project described by its answers, for the knowledge base "
                             f"'{kb.meta.name}' {kb.version}.")
    properties = schema["properties"]
    properties.pop("source", None)
    # The reader turns an unquoted year or date (`as_of: 2024`) into text; so may the editor.
    as_of = properties["as_of"]
    as_of["anyOf"] = [{"type": "string"}, {"type": "integer"}, {"type": "null"}]
    properties["answers"] = {"type": "object", "additionalProperties": False,
                             "description": "Fact id -> answer; omitted, `unknown` or null means unknown.",
                             "properties": {fact_id: fact_schema(spec) for fact_id, spec in kb.facts.items()}}
    rec_ids = list(kb.recommendations)
    properties["expect"]["propertyNames"] = {"enum": rec_ids}
    properties["expect"]["additionalProperties"] = {"anyOf": [
        {"enum": ["advised", "satisfied", "not_applicable", "undetermined"]},
        {"$ref": "#/$defs/Expectation"}]}
    properties["notes"]["propertyNames"] = {"enum": list(kb.facts)}
    schema["$defs"]["Acceptance"]["properties"]["id"] = {"enum": rec_ids, "title": "Recommendation id"}
    return schema
