"""The caches of a knowledge base: its checked snapshot and its parsed files, each used when it
holds the very bytes, else rebuilt.

Each test points the cache at its own folder (``XDG_CACHE_HOME``) and, where it changes
files, at its own copy of the shipped knowledge base.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from ipsexpert.errors import KnowledgeBaseError
from ipsexpert.knowledge import cache, loading
from ipsexpert.knowledge.base import default_path
from ipsexpert.knowledge.loading import load_knowledge_base


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """The cache folder of these tests (and the cache switched on, whatever the environment says)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("IPSEXPERT_NO_CACHE", raising=False)
    return tmp_path / "cache" / "ipsexpert"


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    target = tmp_path / "kb"
    for part in ("rules", "facts"):
        shutil.copytree(default_path() / part, target / part)
    return target


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The files loading parses (rather than takes from the cache)."""
    seen: list[str] = []
    original = loading.parse_document

    def counting(raw, name, **options):
        seen.append(Path(name).name)
        return original(raw, name, **options)

    monkeypatch.setattr(loading, "parse_document", counting)
    monkeypatch.setattr(cache, "parse_document", counting)
    return seen


@pytest.fixture
def full_loads(monkeypatch) -> list[Path]:
    """The loads that read and validated the files (rather than took the checked snapshot)."""
    seen: list[Path] = []
    original = loading._Loader.load

    def counting(self):
        seen.append(self.root)
        return original(self)

    monkeypatch.setattr(loading._Loader, "load", counting)
    return seen


def _parsed_cache(folder: Path) -> Path:
    return next(path for path in folder.glob("kb-*.json") if not path.name.endswith(".checked.json"))


def _snapshot(folder: Path) -> Path:
    return next(folder.glob("kb-*.checked.json"))


def _same(one, other) -> None:
    for name in ("meta", "facts", "derived", "recommendations", "eif", "maturity", "digest", "files", "path"):
        assert getattr(one, name) == getattr(other, name), name


def test_a_second_load_takes_the_checked_snapshot_and_builds_the_same_knowledge_base(folder, parses, full_loads,
                                                                                      monkeypatch):
    first = load_knowledge_base()
    assert parses and full_loads and _parsed_cache(folder) and _snapshot(folder)
    parses.clear()
    full_loads.clear()
    second = load_knowledge_base()
    assert parses == [] and full_loads == []
    monkeypatch.setenv("IPSEXPERT_NO_CACHE", "1")
    _same(second, first)
    _same(load_knowledge_base(), first)
    assert [example.line for example in second.maturity.examples] == [example.line for example in first.maturity.examples]


def test_without_its_snapshot_a_load_validates_again_from_the_parsed_files(folder, parses, full_loads):
    expected = load_knowledge_base()
    _snapshot(folder).unlink()
    parses.clear()
    _same(load_knowledge_base(), expected)
    assert parses == [] and len(full_loads) == 2


def _damage(path: Path, damage: str, wrong_body: bytes) -> None:
    raw = path.read_bytes()
    header, body = raw.split(b"\n", 1)
    if damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "flipped":
        middle = len(header) + 1 + len(body) // 2
        path.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0x20]) + raw[middle + 1:])
    elif damage == "garbage":
        path.write_bytes(os.urandom(4096))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "foreign":
        fields = json.loads(header)
        path.write_bytes(json.dumps({**fields, "fingerprint": "0" * 64}).encode() + b"\n" + body)
    else:
        import hashlib
        fields = {**json.loads(header), "sha256": hashlib.sha256(wrong_body).hexdigest()}
        path.write_bytes(json.dumps(fields).encode() + b"\n" + wrong_body)


def _ignored_then_whole_again(expected, work: list) -> None:
    """The next load does the work again (``work`` records it) and builds the same knowledge base;
    the one after finds the cache whole again."""
    work.clear()
    _same(load_knowledge_base(), expected)
    assert work  # done again: the damaged cache is not trusted
    work.clear()
    _same(load_knowledge_base(), expected)
    assert work == []


DAMAGES = ["truncated", "flipped", "garbage", "empty", "foreign", "checksum-right-body-wrong"]


@pytest.mark.parametrize("wrong_body", [
    json.dumps({"facts/context.yaml": {"sha256": 1, "data": [], "lines": "[]"}}).encode(),
    b'{"facts/context.yaml": {"sha256": "0", "data": {"\\u0000c": "nope", "\\u0000f": {}}, "lines": "[]"}}',
])
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_corrupted_parse_cache_is_ignored_and_rebuilt(folder, parses, damage, wrong_body):
    expected = load_knowledge_base()
    _snapshot(folder).unlink()  # else the parsed files are not even looked at
    _damage(_parsed_cache(folder), damage, wrong_body)
    _ignored_then_whole_again(expected, parses)


@pytest.mark.parametrize("wrong_body", [
    b'{"meta": {"\\u0000c": "os.system", "\\u0000f": {}}}',  # a class that is not a knowledge-base record
    b'{"meta": {"\\u0000c": "rulebase.Metadata", "\\u0000f": {"name": "x", "shell": "rm"}}}',  # a field it has not
    b'{"digest": "x"}',  # fields missing
])
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_corrupted_snapshot_is_ignored_and_rebuilt(folder, full_loads, damage, wrong_body):
    expected = load_knowledge_base()
    _damage(_snapshot(folder), damage, wrong_body)
    _ignored_then_whole_again(expected, full_loads)


def test_a_snapshot_is_only_kept_of_a_knowledge_base_that_loaded_without_a_problem(folder, kb_copy):
    facts = kb_copy / "facts" / "formal_agreements.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("id: legal_barriers", "id: legal_barriers_renamed"),
                     encoding="utf-8")
    for _ in range(2):  # the second load finds no snapshot to hide the problem behind
        with pytest.raises(KnowledgeBaseError):
            load_knowledge_base(kb_copy)
    assert not list(folder.glob("kb-*.checked.json"))


def test_a_snapshot_names_the_files_as_this_load_names_the_folder(folder, kb_copy, monkeypatch):
    absolute = load_knowledge_base(kb_copy)
    monkeypatch.chdir(kb_copy)
    relative = load_knowledge_base(".")
    monkeypatch.setenv("IPSEXPERT_NO_CACHE", "1")
    assert relative.files == load_knowledge_base(".").files != absolute.files
    assert relative.recommendations["R01"].file == str(Path("rules") / "recommendations" / "R01.yaml")


def test_a_file_changed_while_the_knowledge_base_loads_is_not_hidden_by_a_snapshot(folder, kb_copy, monkeypatch):
    context = kb_copy / "facts" / "context.yaml"
    question = load_knowledge_base(kb_copy).facts["scope"].question
    for path in folder.glob("kb-*"):
        path.unlink()
    original = loading._Loader.load

    def edited_while_loading(self):
        kb = original(self)
        context.write_text(context.read_text(encoding="utf-8").replace(question, "Edited meanwhile?"),
                           encoding="utf-8")
        return kb

    monkeypatch.setattr(loading._Loader, "load", edited_while_loading)
    assert load_knowledge_base(kb_copy).facts["scope"].question == question  # what it read
    monkeypatch.setattr(loading._Loader, "load", original)
    assert load_knowledge_base(kb_copy).facts["scope"].question == "Edited meanwhile?"


def test_a_file_added_beside_the_rules_is_not_hidden_by_the_snapshot(folder, kb_copy, full_loads):
    load_knowledge_base(kb_copy)
    rule = kb_copy / "rules" / "recommendations"
    source = sorted(rule.glob("*.yaml"))[0]
    (rule / "R99.yaml").write_text(source.read_text(encoding="utf-8").replace(f"id: {source.stem}", "id: R99", 1),
                                   encoding="utf-8")
    full_loads.clear()
    assert "R99" in load_knowledge_base(kb_copy).recommendations and full_loads


def test_a_changed_file_is_parsed_again_and_the_rest_come_from_the_cache(folder, parses, kb_copy):
    load_knowledge_base(kb_copy)
    context = kb_copy / "facts" / "context.yaml"
    text = context.read_text(encoding="utf-8")
    question = load_knowledge_base(kb_copy).facts["scope"].question
    context.write_text(text.replace(question, "Where does the service run?"), encoding="utf-8")
    parses.clear()
    changed = load_knowledge_base(kb_copy)
    assert parses == ["context.yaml"]
    assert changed.facts["scope"].question == "Where does the service run?"
    os.environ["IPSEXPERT_NO_CACHE"] = "1"
    try:
        _same(changed, load_knowledge_base(kb_copy))
    finally:
        del os.environ["IPSEXPERT_NO_CACHE"]


@pytest.mark.parametrize("break_it", ["syntax", "missing fact"])
def test_a_broken_knowledge_base_is_reported_as_without_a_cache(folder, kb_copy, break_it):
    """Problems in files taken from the cache name the same lines as when they are parsed."""
    load_knowledge_base(kb_copy)
    if break_it == "syntax":
        derived = kb_copy / "rules" / "derived.yaml"
        derived.write_text(derived.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    else:  # recommendations and the maturity model that read it now name an unknown fact
        facts = kb_copy / "facts" / "formal_agreements.yaml"
        text = facts.read_text(encoding="utf-8")
        facts.write_text(text.replace("id: legal_barriers", "id: legal_barriers_renamed"), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as cached:
        load_knowledge_base(kb_copy)
    os.environ["IPSEXPERT_NO_CACHE"] = "1"
    try:
        with pytest.raises(KnowledgeBaseError) as plain:
            load_knowledge_base(kb_copy)
    finally:
        del os.environ["IPSEXPERT_NO_CACHE"]
    assert [str(problem) for problem in cached.value.problems] == [str(problem) for problem in plain.value.problems]
    assert any(problem.line for problem in cached.value.problems)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_cache_folder_is_used_for_nothing_silently(folder, parses):
    folder.mkdir(parents=True)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        expected = load_knowledge_base()
        assert list(folder.iterdir()) == []
        parses.clear()
        _same(load_knowledge_base(), expected)
        assert parses
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_read_only_file_system_is_used_for_nothing_silently(folder, parses, monkeypatch):
    """As above, where the tests run as root: every write fails as on a read-only mount."""
    import errno
    import tempfile

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    expected = load_knowledge_base()
    assert not any(folder.glob("kb-*"))
    parses.clear()
    _same(load_knowledge_base(), expected)
    assert parses


def test_a_cache_folder_that_cannot_be_made_is_used_for_nothing(tmp_path, monkeypatch, parses):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.delenv("IPSEXPERT_NO_CACHE", raising=False)
    load_knowledge_base()
    parses.clear()
    load_knowledge_base()
    assert parses


def test_the_cache_can_be_switched_off(folder, monkeypatch):
    monkeypatch.setenv("IPSEXPERT_NO_CACHE", "1")
    load_knowledge_base()
    assert not folder.exists()


def test_the_cache_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_folder() == tmp_path / "ipsexpert"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the specification says to ignore it
    assert cache.cache_folder() == Path.home() / ".cache" / "ipsexpert"


@pytest.mark.parametrize("value", [
    {"levels": {2: "two", 3: {"when": {"fact": "x", "is": True}}}},
    {"until": date(2024, 1, 31), "at": datetime(2024, 1, 31, 12, 30, tzinfo=timezone.utc), "naive": datetime(2024, 1, 1)},
    {"\x00m": "a key like a tag", True: None, None: 1.5, 3: [b"bytes", {"x": [1, 2.0, "3"]}]},
    [{"nested": [{"deep": {1: {2: "x"}}}]}],
])
def test_data_round_trips_through_the_cache_encoding_with_its_types(value):
    text = json.dumps(cache.encode(value))
    back = json.loads(text, object_hook=cache.decoder())
    assert back == value and repr(back) == repr(value)


def test_what_json_cannot_hold_is_not_cached():
    with pytest.raises(cache.NotCachable):
        cache.encode({"a set": {1, 2}})


def test_the_no_cache_option_turns_the_cache_off(monkeypatch):
    import os

    from click.testing import CliRunner

    from ipsexpert.cli.commands import main
    monkeypatch.delenv("IPSEXPERT_NO_CACHE", raising=False)
    result = CliRunner().invoke(main, ["--no-cache", "kb", "check"])
    assert result.exit_code == 0 and os.environ.get("IPSEXPERT_NO_CACHE") == "1"
