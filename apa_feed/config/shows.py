"""Every show of a tree (``apa-feed publish --all``): each feed.yaml under a folder, never one inside an
episodes/ folder, a hidden folder, a ``public/`` folder or the folder a show's storage points at; and the
shows that would write to the same store, which ``--all`` refuses."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ApaFeedError, display_path
from .show import load_show

CONFIG = "feed.yaml"
SKIPPED = frozenset({"episodes", "public"})
"""Folders never searched: a show's episodes and the default store."""


@dataclass(frozen=True)
class Shows:
    """The shows found, and why some of them may not run."""

    configs: tuple[Path, ...]
    refused: dict[Path, str]
    """A show's feed.yaml and why it may not run (it shares its store with another show)."""


def find_shows(top: Path) -> Shows:
    """Every show under ``top``, in path order; those whose store another show's store is refused."""
    found = _walk(top)
    stores = {config: _store(config) for config in found}
    folders = [store for c, store in stores.items() if _local(store) and not _within(_real(c.parent), store)]
    configs = tuple(c for c in found if not any(_within(_real(c), folder) for folder in folders))
    return Shows(configs, _clashes({c: stores[c] for c in configs}))


def _walk(top: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED)
        if CONFIG in files:
            found.append(Path(folder) / CONFIG)
    return sorted(found, key=lambda p: p.parts)


def _store(config: Path) -> str:
    """Where the show publishes: an absolute folder or an ``s3://`` URL (two endpoints with the same bucket
    and prefix count as one: a rare case, and refusing it is safe); "" when feed.yaml cannot be read (running
    the show reports why)."""
    try:
        show = load_show(config)
    except ApaFeedError:
        return ""
    if show.storage.startswith("s3://"):
        return show.storage.rstrip("/")
    return os.path.realpath(show.root / Path(show.storage).expanduser())


def _clashes(stores: dict[Path, str]) -> dict[Path, str]:
    """Why each show that writes where another show writes may not run (the same store, or one inside the
    other's folder)."""
    refused: dict[Path, str] = {}
    known = [(config, store) for config, store in stores.items() if store]
    for n, (config, store) in enumerate(known):
        for other, theirs in known[n + 1 :]:
            if _within(store, theirs) or _within(theirs, store):
                refused[config] = refused[other] = _clash(config, other, store, theirs)
    return refused


def _clash(config: Path, other: Path, store: str, theirs: str) -> str:
    shown = store if store.startswith("s3://") else display_path(Path(store))
    same = "the same store" if store == theirs else "overlapping stores"
    return (
        f"{display_path(config)} and {display_path(other)} publish to {same} ({shown}): one would write over "
        "the other's feed, pages and records; give each show its own storage folder or prefix (and base_url), or "
        "take both from the shared file, which gives each show its own folder there"
    )


def _local(store: str) -> bool:
    return bool(store) and not store.startswith("s3://")


def _real(path: Path) -> str:
    return os.path.realpath(path)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
