"""The consultation's file, where nothing the user wrote may be lost.

A consultation holds ``FILE.lock`` (an OS lock, gone with its process) while it runs, so
two never write one file. An existing file is replaced only if it is a consultation's
own (top-level ``description: Consultation``, as every new one is written), the one
resumed, or with ``--force``, and first kept as ``FILE.bak``. Nothing is written until
an answer changes; the header fields a consultation was given (name, date, respondent)
go in with that write. Only ``answers``, those fields and the disputes an answer
settles change (``consult_documents`` keeps the rest of the text as it was). Every text
is read back with the bounded parser and the scenario checks before it is written, so
a save never leaves a file that says something else.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Iterator

import yaml

from ..documents import parse_document, read_bounded
from ..errors import InputError, IpsExpertError, OutputError
from ..files import write_atomically
from ..knowledge.loading import KnowledgeBase
from ..knowledge.scenario import Scenario, scenario_from_data
from .console import shown
from .consult_documents import HEADER, JsonDocument, YamlDocument

MARKER = "Consultation"
"""The ``description`` that marks a file as a consultation's own, free to be replaced."""

LOCK_ATTEMPTS = 5  # tries at a lock file that its holder removes as we open it; then it is in use


class ConsultationError(IpsExpertError):
    """The consultation cannot start: its file is taken, is not a file, or is someone else's."""


# -- the lock -------------------------------------------------------------------------------

if os.name == "nt":
    import msvcrt
else:
    import fcntl

_BUSY = OSError if os.name == "nt" else BlockingIOError  # what taking a held lock without waiting raises


def _try_lock(fd: int) -> bool:
    try:
        if os.name == "nt":
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except _BUSY:
        return False
    return True


@contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold ``target``'s lock for the block; ConsultationError if another process holds it.

    The lock file, ``FILE.lock`` beside the real file (so a link to it shares the lock), is
    never written: one left by a crash holds nothing, as the system drops a lock with its process.
    """
    path = Path(os.path.realpath(target) + ".lock")
    fd = _acquire(path, target)
    try:
        yield
    finally:
        _release(path, fd)


def _acquire(path: Path, target: Path) -> int:
    for _ in range(LOCK_ATTEMPTS):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputError(f"cannot be written: {exc.strerror or exc}", file=str(target)) from None
        if not _try_lock(fd):
            os.close(fd)
            break
        if _names(fd, path):
            return fd
        os.close(fd)  # its holder removed it between our open and our lock: take the new one
    raise ConsultationError(f"is in use by another consultation (it holds {shown(path.name)}); "
                            "finish or stop that one first", file=str(target))


def _names(fd: int, path: Path) -> bool:
    try:  # does ``path`` still name the file open as ``fd``?
        found, held = path.stat(), os.fstat(fd)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino)


def _release(path: Path, fd: int) -> None:
    """Remove the lock file and let go. On POSIX it is removed while still held, so no one
    can lock it in between and then hold a lock on a file no longer there; Windows cannot
    remove an open file, so it goes after, and stays if someone else has opened it."""
    if os.name == "nt":
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        os.close(fd)
    with suppress(OSError):  # one that cannot be removed holds nothing once let go: leave it
        path.unlink(missing_ok=True)
    if os.name != "nt":
        os.close(fd)  # closing lets go of the flock


# -- opening: what may be replaced, and what the consultation starts from ---------------------------

def _is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _same(source: Path | None, target: Path) -> bool:
    return source is not None and target.exists() and os.path.samefile(source, target)


def _is_consultation(raw: bytes, target: Path) -> bool:
    try:
        data = parse_document(raw, str(target), json_format=_is_json(target)).data
    except InputError:
        return False
    return isinstance(data, dict) and data.get("description") == MARKER


def _replaces(target: Path, source: Path | None, force: bool) -> bool:
    """Whether saving replaces content (to be kept as FILE.bak first); refuses a file that
    is neither the consultation's own nor the one resumed, unless forced."""
    raw = read_bounded(target) if target.exists() else b""
    if not raw.strip():
        return False
    if force or _same(source, target) or _is_consultation(raw, target):
        return True
    raise ConsultationError(
        f"is not a consultation's own (its description is not `{MARKER}`), so --save will not replace it: "
        f"continue it with `ipsexpert consult --resume {shown(target)}`, or replace it with --force "
        f"(keeping it as {shown(str(target) + '.bak')})", file=str(target))


def _start(source: Path | None, target: Path, kb: KnowledgeBase) -> tuple[Scenario, dict, Any, str | None]:
    """The checked scenario, its answers in the order written, its data and (if YAML) its
    text: of the resumed file, or of a new consultation's header."""
    if source is None:
        data = {"name": target.stem, "description": MARKER, "answers": {}}
        return scenario_from_data(data, kb), {}, data, None
    raw = read_bounded(source)  # bounded, then checked like any scenario, before ruamel sees it
    doc = parse_document(raw, str(source), json_format=_is_json(source))
    scenario = scenario_from_data(doc.data, kb, doc).model_copy(update={"source": None})
    answers = {fact_id: scenario.answers[fact_id] for fact_id in doc.data.get("answers") or {}}
    return scenario, answers, doc.data, None if _is_json(source) else raw.decode("utf-8-sig")


