"""``rollback``: the feeds kept under ``history/``, which one a rollback puts back, and why that is safe.

**No command makes a feed live that points at a missing object.** Three rules hold that:

* ``publish`` confirms every object the new feed references on the store before writing the feed;
* ``publish --prune`` deletes an orphan only when neither the new feed, nor the live one, nor any
  feed kept under ``history/`` names it (and ``history/`` itself is never pruned), so every kept feed
  stays restorable;
* ``rollback`` still reads the feed it is about to put back, maps each enclosure, image, transcript
  and chapters URL under the show's address to its key, and refuses, naming what is missing, when
  one is not on the store (a feed kept by an older apa-feed before a prune, or a file deleted by
  hand). Nothing is changed then.

**Stepping back, without state beyond the history itself.** Entries ``history/NNNNNN-…`` are numbered
in the order they were kept: each is a feed that was live until a publish or a rollback replaced it.
A rollback keeps the live feed as a new entry too (so it can always be undone with ``--to``), named
``NNNNNN-to-MMMMMM-…`` where MMMMMM is the entry it put back. That name is the only bookmark: while
the newest entry says ``to-MMMMMM`` and the live feed is still that entry's bytes, the live feed
stands at MMMMMM, and a plain rollback puts back the newest entry *before* it that differs from it;
otherwise (a publish came since) the live feed is newer than every entry and a plain rollback puts
back the newest one that differs. So rollback, rollback steps back twice and never toggles.

**What follows the feed.** The show's ``apa-feed.lock`` records the restored feed's episodes (GUID,
date, enclosure URL), so the identity guard compares the next publish with what subscribers now
have; episodes published since stay in it (subscribers may hold them).

**The website's pages follow it too.** Each publish, before it writes the feed, keeps under
``history/pages/`` the pages that go with that feed: a copy of each page, content-addressed
(``history/pages/<sha256>.html``, so a page that did not change is stored once, whatever the number
of publishes), and the feed's pages manifest (``{key: sha256}``, the bytes of ``apa-feed-manifest.json``)
as ``history/pages/feed-<sha256 of the feed>.json``. Only reads, writes and a listing: any store does.
A rollback finds the restored feed's manifest by the feed's own bytes, writes the pages that differ
from the live ones (the live manifest says which), then the manifest, then the feed (as publish
does), then deletes the pages the live manifest lists and the restored one lacks (pages of episodes
published since; nothing else is touched). Before that, a live feed with no kept pages (published by
an older apa-feed) has its pages kept, so ``--to`` can bring them back. A feed kept without pages
(an older apa-feed, ``website: false``, or a copy gone) is put back alone, and the pages stay those
of the last publish. ``history/`` is never pruned, so the copies stay as long as the feeds.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, unquote

from ..build import Options, override
from ..config.analytics import without_scheme
from ..config.s3 import MEDIA_CACHE, CachePolicy
from ..config.show import Show, load_show
from ..errors import ApaFeedError
from ..feed.model import Asset
from ..importfeed.fetch import ImportFailed
from ..importfeed.parse import OldFeed, parse_feed
from ..site import PAGE_TYPE
from ..storage import Store, StoredObject, Upload, open_store
from ..storage.lease import leased
from .lockfile import LockedEpisode, read_lock, write_lock
from .plan import FEED_TYPE, HISTORY, MANIFEST, Plan, history_key, make_manifest, read_manifest
from .runlock import exclusive

ENTRY = re.compile(rf"^{HISTORY}(\d{{6}})-(?:to-(\d{{6}})-)?")
PAGES = f"{HISTORY}pages/"
PAGES_NOTE = "no pages were kept with this feed: the website's pages are those of the last publish until the next one"
JSON_TYPE = "application/json"


class NothingToRollBack(ApaFeedError):
    """``rollback`` found no earlier feed to restore."""


class RollbackRefused(ApaFeedError):
    """The chosen feed cannot be put back (objects it references are gone, or it is not a feed)."""


@dataclass(frozen=True)
class Entry:
    """One feed kept under ``history/``: its number (publish order), key, size, and, when a rollback
    kept it, the number of the entry that rollback put back."""

    number: int
    key: str
    size: int
    to: int | None = None


@dataclass(frozen=True)
class Kept:
    """What ``rollback --list`` shows of an entry."""

    entry: Entry
    date: str
    """The newest episode's pubDate (the feed's lastBuildDate), as written."""
    episodes: int
    missing: tuple[str, ...]
    live: bool
    """The live feed stands at this entry (what a plain rollback steps back from)."""


@dataclass(frozen=True)
class Restored:
    """What a rollback did."""

    key: str
    store: str
    episodes: int
    lock_updated: bool
    pages: str = PAGES_NOTE


def entries(listing: dict[str, StoredObject] | set[str]) -> list[Entry]:
    """The history entries on the store, oldest first."""
    found = []
    for key in listing:
        match = ENTRY.match(key)
        if match:
            size = listing[key].size if isinstance(listing, dict) else 0
            to = int(match[2]) if match[2] else None
            found.append(Entry(int(match[1]), key, size, to))
    return sorted(found, key=lambda e: (e.number, e.key))


def feed_keys(feed: OldFeed, feed_key: str, base_url: str) -> set[str]:
    """The store keys a feed's enclosure, image, transcript and chapters URLs name: those under its own
    address (its ``atom:link rel="self"`` less the feed's key) or under the show's ``base_url``; URLs
    elsewhere (media kept where another host serves it) are not on this store."""
    bases = [base_url]
    quoted = quote(feed_key)
    if feed.self_url and feed.self_url.endswith(quoted):
        bases.insert(0, feed.self_url[: -len(quoted)])
    urls = [feed.image_url]
    for item in feed.items:
        urls += [item.enclosure_url, item.image_url, item.chapters.url if item.chapters else None]
        urls += [t.url for t in item.transcripts]
    keys = set()
    for url in filter(None, urls):  # behind analytics prefixes, an enclosure holds its URL without the scheme
        base = next((b for b in bases if b and "/" + without_scheme(b) in url), None)
        if base is not None:
            key = url.split("/" + without_scheme(base), 1)[1]
            keys.add(unquote(key.split("?", 1)[0].split("#", 1)[0]))
    return keys


def read_kept(store: Store, entry: Entry) -> tuple[bytes, OldFeed]:
    """An entry's bytes and what they say; a missing or unreadable one is refused."""
    data = store.read(entry.key)
    if data is None:
        raise RollbackRefused(f"{entry.key} is no longer on {store.describe()}; nothing was changed")
    try:
        return data, parse_feed(data, entry.key)
    except ImportFailed as exc:
        raise RollbackRefused(f"{exc}; nothing was changed") from None


def live_position(store: Store, kept: list[Entry], live: bytes | None) -> int:
    """The number the live feed stands at: the entry the last rollback put back while the live feed is
    still those bytes, else one past the newest entry."""
    if not kept:
        return 1
    newest = kept[-1]
    if newest.to is not None and live is not None:
        target = next((e for e in kept if e.number == newest.to), None)
        if target is not None and store.read(target.key) == live:
            return target.number
    return newest.number + 1


def newest_date(feed: OldFeed) -> str:
    dates = [(_instant(i.pub_date), i.pub_date) for i in feed.items if i.pub_date]
    return max(dates)[1] if dates else ""


def _instant(stamp: str) -> str:
    try:
        return parsedate_to_datetime(stamp).isoformat()
    except (TypeError, ValueError):
        return ""


def history_list(options: Options) -> list[Kept]:
    """Every kept feed, oldest first, with its date, episode count, size and what it lacks on the store."""
    show = override(load_show(options.config), options)
    store = open_store(show.storage, show.root, show.s3)
    listing = store.list()
    kept = entries(listing)
    live = store.read(show.feed_file)
    position = live_position(store, kept, live)
    rows = []
    for entry in kept:
        try:
            _, feed = read_kept(store, entry)
        except RollbackRefused:
            rows.append(Kept(entry, "(unreadable: not a feed)", 0, (entry.key,), entry.number == position))
            continue
        missing = tuple(sorted(feed_keys(feed, show.feed_file, show.base_url) - listing.keys()))
        rows.append(Kept(entry, newest_date(feed), len(feed.items), missing, entry.number == position))
    return rows


def rollback(options: Options, to: int | None = None) -> Restored:
    """Put back an earlier feed: entry ``to`` of ``history/``, or one step before where the live feed
    stands (see the module's docstring). The live feed is kept in history first."""
    with exclusive(options.config.parent):
        return _rollback(options, to)


def _rollback(options: Options, to: int | None) -> Restored:
    show = override(load_show(options.config), options)
    store = open_store(show.storage, show.root, show.s3)
    with leased(store):  # no publish runs meanwhile, and the feed is put back only over the one read
        return _restore(options, show, store, to)


def _restore(options: Options, show: Show, store: Store, to: int | None) -> Restored:
    listing = store.list()
    kept = entries(listing)
    live, tag = store.read_tagged(show.feed_file)
    where = f"{store.describe()}{HISTORY}"
    if to is not None:
        target = next((e for e in kept if e.number == to), None)
        if target is None:
            raise NothingToRollBack(f"no entry {to} under {where} (apa-feed rollback --list shows them)")
        data, feed = read_kept(store, target)
        if data == live:
            raise NothingToRollBack(f"entry {to} ({target.key}) is the live feed already")
    else:
        position = live_position(store, kept, live)
        for target in reversed([e for e in kept if e.number < position]):
            data, feed = read_kept(store, target)
            if data != live:
                break
        else:
            raise NothingToRollBack(f"no earlier feed under {where}: nothing to roll back to")
    missing = sorted(feed_keys(feed, show.feed_file, show.base_url) - listing.keys())
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise RollbackRefused(
            f"{target.key} cannot be put back: it references {len(missing)} file(s) no longer on "
            f"{store.describe()}: {shown}; nothing was changed"
        )
    note = put_back(store, listing, show.feed_file, (live, data), target.number, show.s3.cache_control, tag)
    updated = record_restored(show.root, feed) if options.identity else False
    return Restored(target.key, store.describe(), len(feed.items), updated, note)


def put_back(
    store: Store,
    listing: dict[str, StoredObject],
    feed_key: str,
    feeds: tuple[bytes | None, bytes],
    number: int,
    cache: CachePolicy,
    live_tag: str | None = None,
) -> str:
    """Make ``feeds`` = (live, restored) entry ``number``'s feed live: the pages kept with it first, then their
    manifest, the live feed kept in history, the feed (only over the version ``live_tag`` of the live one),
    and last the deletion of pages it did not have.
    Returns what became of the pages."""
    live, data = feeds
    live_manifest = store.read(MANIFEST)
    if live is not None:
        keep_live_pages(store, listing, live, live_manifest, cache)
    pages = kept_pages(store, listing, data, live_manifest, cache)
    if pages is not None:
        store.put_files(pages[0])
        if pages[1] != live_manifest:
            store.put_bytes(MANIFEST, pages[1], JSON_TYPE, cache.feed)
    if live is not None:
        store.put_bytes(history_key(listing, feed_key, live, restored=number), live, FEED_TYPE, cache.feed)
    store.put_if(feed_key, data, FEED_TYPE, cache.feed, live_tag)  # over the live feed read, or none
    if pages is None:
        return PAGES_NOTE
    store.delete(pages[2])
    rewritten, removed = len(pages[0]), len(pages[2])
    return f"the website's pages are those kept with the restored feed: {rewritten} rewritten, {removed} removed"


def pages_key(feed: bytes) -> str:
    """Where the pages manifest that went with ``feed`` is kept (named by the feed's SHA-256)."""
    return f"{PAGES}feed-{hashlib.sha256(feed).hexdigest()}.json"


def copy_key(digest: str) -> str:
    """Where the page whose bytes have SHA-256 ``digest`` is kept."""
    return f"{PAGES}{digest}.html"


def keep_pages(
    store: Store, listing: dict[str, StoredObject], assets: tuple[Asset, ...], plan: Plan, cache: CachePolicy
) -> None:
    """Keep the pages that go with the feed ``plan`` makes live (before it is written): the copies not kept
    yet, and the manifest, unless that feed's is kept already and neither it nor the pages changed."""
    manifest = make_manifest(assets)
    key = pages_key(plan.feed)
    if not manifest or (key in listing and not plan.feed_changed and plan.manifest is None):
        return
    pages = {a.sha256: a.data for a in assets if a.cache_control != MEDIA_CACHE and a.data is not None}
    _keep(store, listing, pages, key, manifest, cache)


def keep_live_pages(
    store: Store, listing: dict[str, StoredObject], live: bytes, manifest: bytes | None, cache: CachePolicy
) -> None:
    """Keep the live pages with the live feed when no publish did (an older apa-feed published it), so the
    rollback about to replace it can be undone with its pages; none when one is not the bytes listed."""
    key = pages_key(live)
    hashes = read_manifest(manifest)
    if key in listing or not hashes or manifest is None:
        return
    pages: dict[str, bytes] = {}
    for page, digest in hashes.items():
        if copy_key(digest) not in listing and digest not in pages:
            data = store.read(page)
            if data is None or hashlib.sha256(data).hexdigest() != digest:
                return
            pages[digest] = data
    _keep(store, listing, pages, key, manifest, cache)


def _keep(
    store: Store,
    listing: dict[str, StoredObject],
    pages: dict[str, bytes],
    key: str,
    manifest: bytes,
    cache: CachePolicy,
) -> None:
    copies = [Upload(copy_key(d), data, PAGE_TYPE, cache.media, d, True) for d, data in pages.items()]
    store.put_files([c for c in copies if c.key not in listing])
    store.put_bytes(key, manifest, JSON_TYPE, cache.feed)


def kept_pages(
    store: Store, listing: dict[str, StoredObject], feed: bytes, live_manifest: bytes | None, cache: CachePolicy
) -> tuple[list[Upload], bytes, list[str]] | None:
    """What puts back the pages kept with ``feed``: the pages that differ from the live ones, the manifest,
    and the live pages it lacks (to delete). None when no pages were kept with it or a copy is gone."""
    manifest = store.read(pages_key(feed)) if pages_key(feed) in listing else None
    wanted = read_manifest(manifest)
    if manifest is None or not wanted or not all(_is_page(k) for k in wanted):
        return None
    live = read_manifest(live_manifest)
    uploads = []
    for key, digest in sorted(wanted.items()):
        if live.get(key) != digest or key not in listing:
            page = store.read(copy_key(digest))
            if page is None or hashlib.sha256(page).hexdigest() != digest:
                return None
            uploads.append(Upload(key, page, PAGE_TYPE, cache.feed, digest))
    return uploads, manifest, sorted(k for k in live if k not in wanted and k in listing and _is_page(k))


def _is_page(key: str) -> bool:
    """A key apa-feed writes a page under (``index.html``, ``page/2/index.html``, ``episodes/…/index.html``)."""
    return (key == "index.html" or key.endswith("/index.html")) and not key.startswith(HISTORY)


def record_restored(folder: Path, feed: OldFeed) -> bool:
    """Make ``apa-feed.lock`` say what subscribers now have: each episode of the restored feed with its
    enclosure URL and date as that feed gives them; other published episodes are kept. No lock, no change."""
    lock = read_lock(folder)
    if lock is None:
        return False
    episodes = lock.by_guid()
    for item in feed.items:
        if not item.guid:
            continue
        stamp = _instant(item.pub_date or "")
        old = episodes.get(item.guid)
        if old is None:
            episodes[item.guid] = LockedEpisode(item.guid, stamp, item.enclosure_url or "", "", item.title)
            continue
        kept_date = not stamp or _same_instant(old.pub_date, stamp)
        episodes[item.guid] = replace(
            old, enclosure_url=item.enclosure_url or old.enclosure_url, pub_date=old.pub_date if kept_date else stamp
        )
    new = replace(lock, episodes=tuple(episodes.values()))
    if new == lock:
        return False
    write_lock(folder, new)
    return True


def _same_instant(a: str, b: str) -> bool:
    try:
        return datetime.fromisoformat(a).astimezone(UTC) == datetime.fromisoformat(b).astimezone(UTC)
    except ValueError:
        return a == b
