"""Episodes: ``episodes/*/episode.yaml``, read and validated into frozen :class:`EpisodeMeta`."""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from yaml.nodes import Node

from ..errors import Problem, ProblemsFound
from ..files import write_atomic
from . import schema as s
from .listing import Entries, files_in, folders_in, is_file, scan
from .locate import Located, locate
from .unread import split_keywords, unread_folder
from .yamlread import Context, ShowFolder, compose_file

EPISODE_FILE = "episode.yaml"

# fmt: off
CREDIT_FIELDS = (
    s.Field("name", s.text, "text", "Who.", required=True, example="Sam Rivers"),
    s.Field("role", s.text, "text", "What they did, in your words.", required=True, example="Texte et récit"),
    s.Field("href", s.url, "URL", "Their page.", example="https://example.com/sam"),
    s.Field("img", s.url, "URL", "Their picture.", example="https://example.com/sam.jpg"),
)
# fmt: on

# fmt: off
CHAPTER_FIELDS = (
    s.Field("start", s.timestamp, "time", "Where it starts: seconds or H:MM:SS.", required=True, example="1:29.9"),
    s.Field("title", s.text, "text", "The chapter's title.", required=True, example="La stratégie malienne"),
    s.Field("url", s.url, "URL", "A link about the chapter.", example="https://example.com/"),
    s.Field("image", s.url, "URL", "An image for the chapter.", example="https://example.com/c.jpg"),
)
# fmt: on

# fmt: off
SOUNDBITE_FIELDS = (
    s.Field("start", s.timestamp, "time", "Where it starts.", required=True, example="24.9"),
    s.Field("duration", s.timestamp, "time", "How long it lasts (15–120 s suits most apps).", required=True,
            example="30"),
    s.Field("title", s.text, "text", "A few words about it.", example="Le salon de Bamako"),
)
# fmt: on

REMOTE_TYPES = (
    "audio/mpeg",
    "audio/x-m4a",
    "audio/mp4",
    "audio/aac",
    "audio/ogg",
    "audio/opus",
    "audio/flac",
    "audio/wav",
    "video/mp4",
    "video/quicktime",
)

# fmt: off
REMOTE_FIELDS = (
    s.Field("url", s.url, "URL", "Where the audio is served.", required=True,
            example="https://old-host.example/media/ep12.mp3"),
    s.Field("length", s.positive_int, "bytes", "Its exact size in bytes.", required=True, example="24512345"),
    s.Field("type", s.choice(*REMOTE_TYPES), "MIME type",
            "Its MIME type.", required=True, example="audio/mpeg"),
    s.Field("duration", s.timestamp, "time", "How long it plays.", required=True, example="25:31"),
)
# fmt: on

TRANSCRIPT_NAMES = ("transcript.vtt", "transcript.srt", "transcript.json", "transcript.html", "transcript.txt")
"""Transcript files found next to the audio when episode.yaml names none."""
CHAPTERS_NAMES = ("chapters.json",)

GUID = re.compile(r"^\S(.{0,998}\S)?$")


def guid_text(node: Any, ctx: Any, path: str) -> Any:
    """A GUID: any text up to 1000 characters (apa-feed writes a UUID here on first build; an imported
    episode keeps the GUID it had, URLs and spaces included)."""
    value = s.text(node, ctx, path)
    if value is not s.INVALID and not GUID.match(value):
        ctx.report(node, path, f'expected an identifier of 1 to 1000 characters, got "{value}"')
        return s.INVALID
    return value


