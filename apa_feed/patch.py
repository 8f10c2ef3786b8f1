"""A build that redoes only the episodes that changed since the kept one (:class:`snapshot.Stale`).

The kept build's show, options and clock still hold and its episode folders are the same, so the
other episodes' items, files, problems and rendered text are as they were. The changed episodes
are read, probed, built, checked and rendered afresh and put in their places; the rules across
episodes (one GUID and one number each) run over every episode's kept share. Anything this path
is not sure of (an error, an episode without a GUID yet, a rule across episodes broken) gives
None, and the caller builds the whole show, which reports it as usual. The result is the same as
that whole build's, byte for byte (tests compare them).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from . import itemmemo, snapshot
from .artwork import check_artwork
from .cache import FactCache
from .checks import check_show
from .config import Show, load_show
from .episodeparts import Part, Parts, by_prefix, feed_assets, owned_paths, parts_of
from .episodes import EPISODE_FILE, assign_guids, read_episode
from .errors import Problem, ProblemsFound
from .model import (
    Asset,
    Build,
    EpisodeInput,
    Feed,
    Item,
    channel,
    episode_prefix,
    held_back,
    is_live,
    item_of,
    unique_assets,
)
from .project import Built, Options, gather_one, override, show_guid
from .published import derive
from .render import item_key, render_items
from .site import build_site, page_key


def rebuild(options: Options, stale: snapshot.Stale, now: datetime, started: int, assign: bool = True) -> Built | None:
    """The build of the show with ``stale.changed`` read again and ``stale.removed`` gone, or None
    (build it all instead). ``assign`` writes a GUID into a new episode that has none."""
    old = stale.built
    show = _show(options, old.show) if stale.show_changed else old.show
    fresh = _episodes(stale.changed, show, assign) if show is not None else None
    if show is None or fresh is None:
        return None
    inputs, problems = fresh
    build, gone = _model(show, stale, inputs, now)
    shares = _shares(show, stale, build, inputs, problems)
    if shares is None:
        return None
    parts, owned = shares
    if show.website:  # a new channel is on every page: then each is made again (or read from .apa-feed/pages/)
        site = tuple(build_site(build.feed, show, None if stale.show_changed else _pages(old.build, gone)))
        build = replace(build, assets=build.assets + site, site=len(site))
    warnings = sorted([*parts.problems, *(p for part in parts.episodes.values() for p in part.problems)])
    built = Built(show, build, _render(show, build.feed, parts), tuple(warnings), old.lock, (), started)
    _keep(options, built, stale, parts, owned)
    return built


def _model(show: Show, stale: snapshot.Stale, inputs: list[EpisodeInput], now: datetime) -> tuple[Build, set[str]]:
    """The feed and its files with the episodes read again in place, and the GUIDs of the items replaced or gone."""
    old = stale.built
    new = {os.fspath(i.meta.folder): i for i in inputs}
    gone = {stale.parts.episodes[f].guid for f in (*new, *stale.removed) if f in stale.parts.episodes}
    items, assets = _items(show, old.build, stale, new, gone, now)
    feed = channel(show, old.build.feed.image_url, items, show_guid(show, old.lock))
    skipped = [(new[f].meta.slug, held_back(new[f].meta, now)) if f in new else
               (stale.parts.episodes[f].slug, stale.parts.episodes[f].skipped) for f in stale.folders]
    return Build(feed, assets, tuple((slug, why) for slug, why in skipped if why)), gone


def _shares(
    show: Show, stale: snapshot.Stale, build: Build, inputs: list[EpisodeInput], problems: list[Problem]
) -> tuple[Parts, dict[str, tuple[str, ...]]] | None:
    """Every episode's share after the episodes read again were checked, with the paths each of those
    owns; None on an error, or on a rule across episodes broken."""
    guids = {i.meta.guid for i in inputs}
    keys = {item.guid: item_key(item) for item in build.feed.items if item.guid in guids}
    problems = problems + check_show(show, inputs, build)
    if any(p.severity == "error" for p in problems):
        return None
    grouped = by_prefix(build.assets)
    owned = {os.fspath(i.meta.folder): owned_paths(i, grouped.get(episode_prefix(i.meta), ())) for i in inputs}
    made = parts_of(show, build, inputs, owned, problems, keys)
    if made is None:
        return None
    episodes = {f: made[0][f] if f in owned else stale.parts.episodes[f] for f in stale.folders}
    if not _distinct(episodes.values()):
        return None
    loose = stale.parts.problems
    if stale.show_changed:  # the show's own problems found again: feed.yaml's (in made[1]) and its artwork's
        loose = tuple(sorted([*check_artwork(show.image, "image"), *made[1]]))
    return Parts(episodes, stale.parts.show_assets, loose), owned


def _render(show: Show, feed: Feed, parts: Parts) -> bytes:
    """The feed: the items kept in ``items.bin`` spliced back, only the new ones rendered."""
    kept = itemmemo.load(show.root)
    keys = {p.guid: p.item_key for p in parts.episodes.values() if p.item_key}
    rss, texts = render_items(feed, kept, [keys[item.guid] for item in feed.items])
    itemmemo.save(show.root, texts, kept)
    return rss


CHANNEL_ONLY = ("description", "owner", "categories", "copyright", "directories", "s3", "storage", "feed_file",
                "per_page")
"""What feed.yaml says that only the channel (and the website) shows: no episode's item, files or checks
look at it. Podcasting 2.0's settings are too, but for the show's people, who are in every item."""


def _show(options: Options, old: Show) -> Show | None:
    """feed.yaml read again, when it differs from ``old`` in :data:`CHANNEL_ONLY` settings only (else
    None: the whole build reads it, and reports its problems)."""
    try:
        show = override(load_show(options.config), options)
    except ProblemsFound:
        return None
    unchanged = {name: getattr(old, name) for name in CHANNEL_ONLY}
    return show if replace(show, **unchanged, p20=replace(old.p20, people=show.p20.people)) == old else None


def _episodes(folders: Iterable[str], show: Show, assign: bool) -> tuple[list[EpisodeInput], list[Problem]] | None:
    """The changed and new episodes read, probed and derived again, with their problems; None on any error."""
    cache = FactCache(show.root)
    found: list[EpisodeInput] = []
    problems: list[Problem] = []
    for folder in folders:
        if not os.path.isfile(os.path.join(folder, EPISODE_FILE)):
            return None  # no longer an episode: the whole build says what became of it
        meta, own = read_episode(folder, show.timezone)
        ep = gather_one(meta, cache, show.timezone, own) if meta is not None else None
        problems += own
        if ep is None:
            return None
        found.append(ep)
    if any(p.severity == "error" for p in problems) or (not assign and any(i.meta.guid is None for i in found)):
        return None
    found = [replace(i, meta=assign_guids([i.meta])[0]) if i.meta.guid is None else i for i in found]
    found, derived = derive(show, found, cache)
    cache.save(prune=False)
    problems += derived
    return (found, problems) if not any(p.severity == "error" for p in problems) else None


def _items(show: Show, build: Build, stale: snapshot.Stale, new: dict[str, EpisodeInput], gone: set[str],
           now: datetime) -> tuple[tuple[Item, ...], tuple[Asset, ...]]:
    """The feed's items and files, the ``new`` episodes' (by folder) in place of the old ones of those ``gone``."""
    items = [item for item in build.feed.items if item.guid not in gone]
    by_key = {a.key: a for a in feed_assets(build)}
    assets: list[Asset] = [by_key[k] for k in stale.parts.show_assets]
    for folder in stale.folders:
        ep = new.get(folder)
        if ep is None:
            assets += [by_key[k] for k in stale.parts.episodes[folder].assets]
        elif is_live(ep.meta, now):
            item, files = item_of(show, ep)
            items.append(item)
            assets += files
    items.sort(key=lambda i: (i.published, i.guid), reverse=True)
    return tuple(items), tuple(unique_assets(assets))


def _pages(build: Build, gone: set[str]) -> dict[str, Asset]:
    """The last build's episode pages by key, but those of the items ``gone`` (by GUID)."""
    pages = {a.key: a for a in build.assets[len(build.assets) - build.site :]}
    feed = build.feed
    return {key: pages[key] for item in feed.items if item.page_url and item.page_url.startswith(feed.base_url)
            and item.guid not in gone and (key := page_key(feed, item)) in pages}


