"""The lock file, ``apa-feed.lock`` next to feed.yaml (committed with the show).

It remembers what subscribers have already seen: the show's ``podcast:guid`` (computed once,
then pinned) and, per published episode, its GUID, pubDate and enclosure URL. The identity
guard compares a new build with it; ``import`` writes it from an existing feed.

Per published episode it also keeps the facts the feed took from the episode's audio and
artwork (store key, size, type, SHA-256, what the probe read), so that a clone of the show
without those files (a new laptop, a CI job) builds the same feed from the lock alone.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from ..audio.info import AudioInfo
from ..files import write_atomic

T = TypeVar("T")
LOCK_FILE = "apa-feed.lock"
LOCK_VERSION = 1
PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
"""Podcasting 2.0's namespace UUID for ``podcast:guid`` (UUIDv5 of the feed URL)."""


@dataclass(frozen=True)
class LockedFile:
    """One published file as the feed used it: enough to build the feed again without the file."""

    name: str
    """The file's name (its key's stem and extension come from it): ``audio.mp3``, ``cover.jpg``."""
    key: str
    """Where it is on the store."""
    size: int
    type: str
    """Its MIME type."""
    sha256: str


@dataclass(frozen=True)
class LockedAudio:
    """An episode's published audio, what the probe read from it, and the pictures taken out of it."""

    file: LockedFile
    """The published file (with ``tags: write``, the tagged copy)."""
    probe: AudioInfo
    """What the probe read from the producer's file: duration, format, tags, chapters, cover."""
    cover: LockedFile | None = None
    """The embedded cover, published as the episode's artwork when episode.yaml names none."""
    chapter_images: tuple[tuple[int, LockedFile], ...] = ()
    """The pictures of the audio's chapters (index into the chapters), as published."""


@dataclass(frozen=True)
class LockedEpisode:
    """What subscribers already have of one episode."""

    guid: str
    pub_date: str
    """RFC 3339 date-time with its offset, as first published."""
    enclosure_url: str
    slug: str = ""
    title: str = ""
    audio: LockedAudio | None = None
    """The published audio's facts (None: audio hosted elsewhere, or a lock from before they were kept)."""
    image: LockedFile | None = None
    """The artwork episode.yaml names, as published."""


@dataclass(frozen=True)
class Lock:
    """The show's published identity."""

    podcast_guid: str
    feed_url: str
    episodes: tuple[LockedEpisode, ...] = field(default_factory=tuple)
    moved_from: tuple[str, ...] = ()
    """The feed URLs the show was moved away from (``apa-feed move``), oldest first; they should answer 301."""

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
        episodes = tuple(load_episode(e) for e in doc.get("episodes", []))
        return Lock(str(doc["podcast_guid"]), str(doc["feed_url"]), episodes, _moved(doc))
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
        **({"moved_from": list(lock.moved_from)} if lock.moved_from else {}),
        "episodes": [dump_episode(e) for e in episodes],
        **extra,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def lock_from_bytes(data: bytes) -> tuple[Lock, dict[str, object]]:
    """A lock (and its other top-level fields) from :func:`lock_to_bytes`' bytes; fields of an episode this
    apa-feed does not know (written by a newer one) are left out. :class:`LockError` when damaged."""
    known = {f.name for f in fields(LockedEpisode)}
    try:
        doc = json.loads(data)
        episodes = tuple(load_episode({k: v for k, v in e.items() if k in known}) for e in doc.get("episodes", []))
        return Lock(str(doc["podcast_guid"]), str(doc["feed_url"]), episodes, _moved(doc)), doc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LockError(str(exc)) from None


def _moved(doc: dict[str, Any]) -> tuple[str, ...]:
    """The feed URLs a lock says the show moved from (TypeError when that is not a list of text)."""
    moved = doc.get("moved_from", [])
    if not isinstance(moved, list) or not all(isinstance(u, str) for u in moved):
        raise TypeError(f"moved_from should be a list of URLs, got {moved!r}")
    return tuple(moved)


def dump_episode(episode: LockedEpisode) -> dict[str, Any]:
    """One episode's JSON form; the facts of its files only where there are some (an old lock's
    entries stay as they were)."""
    doc = {name: value for name, value in asdict(episode).items() if name not in ("audio", "image")}
    if episode.audio is not None:
        audio = episode.audio
        doc["audio"] = {"file": asdict(audio.file), "probe": _probe_json(audio.probe)}
        if audio.cover is not None:
            doc["audio"]["cover"] = asdict(audio.cover)
        if audio.chapter_images:
            doc["audio"]["chapter_images"] = [[index, asdict(f)] for index, f in audio.chapter_images]
    if episode.image is not None:
        doc["image"] = asdict(episode.image)
    return doc


def load_episode(doc: dict[str, Any]) -> LockedEpisode:
    """Read what :func:`dump_episode` wrote (or an older lock's entry); ValueError, KeyError or TypeError
    when it is not that."""
    values = dict(doc)
    audio, image = values.pop("audio", None), values.pop("image", None)
    episode = LockedEpisode(
        **values,
        audio=None if audio is None else _audio(audio),
        image=None if image is None else _file(image),
    )
    return _types(episode, {"guid": str, "pub_date": str, "enclosure_url": str, "slug": str, "title": str})


def _audio(doc: dict[str, Any]) -> LockedAudio:
    cover = doc.get("cover")
    return LockedAudio(
        _file(doc["file"]),
        _probe(doc["probe"]),
        None if cover is None else _file(cover),
        tuple((_index(index), _file(f)) for index, f in doc.get("chapter_images", ())),
    )


REQUIRED_PROBE = ("duration", "size", "mime_type", "format")


def _probe_json(info: AudioInfo) -> dict[str, Any]:
    """What the probe read, without the tags and parts the file does not have (a short, readable lock)."""
    doc = _set(info.to_json())
    doc["tags"] = _set(doc["tags"])
    doc["chapters"] = [_set(c) for c in doc["chapters"]]
    return {name: value for name, value in doc.items() if name in REQUIRED_PROBE or value not in (None, [], (), {})}


def _probe(doc: dict[str, Any]) -> AudioInfo:
    """Read what :func:`_probe_json` wrote: the parts left out take the values of a file without them."""
    missing = [name for name in REQUIRED_PROBE if name not in doc]
    if missing:
        raise KeyError(f"probe.{missing[0]}")
    blank = _blank_probe()
    return AudioInfo.from_json({**blank, **doc, "tags": {**blank["tags"], **doc.get("tags", {})}})


@functools.cache
def _blank_probe() -> dict[str, Any]:
    """The JSON of a file with no tags or parts (never changed: :func:`_probe` merges copies of it)."""
    return AudioInfo(0.0, 0, "", "").to_json()


def _set(doc: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in doc.items() if value is not None}


def _file(doc: dict[str, Any]) -> LockedFile:
    found = LockedFile(**doc)
    return _types(found, {"name": str, "key": str, "size": int, "type": str, "sha256": str})


def _index(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"a chapter index should be a number, got {value!r}")
    return value


def _types(value: T, kinds: dict[str, type]) -> T:
    """``value`` when each named field has its type; TypeError naming the first that does not."""
    for name, kind in kinds.items():
        if not isinstance(getattr(value, name), kind) or isinstance(getattr(value, name), bool):
            raise TypeError(f"{name} should be {kind.__name__}, got {getattr(value, name)!r}")
    return value
