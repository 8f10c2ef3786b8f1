"""What is live on the store, whoever published it: the store's publish record, read before every publish.

Every publish writes, next to the feed, ``apa-feed-published.json``: what ``apa-feed.lock`` holds (the
show's ``podcast:guid``, the feed URL, and per episode its GUID, first pubDate, enclosure URL, slug and
title), plus which publish wrote it (host, user, time). The live feed stays the truth: an episode counts
as live when the live feed carries its GUID, described by the record where the record knows it, by the
feed's own item otherwise (a feed written by an older apa-feed, or a publish that stopped between the
feed and the record). The identity guard then checks a show against this clone's lock *and* what is
live, so a clone that lacks an episode another clone published cannot silently take it down.
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from ..config.show import load_show
from ..importfeed.fetch import ImportFailed
from ..importfeed.parse import OldFeed, parse_feed
from ..storage import open_store
from ..storage.survey import PUBLISHED, Holdings
from .identity import Change
from .lockfile import Lock, LockedEpisode, LockError, lock_from_bytes, lock_to_bytes, read_lock

__all__ = ["PUBLISHED", "Live", "live_elsewhere", "read_live"]


@dataclass(frozen=True)
class Live:
    """The episodes live on the store (None: no feed is live) and who published last (``host, time``)."""

    lock: Lock | None
    writer: str = ""
    recorded: Lock | None = None
    """What the store's publish record holds (None: none, or damaged)."""


def read_live(holdings: Holdings, feed_key: str) -> Live:
    """What the store's live feed carries, as its publish record describes it."""
    record, meta = _record(holdings.record)
    feed = parsed_feed(holdings.feed, feed_key)
    if feed is None:
        return Live(record if holdings.feed is not None else None, _writer(meta), record)
    described = record.by_guid() if record else {}
    episodes = tuple(described.get(guid) or _from_item(feed, guid) for guid in _guids(feed))
    base = record or Lock("", feed.self_url or "")
    return Live(replace(base, episodes=episodes), _writer(meta), record)


def union(local: Lock | None, live: Live) -> Lock | None:
    """This clone's lock with every live episode it does not hold added (what the guard checks against)."""
    if live.lock is None:
        return local
    if local is None:
        return live.lock
    known = local.by_guid()
    return replace(local, episodes=local.episodes + tuple(e for e in live.lock.episodes if e.guid not in known))


def explain(changes: list[Change], local: Lock | None, live: Live) -> list[Change]:
    """The removals of episodes live on the store but absent from this clone, said as such, with the
    clone-side change that brings each back."""
    known = local.by_guid() if local else {}
    remote = live.lock.by_guid() if live.lock else {}
    return [
        replace(c, explanation=_elsewhere(remote[c.old], live.writer))
        if c.kind == "removed" and c.old in remote and c.old not in known
        else c
        for c in changes
    ]


def _elsewhere(episode: LockedEpisode, writer: str) -> str:
    by = f" (last publish: {writer})" if writer else ""
    folder = f"restore its folder episodes/{episode.slug}/" if episode.slug else "restore its episode folder"
    return (
        f'"{episode.title or episode.guid}" is live on the store{by} but not in this clone: `git pull` to get '
        f"it (or {folder}), or it would vanish from subscribers' apps"
    )


def record_bytes(lock: Lock, now: datetime | None = None) -> bytes:
    """The store's publish record: the lock after this publish, and which publish wrote it."""
    at = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat()
    return lock_to_bytes(lock, published_by={"host": socket.gethostname(), "user": _user(), "at": at})


def live_elsewhere(config: Path, storage: str | None = None) -> tuple[LockedEpisode, ...]:
    """Episodes live on the store ``config``'s show publishes to (``storage`` replaces feed.yaml's) that this
    clone does not have: neither in its ``apa-feed.lock`` nor as a folder ``episodes/<slug>/``. Reads the
    store (a :class:`~apa_feed.errors.StorageError` when it cannot), never writes."""
    show = load_show(config)
    store = open_store(storage or show.storage, show.root, show.s3)
    record, feed = store.read_tagged(PUBLISHED), store.read_tagged(show.feed_file)  # two GETs, no listing
    live = read_live(Holdings(store, {}, feed[0], feed[1], record[0], record[1]), show.feed_file)
    if live.lock is None:
        return ()
    local = read_lock(show.root)
    known = local.by_guid() if local else {}
    here = (
        {p.name for p in (show.root / "episodes").iterdir() if p.is_dir()}
        if (show.root / "episodes").is_dir()
        else set()
    )
    return tuple(e for e in live.lock.episodes if e.guid not in known and not (e.slug and e.slug in here))


def _record(data: bytes | None) -> tuple[Lock | None, dict[str, object]]:
    """The store's record; a missing or damaged one says nothing (the live feed still does)."""
    if data is None:
        return None, {}
    try:
        return lock_from_bytes(data)
    except LockError:
        return None, {}


def parsed_feed(data: bytes | None, key: str) -> OldFeed | None:
    """The live feed's bytes as :mod:`~apa_feed.importfeed.parse` reads them; None for none, or one it cannot read."""
    if data is None:
        return None
    try:
        return parse_feed(data, key)
    except ImportFailed:
        return None


def _guids(feed: OldFeed) -> list[str]:
    return list(dict.fromkeys(i.guid for i in feed.items if i.guid))


def _from_item(feed: OldFeed, guid: str) -> LockedEpisode:
    item = next(i for i in feed.items if i.guid == guid)
    return LockedEpisode(guid, _iso(item.pub_date), item.enclosure_url or "", "", item.title)


def _iso(stamp: str | None) -> str:
    try:
        return parsedate_to_datetime(stamp or "").isoformat()
    except (TypeError, ValueError):
        return stamp or ""


def _writer(meta: dict[str, object]) -> str:
    by = meta.get("published_by")
    if not isinstance(by, dict):
        return ""
    who = "@".join(str(by[k]) for k in ("user", "host") if by.get(k))
    return ", ".join(part for part in (who, str(by.get("at") or "")) if part)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "")
