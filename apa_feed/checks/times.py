"""Pre-flight rules about times inside the audio: chapters and soundbites (Podcasting 2.0)."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import Problem
from ..feed.model import EpisodeInput
from .context import Ctx, episode_file, plain_http, seconds

RULE = "Podcasting 2.0"


def chapter_sources(ep: EpisodeInput) -> tuple[Path, list[tuple[str, float | None]]]:
    """Where the published chapters come from, and each one's (field, start) in the order written there."""
    chapters = ep.meta.chapters
    if isinstance(chapters, tuple):
        return episode_file(ep), [(f"chapters[{i}].start", c.start) for i, c in enumerate(chapters)]
    if isinstance(chapters, Path):
        try:
            doc = json.loads(chapters.read_bytes())
            return chapters, [("chapters", float(c["startTime"])) for c in doc["chapters"]]
        except (OSError, ValueError, KeyError, TypeError):
            return chapters, []
    return ep.meta.audio or episode_file(ep), [("chapters", c.start) for c in ep.chapters]


def chapter_times(ctx: Ctx) -> list[Problem]:
    """Chapters start before the audio ends (error), each after the one before (warning)."""
    found = []
    for ep in ctx.inputs:
        path, starts = chapter_sources(ep)
        duration = ep.audio.duration
        previous: float | None = None
        for n, (name, start) in enumerate(starts, 1):
            if start is None:
                continue
            if start >= duration:
                found.append(
                    ctx.at(
                        path,
                        name,
                        f"chapter {n} starts at {seconds(start)}, past the end of the audio ({seconds(duration)})",
                        rule=RULE,
                    )
                )
            elif previous is not None and start <= previous:
                found.append(
                    ctx.at(
                        path,
                        name,
                        f"chapter {n} starts at {seconds(start)}, not after chapter {n - 1} ({seconds(previous)})",
                        "warning",
                        RULE,
                        "list chapters in order, each starting after the one before",
                    )
                )
            previous = start
    return found


def chapter_urls(ctx: Ctx) -> list[Problem]:
    """Chapter links and images are https when base_url is."""
    found = []
    for ep in ctx.inputs:
        if isinstance(ep.meta.chapters, tuple):
            path = episode_file(ep)
            urls = _chapter_urls(ep)
        else:
            path = ep.meta.chapters if isinstance(ep.meta.chapters, Path) else ep.meta.audio or episode_file(ep)
            urls = [("chapters", u) for c in ep.chapters for u in (c.url, c.image)]
        found += plain_http(ctx, path, urls)
    return found


def _chapter_urls(ep: EpisodeInput) -> list[tuple[str, str | None]]:
    """(field, URL) of every chapter link and image written in episode.yaml, in file order."""
    assert isinstance(ep.meta.chapters, tuple)
    return [
        (f"chapters[{i}].{key}", url)
        for i, c in enumerate(ep.meta.chapters)
        for key, url in (("url", c.url), ("image", c.image))
    ]


def soundbites(ctx: Ctx) -> list[Problem]:
    """Soundbites start before the audio ends (error) and end by then (warning)."""
    found = []
    for ep in ctx.inputs:
        path, duration = episode_file(ep), ep.audio.duration
        for i, bite in enumerate(ep.meta.soundbites):
            end = bite.start + bite.duration
            if bite.start >= duration:
                found.append(
                    ctx.at(
                        path,
                        f"soundbites[{i}].start",
                        f"starts at {seconds(bite.start)}, past the end of the audio ({seconds(duration)})",
                        rule=RULE,
                    )
                )
            elif end > duration:
                found.append(
                    ctx.at(
                        path,
                        f"soundbites[{i}].duration",
                        f"ends at {seconds(end)}, past the end of the audio ({seconds(duration)})",
                        "warning",
                        RULE,
                        f"make it at most {seconds(duration - bite.start)}",
                    )
                )
    return found


TIME_RULES = (chapter_times, chapter_urls, soundbites)
