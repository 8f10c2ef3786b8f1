"""Read a whole project (feed.yaml, episodes, their files) into a built feed, collecting every problem."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .artwork import check_artwork
from .cache import FactCache
from .config import Show, load_show
from .episodes import EpisodeMeta, assign_guids, load_episodes
from .errors import Problem, ProblemsFound, display_path
from .model import Build, EpisodeInput, FileFacts, build_feed
from .probe import AudioError
from .render import render


@dataclass(frozen=True)
class Options:
    """What every command needs: which project, and the command-line overrides."""

    config: Path = Path("feed.yaml")
    base_url: str | None = None
    storage: str | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class Built:
    """A project read, checked and rendered."""

    show: Show
    build: Build
    rss: bytes
    warnings: tuple[Problem, ...] = ()


def read_project(options: Options) -> tuple[Show, list[EpisodeMeta]]:
    """Validate feed.yaml and every episode.yaml together; raise with all their problems."""
    problems: list[Problem] = []
    show: Show | None = None
    try:
        show = _override(load_show(options.config), options)
    except ProblemsFound as found:
        problems.extend(found.problems)
    tz = show.timezone if show else ZoneInfo("UTC")
    episodes: list[EpisodeMeta] = []
    try:
        episodes = load_episodes(options.config.parent, tz)
    except ProblemsFound as found:
        problems.extend(found.problems)
    if show is None or problems:
        raise ProblemsFound(problems)
    return show, episodes


def _override(show: Show, options: Options) -> Show:
    if options.base_url:
        show = replace(show, base_url=options.base_url.rstrip("/") + "/")
    if options.storage:
        show = replace(show, storage=options.storage)
    return show


@dataclass(frozen=True)
class Gathered:
    """Facts read from every file the show references."""

    show_image: FileFacts
    episodes: list[EpisodeInput]
    warnings: tuple[Problem, ...]


def gather(show: Show, episodes: list[EpisodeMeta], cache: FactCache) -> Gathered:
    """Probe and hash every referenced file; raise with a located problem for each bad one."""
    problems = check_artwork(show.image, "image")
    inputs: list[EpisodeInput] = []
    for ep in episodes:
        if ep.image:
            problems.extend(check_artwork(ep.image, "image"))
        try:
            audio = cache.audio(ep.audio)
        except AudioError as exc:
            problems.append(Problem(display_path(ep.audio), field="audio", message=str(exc)))
            continue
        image = cache.facts(ep.image) if ep.image else None
        inputs.append(EpisodeInput(ep, audio, cache.facts(ep.audio), image))
    cache.save()
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ProblemsFound(problems)
    return Gathered(cache.facts(show.image), inputs, tuple(problems))


def build_project(options: Options, assign: bool = True) -> Built:
    """Read, check, probe and render the whole show. ``assign`` writes missing GUIDs to episode files."""
    show, episodes = read_project(options)
    if assign:
        episodes = assign_guids(episodes)
    cache = FactCache(show.root)
    found = gather(show, episodes, cache)
    build = build_feed(show, found.show_image, found.episodes, options.now or datetime.now(UTC))
    return Built(show, build, render(build.feed), found.warnings)
