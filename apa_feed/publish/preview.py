"""``serve``'s build: the show published into a private folder with its URLs on 127.0.0.1, and built again
when a file of the show changes, so a browser or a podcast app sees the edit on reload.

Whether something changed is told by the show's files' stamps (modification time and size), read when the
feed or a page is asked for, never for media (their keys hold their SHA-256: their bytes never change). A
build that fails keeps the last good one served and says why; the next change tries again.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from ..build import Options
from ..config.episodes import EPISODE_FILE
from ..config.show import load_show
from ..errors import ApaFeedError, Problem, ProblemsFound, os_error_message
from .run import Report, publish

Stamp = dict[str, tuple[int, int]]
"""Each file's (modification time in ns, size), by path."""
DOCUMENTS = ("", ".xml", ".rss", ".html", ".htm")
"""What a reload fetches (the feed, a page, a folder's index): a request for one checks the show first."""


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild after a change gave: the new build's report, or why the last good one is still served."""

    report: Report | None
    problems: tuple[Problem, ...] = ()
    error: str = ""


class Preview:
    """The show built into ``folder`` (a store of the preview's own) with ``options``, rebuilt on change."""

    def __init__(self, options: Options, folder: Path) -> None:
        self.options = replace(options, storage=str(folder), identity=False, analytics=False)
        self.root = options.config.absolute().parent
        self.skip = frozenset({str(folder.absolute()), *_store_folder(options)})
        self._stamp: Stamp = {}
        self._lock = threading.Lock()

    def build(self) -> Report:
        """The first build (its problems are the user's to fix before anything is served)."""
        with self._lock:
            return self._publish(show_stamp(self.root, self.skip))

    def refresh(self, path: str) -> Rebuilt | None:
        """Rebuild when ``path`` is the feed or a page and a file of the show changed since the last build;
        None when nothing was done."""
        if os.path.splitext(path.rstrip("/").rpartition("/")[2])[1].lower() not in DOCUMENTS:
            return None
        with self._lock:  # one rebuild at a time; the requests that came meanwhile see its result
            stamp = show_stamp(self.root, self.skip)
            if stamp == self._stamp:
                return None
            self._stamp = stamp  # taken before the build: an edit made during it is seen by the next request
            try:
                return Rebuilt(self._publish(stamp))
            except ProblemsFound as found:
                return Rebuilt(None, tuple(found.problems))
            except ApaFeedError as exc:
                return Rebuilt(None, error=str(exc))
            except OSError as exc:
                return Rebuilt(None, error=os_error_message(exc))
            except Exception as exc:  # a bug: the last good build is still worth serving
                return Rebuilt(None, error=f"internal error ({type(exc).__name__}: {exc}); please report it")

    def _publish(self, before: Stamp) -> Report:
        """Build and publish into the preview's folder (its own: no other publish writes there, so no run lock
        is needed); the stamp becomes ``before`` with the GUIDs this build wrote into episode.yaml files."""
        report = publish(self.options, locked=True)
        after = show_stamp(self.root, self.skip)
        self._stamp = dict(before)
        for found in report.built.inputs:
            path = str(found.meta.folder / EPISODE_FILE)
            if after.get(path) != before.get(path) and found.meta.guid and _ends_with_guid(path, found.meta.guid):
                self._stamp[path] = after[path]
        return report


def _ends_with_guid(path: str, guid: str) -> bool:
    """Whether the file's last line is the ``guid:`` line a build appends (so the change was the build's)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(lines) and lines[-1].startswith(f"guid: {guid}")


def _store_folder(options: Options) -> list[str]:
    """The show's own local store (``storage: public``), whose files are output, not the show's."""
    try:
        spec = options.storage or load_show(options.config).storage
    except ApaFeedError:
        return []
    if spec.startswith("s3://"):
        return []
    folder = Path(spec).expanduser()
    return [str(folder if folder.is_absolute() else options.config.absolute().parent / folder)]


def show_stamp(root: Path, skip: frozenset[str] = frozenset()) -> Stamp:
    """The stamp of every file under ``root`` but hidden ones and the folders in ``skip`` (links to folders
    are not followed)."""
    found: Stamp = {}
    todo = [str(root)]
    while todo:
        folder = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.path in skip:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                    continue
                info = entry.stat()
            except OSError:
                continue
            found[entry.path] = (info.st_mtime_ns, info.st_size)
    return found
