"""Writing files so that an interruption never leaves a truncated one.

Everything ipsexpert writes (``--output``, consultation saves) goes to a temporary file
in the same folder, is flushed to disk (fsync) and renamed into place only when
complete: until then an existing file keeps its old content, and a failed or
interrupted write leaves no temporary file behind. The result gets the permissions an
ordinary write would give it (those of the file it replaces, or the umask's), and a
symbolic link is written through, not replaced. A device or a pipe (``--output
/dev/stdout``) is written in place, never replaced. A file that cannot be written —
from the start, or half-way on a full disk — is a user error naming it.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from .errors import OutputError


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, then restore it at once
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the system supports it (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class GuardedStream:
    """A text stream whose write failures are user errors naming the file, not tracebacks.

    A full disk or a file size limit shows up in the middle of a batch, at whichever
    write fills the last block: wrapping the stream turns it into one clear message
    (exit 2) wherever it happens. A broken pipe stays a BrokenPipeError, which the
    command line answers with the shell's quiet exit code instead.
    """

    def __init__(self, stream: IO[str], name: str) -> None:
        self.stream, self.name = stream, name

    def write(self, text: str) -> int:
        with _as_output_error(self.name):
            return self.stream.write(text)

    def flush(self) -> None:
        with _as_output_error(self.name):
            self.stream.flush()

    def write_bytes(self, data: bytes) -> None:
        """Write UTF-8 bytes after the text written so far: straight to the binary buffer
        beneath when the stream encodes as UTF-8 and writes a newline as it is, else as text
        (where the text layer turns newlines into CRLF, say, so that a file keeps one kind)."""
        buffer = getattr(self.stream, "buffer", None)
        with _as_output_error(self.name):
            if buffer is None or os.linesep != "\n" or not _encodes_utf8(self.stream):
                self.stream.write(data.decode("utf-8"))
                return
            self.stream.flush()
            buffer.write(data)


def _encodes_utf8(stream: IO[str]) -> bool:
    try:
        return codecs.lookup(stream.encoding).name == "utf-8"
    except (AttributeError, LookupError, TypeError):
        return False


@contextmanager
def _as_output_error(name: str) -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot be written: {exc.strerror or exc}", file=name) from None


@contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[GuardedStream]:
    """A text stream whose content replaces ``path`` only if the block completes.

    Any exception in the block (a user error, Ctrl-C, a signal turned into an exception)
    propagates unchanged, after the temporary file is removed.
    """
    name = os.fspath(path)
    found = _existing(name)
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise OutputError("is a folder, not a file: cannot write the output there", file=name)
    if found is not None and not stat.S_ISREG(found.st_mode):
        # A device or a pipe (/dev/stdout, /dev/null, a FIFO) cannot be replaced, and
        # must not be: replacing /dev/null as root would put a plain file in its place.
        yield from _write_in_place(name)
        return
    target = Path(os.path.realpath(name))  # through a symbolic link, to the file it names
    with _as_output_error(name):
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    handle = None
    try:
        handle = open(fd, "w", encoding="utf-8")
        yield GuardedStream(handle, name)
        with _as_output_error(name):
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.chmod(temporary, _mode_for(target))
            os.replace(temporary, target)
        _sync_folder(target.parent)
    except BaseException:
        if handle is not None:
            _close_quietly(handle)
        Path(temporary).unlink(missing_ok=True)
        raise


def _existing(name: str) -> os.stat_result | None:
    """What ``name`` is now (through symbolic links), or None when nothing is there yet."""
    try:
        return os.stat(name)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot be written: {exc.strerror or exc}", file=name) from None


def _close_quietly(handle: IO[str]) -> None:
    """Close a stream that is being abandoned: its unwritten rest cannot matter any more,
    and the error that made us abandon it (a full disk, say) would only be raised again."""
    try:
        handle.close()
    except OSError:
        pass


def _write_in_place(name: str) -> Iterator[GuardedStream]:
    with _as_output_error(name):
        handle = open(name, "w", encoding="utf-8")
    try:
        yield GuardedStream(handle, name)
    except BaseException:
        _close_quietly(handle)
        raise
    with _as_output_error(name):
        handle.close()


@contextmanager
def standard_output() -> Iterator[GuardedStream]:
    """Standard output as a guarded stream, for output that would otherwise go to a file.

    When it cannot be written (``> report.md`` on a full disk), its file descriptor is
    pointed at the null device, so that the text still buffered is not written again
    at exit, which would end the run with Python's "Exception ignored" message.
    """
    _writable_everything(sys.stdout)
    try:
        yield GuardedStream(sys.stdout, "standard output")
    except OutputError:
        _discard_standard_output()
        raise


def _writable_everything(stream: IO[str]) -> None:
    """Make a standard output that does not encode as UTF-8 able to take any report.

    Redirected (``> report.html`` under a legacy code page or ``PYTHONIOENCODING=ascii``),
    it receives a document, which is UTF-8 (JSON must be, the HTML page says so): it is
    switched to UTF-8. A terminal keeps its encoding and shows what it cannot as ``?``,
    instead of the run ending on the first dash with a traceback.
    """
    if _encodes_utf8(stream) or not hasattr(stream, "reconfigure"):
        return
    try:
        if stream.isatty():
            stream.reconfigure(errors="replace")
        else:
            stream.reconfigure(encoding="utf-8", errors="strict")
    except (OSError, ValueError):
        pass


def _discard_standard_output() -> None:
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's captured output): nothing is written at exit
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


def write_atomically(path: str | os.PathLike, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)