class ScenarioFile:
    """Where a consultation's answers live, and what it started from."""

    def __init__(self, target: Path, source: Path | None, kb: KnowledgeBase, force: bool = False) -> None:
        self.target, self.source, self.kb = target, source, kb
        self.replaces = _replaces(target, source, force)
        self.in_place = _same(source, target)
        self.scenario, self.answers, data, text = _start(source, target, kb)
        self.given = set(data) if source is not None else set()  # a new file's name is only a placeholder
        self.header: dict[str, str] = {}  # fields to set, in HEADER order, written with the next answer
        self.document = JsonDocument(data) if _is_json(target) else YamlDocument(
            text or yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))  # new, or from JSON
        self.saved = dict(self.answers)  # what the file holds
        self.written = self.backed_up = False
        self.render(self.answers)  # a file that cannot be written back faithfully fails now, not later

    @property
    def holder(self) -> Path | None:
        """The file that holds the answers now: none before a new consultation's first answer."""
        return self.target if self.written or self.in_place else self.source

    def has(self, field: str) -> bool:
        """Whether the file gives this header field (a new one's name is a placeholder)."""
        return field in self.given

    def set_header(self, field: str, value: str) -> None:
        """Set ``name``, ``as_of`` or ``respondent``; written with the next answer that changes,
        checked now so that a value that cannot be saved is refused before it is relied on."""
        header = {**self.header, field: value}
        self.render(self.saved, header)
        self.header = {key: header[key] for key in HEADER if key in header}

    def save(self, answers: dict[str, Any]) -> None:
        """Write ``answers`` if the file does not hold them yet (after keeping a backup once)."""
        if list(answers.items()) == list(self.saved.items()):
            return
        text = self.render(answers)
        if self.replaces and not self.backed_up:
            back_up(self.target)
            self.backed_up = True
        write_atomically(self.target, text)  # an unwritable file is files.OutputError: exit 2
        self.saved, self.written = dict(answers), True

    def settled(self, answers: dict[str, Any]) -> list[str]:
        """The disputed questions these answers settle: a known answer settles one, unknown does not."""
        return [fact_id for fact_id in self.scenario.disputed if answers.get(fact_id) is not None]

    def scenario_with(self, answers: dict[str, Any], header: dict[str, str] | None = None) -> Scenario:
        """The scenario the file holds once ``answers`` and the header fields are written."""
        settled = self.settled(answers)
        ordered = {fact_id: answers[fact_id] for fact_id in self.kb.facts if fact_id in answers}
        disputed = {fact_id: claims for fact_id, claims in self.scenario.disputed.items() if fact_id not in settled}
        return self.scenario.model_copy(update={**(self.header if header is None else header),
                                                "answers": ordered, "disputed": disputed})

    def render(self, answers: dict[str, Any], header: dict[str, str] | None = None) -> str:
        """The file's text with ``answers``, checked to read back as exactly that scenario."""
        header = self.header if header is None else header
        removed = [fact_id for fact_id in self.answers if fact_id not in answers]
        changed = {fact_id: "unknown" if value is None else value for fact_id, value in answers.items()
                   if fact_id not in self.answers or self.answers[fact_id] != value}
        text = self.document.render(removed, changed, header, self.settled(answers))
        self._check(text, self.scenario_with(answers, header))
        return text

    def _check(self, text: str, meant: Scenario) -> None:
        name = str(self.target)
        try:
            doc = parse_document(text.encode("utf-8"), name, json_format=_is_json(self.target))
            read = scenario_from_data(doc.data, self.kb)
        except IpsExpertError as exc:
            raise OutputError("cannot be saved: written back, it would not be a valid scenario "
                              f"({exc.problems[0].message}); nothing was written", file=name) from None
        except UnicodeEncodeError:  # a lone surrogate, as an undecodable command-line argument becomes
            raise OutputError("cannot be saved: it would hold text that is not valid Unicode "
                              "(check --respondent); nothing was written", file=name) from None
        differing = next((field for field in Scenario.model_fields if getattr(read, field) != getattr(meant, field)),
                         None)
        if differing:
            raise OutputError(f"cannot be saved: written back, its `{differing}` would read differently; "
                              "nothing was written", file=name)


def back_up(target: Path) -> None:
    """Copy ``target`` to ``FILE.bak`` whole, with its permissions, replacing it only when complete.

    (files.write_atomically writes text; this copies bytes, whatever the file held.)
    """
    backup = target.with_name(target.name + ".bak")
    try:
        fd, temp = tempfile.mkstemp(dir=backup.parent, prefix=f".{backup.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot be written: {exc.strerror or exc}", file=str(backup)) from None
    try:
        with open(fd, "wb") as copy, open(target, "rb") as original:
            shutil.copyfileobj(original, copy)
            copy.flush()
            os.fsync(copy.fileno())
        shutil.copymode(target, temp)  # a private file's copy stays private (mkstemp: 0600 until then)
        os.replace(temp, backup)
    except BaseException as exc:  # an interrupt too: no temporary file is left behind
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot be written: {exc.strerror or exc}", file=str(backup)) from None
        raise
