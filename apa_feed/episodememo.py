"""Each episode as the last build read it (its episode.yaml parsed and checked, its files probed
and hashed), kept in ``.apa-feed/episodes.bin`` with the ``stat`` of every file it came from, so a
re-publish of a big catalogue reads again only the episodes that changed.

An episode is reused only while its folder (a new or removed file moves the folder's times), its
episode.yaml, audio, artwork, transcript and chapters file are all as they were, and only under
the same apa-feed code, time zone and working directory (its warnings name files relative to it).
An episode with an error, without a GUID yet, or with a file changed since just before the build
began (the racy case) is not kept. Signed with this machine's key; deleting it is always safe.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from .episodeparts import owned_paths
from .episodes import EpisodeMeta
from .errors import Problem
from .files import CACHE_DIR, keep
from .machinekey import sign, verified
from .model import EpisodeInput
from .snapshot import changed_since, code_version, stamp_of, stat_stamp

MEMO = "episodes.bin"
FORMAT = 2
Stamps = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Kept:
    """One episode as a build found it."""

    meta: EpisodeMeta
    found: EpisodeInput
    problems: tuple[Problem, ...]
    """Its warnings and notes (never an error: an episode with one is not kept)."""


class EpisodeMemo:
    """The kept episodes of one show, checked against the files on first use."""

    def __init__(self, root: Path, timezone: str, started_ns: int) -> None:
        self.path = root / CACHE_DIR / MEMO
        self.context = repr((FORMAT, code_version(), timezone, os.getcwd()))
        self.started_ns = started_ns
        self.kept = self._load()
        """By folder: the stamps of the episode's files, and the episode pickled on its own (so a
        save pickles only the episodes read afresh, and a load unpickles only the unchanged ones)."""
        self.current: dict[str, tuple[Stamps, bytes]] = {}
        self.found: dict[str, Kept | None] = {}

    def get(self, folder: Path | str) -> Kept | None:
        """The kept episode of ``folder`` if none of its files has changed, else None."""
        key = os.fspath(folder)
        if key not in self.found:
            self.found[key] = None
            entry = self.kept.get(key)
            if entry is not None and all(stamp_of(path) == stamp for path, stamp in entry[0]):
                try:
                    kept = pickle.loads(entry[1])  # noqa: S301  (signed by this machine's key, checked on load)
                except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
                    return None
                self.current[key] = entry
                self.found[key] = kept if isinstance(kept, Kept) else None
        return self.found[key]

    def meta(self, folder: Path | str) -> EpisodeMeta | None:
        """The kept episode.yaml of ``folder``, parsed, if nothing changed."""
        kept = self.get(folder)
        return kept.meta if kept else None

    def keep(self, meta: EpisodeMeta, found: EpisodeInput, problems: list[Problem]) -> None:
        """Remember an episode read afresh (unless it has an error, no GUID, or a racy file)."""
        if meta.guid is None or any(p.severity == "error" for p in problems):
            return
        stamps = []
        for path in owned_paths(found, ()):
            try:
                st = os.stat(path)
            except OSError:
                return
            if changed_since(st, self.started_ns):
                return
            stamps.append((path, stat_stamp(st)))
        blob = pickle.dumps(Kept(meta, found, tuple(problems)), protocol=pickle.HIGHEST_PROTOCOL)
        self.current[os.fspath(meta.folder)] = (tuple(stamps), blob)

    def save(self) -> None:
        """Write the episodes of this build (the others are dropped) if they differ from the kept ones."""
        if self.current.keys() == self.kept.keys() and all(self.current[k] is self.kept[k] for k in self.kept):
            return
        signed = sign(pickle.dumps((self.context, self.current), protocol=pickle.HIGHEST_PROTOCOL))
        if signed is not None:
            keep(self.path, signed)

    def _load(self) -> dict[str, tuple[Stamps, bytes]]:
        try:
            data = verified(self.path.read_bytes())
            if data is None:
                return {}  # not written by apa-feed on this machine: never unpickled
            context, kept = pickle.loads(data)  # noqa: S301  (signed by this machine's key, checked above)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return {}
        return kept if context == self.context and isinstance(kept, dict) else {}
