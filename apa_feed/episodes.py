"""Episodes: ``episodes/*/episode.yaml``, read and validated into frozen :class:`EpisodeMeta`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import schema as s
from .errors import Problem, ProblemsFound
from .yamlread import compose_file, file_context

EPISODE_FILE = "episode.yaml"

CREDIT_FIELDS = (
    s.Field("name", s.text, "text", "Who.", required=True, example="Sam Rivers"),
    s.Field("role", s.text, "text", "What they did, in your words.", required=True, example="Texte et récit"),
)

GUID = re.compile(r"^\S{1,200}$")


def guid_text(node: Any, ctx: Any, path: str) -> Any:
    """A GUID: any text without spaces (apa-feed writes a UUID here on first build)."""
    value = s.text(node, ctx, path)
    if value is not s.INVALID and not GUID.match(value):
        ctx.report(node, path, f'expected an identifier without spaces, got "{value}"')
        return s.INVALID
    return value


EPISODE_FIELDS = (
    s.Field("title", s.text, "text", "The episode's title.", required=True,
            example="Mali-Turquie : l'arsenal turc en vitrine", rss="title, itunes:title"),
    s.Field("date", s.when, "ISO 8601 date or date-time",
            "Publication date; a date alone is midnight in the show's `timezone`. A future date keeps the "
            "episode out of the feed until it has passed.", required=True, example="2025-11-12", rss="pubDate"),
    s.Field("description", s.text, "Markdown", "Show notes. Rendered to HTML (Apple's allowed tags) and to "
            "plain text (cut at 4000 UTF-8 bytes).", required=True,
            rss="content:encoded, description, itunes:summary"),
    s.Field("audio", s.file_path, "file path", "The audio file (MP3 or M4A), relative to this folder.",
            required=True, example="audio.mp3", rss="enclosure, itunes:duration"),
    s.Field("image", s.file_path, "file path", "Episode artwork (square JPEG or PNG, 1400–3000 px).",
            example="cover.jpg", rss="itunes:image"),
    s.Field("season", s.positive_int, "whole number", "Season number.", example="1", rss="itunes:season"),
    s.Field("episode", s.positive_int, "whole number", "Episode number (required for serial shows).",
            example="12", rss="itunes:episode"),
    s.Field("episode_type", s.choice("full", "trailer", "bonus"), "full, trailer or bonus",
            "Kind of episode.", default="full", example="full", rss="itunes:episodeType"),
    s.Field("explicit", s.boolean, "true/false", "Explicit content; inherits the show's `explicit`.",
            example="false", rss="itunes:explicit"),
    s.Field("keywords", s.list_of(s.text), "list of text", "Topics of the episode.", default=(),
            example="[Mali, Turquie, défense]", rss="category"),
    s.Field("credits", s.list_of(s.mapping(CREDIT_FIELDS)), "list of {name, role}",
            "Who made it, with their role in your words (Réalisation, Mise en onde & mix, …).", default=(),
            example="[{role: Réalisation, name: Agence Presse Audio}]", rss="content:encoded (credits block)"),
    s.Field("draft", s.boolean, "true/false", "A draft stays out of the feed.", default=False, example="false"),
    s.Field("link", s.url, "URL", "The episode's web page; defaults to the show's link.", rss="link"),
    s.Field("guid", guid_text, "text", "The episode's permanent identifier. Written by apa-feed on first "
            "build; never edit it once published.", example="0f8f5c2e-…", rss="guid"),
)


@dataclass(frozen=True)
class Credit:
    """One person's contribution to an episode."""

    name: str
    role: str


@dataclass(frozen=True)
class EpisodeMeta:
    """A validated ``episode.yaml``."""

    folder: Path
    slug: str
    title: str
    published: datetime
    description: str
    audio: Path
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


def episode_folders(root: Path) -> list[Path]:
    """The folders under ``root/episodes`` that hold an ``episode.yaml``, in name order."""
    base = root / "episodes"
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if (p / EPISODE_FILE).is_file())


def read_episodes(root: Path, tz: ZoneInfo) -> tuple[list[EpisodeMeta], list[Problem]]:
    """Read every episode: the valid ones, and the problems of the others (all of them)."""
    problems: list[Problem] = []
    episodes: list[EpisodeMeta] = []
    for folder in episode_folders(root):
        ctx = file_context(folder / EPISODE_FILE)
        values = s.read_mapping(compose_file(folder / EPISODE_FILE, ctx), EPISODE_FIELDS, ctx)
        problems.extend(ctx.problems)
        if values is not None:
            episodes.append(_episode(folder, values, tz))
    return episodes, problems


def load_episodes(root: Path, tz: ZoneInfo) -> list[EpisodeMeta]:
    """Read every episode; raise :class:`ProblemsFound` with all problems of all files."""
    episodes, problems = read_episodes(root, tz)
    if problems:
        raise ProblemsFound(problems)
    return episodes


def _episode(folder: Path, v: dict[str, Any], tz: ZoneInfo) -> EpisodeMeta:
    return EpisodeMeta(
        folder=folder,
        slug=folder.name,
        title=v["title"],
        published=aware(v["date"], tz),
        description=v["description"],
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
    )


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
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
