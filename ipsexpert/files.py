"""Writing files so that an interruption never leaves a truncated one.

Everything ipsexpert writes (``--output``, consultation saves) goes to a temporary file
in the same folder and is renamed into place only when complete.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


@contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[IO[str]]:
    """A text handle whose content replaces ``path`` only if the block completes."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=f".{target.name}.",
                                         suffix=".tmp", delete=False)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def write_atomically(path: str | os.PathLike, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)
