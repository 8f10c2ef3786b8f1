"""Files that are not here: a draft's audio still to come, or a published episode's audio and artwork
that a clone of the show leaves out (the archive stays on the store; apa-feed.lock keeps their facts).

An absent file that apa-feed.lock recorded as published is stood in for by the recorded facts, so
the feed is the same as with the file present; an absent file of an episode that is not live yet
(a draft, a future date) is information; any other absent file is an error, as it always was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..config.episodes import EPISODE_FILE, EpisodeMeta
from ..errors import ApaFeedError, Problem, display_path
from ..feed.chapters import Chapter
from ..feed.model import Asset, EpisodeInput, FileFacts, content_asset, episode_prefix, held_back
from .lockfile import LockedAudio, LockedEpisode, LockedFile

WHAT = {"audio": "audio", "image": "artwork"}


@dataclass(frozen=True)
class Recorded:
    """What stands for an episode's absent files (None: the file is here, or episode.yaml names none)."""

    audio: LockedAudio | None = None
    image: LockedFile | None = None


HERE = Recorded()


def stand_ins(ep: EpisodeMeta, locked: LockedEpisode | None, now: datetime, problems: list[Problem]) -> Recorded | None:
    """The recorded facts that stand for ``ep``'s absent audio and artwork; None when a file is absent
    and unrecorded (its information or error is added to ``problems``)."""
    audio_absent = ep.audio is not None and not ep.audio.is_file()
    image_absent = ep.image is not None and not ep.image.is_file()
    if not (audio_absent or image_absent):
        return HERE
    audio = locked.audio if locked and audio_absent else None
    image = locked.image if locked and image_absent else None
    found = Recorded(
        audio if audio and ep.audio and audio.file.name == ep.audio.name else None,
        image if image and ep.image and image.name == ep.image.name else None,
    )
    missing = [name for name, absent in (("audio", audio_absent), ("image", image_absent)) if absent]
    missing = [name for name in missing if getattr(found, name) is None]
    problems.extend(absent(ep, name, now, _recorded_name(locked, name)) for name in missing)
    if missing:
        return None
    problems.append(from_lock(ep, found))
    return found


def _recorded_name(locked: LockedEpisode | None, name: str) -> str | None:
    """The name of the file apa-feed.lock records for field ``name`` ("" when the episode is recorded
    without it; None when the episode is not in the lock)."""
    if locked is None:
        return None
    found = locked.audio.file if name == "audio" and locked.audio else locked.image if name == "image" else None
    return found.name if found else ""


def absent(ep: EpisodeMeta, name: str, now: datetime, recorded: str | None = None) -> Problem:
    """An absent file episode.yaml names: information while the episode is not live, else an error
    (``recorded``: the name of the file apa-feed.lock records for the field, "" for none)."""
    path = getattr(ep, name)
    value = _as_written(ep, path)
    line, column = ep.where.at(name) if ep.where and name in ep.where else (0, 0)
    where = display_path(ep.folder / EPISODE_FILE)
    why = held_back(ep, now)
    if why:
        state = "a draft" if why == "draft" else f"scheduled for {ep.published.date().isoformat()}"
        message = f'no {WHAT[name]} yet: "{value}" is not there; the episode ({state}) stays out of the feed'
        return Problem(where, line, column, name, message, severity="info")
    hint = 'put the file there, or set "draft: true" until it is ready' if name == "audio" else ""
    if recorded:
        hint = f'apa-feed.lock records "{recorded}", not this file; put the file there'
    elif recorded == "":
        hint = f"apa-feed.lock has no record of this {WHAT[name]} (written before such records); put the file there"
    return Problem(where, line, column, name, f'expected a file, got "{value}" (no such file)', hint)


def from_lock(ep: EpisodeMeta, found: Recorded) -> Problem:
    """Information: which of the episode's files the build took from apa-feed.lock."""
    names = [f'"{_as_written(ep, getattr(ep, n))}"' for n in ("audio", "image") if getattr(found, n) is not None]
    return Problem(
        display_path(ep.folder / EPISODE_FILE),
        field="audio" if found.audio is not None else "image",
        severity="info",
        message=f"built from apa-feed.lock: {' and '.join(names)} not here, published as recorded",
    )


def _as_written(ep: EpisodeMeta, path: Path) -> str:
    try:
        return path.relative_to(ep.folder).as_posix()
    except ValueError:
        return path.name


def file_facts(locked: LockedFile, folder: Path) -> FileFacts:
    """The facts of a recorded file, as if it were ``folder / name`` (its key is the one recorded)."""
    return FileFacts(folder / locked.name, locked.size, locked.sha256)


def recorded_image(ep: EpisodeMeta, found: Recorded) -> FileFacts | None:
    """The artwork's facts when it is absent and recorded; None when it is here (or there is none)."""
    return file_facts(found.image, ep.folder) if found.image else None


def from_recorded(
    ep: EpisodeMeta, audio: LockedAudio, image: FileFacts | None, chapters: tuple[Chapter, ...]
) -> EpisodeInput:
    """An episode whose audio is absent, with the recorded facts of the audio and of what was taken out of
    it (the embedded cover when episode.yaml names no artwork, the chapters' pictures when the audio's
    chapters are published)."""
    cover = file_facts(audio.cover, ep.folder) if audio.cover and ep.image is None else None
    pictures = tuple(
        (index, file_facts(f, ep.folder))
        for index, f in audio.chapter_images
        if chapters == audio.probe.chapters and index < len(chapters)
    )
    facts = file_facts(audio.file, ep.folder)
    return EpisodeInput(ep, audio.probe, facts, image or cover, chapters, chapter_images=pictures)


def locked_files(ep: EpisodeInput) -> tuple[LockedAudio | None, LockedFile | None]:
    """What apa-feed.lock keeps of a published episode's audio and artwork (None for audio hosted elsewhere)."""
    meta = ep.meta
    folder = episode_prefix(meta)[:-1]
    image = _locked(folder, ep.image_file) if ep.image_file else None
    if meta.audio is None:
        return None, image if meta.image else None
    audio = LockedAudio(
        _locked(folder, ep.audio_file, ep.audio.mime_type),
        ep.audio,
        image if meta.image is None else None,
        tuple((index, _locked(folder, facts)) for index, facts in ep.chapter_images),
    )
    return audio, image if meta.image else None


def _locked(folder: str, facts: FileFacts, content_type: str | None = None) -> LockedFile:
    asset = content_asset(folder, facts, content_type)
    return LockedFile(facts.path.name, asset.key, asset.size, asset.content_type, asset.sha256)


def require_sources(uploads: tuple[Asset, ...]) -> None:
    """Refuse, before anything is uploaded, a file the store lacks that is not here either (built from
    apa-feed.lock, but the store is another or lost it)."""
    gone = [a for a in uploads if a.data is None and not a.source.is_file()]
    if gone:
        lines = "\n".join(f"  {a.key} (from {display_path(a.source)})" for a in gone)
        raise ApaFeedError(
            "the store lacks files that are not here either (apa-feed.lock recorded them as published):\n"
            f"{lines}\nput the files back in the show's folder, then try again"
        )
