"""Publish: plan against the store, upload what is missing, verify it, then swap the feed in."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..build import BuiltShow, Options, build_project
from ..config.s3 import MEDIA_CACHE, CachePolicy
from ..errors import StorageError
from ..feed.model import Asset
from ..storage import Progress, Store, StoreChanged, StoredObject, Upload
from ..storage.lease import LEASE, holder, leased
from ..storage.local import LocalStore, check_claimed
from ..storage.survey import PUBLISHED, Holdings, Survey, read_holdings
from .history import NothingToRollBack, Restored, entries, keep_pages, rollback
from .identity import Change, IdentityChanged, compare, guard, held_back_reasons, record
from .live import explain, read_live, record_bytes, union
from .lockfile import Lock
from .notify import Ping, send_pings
from .plan import FEED_TYPE, MANIFEST, RECORD, Plan, make_plan, needs_manifest, read_record
from .recorded import require_sources
from .runlock import exclusive

if TYPE_CHECKING:
    from .verify import Verification

__all__ = ["FEED_TYPE", "NothingToRollBack", "Report", "Restored", "apply", "publish", "rollback"]
DEFAULT_CACHE = CachePolicy()
RETRIES = 2
"""How many times a publish that lost the race for the feed reads the store again and plans anew."""
RACED = "changed on the store while this publish ran"
PRUNE_GRACE = 3600.0
"""Seconds an orphan is kept by ``--prune`` after it was written: a publish under way (one whose lease
was lost, or an older apa-feed's, which takes none) may be about to write a feed that references it."""


@dataclass(frozen=True)
class Report:
    """What a publish did (or, in a dry run, would do)."""

    built: BuiltShow
    plan: Plan
    store: str
    feed_url: str
    dry_run: bool
    verification: Verification | None = None
    """The HTTP check through ``base_url`` after the publish, when one was asked for."""
    changes: tuple[Change, ...] = ()
    """What changes for subscribers, compared with apa-feed.lock and what is live on the store."""
    refused: tuple[Change, ...] = ()
    """The changes the identity guard refuses (a dry run shows its plan anyway; a publish stops)."""
    notes: tuple[str, ...] = ()
    """What the publish met on the way (a store changed by another publish, a lease taken over)."""
    pings: tuple[Ping, ...] = ()
    """The notifications sent after the new feed was written (``notify:`` in feed.yaml), with their answers."""

    def as_dict(self) -> dict[str, object]:
        """A machine-readable summary (``publish --json``)."""
        return {
            "feed_url": self.feed_url,
            "store": self.store,
            "dry_run": self.dry_run,
            "episodes": len(self.built.publication.feed.items),
            "uploaded": self.plan.count("upload"),
            "unchanged": self.plan.count("unchanged"),
            "orphans": self.plan.count("orphan"),
            "deleted": [] if self.dry_run else list(self.plan.deletes),
            "checks": self.verification.as_dict() if self.verification else None,
            "skipped": [{"episode": slug, "why": why} for slug, why in self.built.publication.skipped],
            "changes": [
                {"kind": c.kind, "episode": c.episode, "old": c.old, "new": c.new, "why": c.explanation}
                for c in self.changes
            ],
            "refused": [{"kind": c.kind, "episode": c.episode, "why": c.explanation} for c in self.refused],
            "notes": list(self.notes),
            "pings": [ping.as_dict() for ping in self.pings],
            "actions": [
                {"action": a.kind, "key": a.key, "size": a.size, "reason": a.reason} for a in self.plan.actions
            ],
        }


def publish(
    options: Options,
    dry_run: bool = False,
    *,
    prune: bool = False,
    progress: Progress | None = None,
    verify: bool = False,
    allow: frozenset[str] = frozenset(),
    survey: Survey | None = None,
    locked: bool = False,
    on_plan: Callable[[Report], None] | None = None,
    notify: bool = False,
    allow_private: bool = False,
) -> Report:
    """Build the show, plan against its store and, unless ``dry_run``, apply the plan.

    ``prune`` deletes orphans once the new feed is written; ``progress`` hears about each upload;
    ``verify`` then HEADs the feed and the new enclosures through ``base_url`` (warnings only).
    ``allow`` names the identity changes the producer accepts (``guid``, ``date``, ``removed``).
    One publish of a show runs at a time (a dry run changes nothing and takes no lock); ``locked``
    says the caller holds the lock (:func:`~apa_feed.publish.runlock.exclusive`) already. ``survey``: the
    store's reading, if the caller started it earlier, which must be after taking the lock (a
    reading from before could miss what another publish did, and ``--prune`` trusts it).
    ``on_plan`` is shown each plan before anything is written (a dry run's too). ``notify`` sends the pings
    feed.yaml's ``notify:`` asks for once a changed feed is written (``allow_private``: to private addresses too).

    The feed is written only if the live one is still the one planned against (compare-and-swap); when
    another publish changed it meanwhile, the store is read again and the publish planned anew (the
    identity guard then checks what that publish made live), up to ``RETRIES`` times.
    """
    with nullcontext() if dry_run or locked else exclusive(options.config.parent):
        survey = survey or Survey.start(options.config, options.storage)  # the store is read while the show builds
        built = build_project(options, assign=not dry_run)
        holdings = survey.result(built.show)
        if options.storage is None:  # named by feed.yaml, which may be someone else's: not the user's own word
            claim(holdings.store, holdings.listing, built.show.storage, built.show.root, built.show.feed_file)
        run = Run(dry_run, prune, progress, verify, allow, on_plan, notify, allow_private)
        if dry_run:
            who = holder(holdings.store)
            notes = [f"{who} holds the store's lease: a publish now would wait for it"] if who else []
            return _publish(options, built, holdings, run, notes)
        with leased(holdings.store) as lease:  # one publish at a time on the store, whichever machine runs it
            if holdings.store.read_tagged(built.show.feed_file)[1] != holdings.feed_tag:  # one ended meanwhile
                holdings = read_holdings(holdings.store, built.show.feed_file)  # (--prune trusts the listing)
            return _attempts(options, built, holdings, run, [lease.note] if lease.note else [])


def _attempts(options: Options, built: BuiltShow, holdings: Holdings, run: Run, notes: list[str]) -> Report:
    """Publish; when another publish changed the feed meanwhile, read the store again and plan anew."""
    for attempt in range(RETRIES + 1):
        try:
            return _publish(options, built, holdings, run, notes)
        except StoreChanged as exc:
            if attempt == RETRIES:
                raise PublishRaced(holdings.store.describe(), exc.key) from None
            notes.append(f"{exc.key} {RACED} (another publish?): read it again")
            holdings = read_holdings(holdings.store, built.show.feed_file)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Run:
    """What a publish was asked to do."""

    dry_run: bool
    prune: bool
    progress: Progress | None
    verify: bool
    allow: frozenset[str]
    on_plan: Callable[[Report], None] | None
    notify: bool = False
    allow_private: bool = False


class PublishRaced(StorageError):
    """Other publishes kept changing the store's feed while this one planned."""

    def __init__(self, store: str, key: str) -> None:
        super().__init__(
            f"{store}{key} changed {RETRIES + 1} times while this publish ran: another publish of the show "
            "is running; nothing of this publish is live (its uploads are kept for the next one): publish again"
        )


def _publish(options: Options, built: BuiltShow, holdings: Holdings, run: Run, notes: list[str]) -> Report:
    store, listing, live_feed = holdings.store, holdings.listing, holdings.feed
    live = read_live(holdings, built.show.feed_file)
    lock = union(built.lock, live) if options.identity else None
    held = held_back_reasons(built.publication.skipped, (i.meta for i in built.inputs))
    changes = explain(compare(lock, built.publication.feed, held), built.lock, live) if options.identity else []
    refused = refusals(changes, set(run.allow))
    prune = run.prune
    manifest = store.read(MANIFEST) if needs_manifest(built.publication.assets, listing) else None  # S3: ETags suffice
    kept = tuple(data for e in entries(listing) if prune and (data := store.read(e.key)) is not None)

    def plan_with(written: frozenset[str] | None) -> Plan:
        assets, feed_key = built.publication.assets, built.show.feed_file
        young = time.time() - PRUNE_GRACE if prune else None
        return make_plan(assets, listing, feed_key, built.rss, live_feed, prune, manifest, kept, written, young)

    plan = plan_with(None if RECORD in listing else frozenset())  # no record yet: the first is made
    if RECORD in listing and (prune or plan.uploads):  # the record changes, or says what may be pruned
        plan = plan_with(read_record(store.read(RECORD)))
    plan = replace(plan, live_tag=holdings.feed_tag)
    require_sources(plan.uploads)  # built from apa-feed.lock, yet not on this store: say so before any upload
    report = Report(
        built,
        plan,
        store.describe(),
        built.publication.feed.self_url,
        run.dry_run,
        None,
        tuple(changes),
        tuple(refused),
        tuple(notes),
    )
    if run.on_plan is not None and (run.dry_run or not refused):  # a refused publish says why, not its plan
        run.on_plan(report)
    if run.dry_run:
        return report
    if refused:
        raise IdentityChanged(refused, note=_raced(notes))
    keep_pages(store, listing, built.publication.assets, plan, built.show.s3.cache_control)  # history/pages/
    apply(plan, store, run.progress, built.show.s3.cache_control)
    if options.identity:
        after = record(lock, built.publication.feed, built.show.root, set(run.allow), built.inputs)
        if plan.feed_changed or after != live.recorded:  # a publish that changed nothing leaves it
            write_record(store, after, holdings.record_tag, built.show.s3.cache_control)
    if run.notify and built.show.notify and plan.feed_changed:  # after the new feed is out, and only for one
        report = replace(report, pings=tuple(send_pings(built.show.notify, report.feed_url, run.allow_private)))
    if run.verify:
        from .verify import verify_published  # http.client and friends: only when checking

        report = replace(report, verification=verify_published(built, plan))
    return report


def refusals(changes: list[Change], allowed: set[str]) -> list[Change]:
    """The guarded changes the producer did not allow (what :func:`guard` refuses)."""
    try:
        guard(changes, allowed)
    except IdentityChanged as exc:
        return exc.changes
    return []


def _raced(notes: list[str]) -> str:
    raced = any(RACED in note for note in notes)
    return "another publish changed the store while this one ran, and " if raced else ""


def write_record(store: Store, lock: Lock, expected: str | None, cache: CachePolicy) -> None:
    """The store's publish record, if no other publish wrote one since this one read it (a later publish
    planned against this one's feed, so its record describes it; the live feed stays the truth)."""
    with suppress(StoreChanged):
        store.put_if(PUBLISHED, record_bytes(lock), "application/json", cache.feed, expected)


def apply(plan: Plan, store: Store, progress: Progress | None = None, cache: CachePolicy = DEFAULT_CACHE) -> None:
    """Upload media and generated files first (one concurrent batch), confirm each referenced object is
    whole, write the feed last; then, with ``--prune``, delete what neither feed references.

    The record of what apa-feed wrote names each upload before it is made (an interrupted publish's
    objects are apa-feed's too), and loses each deleted key after it is gone.

    ``cache`` gives the Cache-Control header of immutable objects and of those rewritten in place."""
    if plan.record is not None:
        store.put_bytes(RECORD, plan.record, "application/json", cache.feed)
    if plan.uploads:  # otherwise the plan's own listing already confirmed every object: no second LIST
        store.put_files([_upload(a, cache) for a in plan.uploads], progress=progress)
        listing = store.list()  # read after the uploads: the survey's reading, from before them, cannot confirm them
        for action in plan.actions:
            if action.kind in ("orphan", "delete") or action.key == plan.feed_key:
                continue
            found = listing.get(action.key)
            if found is None or found.size != action.size:
                raise StorageError(f"{action.key} did not arrive whole on {store.describe()}; the feed was not changed")
    if plan.manifest is not None:  # after the pages it describes, before the feed
        store.put_bytes(MANIFEST, plan.manifest, "application/json", cache.feed)
    if plan.feed_changed:
        _write_feed(plan, store, cache)
    if plan.deletes:
        _prune(plan, store, cache)


def _write_feed(plan: Plan, store: Store, cache: CachePolicy) -> None:
    """Keep the feed being replaced under history/, then swap the new one in: only over the version this
    plan was made against (:class:`StoreChanged` otherwise, and nothing is replaced)."""
    if plan.history_key and plan.live_feed is not None:
        store.put_bytes(plan.history_key, plan.live_feed, FEED_TYPE, cache.feed)
    if plan.live_feed is None or plan.live_tag is not None:
        store.put_if(plan.feed_key, plan.feed, FEED_TYPE, cache.feed, plan.live_tag)
    else:  # a plan made without the live feed's tag (a caller of its own): written as it is
        store.put_bytes(plan.feed_key, plan.feed, FEED_TYPE, cache.feed)


def _prune(plan: Plan, store: Store, cache: CachePolicy) -> None:
    """Delete the orphans, then drop them from the record (an interrupted delete leaves them recorded)."""
    store.delete(plan.deletes)
    if plan.record_after is not None:
        store.put_bytes(RECORD, plan.record_after, "application/json", cache.feed)


def claim(store: Store, listing: dict[str, StoredObject], spec: str, root: Path, feed_key: str) -> None:
    """Refuse a local folder feed.yaml names outside the show that holds files but no feed or record of
    apa-feed's: it may be anyone's folder (``storage: ~/Documents`` in a cloned show, or a linked public/)."""
    if isinstance(store, LocalStore) and not ({feed_key, RECORD, PUBLISHED, LEASE} & listing.keys()):
        check_claimed(store.root, root, spec)


def _upload(asset: Asset, cache: CachePolicy) -> Upload:
    """What the store is given for an asset: its file (or generated bytes, which the store hashes as it
    sends them), with the header its kind of object gets."""
    immutable = asset.cache_control == MEDIA_CACHE
    source = asset.source if asset.data is None else asset.data
    digest = asset.sha256 if asset.data is None else ""
    return Upload(asset.key, source, asset.content_type, cache.header(asset.cache_control), digest, immutable)
