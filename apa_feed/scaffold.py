"""``init`` and ``new``: start a show, start an episode."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from .audio.artwork import placeholder_cover
from .config.episodes import EPISODE_FILE, episode_folders
from .config.yamlwrite import quoted
from .errors import ApaFeedError, display_path
from .feed.model import slugify

FEED_TEMPLATE = """\
# The show. Every field is documented in docs/config.md of apa-feed.
title: {title}
description: What the show is about, in a sentence or two.
language: en
link: https://example.com/
base_url: https://example.com/podcast/
author: {title}
owner:
  name: {title}
  email: podcast@example.com
image: cover.jpg
categories:
  - Society & Culture › Documentary
explicit: false
type: episodic
timezone: UTC
storage: public
"""

EPISODE_TEMPLATE = """\
title: {title}
date: {day}
audio: audio.mp3  # put the episode's MP3 or M4A here
description: |
  Show notes in Markdown.
episode: {number}
credits: []
draft: true  # remove when the episode is ready
guid: {guid}  # permanent: never change it once published
"""

GITIGNORE = "public/\n"


class ScaffoldError(ApaFeedError):
    """``init`` or ``new`` would overwrite something."""


def init_show(folder: Path, title: str = "My Podcast") -> list[Path]:
    """Create feed.yaml, episodes/, a placeholder cover and a .gitignore in ``folder``."""
    _not_blank(title, "the show")
    config = folder / "feed.yaml"
    if config.exists():
        raise ScaffoldError(f"{display_path(config)} already exists; nothing was changed")
    (folder / "episodes").mkdir(parents=True, exist_ok=True)
    config.write_text(FEED_TEMPLATE.format(title=quoted(title)), encoding="utf-8")
    made = [config, folder / "episodes"]
    cover = folder / "cover.jpg"
    if not cover.exists():
        placeholder_cover(cover)
        made.append(cover)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text(GITIGNORE, encoding="utf-8")
        made.append(ignore)
    return made


def new_episode(root: Path, title: str, day: date) -> Path:
    """Create ``episodes/DAY-slug/episode.yaml`` with the next episode number and a new GUID."""
    _not_blank(title, "the episode")
    folder = root / "episodes" / f"{day.isoformat()}-{slugify(title)[:60]}"
    if folder.exists():
        raise ScaffoldError(f"{display_path(folder)} already exists; nothing was changed")
    folder.mkdir(parents=True)
    text = EPISODE_TEMPLATE.format(
        title=quoted(title), day=day.isoformat(), number=next_number(root), guid=uuid.uuid4()
    )
    (folder / EPISODE_FILE).write_text(text, encoding="utf-8")
    return folder / EPISODE_FILE


def _not_blank(title: str, what: str) -> None:
    if not title.strip():
        raise ScaffoldError(f'expected a title for {what}, got "{title}"; give it a few words')


def next_number(root: Path) -> int:
    """One more than the highest ``episode:`` number already used (1 for the first)."""
    highest = 0
    for folder in episode_folders(root):
        for line in (folder / EPISODE_FILE).read_text(encoding="utf-8").splitlines():
            value = line.removeprefix("episode:").split("#")[0].strip()
            if line.startswith("episode:") and value.isdigit():
                highest = max(highest, int(value))
    return highest + 1
