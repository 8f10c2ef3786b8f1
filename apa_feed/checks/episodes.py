"""Pre-flight rules about each episode, and across episodes (GUIDs, numbers: from episode.yaml alone)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ..config.episodes import EPISODE_FILE, EpisodeMeta
from ..errors import Problem, display_path
from ..feed.model import slugify
from ..feed.notes import APPLE_LIMIT
from .context import Ctx, episode_file, language, plain_http, role, too_long

APPLE_TYPES = frozenset(
    {
        "audio/mpeg",
        "audio/x-m4a",
        "audio/mp4",
        "audio/aac",
        "video/mp4",
        "video/quicktime",
        "video/x-m4v",
        "application/pdf",
    }
)
"""Enclosure types Apple Podcasts accepts."""
NUMBER_IN_TITLE = re.compile(
    r"(?<!\w)(?:[ée]pisode|ep\.?|[ée]p\.?)\s*(?:n[°o]\.?\s*)?#?\s*\d+(?!\w)|(?<![\w&])#\s?\d+(?!\w)", re.IGNORECASE
)


def titles(ctx: Ctx) -> list[Problem]:
    """Apple: 255 characters; no show name and no episode number in an episode's title."""
    found: list[Problem] = []
    show_name = ctx.show.title.casefold()
    for ep in ctx.inputs:
        path, title = episode_file(ep), ep.meta.title
        found += too_long(ctx, path, "title", title)
        if show_name in title.casefold():
            found.append(
                ctx.at(
                    path,
                    "title",
                    "repeats the show's name; apps show it beside the title already",
                    "warning",
                    hint="keep the show's name out of the episode's title",
                )
            )
        number = NUMBER_IN_TITLE.search(title)
        if number:
            found.append(
                ctx.at(
                    path,
                    "title",
                    f'contains an episode number ("{number.group(0).strip()}")',
                    "warning",
                    hint='set "episode:" instead; apps show the number from there',
                )
            )
    return found


def descriptions(ctx: Ctx) -> list[Problem]:
    """Apple's 4000 bytes for the plain-text notes, counted in UTF-8 (the feed clips them)."""
    items = {item.slug: item for item in ctx.publication.feed.items}
    found = []
    for ep in ctx.inputs:
        item = items.get(slugify(ep.meta.slug))
        size = item.text_size if item else len(ep.notes.text.encode("utf-8"))
        if size > APPLE_LIMIT:
            found.append(
                ctx.at(
                    episode_file(ep),
                    "description",
                    f"is {size} bytes of plain text in UTF-8 (credits "
                    f"included); Apple allows {APPLE_LIMIT}, so the feed's description is cut there",
                    "warning",
                )
            )
    return found


def serial_numbers(ctx: Ctx) -> list[Problem]:
    """Apple: a serial show numbers every full episode (trailers and bonus episodes may go without)."""
    if ctx.show.type != "serial":
        return []
    return [
        ctx.at(
            episode_file(ep),
            "episode",
            "missing: a serial show (type: serial) numbers every full episode",
            hint='add "episode: N"',
        )
        for ep in ctx.inputs
        if not ep.meta.draft and ep.meta.episode_type == "full" and ep.meta.episode is None
    ]


def across_episodes(episodes: Sequence[EpisodeMeta]) -> list[Problem]:
    """Apple's rules across episodes, from their episode.yaml alone (so they run whatever else is broken):
    one GUID per episode, one full episode per number within a season."""
    return guids(episodes) + numbers(episodes)


def guids(episodes: Sequence[EpisodeMeta]) -> list[Problem]:
    """Apple: every episode has its own GUID; a trailer copied from an episode must not keep its GUID."""
    by_guid: dict[str, list[EpisodeMeta]] = defaultdict(list)
    for ep in episodes:
        if ep.guid:
            by_guid[ep.guid].append(ep)
    found = []
    for same in by_guid.values():
        for ep in same if len(same) > 1 else ():
            other = display_path(meta_file(next(o for o in same if o is not ep)))
            what = "the trailer has" if ep.episode_type == "trailer" else "has"
            found.append(
                at_meta(
                    ep,
                    "guid",
                    f"{what} the same GUID as {other}; every episode needs its own",
                    'remove the "guid:" line of the one never published; apa-feed writes a new one',
                )
            )
    return found


