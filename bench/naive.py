"""The naive way to make a podcast feed from a show folder: the baseline of bench/build.py.

    python bench/naive.py SHOW_DIR [> feed.xml]

Only PyYAML, mutagen, hashlib and feedgen, used the obvious way: read feed.yaml and every
``episodes/*/episode.yaml`` with ``yaml.load`` (libyaml's ``CSafeLoader`` when PyYAML was built
with it, else the pure-Python ``SafeLoader``), read each audio file's duration with mutagen,
SHA-256 each audio file (its hash names the published file, as a content-addressed publisher
does), and render the RSS with feedgen and its podcast extension. No validation, no Markdown, no
cache. ``floor_build`` is the same without any audio read: parsing every episode.yaml and
rendering every item, the least any build that reads them all does.
"""

from __future__ import annotations

import hashlib
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import mutagen
import yaml
from feedgen.feed import FeedGenerator
from mutagen.mp3 import MP3

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LOADER_NAME = f"yaml.{LOADER.__name__}" + (" (libyaml)" if LOADER.__name__.startswith("C") else " (pure Python)")
AUDIO_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a", ".ogg": "audio/ogg", ".opus": "audio/ogg"}


def load_yaml(path: str | Path) -> Any:
    with open(path, "rb") as handle:
        return yaml.load(handle, Loader=LOADER)  # noqa: S506  (a safe loader, C or Python)


def load_show(show_dir: Path) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """feed.yaml, and every episode folder's name with its parsed episode.yaml, in folder order."""
    show = load_yaml(show_dir / "feed.yaml")
    episodes = []
    for entry in sorted(os.scandir(show_dir / "episodes"), key=lambda e: e.name):
        episode_file = os.path.join(entry.path, "episode.yaml")
        if entry.is_dir() and os.path.exists(episode_file):
            episodes.append((entry.name, load_yaml(episode_file)))
    return show, episodes


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def duration(path: str | Path) -> float:
    audio = MP3(path) if str(path).lower().endswith(".mp3") else mutagen.File(path)
    return float(audio.info.length) if audio is not None else 0.0


def as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def render(show: dict[str, Any], episodes: list[dict[str, Any]]) -> bytes:
    """The RSS of ``show`` with ``episodes`` (each its episode.yaml's fields plus ``folder``, ``seconds``,
    ``length`` and ``sha256``), newest first."""
    base = show["base_url"]
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title(show["title"])
    fg.link(href=show["link"], rel="alternate")
    fg.link(href=base + "feed.xml", rel="self")
    fg.description(show["description"])
    fg.language(show.get("language", "en"))
    fg.generator("naive.py")
    fg.podcast.itunes_author(show.get("author", ""))
    owner = show.get("owner") or {}
    fg.podcast.itunes_owner(name=owner.get("name", ""), email=owner.get("email", ""))
    fg.podcast.itunes_image(base + show.get("image", "cover.jpg"))
    fg.podcast.itunes_category(show.get("categories", ["News"])[0])
    fg.podcast.itunes_explicit("yes" if show.get("explicit") else "no")
    fg.podcast.itunes_type(show.get("type", "episodic"))
    newest = None
    for episode in sorted(episodes, key=lambda e: as_datetime(e["date"])):  # feedgen puts each new entry first
        published = as_datetime(episode["date"])
        newest = published
        audio = episode["audio"]
        stem, dot, suffix = audio.rpartition(".")
        entry = fg.add_entry()
        entry.guid(str(episode.get("guid") or episode["folder"]), permalink=False)
        entry.title(episode["title"])
        entry.link(href=show["link"])
        entry.description(episode.get("description", ""))
        entry.enclosure(
            f"{base}episodes/{episode['folder']}/{stem}-{episode['sha256'][:12]}{dot}{suffix}",
            str(episode["length"]),
            AUDIO_TYPES.get(f".{suffix.lower()}", "audio/mpeg"),
        )
        entry.published(published)
        entry.podcast.itunes_title(episode["title"])
        entry.podcast.itunes_summary(episode.get("description", ""))
        entry.podcast.itunes_duration(round(episode["seconds"]))
        entry.podcast.itunes_explicit("yes" if episode.get("explicit", show.get("explicit")) else "no")
        if episode.get("episode") is not None:
            entry.podcast.itunes_episode(episode["episode"])
        entry.podcast.itunes_episode_type(episode.get("episode_type", "full"))
    if newest is not None:
        fg.lastBuildDate(newest)
    rss: bytes = fg.rss_str(pretty=False)
    return rss


def naive_build(show_dir: str | Path) -> bytes:
    """Read the show folder, every episode's audio (duration and SHA-256), and render its feed."""
    show_dir = Path(show_dir)
    show, parsed = load_show(show_dir)
    episodes = []
    for folder, meta in parsed:
        audio = os.path.join(show_dir, "episodes", folder, meta["audio"])
        facts = {
            "folder": folder,
            "seconds": duration(audio),
            "length": os.path.getsize(audio),
            "sha256": sha256_file(audio),
        }
        episodes.append(meta | facts)
    return render(show, episodes)


def floor_build(show_dir: str | Path) -> bytes:
    """Parse every episode.yaml and render every item, no audio read (placeholder duration, size and hash)."""
    show, parsed = load_show(Path(show_dir))
    placeholder = {"seconds": 1.0, "length": 0, "sha256": "0" * 64}
    return render(show, [meta | placeholder | {"folder": folder} for folder, meta in parsed])


def count_items(rss: bytes) -> int:
    """The ``<item>`` elements of a feed, counted by a real XML parser (lxml, which feedgen uses)."""
    from lxml import etree

    return len(etree.fromstring(rss).findall("./channel/item"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    sys.stdout.buffer.write(naive_build(sys.argv[1]))