def _distinct(parts: Iterable[Part]) -> bool:
    """No two episodes share a GUID, or a number in a season (else the whole build reports them)."""
    guids: set[str] = set()
    numbers: set[tuple[int | None, int]] = set()
    for part in parts:
        if part.guid in guids or (part.number is not None and part.number in numbers):
            return False
        guids.add(part.guid)
        if part.number is not None:
            numbers.add(part.number)
    return True


def _keep(options: Options, built: Built, stale: snapshot.Stale, parts: Parts,
          owned: dict[str, tuple[str, ...]]) -> None:
    """Keep the new build, the episodes read again stamped afresh (not at all if a path changed meanwhile)."""
    kept = {folder: (paths, stamps) for folder, paths, stamps in stale.head.episodes}
    episodes = []
    for folder in parts.episodes:
        paths, stamps = (owned[folder], ()) if folder in owned else kept[folder]
        if folder in owned:
            stamps, racy = snapshot.survey(paths, built.read_ns)
            if racy:
                return
        episodes.append((folder, paths, stamps))
    paths, stamps, racy = snapshot.global_survey(built, options.config, set(parts.episodes))
    if racy:
        return
    due = [p.due for p in parts.episodes.values() if p.due is not None]
    snapshot.write(options, built, snapshot.header(options, built, paths, stamps, due, tuple(episodes)), parts)
