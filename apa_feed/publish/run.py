"""Publish: plan against the store, upload what is missing, verify it, then swap the feed in."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..build import BuiltShow, Options, build_project
from ..config.show import MEDIA_CACHE, CachePolicy
from ..errors import StorageError
from ..feed.model import Asset
from ..storage import Progress, Store, StoredObject, Upload
from ..storage.local import LocalStore, check_claimed
from ..storage.survey import Survey
from .history import NothingToRollBack, Restored, entries, keep_pages, rollback
from .identity import Change, compare, guard, held_back_reasons, record
from .plan import FEED_TYPE, MANIFEST, RECORD, Plan, make_plan, needs_manifest, read_record
from .recorded import require_sources
from .runlock import exclusive

if TYPE_CHECKING:
    from .verify import Verification

__all__ = ["FEED_TYPE", "NothingToRollBack", "Report", "Restored", "apply", "publish", "rollback"]
DEFAULT_CACHE = CachePolicy()


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
    """What changes for subscribers, compared with apa-feed.lock (allowed or harmless ones)."""

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
) -> Report:
    """Build the show, plan against its store and, unless ``dry_run``, apply the plan.

    ``prune`` deletes orphans once the new feed is written; ``progress`` hears about each upload;
    ``verify`` then HEADs the feed and the new enclosures through ``base_url`` (warnings only).
    ``allow`` names the identity changes the producer accepts (``guid``, ``date``, ``removed``).
    One publish of a show runs at a time (a dry run changes nothing and takes no lock); ``locked``
    says the caller holds the lock (:func:`~apa_feed.publish.runlock.exclusive`) already. ``survey``: the
    store's reading, if the caller started it earlier, which must be after taking the lock (a
    reading from before could miss what another publish did, and ``--prune`` trusts it).
    """
    with nullcontext() if dry_run or locked else exclusive(options.config.parent):
        survey = survey or Survey.start(options.config, options.storage)  # the store is read while the show builds
        return _publish(options, dry_run, prune, progress, verify, allow, survey)


def _publish(
    options: Options,
    dry_run: bool,
    prune: bool,
    progress: Progress | None,
    verify: bool,
    allow: frozenset[str],
    survey: Survey,
) -> Report:
    built = build_project(options, assign=not dry_run)
    held = held_back_reasons(built.publication.skipped, (i.meta for i in built.inputs))
    changes = compare(built.lock, built.publication.feed, held) if options.identity else []
    guard(changes, set(allow))
    store, listing, live_feed = survey.result(built.show)
    if options.storage is None:  # named by feed.yaml, which may be someone else's: not the user's own word
        claim(store, listing, built.show.storage, built.show.root, built.show.feed_file)
    manifest = store.read(MANIFEST) if needs_manifest(built.publication.assets, listing) else None  # S3: ETags suffice
    kept = tuple(data for e in entries(listing) if prune and (data := store.read(e.key)) is not None)

    def plan_with(written: frozenset[str] | None) -> Plan:
        assets, feed_key = built.publication.assets, built.show.feed_file
        return make_plan(assets, listing, feed_key, built.rss, live_feed, prune, manifest, kept, written)

    plan = plan_with(None if RECORD in listing else frozenset())  # no record yet: the first is made
    if RECORD in listing and (prune or plan.uploads):  # the record changes, or says what may be pruned
        plan = plan_with(read_record(store.read(RECORD)))
    require_sources(plan.uploads)  # built from apa-feed.lock, yet not on this store: say so before any upload
    verification = None
    if not dry_run:
        keep_pages(store, listing, built.publication.assets, plan, built.show.s3.cache_control)  # history/pages/
        apply(plan, store, progress, built.show.s3.cache_control)
        if options.identity:
            record(built.lock, built.publication.feed, built.show.root, set(allow), built.inputs)
        if verify:
            from .verify import verify_published  # http.client and friends: only when checking

            verification = verify_published(built, plan)
    return Report(built, plan, store.describe(), built.publication.feed.self_url, dry_run, verification, tuple(changes))


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
        if plan.history_key and plan.live_feed is not None:  # keep the feed being replaced
            store.put_bytes(plan.history_key, plan.live_feed, FEED_TYPE, cache.feed)
        store.put_bytes(plan.feed_key, plan.feed, FEED_TYPE, cache.feed)
    if plan.deletes:
        _prune(plan, store, cache)


def _prune(plan: Plan, store: Store, cache: CachePolicy) -> None:
    """Delete the orphans, then drop them from the record (an interrupted delete leaves them recorded)."""
    store.delete(plan.deletes)
    if plan.record_after is not None:
        store.put_bytes(RECORD, plan.record_after, "application/json", cache.feed)


def claim(store: Store, listing: dict[str, StoredObject], spec: str, root: Path, feed_key: str) -> None:
    """Refuse a local folder feed.yaml names outside the show that holds files but no feed or record of
    apa-feed's: it may be anyone's folder (``storage: ~/Documents`` in a cloned show, or a linked public/)."""
    if isinstance(store, LocalStore) and not ({feed_key, RECORD} & listing.keys()):
        check_claimed(store.root, root, spec)


def _upload(asset: Asset, cache: CachePolicy) -> Upload:
    """What the store is given for an asset: its file (or generated bytes, which the store hashes as it
    sends them), with the header its kind of object gets."""
    immutable = asset.cache_control == MEDIA_CACHE
    source = asset.source if asset.data is None else asset.data
    digest = asset.sha256 if asset.data is None else ""
    return Upload(asset.key, source, asset.content_type, cache.header(asset.cache_control), digest, immutable)
