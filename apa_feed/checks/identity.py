"""``check``'s identity guard: what ``publish`` would refuse to change for subscribers (apa-feed.lock against the
feed as built now), each change an error at the line that causes it, with the flag that would allow it."""

from __future__ import annotations

from ..config.episodes import EPISODE_FILE, EpisodeMeta
from ..errors import Problem, display_path
from ..feed.model import held_back
from ..publish.identity import FLAGS, GUARDED, Change, compare, held_back_reasons
from ..publish.lockfile import LOCK_FILE
from .collected import Collected

FIELD = {"guid": "guid", "date": "date"}
"""The episode.yaml field behind each kind of change (a removal: ``draft`` or ``date``)."""


def identity_problems(found: Collected) -> list[Problem]:
    """Every change to published episodes that ``publish`` would refuse without its flag (offline: the lock and
    the show only). An episode broken in another way is left to its own problem."""
    if found.show is None or found.publication is None or found.lock is None:
        return []
    skipped = [(ep.slug, why) for ep in found.episodes if (why := held_back(ep, found.now))]
    changes = compare(found.lock, found.publication.feed, held_back_reasons(skipped, found.episodes))
    by_guid = {ep.guid: ep for ep in found.episodes if ep.guid}
    by_slug = {ep.slug: ep for ep in found.episodes}
    problems = []
    for change in changes:
        if change.kind not in GUARDED:
            continue
        meta = by_guid.get(change.old) if change.kind == "removed" else by_slug.get(change.episode)
        if change.kind == "removed" and _broken(found, change.episode, meta):
            continue
        problems.append(_problem(found, change, meta))
    return problems


def _broken(found: Collected, slug: str, meta: EpisodeMeta | None) -> bool:
    """A published episode out of the feed because of a mistake reported already (its episode.yaml or audio),
    not because it is held back or gone."""
    if meta is not None:
        return not held_back(meta, found.now)
    assert found.show is not None
    return bool(slug) and (found.show.root / "episodes" / slug / EPISODE_FILE).is_file()


def _problem(found: Collected, change: Change, meta: EpisodeMeta | None) -> Problem:
    hint = f"if this is intended, publish with {FLAGS[change.kind]}"
    if change.kind == "guid":
        hint = f'put back "guid: {change.old}"; {hint}'
    if meta is None or meta.where is None:
        assert found.show is not None
        lock = display_path(found.show.root / LOCK_FILE)
        return Problem(lock, field=change.episode, message=change.explanation, hint=hint)
    name = FIELD.get(change.kind) or ("draft" if meta.draft else "date")
    line, column = meta.where.at(name)
    return Problem(display_path(meta.where.file), line, column, name, change.explanation, hint)
