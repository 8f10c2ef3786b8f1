"""Publish: plan against the store, upload what is missing, verify it, then swap the feed in."""

from __future__ import annotations

from dataclasses import dataclass

from .config import load_show
from .errors import ApaFeedError, StorageError
from .model import FEED_CACHE
from .plan import HISTORY, Plan, history_key, make_plan
from .project import Built, Options, build_project, override
from .storage import Store, open_store

FEED_TYPE = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Report:
    """What a publish did (or, in a dry run, would do)."""

    built: Built
    plan: Plan
    store: str
    feed_url: str
    dry_run: bool

    def as_dict(self) -> dict[str, object]:
        """A machine-readable summary (``publish --json``)."""
        return {
            "feed_url": self.feed_url,
            "store": self.store,
            "dry_run": self.dry_run,
            "episodes": len(self.built.build.feed.items),
            "uploaded": self.plan.count("upload"),
            "unchanged": self.plan.count("unchanged"),
            "orphans": self.plan.count("orphan"),
            "skipped": [{"episode": slug, "why": why} for slug, why in self.built.build.skipped],
            "actions": [
                {"action": a.kind, "key": a.key, "size": a.size, "reason": a.reason} for a in self.plan.actions
            ],
        }


def publish(options: Options, dry_run: bool = False) -> Report:
    """Build the show, plan against its store and, unless ``dry_run``, apply the plan."""
    built = build_project(options, assign=not dry_run)
    store = open_store(built.show.storage, built.show.root, built.show.s3)
    key = built.show.feed_file
    plan = make_plan(built.build.assets, store.list(), key, built.rss, store.read(key))
    if not dry_run:
        apply(plan, store)
    return Report(built, plan, store.describe(), built.build.feed.self_url, dry_run)


def apply(plan: Plan, store: Store) -> None:
    """Upload media first, confirm each referenced object is whole, write the feed last."""
    items = [(a.key, a.source, a.content_type, a.cache_control) for a in plan.uploads if a.data is None]
    store.put_files(items)
    for a in plan.uploads:
        if a.data is not None:
            store.put_bytes(a.key, a.data, a.content_type, a.cache_control)
    listing = store.list()
    for action in plan.actions:
        if action.kind == "orphan" or action.key == plan.feed_key:
            continue
        found = listing.get(action.key)
        if found is None or found.size != action.size:
            raise StorageError(f"{action.key} did not arrive whole on {store.describe()}; the feed was not changed")
    if plan.feed_changed:
        if plan.history_key and plan.live_feed is not None:  # keep the feed being replaced
            store.put_bytes(plan.history_key, plan.live_feed, FEED_TYPE, FEED_CACHE)
        store.put_bytes(plan.feed_key, plan.feed, FEED_TYPE, FEED_CACHE)


class NothingToRollBack(ApaFeedError):
    """``rollback`` found no earlier feed to restore."""


def rollback(options: Options) -> tuple[str, str]:
    """Put back the newest feed kept under ``history/`` that differs from the live one.

    The live feed is kept in history first, so a rollback can itself be undone. Returns the
    history key restored and the store's name.
    """
    show = override(load_show(options.config), options)
    store = open_store(show.storage, show.root, show.s3)
    listing = store.list()
    live = store.read(show.feed_file)
    for key in sorted((k for k in listing if k.startswith(HISTORY)), reverse=True):
        earlier = store.read(key)
        if earlier is not None and earlier != live:
            if live is not None:
                store.put_bytes(history_key(listing, show.feed_file, live), live, FEED_TYPE, FEED_CACHE)
            store.put_bytes(show.feed_file, earlier, FEED_TYPE, FEED_CACHE)
            return key, store.describe()
    raise NothingToRollBack(f"no earlier feed under {store.describe()}{HISTORY}: nothing to roll back to")
