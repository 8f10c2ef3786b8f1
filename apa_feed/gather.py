"""Gather: read every file the episodes name (probe and hash the audio, check the artwork, read the
chapters and transcripts, render the notes), each mistake a located problem; stand in the facts
apa-feed.lock recorded for a published file that is absent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .audio.artwork import check_artwork
from .audio.info import Tags
from .audio.probe import AudioError, AudioInfo
from .cache import Cache
from .config.episodes import EpisodeMeta, aware
from .errors import Problem, display_path
from .feed.chapters import Chapter, ChaptersError, from_json_chapters
from .feed.model import EpisodeInput, FileFacts
from .feed.transcripts import TranscriptError, is_timed, read_cues, transcript_type, voices
from .publish.lockfile import Lock
from .publish.recorded import HERE, Recorded, from_recorded, recorded_image, stand_ins

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Gathered:
    """Facts read from every file the show references, and what was wrong with them."""

    episodes: list[EpisodeInput]
    problems: list[Problem]


def gather(
    show_image: Path | None,
    episodes: list[EpisodeMeta],
    cache: Cache,
    tz: ZoneInfo = UTC_ZONE,
    lock: Lock | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Gathered:
    """Check artwork, probe and hash every referenced file, render the show notes; a bad file is a
    located problem. An absent file that ``lock`` recorded as published is stood in for by its facts;
    one of an episode not live at ``now`` (a draft, a future date) is information. ``progress`` is told
    ``(done, total)`` after each episode."""
    problems = check_artwork(show_image, "image") if show_image else []
    inputs: list[EpisodeInput] = []
    published = lock.by_guid() if lock else {}
    for done, ep in enumerate(episodes, 1):
        locked = published.get(ep.guid) if ep.guid else None
        found = gather_one(ep, cache, tz, problems, stand_ins(ep, locked, now or datetime.now(UTC), problems))
        if found is not None:
            inputs.append(replace(found, notes=cache.notes(found.meta.description)))
        if progress is not None:
            progress(done, len(episodes))
    return Gathered(inputs, problems)


def gather_one(
    ep: EpisodeMeta, cache: Cache, tz: ZoneInfo, problems: list[Problem], recorded: Recorded | None = HERE
) -> EpisodeInput | None:
    """One episode with the facts of its files, or None when one of them is wrong or absent (see
    ``problems``). ``recorded``: what stands for its absent files (None: one is absent, unrecorded)."""
    if recorded is None:
        return None
    if ep.image and recorded.image is None:
        problems.extend(check_artwork(ep.image, "image"))
    if ep.audio is None:
        return next(iter(remote_input(ep, problems)), None)
    try:
        audio = recorded.audio.probe if recorded.audio else cache.audio(ep.audio)
    except AudioError as exc:
        problems.append(Problem(display_path(ep.audio), field="audio", message=str(exc)))
        return None
    problems.extend(audio_warnings(ep.audio, audio))
    if ep.from_audio:
        ep, missing = fill_from_tags(ep, audio, tz)
        if missing:
            problems.extend(missing)
            return None
    return _episode_input(ep, audio, cache, problems, recorded)


FORMAT_BY_TYPE = {"audio/mpeg": "MP3", "audio/x-m4a": "MP4", "audio/mp4": "MP4", "audio/aac": "MP4",
                  "video/mp4": "MP4", "video/quicktime": "MP4", "audio/ogg": "OggVorbis", "audio/opus": "OggOpus",
                  "audio/flac": "FLAC", "audio/wav": "WAVE"}  # fmt: skip


def remote_input(ep: EpisodeMeta, problems: list[Problem]) -> list[EpisodeInput]:
    """An episode whose audio is served from elsewhere: the feed takes its enclosure as given."""
    assert ep.remote is not None
    for name in ep.from_audio:
        problems.append(
            Problem(
                display_path(ep.folder / "episode.yaml"),
                field=name,
                message="missing required field (audio hosted elsewhere has no tags to take it from)",
            )
        )
    if ep.from_audio:
        return []
    r = ep.remote
    audio = AudioInfo(r.duration, r.length, r.type, FORMAT_BY_TYPE.get(r.type, "remote"), "feed")
    name = Path(urlsplit(r.url).path).name or "audio"
    facts = FileFacts(Path(name), r.length, "")
    return [EpisodeInput(ep, audio, facts, None, episode_chapters(ep, audio, problems))]


def fill_from_tags(ep: EpisodeMeta, audio: AudioInfo, tz: ZoneInfo) -> tuple[EpisodeMeta, list[Problem]]:
    """Take what episode.yaml leaves out (title, date, description) from the audio's tags."""
    tags = audio.tags
    found: dict[str, object] = {}
    problems = []
    where = display_path(ep.folder / "episode.yaml")
    for name in ep.from_audio:
        value = _tag_value(name, tags, tz)
        if value is None:
            tag = {"title": "title", "date": "date (a full YYYY-MM-DD)", "description": "comment"}[name]
            problems.append(
                Problem(
                    where, field=name, message=f"missing required field, and the audio has no {tag} tag to take it from"
                )
            )
        else:
            found["published" if name == "date" else name] = value
    return replace(ep, **found), problems  # type: ignore[arg-type]


