"""``status``: where the show stands — each episode's state, what the store lacks, the last publish, the feed URL.

It only reads: the show is built without assigning GUIDs or writing the lock, the store is listed and its
feeds read, nothing is uploaded. An episode that does not build is shown held back with its errors and the
rest of the show is built without it; only a problem of the show itself (feed.yaml, its cover) leaves the
store unchecked.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from ..build import BuiltShow, Options, build_project, override
from ..config.analytics import peel
from ..config.episodes import UNDATED, EpisodeMeta, episode_folders, read_episodes
from ..config.s3 import MEDIA_CACHE
from ..config.show import Show, load_show
from ..errors import ApaFeedError, Problem, ProblemsFound, display_path
from ..feed.model import Asset, held_back, url
from ..importfeed.parse import OldFeed, OldItem
from ..storage import Store, StoredObject
from ..storage.local import LocalStore
from ..storage.survey import Holdings, Survey
from .history import RollbackRefused, entries, live_position, read_kept
from .live import parsed_feed, read_live
from .lockfile import LockError, read_lock


@dataclass(frozen=True)
class EpisodeState:
    """One episode folder and where it stands."""

    folder: str
    number: int | None
    date: datetime | None
    title: str
    state: str
    """``live`` (in the feed), ``scheduled`` (dated later), ``draft`` or ``held back`` (it has errors)."""
    errors: tuple[str, ...] = ()
    """Why it is held back: its errors, as ``check`` prints them."""
    on_store: bool | None = None
    """Whether the store's live feed has it (None: the store was not read)."""


@dataclass(frozen=True)
class StoreState:
    """Whether the store holds what the feed needs."""

    store: str
    reachable: bool
    error: str = ""
    present: int = 0
    missing: tuple[str, ...] = ()
    """Keys the feed needs that the store lacks (or holds with another size): the next publish uploads them."""
    feed: str = ""
    """``none`` (nothing published yet), ``current`` (the live feed is this build's) or ``outdated``."""


@dataclass(frozen=True)
class FeedChange:
    """How one episode of the live feed differs from the feed it replaced."""

    kind: str
    """``added``, ``removed`` or ``changed``."""
    title: str
    guid: str
    detail: str = ""


@dataclass(frozen=True)
class LastPublish:
    """The live feed on the store: which publish it is, when (where the store tells), what it changed."""

    number: int
    """Its place in the store's history (1: the first publish)."""
    when: datetime | None
    """When the live feed was written: known for a local folder; None where the store does not say."""
    changes: tuple[FeedChange, ...]
    """Compared with the feed it replaced (kept under ``history/``): every episode, for a first publish."""
    rolled_back_to: int | None = None
    """The history entry a rollback put back, while the live feed is still that one."""
    not_in_lock: tuple[str, ...] = ()
    """Titles of live episodes this clone's apa-feed.lock does not record (published from elsewhere)."""
    by: str = ""
    """Who wrote it, as the store's publish record says (``user@host, time``); "" before records were kept."""


@dataclass(frozen=True)
class Elsewhere:
    """An episode live on the store that this clone has no folder for (published from another clone)."""

    guid: str
    title: str
    date: str


@dataclass(frozen=True)
class Status:
    """Everything ``apa-feed status`` says."""

    feed_url: str
    episodes: tuple[EpisodeState, ...]
    store: StoreState | None
    """None when the show itself does not build (see ``problems``)."""
    last_publish: LastPublish | None
    elsewhere: tuple[Elsewhere, ...] = ()
    problems: tuple[Problem, ...] = ()
    """Errors of the show itself (feed.yaml, its cover, the lock): no feed can be built until they are fixed."""
    warnings: int = 0
    """How many warnings the build gave (``apa-feed check`` shows them)."""

    def as_dict(self) -> dict[str, object]:
        """The JSON of ``status --json``."""
        last = self.last_publish
        return {
            "feed_url": self.feed_url,
            "episodes": [_episode_dict(e) for e in self.episodes],
            "store": asdict(self.store) if self.store else None,
            "last_publish": None
            if last is None
            else {**asdict(last), "when": last.when.isoformat() if last.when else None},
            "elsewhere": [asdict(e) for e in self.elsewhere],
            "problems": [p.render() for p in self.problems],
            "warnings": self.warnings,
        }


def _episode_dict(row: EpisodeState) -> dict[str, object]:
    return {**asdict(row), "date": row.date.isoformat() if row.date else None}


def status(options: Options, now: datetime | None = None) -> Status:
    """Where the show stands; reads the show and its store, writes nothing."""
    now = now or datetime.now(UTC)
    options = replace(options, config=options.config.absolute(), identity=False, now=now)
    survey = Survey.start(options.config, options.storage)  # the store is read while the show builds
    built, held, problems = build_around(options)
    metas = {str(m.folder): m for m in _read_metas(options)}
    if built is not None:
        metas.update({str(i.meta.folder): i.meta for i in built.inputs})
    show = built.show if built else _show(options)
    store_state, holdings = None, None
    if built is not None:
        store_state, holdings = check_store(survey, built)
    live = parsed_feed(holdings.feed, show.feed_file) if holdings and show else None
    on_store = None if holdings is None else {i.guid for i in live.items if i.guid} if live else set()
    episodes = tuple(sorted(states(options, metas, held, now, on_store), key=_newest_first))
    local = {m.guid for m in metas.values() if m.guid}
    return Status(
        feed_url=_feed_url(built, show),
        episodes=episodes,
        store=store_state,
        last_publish=last_publish(holdings, live, show) if holdings and live and show else None,
        elsewhere=elsewhere(live, local),
        problems=tuple(problems),
        warnings=sum(1 for p in built.warnings if p.severity == "warning") if built else 0,
    )


def build_around(options: Options) -> tuple[BuiltShow | None, dict[str, list[Problem]], list[Problem]]:
    """Build the show, leaving out each episode folder that has errors: the build (None when the show itself
    has errors), the errors of each episode left out, and the show's own errors."""
    folders = [str(f.absolute()) for f in episode_folders(options.config.parent)]
    held: dict[str, list[Problem]] = {}
    while True:
        leave_out = frozenset(Path(f) for f in held)
        try:
            return build_project(replace(options, leave_out=leave_out), assign=False), held, []
        except ProblemsFound as found:
            errors = [p for p in found.problems if p.severity == "error"]
        except ApaFeedError as exc:  # the show's theme, its lock, its storage spec…
            return None, held, [Problem(display_path(options.config), message=str(exc))]
        show_errors = []
        for problem in errors:
            owner = _owner(problem, folders)
            if owner is None:
                show_errors.append(problem)
            else:
                held.setdefault(owner, []).append(problem)
        if show_errors or not errors:
            return None, held, show_errors


def _owner(problem: Problem, folders: list[str]) -> str | None:
    """The episode folder a problem lies in, or None for a problem of the show's."""
    where = os.path.abspath(problem.file)
    return next((f for f in folders if where == f or where.startswith(f + os.sep)), None)


def _read_metas(options: Options) -> list[EpisodeMeta]:
    show = _show(options)
    if show is None:
        return []
    return read_episodes(options.config.parent, show.timezone)[0]


def _show(options: Options) -> Show | None:
    try:
        return override(load_show(options.config), options)
    except ApaFeedError:
        return None


def states(
    options: Options,
    metas: dict[str, EpisodeMeta],
    held: dict[str, list[Problem]],
    now: datetime,
    on_store: set[str] | None,
) -> list[EpisodeState]:
    """Each episode folder's state; ``on_store``: the GUIDs of the store's live feed (None: not read)."""
    found = []
    for folder in episode_folders(options.config.parent):
        key = str(folder.absolute())
        meta = metas.get(key)
        errors = tuple(p.render() for p in held.get(key, []))
        state = "held back" if errors else (held_back(meta, now) if meta else "") or "live"
        has = None if on_store is None else bool(meta and meta.guid in on_store)
        if meta is None:
            found.append(EpisodeState(display_path(folder), None, None, "", state, errors, has))
            continue
        date = None if meta.published == UNDATED else meta.published  # to be read from the audio's tags
        found.append(EpisodeState(display_path(folder), meta.episode, date, meta.title, state, errors, has))
    return found


def _newest_first(row: EpisodeState) -> tuple[float, int, str]:
    stamp = row.date.timestamp() if row.date else float("-inf")
    return (-stamp, -(row.number or 0), row.folder)


