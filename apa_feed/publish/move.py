"""``apa-feed move``: take a published show to a new base URL (and store) without losing a subscriber.

The plan reads the old store (never writes it): the live feed, and from it every object it references
(enclosures, artwork, transcripts, chapters and their pictures). Performing it copies each of those
objects, byte for byte, to the new store (one already there whole is left), then publishes the show
there with the new base URL: same GUIDs, same ``podcast:guid`` (pinned in apa-feed.lock or feed.yaml,
never computed again from the new URL), the website's pages written anew with their new links, and
apa-feed.lock recording the new feed URL. Nothing at the old place is changed or deleted: the old feed
stays there, to be answered by the redirect rules :mod:`.redirects` writes.

A move publishes what is live and nothing else: when the show here would put other episodes in the feed
(a new episode not published yet), it is refused until a publish has made the two the same.
"""

from __future__ import annotations

import http.client
import mimetypes
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..build import BuiltShow, Options, build_project, override
from ..config.s3 import CachePolicy
from ..config.show import Show, load_show
from ..errors import ApaFeedError, Problem
from ..feed.chapters import JSON_CHAPTERS_TYPE
from ..feed.model import url
from ..importfeed.parse import OldFeed
from ..storage import Store, StoredObject, Upload, open_store
from .history import feed_keys
from .live import parsed_feed
from .lockfile import read_lock, write_lock
from .redirects import Move
from .run import Report, publish

BATCH_BYTES = 256 * 1024 * 1024
"""Bytes read from the old store before they are written to the new one (a big catalogue is copied in parts)."""
TIMEOUT = 10.0
"""Seconds the redirect check waits for the old feed URL to answer."""


class MoveRefused(ApaFeedError):
    """A move that would lose or mix something up; nothing was copied or written."""


@dataclass(frozen=True)
class MovePlan:
    """What a move copies and writes, decided before anything is."""

    move: Move
    old_store: str
    new_store: str
    storage: str
    """The new store as feed.yaml's ``storage:`` would name it."""
    copies: tuple[StoredObject, ...]
    """The live objects to copy (those not already on the new store, whole)."""
    present: tuple[str, ...]
    """The live objects the new store holds already."""
    episodes: int
    podcast_guid: str
    same_store: bool
    """Only the base URL moves: the same store, served under a new address (nothing is copied)."""
    types: tuple[tuple[str, str], ...] = ()
    """The Content-Type of each object the show publishes, by key, as a publish gives it."""

    @property
    def bytes(self) -> int:
        return sum(o.size for o in self.copies)


@dataclass(frozen=True)
class Moved:
    """What a move did."""

    plan: MovePlan
    report: Report


def plan_move(config: Path, new_base: str, storage: str | None = None) -> MovePlan:
    """Read the old store and the show; refuse a move that would change what subscribers have."""
    show = load_show(config)
    options = Options(config, base_url=new_base, storage=storage)
    moved = override(show, options)  # an --base-url that is not an http(s) URL is refused here
    old = open_store(show.storage, show.root, show.s3)
    listing = old.list()
    live_bytes = old.read(show.feed_file)
    if live_bytes is None:
        raise MoveRefused(
            f"nothing is published yet on {old.describe()} (no {show.feed_file}): nothing to move; "
            "publish first, or set base_url and storage in feed.yaml before the first publish"
        )
    live = parsed_feed(live_bytes, show.feed_file)
    if live is None:
        raise MoveRefused(f"{old.describe()}{show.feed_file} is not a feed apa-feed can read; nothing was moved")
    new = open_store(moved.storage, show.root, show.s3)
    same = new.describe() == old.describe()
    new_listing = listing if same else new.list()
    built = build_project(options, assign=False)
    _same_show(built, live, old.describe())
    if not same:
        _new_place_free(new, built, moved)
    keys = sorted(k for k in feed_keys(live, show.feed_file, show.base_url) if k in listing)
    whole = {k for k in keys if not same and k in new_listing and new_listing[k].size == listing[k].size}
    return MovePlan(
        Move(
            live.self_url or url(show, show.feed_file), built.publication.feed.self_url, show.base_url, moved.base_url
        ),
        old.describe(),
        new.describe(),
        moved.storage,
        () if same else tuple(listing[k] for k in keys if k not in whole),
        tuple(keys if same else sorted(whole)),
        len(built.publication.feed.items),
        built.publication.feed.podcast_guid,
        same,
        tuple((a.key, a.content_type) for a in built.publication.assets),
    )


def _same_show(built: BuiltShow, live: OldFeed, store: str) -> None:
    """Refuse a move that would also change the episodes or the show's ``podcast:guid``."""
    here = {i.guid for i in built.publication.feed.items}
    there = {i.guid for i in live.items if i.guid}
    if here != there:
        new, gone = len(here - there), len(there - here)
        raise MoveRefused(
            f"the show here does not give the feed live on {store} ({new} episode(s) not published yet, "
            f"{gone} live but not here): a move publishes what is live and nothing else; "
            "publish first (or `git pull`), then move"
        )
    guid = built.publication.feed.podcast_guid
    if live.podcast_guid and live.podcast_guid != guid:
        raise MoveRefused(
            f"the show's podcast:guid would change from {live.podcast_guid} to {guid} (apa-feed.lock is missing "
            f'or says otherwise): put "podcast_guid: {live.podcast_guid}" in feed.yaml, then move'
        )


