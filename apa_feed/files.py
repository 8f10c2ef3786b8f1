"""Writing a file so no reader ever sees it half-written: a temporary name in the same folder, then
a rename over the target (atomic on POSIX and Windows)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

CACHE_DIR = ".apa-feed"
"""Where apa-feed keeps what it works out, under the show's folder (never committed)."""


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step, making its folder if needed (raises OSError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def keep(path: Path, data: bytes) -> None:
    """:func:`write_atomic` for caches: a read-only project just goes without."""
    with contextlib.suppress(OSError):
        write_atomic(path, data)


def overwrite(path: Path, parts: list[bytes]) -> None:
    """Write ``parts`` over ``path`` in place, for a big cache whose reader checks a signature: a torn
    write is refused like any damaged file, and the old file's pages are not freed and read again
    (replacing a file of tens of megabytes costs more than writing it). A read-only project goes without."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "r+b" if path.exists() else "wb") as handle:
            handle.writelines(parts)
            handle.truncate()
