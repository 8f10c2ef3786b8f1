"""Each episode's share of a build: the paths it was read from, its item's render key, its files'
keys, its problems, and the little the rules across episodes need (GUID, number, due date).

A kept build holds them so the next one, when only a few episodes changed, redoes only those
(:mod:`apa_feed.patch`). A build whose episodes cannot be told apart safely (two sharing a file or
a key prefix, a problem about an episode's folder that names none of its files) keeps none.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import Problem
from .model import Asset, Build, EpisodeInput, episode_prefix

if TYPE_CHECKING:
    from .config import Show

EPISODES = "episodes/"


class Part(NamedTuple):
    """One episode's share of a kept build."""

    slug: str
    guid: str
    skipped: str
    """Why it is not in the feed ("draft", "scheduled"); empty when it is."""
    item_key: bytes
    """Its item's :func:`apa_feed.render.item_key` (empty when it is not in the feed)."""
    assets: tuple[str, ...]
    """The keys of its files in the build, in order."""
    problems: tuple[Problem, ...]
    """Its warnings and notes, as the build found them."""
    number: tuple[int | None, int] | None
    """(season, episode) of a numbered full episode that is not a draft: no two may share one."""
    due: datetime | None
    """When a scheduled episode comes due."""


class Parts(NamedTuple):
    """Every episode's :class:`Part` by folder (in build order), and what belongs to none of them."""

    episodes: dict[str, Part]
    show_assets: tuple[str, ...]
    """The keys of the feed's files no episode owns (the show's artwork), before the episodes' own."""
    problems: tuple[Problem, ...]
    """The problems of no episode (feed.yaml's, the show's artwork's)."""


def feed_assets(build: Build) -> tuple[Asset, ...]:
    """The feed's own files (the website's pages, which follow them, left out)."""
    return build.assets[: len(build.assets) - build.site]


def by_prefix(assets: Iterable[Asset]) -> dict[str, list[Asset]]:
    """Assets under ``episodes/<slug>/`` grouped by that prefix, in order."""
    found: dict[str, list[Asset]] = {}
    for asset in assets:
        if asset.key.startswith(EPISODES):
            found.setdefault(asset.key[: asset.key.index("/", len(EPISODES)) + 1], []).append(asset)
    return found


def owned_paths(ep: EpisodeInput, assets: Iterable[Asset]) -> tuple[str, ...]:
    """Every path the episode was read from (absolute, as text): its folder, episode.yaml, audio,
    artwork, transcript, chapters, and any file derived from them that it publishes."""
    meta = ep.meta
    found: list[str | Path] = [meta.folder, os.path.join(meta.folder, "episode.yaml")]
    found += [p for p in (meta.audio, meta.image, meta.transcript) if p is not None]
    if isinstance(meta.chapters, Path):
        found.append(meta.chapters)
    found += [a.source for a in assets if a.data is None]
    return tuple(sorted({absolute(os.fspath(p)) for p in found}))


def absolute(path: str) -> str:
    """``path`` made absolute against the working directory, as text."""
    return path if os.path.isabs(path) and "/." not in path else os.path.abspath(path)


def parts_of(
    show: Show, build: Build, inputs: Iterable[EpisodeInput], owned: Mapping[str, tuple[str, ...]],
    problems: Iterable[Problem], keys: Mapping[str, bytes],
) -> tuple[dict[str, Part], list[Problem]] | None:
    """Each of ``inputs``' parts by folder, and the problems that belong to none of them; None when
    the episodes cannot be told apart (a shared file or prefix, a problem of an unknown file of theirs).

    ``owned`` gives each folder's paths (:func:`owned_paths`), ``keys`` each live item's render key by GUID.
    """
    owner: dict[str, str] = {}
    for folder, paths in owned.items():
        for path in paths:
            if owner.setdefault(path, folder) != folder:
                return None
    mine, loose = _attribute(show, problems, owner)
    if mine is None:
        return None
    grouped = by_prefix(feed_assets(build))
    skipped = dict(build.skipped)
    found: dict[str, Part] = {}
    prefixes = set()
    for ep in inputs:
        meta, folder, prefix = ep.meta, os.fspath(ep.meta.folder), episode_prefix(ep.meta)
        if prefix in prefixes or not meta.guid:
            return None
        prefixes.add(prefix)
        why = skipped.get(meta.slug, "")
        numbered = not meta.draft and meta.episode is not None and meta.episode_type == "full"
        found[folder] = Part(
            meta.slug, meta.guid, why, b"" if why else keys[meta.guid],
            () if why else tuple(a.key for a in grouped.get(prefix, ())), tuple(mine.get(folder, ())),
            (meta.season, meta.episode) if numbered and meta.episode is not None else None,
            meta.published if why == "scheduled" else None)
    return found, loose


def _attribute(
    show: Show, problems: Iterable[Problem], owner: Mapping[str, str]
) -> tuple[dict[str, list[Problem]] | None, list[Problem]]:
    """Problems by the folder whose file they name, and the others; None when one names a file under
    ``episodes/`` that no episode owns."""
    inside = os.path.join(os.fspath(show.root), "episodes") + os.sep
    mine: dict[str, list[Problem]] = {}
    loose = []
    for problem in problems:
        full = absolute(problem.file)
        folder = owner.get(full)
        if folder is not None:
            mine.setdefault(folder, []).append(problem)
        elif full.startswith(inside):
            return None, []
        else:
            loose.append(problem)
    return mine, loose