# fmt: off
EPISODE_FIELDS = (
    s.Field("title", s.text, "text", "The episode's title. Required, unless the audio's title tag gives it.",
            example="Mali-Turquie : l'arsenal turc en vitrine", rss="title, itunes:title"),
    s.Field("date", s.when, "ISO 8601 date or date-time",
            "Publication date; a date alone is midnight in the show's `timezone`. A future date keeps the "
            "episode out of the feed until it has passed. Required, unless the audio's date tag gives a full date.",
            example="2025-11-12", rss="pubDate"),
    s.Field("description", s.text, "Markdown", "Show notes. Rendered to HTML (Apple's allowed tags) and to "
            "plain text (cut at 4000 UTF-8 bytes). Required, unless the audio's comment tag gives them.",
            rss="content:encoded, description, itunes:summary"),
    s.Field("audio", s.media_path, "file path", "The audio file, relative to this folder: MP3 or M4A (other "
            "formats per `other_formats`). Required unless `enclosure` is given. A draft or scheduled episode may "
            "name it before it is there; a published one whose file is absent is built from what apa-feed.lock "
            "recorded.", example="audio.mp3",
            rss="enclosure, itunes:duration"),
    s.Field("enclosure", s.mapping(REMOTE_FIELDS), "mapping: url, length, type, duration", "Audio hosted "
            "elsewhere, published as it is (not uploaded, not probed): what `import --reference` writes. Use "
            "instead of `audio`.", example="{url: https://old.example/ep.mp3, length: 245123, type: audio/mpeg, "
            "duration: '4:05'}", rss="enclosure, itunes:duration"),
    s.Field("author", s.text, "text", "Who made this episode, when not the show's author (shown as \"Un "
            "documentaire de …\" on its page).", example="Sam Rivers", rss="itunes:author"),
    s.Field("image", s.media_path, "file path", "Episode artwork (square JPEG or PNG, 1400–3000 px); may be "
            "absent as `audio` may.", example="cover.jpg", rss="itunes:image"),
    s.Field("season", s.number, "whole number", "Season number.", example="1", rss="itunes:season"),
    s.Field("episode", s.number, "whole number", "Episode number (required for serial shows).",
            example="12", rss="itunes:episode"),
    s.Field("episode_type", s.choice("full", "trailer", "bonus"), "full, trailer or bonus",
            "Kind of episode.", default="full", example="full", rss="itunes:episodeType"),
    s.Field("explicit", s.boolean, "true/false", "Explicit content; inherits the show's `explicit`.",
            example="false", rss="itunes:explicit"),
    s.Field("keywords", s.list_of(s.text), "list of text", "Topics of the episode. One text with commas "
            "(`keywords: Mali, Turquie`) is read as that many keywords, with a note from `check`.", default=(),
            example="[Mali, Turquie, défense]", rss="category"),
    s.Field("credits", s.list_of(s.mapping(CREDIT_FIELDS)), "list of {name, role}",
            "Who made it, with their role in your words (Réalisation, Mise en onde & mix, …).", default=(),
            example="[{role: Réalisation, name: Agence Presse Audio}]", rss="content:encoded (credits block)"),
    s.Field("chapters", s.file_or(s.list_of(s.mapping(CHAPTER_FIELDS))), "file path or list of {start, title}",
            "Chapters: a JSON chapters file, or a list here. Default: `chapters.json` in the folder if there is "
            "one, else the chapters in the audio's tags. Given here, they win over the audio's.",
            example="[{start: 0, title: Introduction}, {start: '1:29.9', title: Crédits}]", rss="podcast:chapters"),
    s.Field("transcript", s.file_path, "file path", "The transcript: WebVTT, SRT, Podcast Index JSON, HTML or "
            "text. Default: a `transcript.*` file in the folder.", example="transcript.vtt",
            rss="podcast:transcript"),
    s.Field("transcript_language", s.language, "BCP 47 code", "The transcript's language; default the show's.",
            example="fr", rss="podcast:transcript language"),
    s.Field("soundbites", s.list_of(s.mapping(SOUNDBITE_FIELDS)), "list of {start, duration, title}",
            "Moments worth sharing.", default=(), example="[{start: 24.9, duration: 30}]", rss="podcast:soundbite"),
    s.Field("season_name", s.text, "text", "The season's name.", example="Sahel", rss="podcast:season name"),
    s.Field("draft", s.boolean, "true/false", "A draft stays out of the feed and the website until this "
            "is removed; it is checked all the same, so its audio must be there.", default=False, example="false"),
    s.Field("link", s.url, "URL", "The episode's web page. Default: its page on the show's "
            "website, or the show's `link` with `website: false`.", rss="link"),
    s.Field("guid", guid_text, "text", "The episode's permanent identifier. Written by apa-feed on first "
            "build; never edit it once published.", example="0f8f5c2e-…", rss="guid"),
)
# fmt: on


