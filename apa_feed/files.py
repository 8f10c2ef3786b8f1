"""Where apa-feed keeps what it works out, and writing a file so no reader ever sees it half-written.

Nothing is kept inside the show: a show folder may be someone else's clone, so what a build keeps
lives in the user's cache folder (``$XDG_CACHE_HOME/apa-feed/shows/<digest of the show's path>/``),
made by apa-feed with mode 0700. Deleting it at any time changes nothing but time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def cache_home() -> Path:
    """The user's cache folder for apa-feed (``$XDG_CACHE_HOME/apa-feed``, else ``~/.cache/apa-feed``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "apa-feed"


def show_cache(root: Path) -> Path:
    """The folder that holds what apa-feed keeps for the show at ``root`` (not made here)."""
    digest = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:24]
    return cache_home() / "shows" / digest


def private_folder(path: Path) -> Path:
    """Make ``path`` (and its parents) as folders only this user can read; raises OSError."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step, making its folder if needed (raises OSError).

    The temporary file gets a fresh random name, created exclusively: a link planted in the folder
    (a show may be someone else's clone) is never written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
