"""Publish: plan against the store, upload what is missing, verify it, then swap the feed in."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..build import BuiltShow, Options, build_project
from ..config.show import MEDIA_CACHE, CachePolicy
from ..errors import StorageError
from ..feed.model import Asset
from ..storage import Progress, Store, Upload
from ..storage.survey import Survey
from .history import NothingToRollBack, Restored, entries, keep_pages, rollback
from .identity import Change, compare, guard, record
from .plan import FEED_TYPE, MANIFEST, Plan, make_plan, needs_manifest
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
    changes = compare(built.lock, built.publication.feed) if options.identity else []
    guard(changes, set(allow))
    store, listing, live_feed = survey.result(built.show)
    manifest = store.read(MANIFEST) if needs_manifest(built.publication.assets, listing) else None  # S3: ETags suffice
    kept = tuple(data for e in entries(listing) if prune and (data := store.read(e.key)) is not None)
    plan = make_plan(
        built.publication.assets,
        listing,
        built.show.feed_file,
        built.rss,
        live_feed,
        prune=prune,
        live_manifest=manifest,
        kept_feeds=kept,
    )
    verification = None
    if not dry_run:
        keep_pages(store, listing, built.publication.assets, plan, built.show.s3.cache_control)  # history/pages/
        apply(plan, store, progress, built.show.s3.cache_control)
        if options.identity:
            record(built.lock, built.publication.feed, built.show.root, set(allow))
        if verify:
            from .verify import verify_published  # http.client and friends: only when checking

            verification = verify_published(built, plan)
    return Report(built, plan, store.describe(), built.publication.feed.self_url, dry_run, verification, tuple(changes))


def apply(plan: Plan, store: Store, progress: Progress | None = None, cache: CachePolicy = DEFAULT_CACHE) -> None:
    """Upload media and generated files first (one concurrent batch), confirm each referenced object is
    whole, write the feed last; then, with ``--prune``, delete what neither feed references.

    ``cache`` gives the Cache-Control header of immutable objects and of those rewritten in place."""
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
        store.delete(plan.deletes)


def _upload(asset: Asset, cache: CachePolicy) -> Upload:
    """What the store is given for an asset: its file (or generated bytes, which the store hashes as it
    sends them), with the header its kind of object gets."""
    immutable = asset.cache_control == MEDIA_CACHE
    source = asset.source if asset.data is None else asset.data
    digest = asset.sha256 if asset.data is None else ""
    return Upload(asset.key, source, asset.content_type, cache.header(asset.cache_control), digest, immutable)
