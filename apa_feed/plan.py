"""What a publish will do to a store, decided before touching it (pure, no I/O)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .model import Asset
from .storage import StoredObject

HISTORY = "history/"


@dataclass(frozen=True)
class Action:
    """One line of a plan: ``upload`` (new or changed), ``unchanged`` or ``orphan``."""

    kind: str
    key: str
    size: int
    reason: str = ""


@dataclass(frozen=True)
class Plan:
    """Files to upload first, then the feed (written last, only if it changed)."""

    uploads: tuple[Asset, ...]
    actions: tuple[Action, ...]
    feed_key: str
    feed: bytes
    feed_changed: bool
    live_feed: bytes | None = None
    history_key: str | None = None
    """Where the feed being replaced is kept, if one is being replaced."""

    def count(self, kind: str) -> int:
        """How many actions are of ``kind`` (the feed counts too)."""
        return sum(1 for a in self.actions if a.kind == kind)


def make_plan(
    assets: tuple[Asset, ...], listing: dict[str, StoredObject], feed_key: str, feed: bytes, live_feed: bytes | None
) -> Plan:
    """Compare what the feed needs with what the store holds.

    Media keys are content-addressed (the key holds the SHA-256), so a key present with the
    right size is the same bytes: no download, no re-hash. The feed is compared byte for byte.
    """
    uploads: list[Asset] = []
    actions: list[Action] = []
    for asset in sorted(assets, key=lambda a: a.key):
        found = listing.get(asset.key)
        if found is not None and found.size == asset.size:
            actions.append(Action("unchanged", asset.key, asset.size))
            continue
        uploads.append(asset)
        actions.append(Action("upload", asset.key, asset.size, "new" if found is None else "incomplete"))
    changed = live_feed != feed
    reason = "new" if live_feed is None else "changed"
    actions.append(Action("upload" if changed else "unchanged", feed_key, len(feed), reason if changed else ""))
    wanted = {a.key for a in assets} | {feed_key}
    for key in sorted(set(listing) - wanted):
        if not key.startswith(HISTORY):
            actions.append(Action("orphan", key, listing[key].size, "no longer referenced by the feed"))
    history = history_key(listing, feed_key, live_feed) if changed and live_feed is not None else None
    return Plan(tuple(uploads), tuple(actions), feed_key, feed, changed, live_feed, history)


def history_key(listing: dict[str, StoredObject] | set[str], feed_key: str, feed: bytes) -> str:
    """``history/000007-feed-<sha256[:12]>.xml``: numbered in publish order, so the newest sorts last."""
    number = sum(1 for key in listing if key.startswith(HISTORY)) + 1
    digest = hashlib.sha256(feed).hexdigest()[:12]
    stem, dot, ext = feed_key.rpartition(".")
    name = f"{stem}-{digest}.{ext}" if dot else f"{ext}-{digest}"
    return f"{HISTORY}{number:06d}-{name}"
