"""The checked knowledge base as the cache keeps it, so that a start neither parses nor validates.

``ipsexpert evaluate`` starts by loading the knowledge base; parsing its YAML and checking
it with pydantic's models (``validation``) cost more than the evaluation of a scenario,
and defining those models alone a fifth of a start. Once a folder has loaded without a
problem, its knowledge base — every record, condition and maturity level — is written
to the cache as JSON, under the SHA-256 of every file that could be part of it; the next
load that finds the same files' bytes rebuilds the knowledge base from that JSON.

Nothing but these classes is ever built from the cache (each named in ``CLASSES``,
made from its own fields), and a snapshot is used only when its header names this
ipsexpert version, the code that made it (``CODE``), the folder and the files' digest,
and the body hashes to what the header says: a changed, stale or damaged snapshot is
ignored and replaced at the next full load. That hash catches damage, not a forgery: a
snapshot is not checked again, so the cache folder is trusted as the user's own files
are (whoever can write it could as well edit the rules). A folder holding something the
JSON cannot keep is simply not snapshotted. ``IPSEXPERT_NO_CACHE=1`` (``--no-cache``)
turns this off too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from . import cache, catalogue, conditions, maturity, rulebase
from ..documents import read_bounded
from ..errors import IpsExpertError
from .base import KnowledgeBase

FORMAT = 1
CODE = ("documents.py", "yaml_nodes.py", "simple_yaml.py", "json_lines.py", "knowledge/loading.py",
        "knowledge/derivations.py", "knowledge/validation.py", "knowledge/catalogue.py", "knowledge/rulebase.py",
        "knowledge/conditions.py", "knowledge/maturity.py", "knowledge/record.py", "knowledge/base.py",
        "knowledge/semantics.py", "knowledge/cache.py", "knowledge/snapshot.py")
"""The code whose change can change what a load makes of the same files."""

CLASSES: dict[str, type] = {f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}": cls for cls in (
    catalogue.FactSpec, rulebase.Metadata, rulebase.Revision, rulebase.Derivation, rulebase.Recommendation,
    rulebase.Reference, rulebase.Example, rulebase.EifCatalogue, rulebase.EifRecommendation,
    conditions.Test, conditions.AllOf, conditions.AnyOf, conditions.Not, conditions.Always,
    maturity.MaturityModel, maturity.Level, maturity.Example)}
"""Every class a snapshot may hold, by module and name."""
_NAMES = {cls: name for name, cls in CLASSES.items()}
_SUFFIX = ".checked.json"


def files_digest(root: Path) -> str | None:
    """The SHA-256 over the path and bytes of every file a load may read (every ``*.yaml`` of
    ``facts/``, ``rules/`` and ``rules/recommendations/``); None if one cannot be read."""
    digest = hashlib.sha256()
    for folder in ("facts", "rules", "rules/recommendations"):
        for path in sorted((root / folder).glob("*.yaml")):
            try:
                raw = read_bounded(path)
            except IpsExpertError:
                return None
            digest.update(f"{folder}/{path.name}".encode("utf-8", "surrogateescape") + b"\0" + raw + b"\0")
    return digest.hexdigest()


def _header(root: Path, files: str) -> dict[str, Any]:
    """What a snapshot must have been made from: this code, these files, and the folder named as
    now (the knowledge base holds its files' paths as the load that made it was given them)."""
    return {"format": FORMAT, "fingerprint": cache.fingerprint(CODE), "root": str(root), "files": files}


def load(root: Path, files: str) -> KnowledgeBase | None:
    """The knowledge base of ``root`` from its snapshot of the files whose digest is ``files``,
    or None when there is no valid one."""
    body = cache.read_checked(cache.cache_file(root, _SUFFIX), _header(root, files))
    if body is None:
        return None
    try:
        fields = json.loads(body, object_hook=cache.decoder(CLASSES))
        return KnowledgeBase(path=root, **fields)
    except (ValueError, TypeError, KeyError, RecursionError):
        return None


def save(kb: KnowledgeBase, files: str) -> None:
    """Keep a knowledge base that loaded without a problem from the files whose digest is ``files``
    (taken before it loaded, and found the same after), quietly; not if it cannot be kept."""
    fields = {field.name: getattr(kb, field.name) for field in dataclasses.fields(kb) if field.name != "path"}
    try:
        body = json.dumps(cache.encode(fields, _NAMES), ensure_ascii=False).encode("utf-8")
    except cache.NotCachable:
        return
    cache.write_quietly(cache.cache_file(kb.path, _SUFFIX), _header(kb.path, files), body)