@dataclass(frozen=True)
class Credit:
    """One person's contribution to an episode."""

    name: str
    role: str
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class Remote:
    """Audio served from elsewhere: its URL and what the feed says of it."""

    url: str
    length: int
    type: str
    duration: float


@dataclass(frozen=True)
class ChapterEntry:
    """A chapter written in episode.yaml."""

    start: float
    title: str
    url: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class Soundbite:
    """A moment worth sharing."""

    start: float
    duration: float
    title: str | None = None


@dataclass(frozen=True)
class EpisodeMeta:
    """A validated ``episode.yaml``."""

    folder: Path
    slug: str
    title: str
    published: datetime
    description: str
    audio: Path | None
    """The local audio file; None when the episode's audio is hosted elsewhere (``remote``)."""
    image: Path | None
    season: int | None
    episode: int | None
    episode_type: str
    explicit: bool | None
    keywords: tuple[str, ...]
    credits: tuple[Credit, ...]
    draft: bool
    link: str | None
    guid: str | None
    chapters: Path | tuple[ChapterEntry, ...] | None = None
    """A JSON chapters file, chapters given in the YAML, or None (then the audio's own)."""
    transcript: Path | None = None
    transcript_language: str | None = None
    soundbites: tuple[Soundbite, ...] = ()
    season_name: str | None = None
    remote: Remote | None = None
    author: str | None = None
    from_audio: tuple[str, ...] = ()
    """Fields episode.yaml leaves out, to be filled from the audio's tags (title, date, description)."""
    where: Located | None = field(default=None, compare=False, repr=False)
    """Where each field is written in episode.yaml."""


def episode_folders(root: Path) -> list[Path]:
    """The folders under ``root/episodes`` that hold an ``episode.yaml``, in name order."""
    return [Path(p) for p in episode_dirs(root) if os.path.isfile(os.path.join(p, EPISODE_FILE))]


def episode_dirs(root: Path) -> list[str]:
    """Every folder under ``root/episodes``, in name order (as text: a big catalogue has thousands)."""
    return folders_in(scan(str(root / "episodes")))


def read_episodes(root: Path, tz: ZoneInfo) -> tuple[list[EpisodeMeta], list[Problem]]:
    """Read every episode: the valid ones, and the problems of the others (all of them)."""
    problems: list[Problem] = []
    episodes: list[EpisodeMeta] = []
    show = ShowFolder.of(root)  # once: each file's path is then followed only below it
    for name in folders_in(show.entries(str(root / "episodes"))):
        entries = show.entries(name)  # one listing answers for every file of the folder
        if not is_file(name, EPISODE_FILE, entries):
            problems.extend(unread_folder(Path(name), files_in(name, entries), EPISODE_FILE))
            continue
        meta, found = read_episode(name, tz, root, show, entries)
        problems.extend(found)
        if meta is not None:
            episodes.append(meta)
    return episodes, problems


def read_episode(
    name: str, tz: ZoneInfo, root: Path | None = None, show: ShowFolder | None = None, entries: Entries = None
) -> tuple[EpisodeMeta | None, list[Problem]]:
    """The episode in folder ``name`` (None when its episode.yaml is wrong), and its file's problems.
    Every file it names or finds lies in ``root``, the show's folder (default: the one above episodes/),
    which is ``show`` when the caller has read it already, as it has listed the folder (``entries``)."""
    folder = Path(name)
    file = folder / EPISODE_FILE
    ctx = Context(file, folder, folder.parent.parent if root is None else root, show=show)
    where = ctx.outside(file)
    if where:  # episodes/x links to another folder: nothing there is the show's
        ctx.refuse(None, "", f'"{folder.name}/{EPISODE_FILE}"', where)
        return None, ctx.problems
    node = compose_file(file, ctx)
    values = s.read_mapping(node, EPISODE_FIELDS, ctx)
    if values is not None and (values["audio"] is None) == (values["enclosure"] is None):
        what = "both audio and enclosure: give one" if values["audio"] else "missing required field (file path)"
        ctx.report(node, "audio", what, "" if values["audio"] else "or an enclosure for audio hosted elsewhere")
        values = None
    if values is not None:
        values = _defaults(name, folder, values, ctx, node, entries)
    if values is None:
        return None, ctx.problems
    located = locate(file, node)
    values["keywords"] = split_keywords(values["keywords"], located, ctx.problems)
    return _episode(folder, values, tz, located), ctx.problems


