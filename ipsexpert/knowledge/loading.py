"""Loading a knowledge base folder (``rules/`` and ``facts/``) and checking every reference.

Everything a rule names is resolved here, once: unknown facts, values outside a
fact's set, comparisons of the wrong type, duplicate ids and derivation cycles are
load errors that name the file and the YAML path, so the engine can trust what it
compiles.

A knowledge base is untrusted input, so what loading accepts is bounded before anything
is built: conditions by ``MAX_BRANCHES``, chains of derived facts by ``derivations``,
ids, enum values and weights by their models (``validation``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from . import cache, conditions, snapshot
from .catalogue import FACT_ID_PATTERN, FACT_ID_SHAPE, FactSpec, id_problem, suggest
from .conditions import MAX_BRANCHES, Condition, ConditionSyntaxError, FactType
from .derivations import dependency_order
from ..documents import Document, format_path, parse_document, read_bounded
from ..errors import IpsExpertError, KnowledgeBaseError, Problem
from .base import KnowledgeBase, default_path
from .maturity import FILE as MATURITY_FILE, MaturityModel, build as build_maturity
from .rulebase import Derivation, EifCatalogue, Metadata, Recommendation, natural_key

def load_knowledge_base(path: str | Path | None = None) -> KnowledgeBase:
    """Load and check the knowledge base at ``path`` (a folder holding rules/ and facts/)."""
    root = Path(path) if path is not None else default_path()
    if not root.is_dir():
        raise KnowledgeBaseError("is not a folder holding rules/ and facts/", file=str(root))
    for part in ("rules", "facts"):
        if not (root / part).is_dir():
            raise KnowledgeBaseError(f"has no {part}/ folder", file=str(root))
    if not cache.enabled():
        return _Loader(root).load()
    before = snapshot.files_digest(root)
    kept = snapshot.load(root, before) if before is not None else None
    if kept is not None:
        return kept
    kb = _Loader(root).load()
    if before is not None and snapshot.files_digest(root) == before:  # no file changed while it loaded
        snapshot.save(kb, before)
    return kb


class _Loader:
    """Reads the files of one knowledge base, collecting every problem before failing."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.unreadable = False
        self.digest = hashlib.sha256()
        self.files: dict[str, str] = {}
        self.cache = cache.ParsedCache(root) if cache.enabled() else None

    def read(self, path: Path) -> Document | None:
        relative = path.relative_to(self.root).as_posix()
        try:
            raw = read_bounded(path)
            self.digest.update(relative.encode() + b"\0" + raw + b"\0")
            return self.cache.parse(relative, raw, str(path)) if self.cache else parse_document(raw, str(path))
        except IpsExpertError as exc:
            self.problems.extend(exc.problems)
        self.unreadable = True
        return None

    def fail(self, doc: Document, message: str, path: tuple) -> None:
        self.problems.append(doc.error(message, path).problems[0])

    def model(self, kind: str, data: Any, doc: Document, path: tuple):
        """The record of an entry that the validation model named ``kind`` accepts, else None
        (its problems noted). The models are only imported here, when files are read afresh."""
        from pydantic import ValidationError
        from . import validation
        try:
            return validation.record(getattr(validation, kind).model_validate(data))
        except ValidationError as exc:
            for error in exc.errors():
                self.fail(doc, error["msg"], path + tuple(error["loc"]))
        return None

    def condition(self, data: Any, doc: Document, path: tuple, types: dict[str, FactType],
                  allow_always: bool = False) -> Condition | None:
        try:
            parsed = conditions.parse(data, types, path, allow_always=allow_always)
        except ConditionSyntaxError as exc:
            message = str(exc)
            if message.startswith("unknown fact"):
                message += suggest(str(_at(data, exc.path[len(path):])), list(types))
            self.fail(doc, message, exc.path)
            return None
        return parsed if self.few_branches(parsed, doc, path) else None

    def few_branches(self, condition: Condition, doc: Document, path: tuple) -> bool:
        """Whether the condition compiles, true and false, to at most MAX_BRANCHES rules; counted
        without expanding, so a condition written to explode costs nothing before it is refused."""
        for truth in (True, False):
            if conditions.branch_count(condition, truth) > MAX_BRANCHES:
                self.fail(doc, f"this condition can be {'true' if truth else 'false'} in more than "
                          f"{MAX_BRANCHES} different ways, and each would become a rule of its own; "
                          "move parts of it into derived facts", path)
                return False
        return True

    def load(self) -> KnowledgeBase:
        meta = self.load_meta()
        facts = self.load_facts(meta)
        derived_raw = self.load_derived_raw(facts)
        types = {fact_id: spec.fact_type for fact_id, spec in facts.items()}
        types.update({derived_id: FactType("bool") for derived_id in derived_raw})
        derived = self.load_derived(derived_raw, types)
        facts = self.attach_ask_if(facts, types)
        recommendations = self.load_recommendations(meta, types)
        eif = self.load_eif(recommendations)
        model = self.load_maturity(meta, types, recommendations)
        self.check_phase_fact(meta, facts)
        self.check_revisions(meta, recommendations)
        if self.problems or meta is None:
            error = KnowledgeBaseError(problems=self.problems)
            error.unreadable = self.unreadable or meta is None
            raise error
        if self.cache is not None:
            self.cache.save()
        return KnowledgeBase(self.root, meta, facts, derived, recommendations,
                             self.digest.hexdigest()[:16], self.files, eif, model)

    def load_meta(self) -> Metadata | None:
        path = self.root / "rules" / "knowledge-base.yaml"
        if not path.exists():
            self.problems.append(Problem("is missing", str(path)))
            return None
        doc = self.read(path)
        return self.model("Metadata", doc.data, doc, ()) if doc else None

    def check_phase_fact(self, meta: Metadata | None, facts: dict[str, FactSpec]) -> None:
        """The phase fact, where the catalogue has it, takes exactly the metadata's phases: timing
        reads a phase's place in that list."""
        spec = facts.get(meta.phase_fact) if meta is not None else None
        if spec is not None and (spec.type != "enum" or set(spec.values) - set(meta.phases)):
            self.problems.append(Problem(
                f"the phase fact {spec.id} must be an enum whose values are among the phases "
                f"({', '.join(meta.phases)}); it has {', '.join(spec.values) or spec.type}",
                self.files[spec.id], None, f"facts[{spec.id}].values"))

    def check_revisions(self, meta: Metadata | None, recommendations: dict[str, Recommendation]) -> None:
        """Every id a revision lists as changed is a recommendation: a diff names them as revised.

        Skipped while other problems stand: a rule file that failed to load would make its
        id look unknown here too."""
        if self.problems:
            return
        for index, revision in enumerate(meta.revisions if meta is not None else []):
            for position, rec_id in enumerate(revision.changed):
                if rec_id not in recommendations:
                    self.problems.append(Problem(
                        f"unknown recommendation {rec_id!r}" + suggest(rec_id, list(recommendations)),
                        str(self.root / "rules" / "knowledge-base.yaml"), None,
                        format_path(("revisions", index, "changed", position))))

    def load_maturity(self, meta: Metadata | None, types: dict[str, FactType],
                      recommendations: dict[str, Recommendation]) -> MaturityModel | None:
        """The optional maturity model, its conditions checked like the rules'."""
        path = self.root / MATURITY_FILE
        doc = self.read(path) if path.exists() and meta is not None else None
        if doc is None:
            return None
        return build_maturity(doc, types, list(meta.constructs), list(recommendations), self.problems)

    def load_eif(self, recommendations: dict[str, Recommendation]) -> EifCatalogue | None:
        """The optional EIF catalogue; every number a rule cites must be in it."""
        path = self.root / "rules" / "eif.yaml"
        if not path.exists():
            return None
        doc = self.read(path)
        catalogue = self.model("EifCatalogue", doc.data, doc, ()) if doc else None
        if catalogue is not None:
            known = catalogue.by_number()
            for rec in recommendations.values():
                for index, number in enumerate(rec.eif):
                    if number not in known:
                        self.problems.append(Problem(f"EIF recommendation {number} is not in {path.name}",
                                                     rec.file, None, f"eif[{index}]"))
        return catalogue

    def load_facts(self, meta: Metadata | None) -> dict[str, FactSpec]:
        facts: dict[str, FactSpec] = {}
        self.raw_ask_if: dict[str, tuple[Any, Document, tuple]] = {}
        paths = sorted((self.root / "facts").glob("*.yaml"))
        if not paths:
            self.problems.append(Problem("holds no *.yaml fact files", str(self.root / "facts")))
        constructs = ["context"] + list(meta.constructs if meta else [])
        for path in paths:
            doc = self.read(path)
            if doc is None:
                continue
            if not isinstance(doc.data, dict) or not isinstance(doc.data.get("facts"), list):
                self.fail(doc, "a fact file is a mapping with `construct` and a `facts` list", ())
                continue
            construct = doc.data.get("construct")
            if meta and construct not in constructs:
                self.fail(doc, f"unknown construct {construct!r} (one of {', '.join(constructs)})",
                          ("construct",))
            for index, entry in enumerate(doc.data["facts"]):
                where = ("facts", index)
                if not isinstance(entry, dict):
                    self.fail(doc, "a fact is a mapping", where)
                    continue
                entry = dict(entry, construct=construct)
                self.raw_ask_if[str(entry.get("id"))] = (entry.pop("ask_if", None), doc, where + ("ask_if",))
                spec = self.model("FactSpec", entry, doc, where)
                if spec is None:
                    continue
                if spec.id in facts:
                    self.fail(doc, f"duplicate fact id {spec.id} (also in {self.files[spec.id]})",
                              where + ("id",))
                    continue
                facts[spec.id] = spec
                self.files[spec.id] = str(path)
        return facts

    def load_derived_raw(self, facts: dict[str, FactSpec]) -> dict[str, tuple[dict, Document, tuple]]:
        path = self.root / "rules" / "derived.yaml"
        raw: dict[str, tuple[dict, Document, tuple]] = {}
        if not path.exists():
            return raw
        doc = self.read(path)
        if doc is None:
            return raw
        entries = doc.data.get("derived") if isinstance(doc.data, dict) else None
        if not isinstance(entries, list):
            self.fail(doc, "derived.yaml is a mapping with a `derived` list", ())
            return raw
        for index, entry in enumerate(entries):
            where = ("derived", index)
            derived_id = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(derived_id, str):
                self.fail(doc, "a derivation is a mapping with an `id`", where)
            elif problem := id_problem(derived_id, FACT_ID_PATTERN, FACT_ID_SHAPE):
                self.fail(doc, problem, where + ("id",))
            elif derived_id in facts or derived_id in raw:
                self.fail(doc, f"duplicate fact id {derived_id}", where + ("id",))
            else:
                raw[derived_id] = (entry, doc, where)
                self.files[derived_id] = str(path)
        return raw

    def load_derived(self, raw: dict[str, tuple[dict, Document, tuple]],
                     types: dict[str, FactType]) -> dict[str, Derivation]:
        parsed: dict[str, Derivation] = {}
        for derived_id, (entry, doc, where) in raw.items():
            when = self.condition(entry.get("when"), doc, where + ("when",), types)
            if when is not None:
                derivation = self.model("Derivation", dict(entry, when=when), doc, where)
                if derivation:
                    parsed[derived_id] = derivation
        return dependency_order(parsed, raw, self.fail)

    def attach_ask_if(self, facts: dict[str, FactSpec], types: dict[str, FactType]) -> dict[str, FactSpec]:
        result = {}
        for fact_id, spec in facts.items():
            data, doc, where = self.raw_ask_if[fact_id]
            if data is not None:
                ask_if = self.condition(data, doc, where, types)
                spec = spec.replace(ask_if=ask_if)
            result[fact_id] = spec
        return result

    def load_recommendations(self, meta: Metadata | None,
                             types: dict[str, FactType]) -> dict[str, Recommendation]:
        folder = self.root / "rules" / "recommendations"
        paths = sorted(folder.glob("*.yaml"), key=lambda p: natural_key(p.name)) if folder.is_dir() else []
        if not paths:
            self.problems.append(Problem("holds no recommendation files", str(folder)))
        found: dict[str, Recommendation] = {}
        for path in paths:
            doc = self.read(path)
            if doc is None:
                continue
            recommendation = self.load_recommendation(doc, meta, types)
            if recommendation is None:
                continue
            if recommendation.id in found or recommendation.id in types:
                self.fail(doc, f"duplicate id {recommendation.id} (also in "
                          f"{self.files.get(recommendation.id, 'the fact catalogue')})", ("id",))
                continue
            found[recommendation.id] = recommendation
            self.files[recommendation.id] = str(path)
        return dict(sorted(found.items(), key=lambda item: natural_key(item[0])))

    def few_advised_branches(self, data: dict, doc: Document) -> bool:
        """Whether "advised" compiles to at most MAX_BRANCHES rules: it needs applies and
        advised both true, so each way of one pairs with each way of the other."""
        applies, advised = data.get("applies"), data.get("advised")
        if applies is None or advised is None:
            return True
        if conditions.branch_count(applies, True) * conditions.branch_count(advised, True) <= MAX_BRANCHES:
            return True
        self.fail(doc, f"applies and advised together can advise this recommendation in more than "
                  f"{MAX_BRANCHES} different ways, and each would become a rule of its own; move parts "
                  "of them into derived facts", ("advised",))
        return False

    def load_recommendation(self, doc: Document, meta: Metadata | None,
                            types: dict[str, FactType]) -> Recommendation | None:
        data = doc.data
        if not isinstance(data, dict):
            self.fail(doc, "a recommendation file is a mapping", ())
            return None
        data = dict(data, file=doc.name)
        ok = True
        for key in ("applies", "advised", "escalate"):
            if key in data and not (key == "escalate" and data[key] is None):
                parsed = self.condition(data[key], doc, (key,), types, allow_always=key == "applies")
                ok = ok and parsed is not None
                data[key] = parsed
        ok = ok and self.few_advised_branches(data, doc)
        if meta is not None:
            if not isinstance(data.get("construct"), str) or data.get("construct") not in meta.constructs:
                self.fail(doc, f"unknown construct {data.get('construct')!r} "
                          f"(one of {', '.join(meta.constructs)})", ("construct",))
                ok = False
            phases = data.get("phases")
            for index, phase in enumerate(phases if isinstance(phases, list) else []):
                if phase not in meta.phases:
                    self.fail(doc, f"unknown phase {phase!r} (one of {', '.join(meta.phases)})",
                              ("phases", index))
                    ok = False
        recommendation = self.model("Recommendation", data, doc, ())
        return recommendation if ok else None


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
