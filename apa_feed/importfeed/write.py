"""Write an import plan: download media and artwork, then episode.yaml files, feed.yaml, and the lock last."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..config.episodes import EPISODE_FIELDS, EPISODE_FILE
from ..config.schema import Field
from ..config.show import SHOW_FIELDS
from ..config.yamlwrite import dump
from ..publish.lockfile import LOCK_FILE, Lock, LockedEpisode, write_lock
from .fetch import Client, ImportFailed, download
from .records import EpisodePlan, Fetch, ShowPlan

IMAGE_MAGIC = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png"}
FEED_HEADER = "# Imported from {url} by apa-feed import. Every field is documented in docs/config.md.\n"
GUID_COMMENT = "  # kept from the old feed: never change it"


def known(values: dict[str, Any], fields: Sequence[Field], what: str, warnings: list[str]) -> dict[str, Any]:
    """Only the fields ``fields`` declares, in their order (the schema is read now, not remembered)."""
    names = [f.name for f in fields]
    for extra in sorted(set(values) - set(names)):
        warnings.append(f"{what} has no field {extra!r} in this apa-feed; it was not imported")
    return {name: values[name] for name in names if name in values}


class Writer:
    """Downloads into ``root`` (each file once per URL), collecting what was created and what went wrong."""

    def __init__(self, root: Path, client: Client) -> None:
        self.root, self.client = root, client
        self.created: list[Path] = []
        self.warnings: list[str] = []
        self.fetched: dict[str, Path] = {}
        self.remote: list[str] = []
        """The titles of episodes whose audio could not be downloaded (kept where they are served)."""

    def fetch(self, url: str, dest: Path, kind: str = "file") -> Path:
        """Download ``url`` to ``dest`` (a file there is kept only if it is complete: a resumed import)."""
        if url in self.fetched and self.fetched[url].is_file():
            shutil.copyfile(self.fetched[url], dest)
        else:
            download(url, dest, self.client, kind)
        self.fetched[url] = dest
        return dest

    def image(self, url: str, folder: Path, what: str) -> str | None:
        """Download artwork as ``cover.jpg``/``cover.png`` by its content; a failure is a warning."""
        try:
            path = self.fetch(url, folder / ".cover.download", "image")
        except ImportFailed as exc:
            self.warnings.append(f"{what}: {exc}; no artwork was imported")
            return None
        with path.open("rb") as handle:
            head = handle.read(8)
        suffix = next((s for magic, s in IMAGE_MAGIC.items() if head.startswith(magic)), None)
        if suffix is None:
            self.warnings.append(f"{what}: {url} is neither JPEG nor PNG; saved as cover.jpg: replace it")
            suffix = ".jpg"
        final = folder / f"cover{suffix}"
        path.replace(final)
        self.fetched[url] = final
        return final.name

    def episode(self, plan: EpisodePlan) -> Path:
        """The episode's folder: audio (else kept where it is served), artwork, transcript, chapters, episode.yaml."""
        folder = self.root / "episodes" / plan.folder
        folder.mkdir(parents=True, exist_ok=True)
        values = dict(plan.values)
        try:
            if plan.audio is not None:  # None: referenced where it is (--reference)
                self.fetch(plan.audio.url, folder / plan.audio.name, "audio")
        except ImportFailed as exc:
            values.pop("audio", None)
            values["enclosure"] = plan.remote
            self.remote.append(plan.title)
            fill = f"; fill in {' and '.join(plan.remote_missing)} there" if plan.remote_missing else ""
            self.warnings.append(
                f'{exc} (the audio of item {plan.index}, "{plan.title}"); the episode is kept where it is served '
                f"(enclosure: in its episode.yaml){fill}"
            )
        if plan.image_url:
            values["image"] = self.image(plan.image_url, folder, f"item {plan.index}")
        for extra in plan.extras:
            self._extra(extra, folder, plan)
        self._write(folder / EPISODE_FILE, _episode_text(plan, values, self.warnings))
        return folder

    def _extra(self, extra: Fetch, folder: Path, plan: EpisodePlan) -> None:
        try:
            self.fetch(extra.url, folder / extra.name)
        except ImportFailed as exc:
            self.warnings.append(f"item {plan.index}: {exc}; {extra.name} was not imported")

    def _write(self, path: Path, text: str) -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        self.created.append(path)


def _episode_text(plan: EpisodePlan, values: dict[str, Any], warnings: list[str]) -> str:
    values = {k: v for k, v in values.items() if v is not None}
    body = dump(known(values, [f for f in EPISODE_FIELDS if f.name != "guid"], EPISODE_FILE, warnings))
    guid = dump({"guid": plan.guid}).rstrip("\n")
    return body + guid + GUID_COMMENT + "\n"


@dataclass(frozen=True)
class Written:
    """What :func:`write_project` created, its warnings, and the episodes whose audio stayed where it is."""

    created: tuple[Path, ...]
    warnings: tuple[str, ...]
    remote: tuple[str, ...]


def write_project(plan: ShowPlan, root: Path, client: Client | None = None) -> Written:
    """Write everything ``plan`` decided under ``root``."""
    writer = Writer(root, client or Client())
    root.mkdir(parents=True, exist_ok=True)
    values = dict(plan.values)
    if plan.image_url:
        values["image"] = writer.image(plan.image_url, root, "the show's artwork") or "cover.jpg"
    else:
        writer.warnings.append("the feed has no artwork (itunes:image); put the show's cover in cover.jpg")
    folders = [writer.episode(episode) for episode in plan.episodes]
    header = FEED_HEADER.format(url=comment_text(plan.feed_url) if plan.feed_url else "a file")
    writer._write(root / "feed.yaml", header + dump(known(values, SHOW_FIELDS, "feed.yaml", writer.warnings)))
    write_lock(root, lock_for(plan))
    cover = [root / values["image"]] if (root / values["image"]).is_file() else []
    created = [root / "feed.yaml", *cover, *folders, root / LOCK_FILE]
    return Written(tuple(created), tuple(dict.fromkeys(writer.warnings)), tuple(writer.remote))


def comment_text(text: str) -> str:
    """``text`` fit for a one-line YAML comment: what is not printable (a line break, a control character) is
    percent-encoded, so a URL from the old feed can neither end the comment and add keys nor make YAML refuse it."""
    return "".join(c if c.isprintable() else quote(c, safe="") for c in text)


def lock_for(plan: ShowPlan) -> Lock:
    """What subscribers of the old feed already have: its podcast:guid, and each episode's GUID, date and URL."""
    episodes = tuple(
        LockedEpisode(e.guid, e.published.isoformat(), e.enclosure_url, slug=e.folder, title=e.title)
        for e in plan.episodes
    )
    return Lock(plan.podcast_guid, plan.feed_url, episodes)