def _defaults(
    name: str, folder: Path, v: dict[str, Any], ctx: Context, node: Node | None, entries: Entries
) -> dict[str, Any] | None:
    """``v`` with the transcript and chapters file found next to episode.yaml (in ``folder``, named
    ``name``, holding ``entries``) when it names none (None when one is a link to outside the show)."""
    present = files_in(name, entries) if not (v["transcript"] and v["chapters"]) else frozenset()
    found = dict(v)
    if not v["transcript"]:
        found["transcript"] = _found(folder, TRANSCRIPT_NAMES, present)
    if not v["chapters"]:  # none, or an empty list
        found["chapters"] = _found(folder, CHAPTERS_NAMES, present)
    bad = False
    for field_name in ("transcript", "chapters"):
        path = found[field_name]
        if not v[field_name] and isinstance(path, Path):
            where = ctx.outside(path)
            if where:
                ctx.refuse(node, field_name, f'"{path.name}"', where)
                bad = True
    return None if bad else found


def load_episodes(root: Path, tz: ZoneInfo) -> list[EpisodeMeta]:
    """Read every episode; raise :class:`ProblemsFound` with all problems of all files."""
    episodes, problems = read_episodes(root, tz)
    if any(p.severity == "error" for p in problems):
        raise ProblemsFound(problems)
    return episodes


UNDATED = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
"""Stands for a date episode.yaml leaves to the audio's tags until the probe fills it."""


def _episode(folder: Path, v: dict[str, Any], tz: ZoneInfo, where: Located | None = None) -> EpisodeMeta:
    missing = tuple(name for name in ("title", "date", "description") if v[name] is None)
    return EpisodeMeta(
        folder=folder,
        slug=folder.name,
        title=v["title"] or "",
        published=aware(v["date"], tz) if v["date"] else UNDATED,
        description=v["description"] or "",
        audio=v["audio"],
        image=v["image"],
        season=v["season"],
        episode=v["episode"],
        episode_type=v["episode_type"],
        explicit=v["explicit"],
        keywords=v["keywords"],
        credits=tuple(Credit(**c) for c in v["credits"]),
        draft=v["draft"],
        link=v["link"],
        guid=v["guid"],
        chapters=_chapters(v["chapters"]),
        transcript=v["transcript"],
        transcript_language=v["transcript_language"],
        soundbites=tuple(Soundbite(**b) for b in v["soundbites"]),
        season_name=v["season_name"],
        remote=Remote(**v["enclosure"]) if v["enclosure"] else None,
        author=v["author"],
        from_audio=missing,
        where=where,
    )


def _chapters(value: Any) -> Path | tuple[ChapterEntry, ...] | None:
    if isinstance(value, Path) or value is None:
        return value
    return tuple(ChapterEntry(**c) for c in value)  # in the order written (the feed sorts them)


def _found(folder: Path, names: tuple[str, ...], present: frozenset[str]) -> Path | None:
    """The first of ``names`` among the files ``present`` in ``folder``."""
    if present:
        for n in names:
            if n in present:
                return folder / n
    return None


def aware(value: date | datetime, tz: ZoneInfo) -> datetime:
    """A time-zone-aware datetime: a date is midnight in ``tz``; a naive date-time is in ``tz``."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0, 0))
    return value if value.tzinfo else value.replace(tzinfo=tz)


def assign_guids(episodes: list[EpisodeMeta]) -> list[EpisodeMeta]:
    """Give each episode without a GUID a new random one, written into its ``episode.yaml``.

    The GUID is a random UUID, so it depends on no URL, title or storage location; written
    into the episode's own file, it travels with the episode (renames, moves, new machines).
    """
    done = []
    for ep in episodes:
        if ep.guid is None:
            new = str(uuid.uuid4())
            append_guid(ep.folder / EPISODE_FILE, new)
            ep = replace(ep, guid=new)
        done.append(ep)
    return done


def append_guid(path: Path, guid: str) -> None:
    """Append ``guid: …`` to an episode file, keeping its text and comments as they are."""
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    text += f"guid: {guid}  # permanent: never change it once published\n"
    write_atomic(path, text.encode("utf-8"))
