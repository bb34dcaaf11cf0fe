"""Write a file so that a reader, or a run killed at any instant, sees the old file or the new
one, never half of one: write a temporary file beside it, fsync it, rename it over the target,
then fsync the folder so the rename itself survives a power cut."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

TMP_SUFFIX = ".tmp"  # temporary files are ".<name>.<random>.tmp" beside their target


def write_atomic(path: str | Path, data: str | bytes) -> None:
    with atomic_writer(path, binary=True) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def atomic_writer(path: str | Path, binary: bool = False) -> Iterator[IO]:
    """A file to write ``path`` through, piece by piece (text in UTF-8 with no newline
    translation, or bytes): it replaces ``path`` only when the block ends without an error, so
    a large file is never held in memory whole and never seen half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    try:
        os.fchmod(fd, _mode(path))
        text = {} if binary else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, "wb" if binary else "w", **text) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _mode(path: Path) -> int:
    """Keep the target's permissions; a new file gets the usual rw-r--r-- (mkstemp's is rw-------)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o644


def fsync_dir(folder: str | Path) -> None:
    """Make a rename or unlink in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temporaries(folder: str | Path) -> int:
    """Delete temporary files a killed writer left in ``folder`` (call only while holding the
    output lock, so no live writer owns them). Returns how many were removed."""
    removed = 0
    for tmp in Path(folder).glob(f".*{TMP_SUFFIX}"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed
