"""The identity guard: what subscribers already have must not change by accident.

Once published, an episode's GUID, pubDate and enclosure URL are in ``apa-feed.lock``. A build
that would give a published episode a new GUID (apps download it again and show it twice),
move its date (it jumps in every list, some apps re-download it) or drop it (it vanishes from
every subscriber's app) is refused unless the producer allows that kind of change. A changed
enclosure URL is allowed, with its reason shown: new audio bytes under a new key, a move of
``base_url`` (then the old URLs must keep working), or an analytics prefix added or removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from ..config.analytics import peel, without_scheme
from ..config.episodes import EpisodeMeta
from ..errors import ApaFeedError
from ..feed.model import EpisodeInput, Feed, Item
from .lockfile import Lock, LockedEpisode, write_lock
from .recorded import locked_files


@dataclass(frozen=True)
class Change:
    """One change to what subscribers have: ``guid``, ``date``, ``removed``, ``enclosure``, ``feed_url`` or
    ``moved`` (back to an address ``apa-feed move`` left)."""

    kind: str
    episode: str
    old: str
    new: str
    explanation: str


GUARDED = ("guid", "date", "removed", "moved")
FLAGS = {
    "guid": "--allow-guid-change",
    "date": "--allow-redate",
    "removed": "--allow-removal",
    "moved": "--allow-move-back",
}


class IdentityChanged(ApaFeedError):
    """A publish would change what subscribers have; nothing was published."""

    def __init__(self, changes: list[Change], note: str = "") -> None:
        self.changes = changes
        lines = [f"  {c.episode}: {c.explanation}" for c in changes]
        flags = sorted({FLAGS[c.kind] for c in changes})
        super().__init__(
            f"{note}this publish would change episodes subscribers already have:\n"
            + "\n".join(lines)
            + f"\nnothing was published; if this is intended, publish again with {' '.join(flags)}"
        )


def compare(lock: Lock | None, feed: Feed, held: Mapping[str, str] | None = None) -> list[Change]:
    """Every difference between what was published (the lock) and the new feed. ``held`` says why an episode
    the show still has is out of the feed, by GUID (see :func:`held_back_reasons`); a published episode out of
    the feed and not in ``held`` has lost its episode.yaml."""
    if lock is None:
        return []
    items = {i.guid: i for i in feed.items}
    by_slug = {i.slug: i for i in feed.items}
    changes = []
    if lock.feed_url != feed.self_url and feed.self_url in lock.moved_from:
        changes.append(_moved_back(lock.feed_url, feed.self_url))
    elif lock.feed_url != feed.self_url:
        changes.append(
            Change(
                "feed_url",
                "the feed",
                lock.feed_url,
                feed.self_url,
                f"the feed moves from {lock.feed_url} to {feed.self_url}: keep the old URL "
                "answering (an HTTP 301 redirect to the new one), or subscribers stop getting "
                "episodes",
            )
        )
    for old in lock.episodes:
        item = items.get(old.guid)
        if item is None:
            changes.append(_missing(old, by_slug.get(old.slug), held))
        else:
            changes.extend(_changed(old, item, lock, feed))
    return changes


def held_back_reasons(skipped: Iterable[tuple[str, str]], episodes: Iterable[EpisodeMeta]) -> dict[str, str]:
    """Why each episode held back (``skipped``: slug and "draft" or "scheduled") is out of the feed, by GUID."""
    why = dict(skipped)
    return {
        ep.guid: "it is a draft (draft: true)"
        if why[ep.slug] == "draft"
        else f"its date is in the future ({ep.published:%Y-%m-%d %H:%M} {ep.published.tzinfo})"
        for ep in episodes
        if ep.guid and ep.slug in why
    }


def _moved_back(live: str, old: str) -> Change:
    return Change(
        "moved",
        "the feed",
        live,
        old,
        f"the feed moved to {live} (apa-feed move); this publish would write it at {old}, the address it "
        "left, which redirects subscribers away: set base_url and storage in feed.yaml to the new place, as "
        "apa-feed move printed",
    )


def _missing(old: LockedEpisode, renamed: Item | None, held: Mapping[str, str] | None) -> Change:
    name = old.slug or old.guid
    if renamed is not None and not renamed.guid:
        return Change(
            "guid",
            name,
            old.guid,
            "",
            f'the "guid:" line of its episode.yaml is gone: a new GUID ("{old.guid}" until now) would be written, '
            "and every subscriber's app would download the episode again and list it twice",
        )
    if renamed is not None:
        return Change(
            "guid",
            name,
            old.guid,
            renamed.guid,
            f'GUID changes from "{old.guid}" to "{renamed.guid}": every subscriber\'s app would '
            "download the episode again and list it twice",
        )
    if held is None:
        why = "draft, future date, or folder removed"
    else:
        why = held.get(old.guid) or (f"episodes/{old.slug}/episode.yaml is gone" if old.slug else "it is gone")
    return Change(
        "removed",
        name,
        old.guid,
        "",
        f'"{old.title or old.guid}" (published {old.pub_date[:10]}) would vanish from subscribers\' apps: {why}',
    )


def _changed(old: LockedEpisode, item: Item, lock: Lock, feed: Feed) -> list[Change]:
    found = []
    name = old.slug or item.slug
    new_date = item.published.isoformat()
    if _instant(old.pub_date) != _instant(new_date):
        found.append(
            Change(
                "date",
                name,
                old.pub_date,
                new_date,
                f"pubDate moves from {old.pub_date} to {new_date}: the episode would jump in every "
                "list, and some apps download it again",
            )
        )
    if old.enclosure_url != item.enclosure_url:
        found.append(
            Change(
                "enclosure",
                name,
                old.enclosure_url,
                item.enclosure_url,
                _enclosure_reason(old.enclosure_url, item.enclosure_url, feed),
            )
        )
    return found


def _instant(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone(UTC).isoformat()
    except ValueError:
        return stamp


def _enclosure_reason(old_url: str, new_url: str, feed: Feed) -> str:
    """Why an episode's enclosure URL changes: analytics prefixes, new audio bytes, or a move of base_url."""
    old, old_chain = peel(old_url, feed.analytics)
    new, new_chain = peel(new_url, feed.analytics)
    if old != new and old.endswith("/" + new):  # behind a prefix feed.yaml no longer names
        old, old_chain = new, (old[: -len(new)], *old_chain)
    prefixes = _prefix_change(old_chain, new_chain)
    if old == new and prefixes:
        return f"the enclosure URL changes because {prefixes}; the GUID stays, apps do not download it again"
    if old.startswith(without_scheme(feed.base_url)):
        why = "new audio bytes under a new key (the old file stays on the store until --prune)"
    else:
        why = (
            f"base URL moved (was {old_url.rsplit('/', 3)[0]}/…): the old URLs must keep working for "
            "listeners who downloaded the old feed"
        )
    return f"{why}; also {prefixes}" if prefixes else why


