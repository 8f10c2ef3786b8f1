"""What a publish will do to a store, decided before touching it (pure, no I/O)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import quote

from ..config.s3 import MEDIA_CACHE
from ..feed.model import Asset
from ..storage import StoredObject
from ..storage.lease import LEASE
from ..storage.survey import PUBLISHED

HISTORY = "history/"
FEED_TYPE = "application/rss+xml; charset=utf-8"
MANIFEST = "apa-feed-manifest.json"
"""SHA-256 of each object kept under a fixed key (web pages), so a changed page of the same size is seen."""
RECORD = "apa-feed-written.json"
"""Every key apa-feed has written to the store (but the feed, history/ and these two files): ``--prune``
deletes only those, never an object someone else put there."""

YOUNG = "kept: written less than an hour ago (a publish under way may reference it)"


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
    deletes: tuple[str, ...] = ()
    """Orphans to delete after the feed is written (``--prune``): referenced by neither feed."""
    manifest: bytes | None = None
    """The new manifest of fixed-key objects, written after them and before the feed; None: unchanged."""
    record: bytes | None = None
    """The record of the keys apa-feed wrote, before the uploads (with the keys about to be deleted);
    None: unchanged."""
    record_after: bytes | None = None
    """The record once ``deletes`` are gone, written after them; None: nothing to delete."""
    live_tag: str | None = None
    """The version tag of ``live_feed`` as read (S3: its ETag): the feed is written only over that version."""

    def count(self, kind: str) -> int:
        """How many actions are of ``kind`` (the feed counts too)."""
        return sum(1 for a in self.actions if a.kind == kind)


def make_plan(
    assets: tuple[Asset, ...],
    listing: dict[str, StoredObject],
    feed_key: str,
    feed: bytes,
    live_feed: bytes | None,
    prune: bool = False,
    live_manifest: bytes | None = None,
    kept_feeds: tuple[bytes, ...] = (),
    written: frozenset[str] | None = frozenset(),
    young_after: float | None = None,
) -> Plan:
    """Compare what the feed needs with what the store holds.

    ``kept_feeds``: the feeds kept under ``history/`` (read for ``prune`` only): an orphan one of them
    references is kept, so that no rollback can put live a feed whose files are gone. ``written``: the keys
    the store's record says apa-feed wrote; ``prune`` deletes no orphan outside it. None: the record was
    not read (a publish that uploads and prunes nothing need not), so it is left as it is. ``young_after``:
    with ``prune``, an orphan written after that instant (POSIX seconds) is kept: a publish under way may
    reference it.

    Media keys are content-addressed (the key holds the SHA-256), so a key present with the
    right size is the same bytes: no download, no re-hash. Objects under fixed keys (pages)
    are compared with the SHA-256 the manifest recorded. The feed is compared byte for byte.
    """
    uploads: list[Asset] = []
    actions: list[Action] = []
    hashes = read_manifest(live_manifest)
    for asset in sorted(assets, key=lambda a: a.key):
        found = listing.get(asset.key)
        fixed = asset.cache_control != MEDIA_CACHE
        if found is not None and found.size == asset.size and (not fixed or same_bytes(asset, found, hashes)):
            actions.append(Action("unchanged", asset.key, asset.size))
            continue
        uploads.append(asset)
        why = "new" if found is None else ("changed" if fixed else "incomplete")
        actions.append(Action("upload", asset.key, asset.size, why))
    changed = live_feed != feed
    reason = "new" if live_feed is None else "changed"
    actions.append(Action("upload" if changed else "unchanged", feed_key, len(feed), reason if changed else ""))
    own = {feed_key, MANIFEST, RECORD, PUBLISHED, LEASE}
    orphans = [listing[key] for key in sorted(set(listing) - {a.key for a in assets} - own)]
    kept = tuple(dict.fromkeys(kept_feeds))  # a feed kept twice (a rollback's) is searched once
    actions += [
        orphan_action(o, feed, live_feed, prune, kept, young_after)
        if not prune or o.key in (written or ())
        else foreign(o)
        for o in orphans
        if not o.key.startswith(HISTORY)
    ]
    deletes = tuple(a.key for a in actions if a.kind == "delete")
    history = history_key(listing, feed_key, live_feed) if changed and live_feed is not None else None
    manifest = make_manifest(assets)
    new_manifest = None if manifest_current(manifest, live_manifest, listing.get(MANIFEST)) else manifest
    recorded = (written or frozenset()) & listing.keys() | {a.key for a in assets}  # apa-feed's, once done
    record = None if written is None or recorded == written else make_record(recorded)
    record_after = make_record(recorded - set(deletes)) if deletes and written is not None else None
    return Plan(
        tuple(uploads),
        tuple(actions),
        feed_key,
        feed,
        changed,
        live_feed,
        history,
        deletes,
        new_manifest,
        record,
        record_after,
    )


def make_record(keys: set[str] | frozenset[str]) -> bytes:
    """The record of keys apa-feed wrote, as JSON: ``{"written": [sorted keys]}``."""
    return (json.dumps({"written": sorted(keys)}, indent=0) + "\n").encode()


def read_record(data: bytes | None) -> frozenset[str]:
    """The keys the store's record names; a missing or damaged record names none (nothing is pruned)."""
    try:
        parsed = json.loads(data or b"{}")
    except ValueError:
        return frozenset()
    keys = parsed.get("written") if isinstance(parsed, dict) else None
    return frozenset(k for k in keys if isinstance(k, str)) if isinstance(keys, list) else frozenset()