def _new_place_free(new: Store, built: BuiltShow, moved: Show) -> None:
    """Refuse a new store that holds another feed (a re-run of this same move finds its own: fine)."""
    there = new.read(moved.feed_file)
    if there is not None and there != built.rss:
        raise MoveRefused(
            f"{new.describe()}{moved.feed_file} already holds a different feed: a move goes to an empty place "
            "(or the one an interrupted move of this show left); choose another --storage"
        )


def perform_move(config: Path, plan: MovePlan, storage: str | None = None) -> Moved:
    """Copy the live objects to the new store, then publish the show there under the new base URL."""
    show = load_show(config)
    old = open_store(show.storage, show.root, show.s3)
    cache = show.s3.cache_control
    if not plan.same_store:
        copy_objects(old, open_store(plan.storage, show.root, show.s3), plan.copies, cache, dict(plan.types))
    options = Options(config, base_url=plan.move.new_base, storage=storage)
    report = publish(options, verify=False, notify=False)
    record_move(show.root, plan.move.old_feed)
    return Moved(plan, report)


def record_move(root: Path, old_feed: str) -> None:
    """apa-feed.lock says where the show moved from (the publish there made it record the new feed URL)."""
    lock = read_lock(root)
    if lock is not None and old_feed != lock.feed_url and old_feed not in lock.moved_from:
        write_lock(root, replace(lock, moved_from=(*lock.moved_from, old_feed)))


def copy_objects(
    old: Store, new: Store, objects: tuple[StoredObject, ...], cache: CachePolicy, types: dict[str, str]
) -> None:
    """Read each object from ``old`` and store it under the same key on ``new``, a batch at a time, with the
    Content-Type ``types`` gives it (by its name otherwise)."""
    batch: list[Upload] = []
    size = 0
    for found in objects:
        data = old.read(found.key)
        if data is None or len(data) != found.size:
            raise MoveRefused(f"{old.describe()}{found.key} changed while the move read it; run the move again")
        batch.append(
            Upload(found.key, data, types.get(found.key) or content_type(found.key), cache.media, immutable=True)
        )
        size += found.size
        if size >= BATCH_BYTES:
            new.put_files(batch)
            batch, size = [], 0
    if batch:
        new.put_files(batch)


TYPES = {".m4a": "audio/mp4", ".mp3": "audio/mpeg", ".vtt": "text/vtt", ".srt": "application/x-subrip"}


def content_type(key: str) -> str:
    """The Content-Type of a copied object, by its name (every key apa-feed writes has its extension)."""
    suffix = Path(key).suffix.lower()
    if key.endswith("chapters.json") or "/chapters-" in key:
        return JSON_CHAPTERS_TYPE
    return TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def feed_lines(plan: MovePlan) -> list[str]:
    """The lines of feed.yaml the producer changes once the move is done (apa-feed never edits feed.yaml)."""
    lines = [f"base_url: {plan.move.new_base}"]
    return lines if plan.same_store else [*lines, f"storage: {plan.storage}"]


def redirect_answer(old_url: str, new_url: str, timeout: float = TIMEOUT) -> Problem:
    """Whether ``old_url`` answers a permanent redirect (301, or 308) to ``new_url``: an ``info`` problem when it
    does, a ``warning`` when it answers anything else, "could not check" (``info``) when it does not answer."""
    parts = urlsplit(old_url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    try:
        connection = kind(parts.netloc, timeout=timeout)
        try:
            connection.request("HEAD", parts.path or "/", headers={"User-Agent": "apa-feed"})
            answer = connection.getresponse()
            status, location = answer.status, urljoin(old_url, answer.getheader("Location") or "")
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as exc:
        why = str(exc) or type(exc).__name__
        return Problem(old_url, message=f"could not check the redirect: no answer ({why})", severity="info")
    if status in (301, 308) and location == new_url:
        return Problem(old_url, message=f"redirect in place: {status} to {new_url}", severity="info")
    hint = f"install the redirect rules `apa-feed move` printed (301 to {new_url})"
    if status in (302, 303, 307) and location == new_url:
        what = f"answers a temporary redirect ({status}) to {new_url}: apps keep the old URL"
    elif 300 <= status < 400:
        what = f"answers {status} to {location or 'nowhere'}, not to {new_url}"
    else:
        what = f"does not redirect (HTTP {status}): subscribers of the old URL are not sent to {new_url}"
    return Problem(old_url, message=f"the old feed URL {what}", hint=hint, severity="warning")


def current_feed_url(config: Path, base_url: str | None = None) -> str:
    """The feed URL feed.yaml (with ``--base-url``) gives the show."""
    show = override(load_show(config), Options(config, base_url=base_url))
    return url(show, show.feed_file)


def moved_problems(config: Path, base_url: str | None, old_urls: list[str]) -> tuple[Problem, ...]:
    """``check --moved-from``: what each old feed URL answers, against the feed URL the show has now (none when
    feed.yaml cannot be read: the check reports why)."""
    try:
        new = current_feed_url(config, base_url)
    except ApaFeedError:
        return ()
    return tuple(redirect_answer(old, new) for old in old_urls)
