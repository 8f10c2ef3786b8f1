"""Progress: of uploads for ``publish`` (a rich bar on a terminal, one plain line per file otherwise, or
nothing), and of a long build's reading of the episodes' files (a bar on a terminal, or nothing).

The store calls :meth:`advance` and :meth:`finished` from its worker threads (boto3 calls back from
the transfer manager's threads), so every method takes one lock.
"""

from __future__ import annotations

import sys
import threading
import time
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
    return UploadProgress("bar" if is_terminal(target) else "lines", target)


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal a bar can be drawn on: a TTY (never a log, even with ``FORCE_COLOR``
    set, as CI services do) that rich takes for one (not ``TERM=dumb``…)."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return False
    from rich.console import Console

    return Console(file=stream).is_terminal


BUILD_BAR_AFTER = 1.0
"""Seconds a build reads the episodes' files before its bar shows: a build of a show whose files are in the
cache (thousands of episodes) is done reading by then, and a short one never shows a bar."""
BUILD_BAR_LEFT = 50
"""…and the bar shows only while more episodes than this are left to read (a long first build or probe of
a large catalogue, not the last few files of a small one)."""


class BuildProgress:
    """The episodes' files read by a long build (probed, hashed): a rich bar on a terminal, from the moment
    the reading has taken :data:`BUILD_BAR_AFTER` seconds with more than :data:`BUILD_BAR_LEFT` episodes
    left; nothing otherwise. Called with ``(done, total)`` after each episode; a context manager."""

    def __init__(self, shown: bool, stream: TextIO | None = None) -> None:
        self.shown = shown
        self.stream = stream if stream is not None else sys.stderr
        self.after, self.left = BUILD_BAR_AFTER, BUILD_BAR_LEFT
        self.started: float | None = None
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.shown:
            return
        now = time.monotonic()
        if self.started is None:
            self.started = now
        if self._bar is None:
            if now - self.started < self.after or total - done <= self.left:
                return
            self._start(total)
        assert self._bar is not None and self._task is not None
        self._bar.update(self._task, completed=done)

    def _start(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(file=self.stream, force_terminal=True)  # shown is only ever true on a terminal
        columns = (TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TextColumn("episodes"))
        self._bar = Progress(*columns, TimeRemainingColumn(), console=console, transient=True)
        self._bar.start()
        self._task = self._bar.add_task("read", total=total)

    def close(self) -> None:
        """Take the bar off the screen (what the command prints next says what the build found)."""
        bar, self._bar = self._bar, None
        if bar is not None:
            bar.stop()

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def build_progress(hidden: bool, stream: TextIO | None = None) -> BuildProgress:
    """A build's bar, shown on a terminal only, never ``hidden`` (``--json``, ``--quiet``)."""
    target = stream if stream is not None else sys.stderr
    return BuildProgress(not hidden and is_terminal(target), target)