def _tag_value(name: str, tags: Tags, tz: ZoneInfo) -> object:
    if name == "title":
        return tags.title.strip() if tags.title and tags.title.strip() else None
    if name == "description":
        return tags.comment.strip() if tags.comment and tags.comment.strip() else None
    try:
        day = date.fromisoformat((tags.date or "")[:10])
    except ValueError:
        return None
    return aware(day, tz)


def _episode_input(
    ep: EpisodeMeta, audio: AudioInfo, cache: Cache, problems: list[Problem], recorded: Recorded = HERE
) -> EpisodeInput:
    """An episode with the facts of its files: audio, artwork, chapters, transcript (problems collected);
    ``recorded`` stands for the absent ones."""
    assert ep.audio is not None, "hosted elsewhere: see remote_input"
    image = recorded_image(ep, recorded) or (cache.facts(ep.image) if ep.image else None)
    chapters = episode_chapters(ep, audio, problems)
    if recorded.audio is None:
        found = EpisodeInput(ep, audio, cache.facts(ep.audio), image, chapters)
    else:  # derive() has nothing to read: what it took from the audio is recorded too
        found = from_recorded(ep, recorded.audio, image, chapters)
    if ep.transcript is None:
        return found
    where = display_path(ep.transcript)
    kind = transcript_type(ep.transcript)
    if kind is None:
        problems.append(
            Problem(
                where,
                field="transcript",
                message="expected a WebVTT (.vtt), SRT (.srt), "
                "Podcast Index JSON (.json), HTML (.html) or text (.txt) transcript",
            )
        )
        return found
    try:
        cues = read_cues(ep.transcript) if is_timed(ep.transcript) else []
    except TranscriptError as exc:
        problems.append(Problem(where, field="transcript", message=str(exc)))
        return found
    return replace(found, transcript_file=cache.facts(ep.transcript), transcript_type=kind, voices=voices(cues))


def episode_chapters(ep: EpisodeMeta, audio: AudioInfo, problems: list[Problem]) -> tuple[Chapter, ...]:
    """Chapters from episode.yaml or its chapters file, else from the audio's tags."""
    in_audio: tuple[Chapter, ...] = tuple(getattr(audio, "chapters", ()) or ())
    given: tuple[Chapter, ...] = ()
    if isinstance(ep.chapters, Path):
        try:
            given = from_json_chapters(ep.chapters.read_bytes())
        except (OSError, ChaptersError) as exc:
            problems.append(Problem(display_path(ep.chapters), field="chapters", message=str(exc)))
            return ()
    elif ep.chapters:
        written = sorted(ep.chapters, key=lambda c: c.start)
        given = tuple(Chapter(c.start, c.title, None, c.url, c.image) for c in written)
    if given and in_audio:
        problems.append(
            Problem(
                display_path(ep.folder / "episode.yaml"),
                field="chapters",
                severity="info",
                message=f"the audio has {len(in_audio)} chapters of its own; the "
                f"{len(given)} given for the episode are published instead",
            )
        )
    return given or in_audio


def audio_warnings(path: Path, audio: AudioInfo) -> list[Problem]:
    """Warn about audio Apple will not play, and about a name that disagrees with the content."""
    found = []
    if not audio.apple_accepts:
        found.append(
            Problem(
                display_path(path),
                field="audio",
                severity="warning",
                rule="Apple",
                message=f"{audio.format} audio does not play in Apple Podcasts (use MP3 or M4A/AAC)",
            )
        )
    if not audio.extension_matches(path):
        found.append(
            Problem(
                display_path(path),
                field="audio",
                severity="warning",
                message=f'the file holds {audio.format} audio but its name ends in "{path.suffix}"; '
                f"published as {audio.mime_type}",
            )
        )
    return found