def numbers(episodes: Sequence[EpisodeMeta]) -> list[Problem]:
    """Apple: one full episode per number within a season."""
    seen: dict[tuple[int | None, int], EpisodeMeta] = {}
    found = []
    for meta in episodes:
        if meta.draft or meta.episode is None or meta.episode_type != "full":
            continue
        first = seen.setdefault((meta.season, meta.episode), meta)
        if first is not meta:
            where = f"episode {meta.episode}" + (f" of season {meta.season}" if meta.season else "")
            found.append(
                at_meta(meta, "episode", f"{where} is numbered twice (also in {display_path(meta_file(first))})")
            )
    return found


def meta_file(meta: EpisodeMeta) -> Path:
    """The episode's ``episode.yaml``."""
    return meta.where.file if meta.where is not None else meta.folder / EPISODE_FILE


def at_meta(meta: EpisodeMeta, name: str, message: str, hint: str = "") -> Problem:
    """An Apple error about field ``name`` of an episode.yaml, at the line that sets it."""
    line, column = meta.where.at(name) if meta.where is not None else (0, 0)
    return Problem(display_path(meta_file(meta)), line, column, name, message, hint, rule="Apple")


def enclosures(ctx: Ctx) -> list[Problem]:
    """Apple's enclosure types: with ``other_formats: refuse`` any other type is an error (else a warning,
    given when the audio is read)."""
    if ctx.show.other_formats != "refuse":
        return []
    return [
        ctx.at(
            episode_file(ep),
            "audio",
            f'{ep.audio.mime_type} does not play in Apple Podcasts, and feed.yaml says "other_formats: refuse"',
            hint="encode it as MP3 or M4A (AAC)",
        )
        for ep in ctx.inputs
        if ep.audio.mime_type not in APPLE_TYPES
    ]


def notes_html(ctx: Ctx) -> list[Problem]:
    """Apple: show notes use only p, ol, ul, li and a; anything else is dropped."""
    found = []
    for ep in ctx.inputs:
        tags = ep.notes.dropped
        if tags:
            names = ", ".join(f"<{t}>" for t in tags)
            found.append(
                ctx.at(
                    episode_file(ep),
                    "description",
                    f"HTML Apple does not allow is dropped from the show notes: {names} (the text inside them is kept)",
                    "warning",
                    hint="use paragraphs, lists and links only",
                )
            )
    return found


def scheduled(ctx: Ctx) -> list[Problem]:
    """Episodes dated in the future: held back until their date (information, not a mistake)."""
    later = {slug for slug, why in ctx.publication.skipped if why == "scheduled"}
    return [
        ctx.at(
            episode_file(ep),
            "date",
            f"scheduled: stays out of the feed until "
            f"{ep.meta.published:%Y-%m-%d %H:%M} ({ep.meta.published.tzinfo}); publish again then",
            "info",
            "",
        )
        for ep in ctx.inputs
        if ep.meta.slug in later
    ]


def credits(ctx: Ctx) -> list[Problem]:
    """Credits whose role maps to a Podcast Taxonomy role; transcript language; https URLs."""
    found = []
    for ep in ctx.inputs:
        path = episode_file(ep)
        urls: list[tuple[str, str | None]] = []
        for i, credit in enumerate(ep.meta.credits):
            found += role(ctx, path, f"credits[{i}].role", credit.role)
            urls += [(f"credits[{i}].href", credit.href), (f"credits[{i}].img", credit.img)]
        found += plain_http(ctx, path, urls)
        found += language(ctx, path, "transcript_language", ep.meta.transcript_language)
    return found


EPISODE_RULES = (titles, descriptions, serial_numbers, enclosures, notes_html, scheduled, credits)
