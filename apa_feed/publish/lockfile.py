"""The lock file, ``apa-feed.lock`` next to feed.yaml (committed with the show).

It remembers what subscribers have already seen: the show's ``podcast:guid`` (computed once,
then pinned) and, per published episode, its GUID, pubDate and enclosure URL. The identity
guard compares a new build with it; ``import`` writes it from an existing feed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..files import write_atomic

LOCK_FILE = "apa-feed.lock"
LOCK_VERSION = 1
PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
"""Podcasting 2.0's namespace UUID for ``podcast:guid`` (UUIDv5 of the feed URL)."""


@dataclass(frozen=True)
class LockedEpisode:
    """What subscribers already have of one episode."""

    guid: str
    pub_date: str
    """RFC 3339 date-time with its offset, as first published."""
    enclosure_url: str
    slug: str = ""
    title: str = ""


@dataclass(frozen=True)
class Lock:
    """The show's published identity."""

    podcast_guid: str
    feed_url: str
    episodes: tuple[LockedEpisode, ...] = field(default_factory=tuple)

    def by_guid(self) -> dict[str, LockedEpisode]:
        """Published episodes keyed by GUID."""
        return {e.guid: e for e in self.episodes}


def podcast_guid(feed_url: str) -> str:
    """``podcast:guid`` per the spec: UUIDv5 of the feed URL without scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_NAMESPACE, bare))


class LockError(ValueError):
    """The lock file is damaged; the message says how."""


def read_lock(root: Path) -> Lock | None:
    """The lock file under ``root``, or None when there is none yet."""
    path = root / LOCK_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        episodes = tuple(LockedEpisode(**e) for e in doc.get("episodes", []))
        return Lock(str(doc["podcast_guid"]), str(doc["feed_url"]), episodes)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LockError(f"{path.name} is damaged ({exc}); restore it from version control") from None


def write_lock(root: Path, lock: Lock) -> None:
    """Write the lock atomically, episodes sorted by date then GUID (stable diffs)."""
    write_atomic(root / LOCK_FILE, lock_to_bytes(lock))


def lock_to_bytes(lock: Lock, **extra: object) -> bytes:
    """The lock file's bytes (episodes sorted by date then GUID); ``extra`` adds top-level fields (the
    store's publish record says which publish wrote it)."""
    episodes = sorted(lock.episodes, key=lambda e: (e.pub_date, e.guid))
    doc = {
        "version": LOCK_VERSION,
        "podcast_guid": lock.podcast_guid,
        "feed_url": lock.feed_url,
        "episodes": [asdict(e) for e in episodes],
        **extra,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def lock_from_bytes(data: bytes) -> tuple[Lock, dict[str, object]]:
    """A lock (and its other top-level fields) from :func:`lock_to_bytes`' bytes; fields of an episode this
    apa-feed does not know (written by a newer one) are left out. :class:`LockError` when damaged."""
    known = {f.name for f in fields(LockedEpisode)}
    try:
        doc = json.loads(data)
        episodes = tuple(LockedEpisode(**{k: v for k, v in e.items() if k in known}) for e in doc.get("episodes", []))
        return Lock(str(doc["podcast_guid"]), str(doc["feed_url"]), episodes), doc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LockError(str(exc)) from None
