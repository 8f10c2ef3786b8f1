"""``init`` and ``new``: start a show, start an episode."""

from __future__ import annotations

import shutil
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .audio.artwork import placeholder_cover
from .audio.probe import AudioError, probe
from .config.episodes import EPISODE_FILE, aware, episode_folders
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
date: {when}
audio: {audio}
description: |
  Show notes in Markdown.
episode: {number}
credits: []
draft: true  # remove when the episode is ready
guid: {guid}  # permanent: never change it once published
"""

GITIGNORE = "public/\n"
AUDIO_TO_COME = "audio.mp3  # put the episode's MP3 or M4A here"
WHEN = 'an ISO 8601 date like "2025-11-12" or a date-time like "2025-11-12T08:30" (in the show\'s timezone)'


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


def new_episode(root: Path, title: str, when: date | datetime, audio: Path | None = None, move: bool = False) -> Path:
    """Create ``episodes/DAY-slug/episode.yaml`` with the next episode number and a new GUID.

    ``when`` is written as given (a date, or a date-time with its offset). ``audio``, when given, is
    copied into the folder (moved with ``move``) under its own name, and named by the ``audio`` line.
    A mistake (blank title, unusable audio, the folder already there) changes nothing.
    """
    _not_blank(title, "the episode")
    if audio is not None:
        _usable_audio(audio)
    folder = root / "episodes" / f"{_day(when).isoformat()}-{slugify(title)[:60]}"
    if folder.exists():
        raise ScaffoldError(f"{display_path(folder)} already exists; nothing was created")
    if audio is not None and audio.name == EPISODE_FILE:
        raise ScaffoldError(f"{display_path(audio)}: an audio file cannot be named {EPISODE_FILE}; nothing was created")
    text = EPISODE_TEMPLATE.format(
        title=quoted(title),
        when=when.isoformat(),
        audio=AUDIO_TO_COME if audio is None else quoted(audio.name),
        number=next_number(root),
        guid=uuid.uuid4(),
    )
    folder.mkdir(parents=True)
    if audio is not None:
        _bring(audio, folder, move)
    (folder / EPISODE_FILE).write_text(text, encoding="utf-8")
    return folder / EPISODE_FILE


def parse_when(text: str, tz: ZoneInfo) -> date | datetime:
    """``new --date``: a date stays a date (midnight in the show's timezone); a date-time gets the
    show's offset when it has none, so the line written says which instant it is."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return aware(datetime.fromisoformat(text), tz)
    except ValueError:
        raise ScaffoldError(f'--date: expected {WHEN}, got "{text}"; nothing was created') from None


def now_in(tz: ZoneInfo) -> datetime:
    """The time ``new`` records by default: now in the show's timezone, to the second."""
    return datetime.now(tz).replace(microsecond=0)


def _day(when: date | datetime) -> date:
    return when.date() if isinstance(when, datetime) else when


def _usable_audio(audio: Path) -> None:
    try:
        probe(audio)
    except AudioError as exc:
        raise ScaffoldError(f"{display_path(audio)}: {exc}; nothing was created") from None


def _bring(audio: Path, folder: Path, move: bool) -> None:
    """Copy (or move) ``audio`` into the new ``folder``; on failure the folder goes and the audio stays."""
    try:
        if move:
            shutil.move(audio, folder / audio.name)
        else:
            shutil.copyfile(audio, folder / audio.name)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        verb = "move" if move else "copy"
        raise ScaffoldError(
            f"cannot {verb} {display_path(audio)} into {display_path(folder)} ({exc.strerror or exc}); "
            "nothing was created"
        ) from None


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