def check_store(survey: Survey, built: BuiltShow) -> tuple[StoreState, Holdings | None]:
    """Compare what the built feed needs with the store's listing; an unreachable store is said, not raised."""
    try:
        holdings = survey.result(built.show)
    except ApaFeedError as exc:
        return StoreState(built.show.storage, False, str(exc)), None
    needed, listing, live_feed = built.publication.assets, holdings.listing, holdings.feed
    missing = tuple(sorted(a.key for a in needed if not _holds(listing.get(a.key), a)))
    feed = "none" if live_feed is None else "current" if live_feed == built.rss else "outdated"
    state = StoreState(holdings.store.describe(), True, "", len(needed) - len(missing), missing, feed)
    return state, holdings


def _holds(found: StoredObject | None, asset: Asset) -> bool:
    """Whether the store has ``asset``: whole, for a file under a content-addressed key (a page under a fixed
    key is there, even when the next publish rewrites it)."""
    return found is not None and (asset.cache_control != MEDIA_CACHE or found.size == asset.size)


def last_publish(holdings: Holdings, live: OldFeed, show: Show) -> LastPublish:
    """The live feed's place in history, when it was written, and what it changed from the feed before it."""
    store, listing, data = holdings.store, holdings.listing, holdings.feed
    kept = entries(listing)
    position = live_position(store, kept, data)
    before: OldFeed | None = None
    for entry in reversed([e for e in kept if e.number < position]):
        try:
            old, parsed = read_kept(store, entry)
        except RollbackRefused:
            continue
        if old != data:
            before = parsed
            break
    newest = kept[-1] if kept else None
    rolled = newest.to if newest is not None and newest.to == position else None
    writer = read_live(holdings, show.feed_file).writer
    changes = feed_changes(before, live)
    return LastPublish(position, _written(store, show), changes, rolled, _not_in_lock(show, live), writer)


def _written(store: Store, show: Show) -> datetime | None:
    """When the live feed was written, where the store says it (a local folder; S3's listing does not)."""
    if not isinstance(store, LocalStore):
        return None  # the store-side publish record will tell it
    try:
        return datetime.fromtimestamp(store.path(show.feed_file).stat().st_mtime, UTC)
    except OSError:
        return None


def feed_changes(before: OldFeed | None, after: OldFeed) -> tuple[FeedChange, ...]:
    """The episodes ``after`` adds, removes or changes (title, date, audio) compared with ``before``."""
    old = {i.guid: i for i in (before.items if before else ()) if i.guid}
    new = {i.guid: i for i in after.items if i.guid}
    found = [FeedChange("added", i.title, g) for g, i in new.items() if g not in old]
    found += [FeedChange("removed", i.title, g) for g, i in old.items() if g not in new]
    for guid, item in new.items():
        if guid in old:
            detail = _differences(old[guid], item)
            if detail:
                found.append(FeedChange("changed", item.title, guid, detail))
    return tuple(found)


def _enclosure_change(old: str, new: str) -> str:
    """ "new audio", or the analytics prefixes added or removed when the file under them is the same."""
    (was, before), (now, after) = peel(old), peel(new)
    if was != now:
        return "new audio"
    return "analytics prefixes " + (", ".join(after) if after else "none") + f" (were: {', '.join(before) or 'none'})"


def _differences(old: OldItem, new: OldItem) -> str:
    said = []
    if old.title != new.title:
        said.append(f'title was "{old.title}"')
    if old.pub_date != new.pub_date:
        said.append(f"date was {old.pub_date}")
    if old.enclosure_url != new.enclosure_url:
        said.append(_enclosure_change(old.enclosure_url or "", new.enclosure_url or ""))
    if old.notes != new.notes:
        said.append("notes")
    return ", ".join(said)


def _not_in_lock(show: Show, live: OldFeed) -> tuple[str, ...]:
    try:
        lock = read_lock(show.root)
    except LockError:
        return ()
    known = lock.by_guid() if lock else {}
    return tuple(i.title for i in live.items if i.guid and i.guid not in known)


def elsewhere(live: OldFeed | None, local: set[str]) -> tuple[Elsewhere, ...]:
    """Episodes live on the store that no folder of this clone has (a publish from another clone).

    Read from the live feed: what subscribers have is what it carries (the store's publish record only
    describes those episodes, see :mod:`.live`).
    """
    if live is None:
        return ()
    return tuple(Elsewhere(i.guid, i.title, i.pub_date or "") for i in live.items if i.guid and i.guid not in local)


def _feed_url(built: BuiltShow | None, show: Show | None) -> str:
    if built is not None:
        return built.publication.feed.self_url
    return url(show, show.feed_file) if show else ""