def foreign(found: StoredObject) -> Action:
    """An orphan apa-feed did not write (its record does not name it): listed, never pruned."""
    return Action("orphan", found.key, found.size, "kept: not written by apa-feed (not in its record on the store)")


def manifest_current(manifest: bytes, live: bytes | None, stored: StoredObject | None) -> bool:
    """Whether the store's manifest already says ``manifest`` (read, or known by its ETag when not read)."""
    if live is not None:
        return manifest == live
    if stored is not None and md5_etag(stored):
        return stored.etag == hashlib.md5(manifest, usedforsecurity=False).hexdigest()
    return not manifest and stored is None


def same_bytes(asset: Asset, found: StoredObject, hashes: dict[str, str]) -> bool:
    """Whether a fixed-key object holds ``asset``'s bytes: its S3 ETag is their MD5 (single-part
    uploads, which pages always are), or the manifest recorded their SHA-256."""
    if asset.data is not None and md5_etag(found):
        return found.etag == hashlib.md5(asset.data, usedforsecurity=False).hexdigest()
    return hashes.get(asset.key) == asset.sha256


_MD5 = re.compile(r"[0-9a-f]{32}")


def md5_etag(found: StoredObject) -> bool:
    """An ETag that is a plain MD5 (a multipart upload's has a "-N" suffix)."""
    return _MD5.fullmatch(found.etag or "") is not None


def needs_manifest(assets: tuple[Asset, ...], listing: dict[str, StoredObject]) -> bool:
    """Whether some fixed-key object on the store can only be compared through the manifest."""
    if MANIFEST not in listing:
        return False
    fixed = (listing.get(a.key) for a in assets if a.cache_control != MEDIA_CACHE)
    return any(found is not None and not md5_etag(found) for found in fixed)


def make_manifest(assets: tuple[Asset, ...]) -> bytes:
    """``{key: sha256}`` of every fixed-key object, as sorted JSON (empty bytes when there is none)."""
    fixed = {a.key: a.sha256 for a in sorted(assets, key=lambda a: a.key) if a.cache_control != MEDIA_CACHE}
    return (json.dumps(fixed, indent=0, sort_keys=True) + "\n").encode() if fixed else b""


def read_manifest(data: bytes | None) -> dict[str, str]:
    """The live manifest; a missing or damaged one means every fixed-key object is uploaded again."""
    try:
        parsed = json.loads(data or b"{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def orphan_action(
    found: StoredObject,
    feed: bytes,
    live_feed: bytes | None,
    prune: bool,
    kept: tuple[bytes, ...] = (),
    young_after: float | None = None,
) -> Action:
    """An object no asset of the new feed needs: listed, or with ``prune`` deleted once no feed names it
    (the new one, the live one, or one kept under ``history/`` that a rollback could put back)."""
    if not prune:
        return Action("orphan", found.key, found.size, "no longer referenced by the feed")
    if referenced(found.key, feed, live_feed):
        return Action("orphan", found.key, found.size, "kept: the live feed still references it")
    if referenced(found.key, *kept):
        return Action("orphan", found.key, found.size, "kept: a feed in history/ references it (rollback)")
    if young_after is not None and found.modified is not None and found.modified > young_after:
        return Action("orphan", found.key, found.size, YOUNG)
    return Action("delete", found.key, found.size, "referenced by no feed, live or kept in history/")


def referenced(key: str, *feeds: bytes | None) -> bool:
    """Whether a feed names ``key`` in a URL (as ``base_url`` + quoted key, whatever the base was).

    A substring test: content-addressed keys are unique enough that it only ever keeps too much.
    """
    quoted = quote(key).encode()
    return any(feed is not None and quoted in feed for feed in feeds)


def history_key(
    listing: dict[str, StoredObject] | set[str], feed_key: str, feed: bytes, restored: int | None = None
) -> str:
    """``history/000007-feed-<sha256[:12]>.xml``: numbered in the order kept, so the newest sorts last (one
    past the highest number). A rollback names the entry it put back: ``history/000007-to-000005-feed-….xml``."""
    numbers = [int(key[len(HISTORY) :][:6]) for key in listing if re.match(rf"{HISTORY}\d{{6}}-", key)]
    number = max(numbers, default=0) + 1
    digest = hashlib.sha256(feed).hexdigest()[:12]
    stem, dot, ext = feed_key.rpartition(".")
    name = f"{stem}-{digest}.{ext}" if dot else f"{ext}-{digest}"
    mark = f"to-{restored:06d}-" if restored is not None else ""
    return f"{HISTORY}{number:06d}-{mark}{name}"