def _prefix_change(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    """How the analytics prefixes changed ("" when they did not)."""
    if old == new:
        return ""
    added = [n for n in new if n not in old]
    removed = [n for n in old if n not in new]
    said = [_prefixes(added, "added")] if added else []
    said += [_prefixes(removed, "removed")] if removed else []
    return " and ".join(said) or f"the analytics prefixes were reordered (now {', '.join(new)})"


def _prefixes(names: list[str], done: str) -> str:
    quoted = ", ".join(f'"{n}"' for n in names)
    return f"analytics prefix {quoted} was {done}" if len(names) == 1 else f"analytics prefixes {quoted} were {done}"


def guard(changes: list[Change], allowed: set[str]) -> None:
    """Refuse the guarded changes the producer did not allow."""
    refused = [c for c in changes if c.kind in GUARDED and c.kind not in allowed]
    if refused:
        raise IdentityChanged(refused)


def record(lock: Lock | None, feed: Feed, root: Path, allowed: set[str], inputs: Sequence[EpisodeInput] = ()) -> Lock:
    """Write the lock after a successful publish: every live episode as published now, with the facts of
    its files (from ``inputs``), earlier ones kept (unless their removal or GUID change was allowed)."""
    kept = {e.guid: e for e in (lock.episodes if lock else ())}
    if "removed" in allowed or "guid" in allowed:
        live = {i.guid for i in feed.items}
        kept = {g: e for g, e in kept.items() if g in live}
    files = {i.meta.guid: locked_files(i) for i in inputs if i.meta.guid}
    for item in feed.items:
        previous = kept.get(item.guid)
        audio, image = files.get(item.guid) or ((previous.audio, previous.image) if previous else (None, None))
        entry = LockedEpisode(
            item.guid, item.published.isoformat(), item.enclosure_url, item.slug, item.title, audio, image
        )
        if previous is not None and "date" not in allowed:
            entry = replace(entry, pub_date=previous.pub_date)
        kept[item.guid] = entry
    new = Lock(feed.podcast_guid, feed.self_url, tuple(kept.values()), lock.moved_from if lock else ())
    if new != lock:
        write_lock(root, new)
    return new
