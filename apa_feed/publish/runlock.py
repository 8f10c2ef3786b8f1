"""One publish (or rollback) of a show at a time: two at once could interleave their feed and
history writes. The lock is an OS file lock on ``publish.lock`` in the show's cache folder: it goes away with the
process, so a killed publish never leaves a stale lock behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ApaFeedError
from ..files import private_folder, show_cache

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; runs are not serialised there
    fcntl = None  # type: ignore[assignment]


class PublishRunning(ApaFeedError):
    """Another publish of the same show holds the lock."""


@contextmanager
def exclusive(root: Path) -> Iterator[None]:
    """Hold the show's publish lock for the duration of the block, or refuse at once."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = private_folder(show_cache(root)) / "publish.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            raise PublishRunning(
                f"another publish of this show is running (process {holder}); wait for it to finish, then publish again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
