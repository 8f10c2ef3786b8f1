"""Upload progress for ``publish``: a rich bar on a terminal, one plain line per file otherwise, or nothing.

The store calls :meth:`advance` and :meth:`finished` from its worker threads (boto3 calls back from
the transfer manager's threads), so every method takes one lock.
"""

from __future__ import annotations

import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # rich is imported when a bar is shown, not for --quiet or plain lines
    from rich.progress import Progress, TaskID


class UploadProgress:
    """Shows uploads as they go; use as a context manager around the publish.

    ``mode``: ``"bar"`` (rich), ``"lines"`` (one line per finished file) or ``"quiet"``;
    :func:`progress_for` picks one from ``--quiet`` and whether ``stream`` is a terminal.
    """

    def __init__(self, mode: str, stream: TextIO | None = None) -> None:
        self.mode = mode
        self.stream = stream if stream is not None else sys.stderr
        self.files = 0
        self.sent = 0
        self._lock = threading.Lock()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def start(self, files: int, total_bytes: int) -> None:
        """Begin showing ``files`` uploads of ``total_bytes`` in all (nothing is shown for none)."""
        with self._lock:
            if self.mode != "bar" or files == 0 or self._bar is not None:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            console = Console(file=self.stream)
            self._bar = Progress(
                TextColumn("uploading"),
                BarColumn(),
                TextColumn("{task.fields[files]}/{task.fields[of]} files"),
                DownloadColumn(binary_units=True),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("upload", total=total_bytes, files=0, of=files)

    def advance(self, nbytes: int) -> None:
        with self._lock:
            self.sent += nbytes
            if self._bar is not None and self._task is not None:
                self._bar.advance(self._task, nbytes)

    def finished(self, key: str, size: int) -> None:
        with self._lock:
            self.files += 1
            if self._bar is not None and self._task is not None:
                self._bar.update(self._task, files=self.files)
            if self.mode == "lines":
                print(f"uploaded {key} ({size:,} bytes)", file=self.stream, flush=True)

    def close(self) -> None:
        """Take the bar off the screen (the summary that follows says what was done)."""
        with self._lock:
            bar, self._bar = self._bar, None
        if bar is not None:
            bar.stop()

    def __enter__(self) -> UploadProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def progress_for(quiet: bool, stream: TextIO | None = None) -> UploadProgress:
    """Nothing with ``--quiet``; a bar on a terminal; plain lines in a log or a pipe."""
    target = stream if stream is not None else sys.stderr
    if quiet:
        return UploadProgress("quiet", target)
    from rich.console import Console

    return UploadProgress("bar" if Console(file=target).is_terminal else "lines", target)
