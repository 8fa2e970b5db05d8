"""Writing files so that an interruption never leaves a truncated one.

Everything ipsexpert writes (``--output``, consultation saves) goes to a temporary file
in the same folder and is renamed into place only when complete: until then an
existing file keeps its old content, and a failed or interrupted write leaves no
temporary file behind. The result gets the permissions an ordinary write would give
it (those of the file it replaces, or the umask's), and a symbolic link is written
through, not replaced. A device or a pipe (``--output /dev/stdout``) is written in
place, never replaced. A file that cannot be written is a user error naming it.
"""

from __future__ import annotations

import os
import stat
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


@contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[IO[str]]:
    """A text handle whose content replaces ``path`` only if the block completes."""
    name = os.fspath(path)
    try:
        found = os.stat(name)  # through symbolic links
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise OutputError(f"cannot be written: {exc.strerror or exc}", file=name) from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise OutputError("is a folder, not a file: cannot write the output there", file=name)
    if found is not None and not stat.S_ISREG(found.st_mode):
        # A device or a pipe (/dev/stdout, /dev/null, a FIFO) cannot be replaced, and
        # must not be: replacing /dev/null as root would put a plain file in its place.
        yield from _write_in_place(name)
        return
    target = Path(os.path.realpath(name))  # through a symbolic link, to the file it names
    folder = target.parent
    try:
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=f".{target.name}.",
                                             suffix=".tmp", delete=False)
    except OSError as exc:
        raise OutputError(f"cannot be written: {exc.strerror or exc}", file=name) from None
    try:
        with handle:
            yield handle  # an error raised by the caller's block propagates unchanged
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise OutputError(f"cannot be written: {exc.strerror or exc}", file=name) from None
        try:
            os.chmod(handle.name, _mode_for(target))
            os.replace(handle.name, target)
        except OSError as exc:
            raise OutputError(f"cannot be written: {exc.strerror or exc}", file=name) from None
        _sync_folder(folder)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _write_in_place(name: str) -> Iterator[IO[str]]:
    try:
        handle = open(name, "w", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot be written: {exc.strerror or exc}", file=name) from None
    with handle:
        yield handle


def write_atomically(path: str | os.PathLike, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)
