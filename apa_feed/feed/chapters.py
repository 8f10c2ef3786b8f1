"""Chapters: one plain type for every source (audio tags, episode.yaml, a chapters.json file),
and the Podcasting 2.0 JSON chapters format (spec 1.2) they are published as."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..config.schema import MAX_SECONDS

JSON_CHAPTERS_TYPE = "application/json+chapters"
JSON_CHAPTERS_VERSION = "1.2.0"


@dataclass(frozen=True)
class Chapter:
    """One chapter: where it starts (seconds), its title, and an optional link and image."""

    start: float
    title: str
    end: float | None = None
    url: str | None = None
    image: str | None = None
    """An image URL (already public), or None."""


class ChaptersError(ValueError):
    """A chapters file that is not JSON chapters; the message says what is wrong."""


def to_json_chapters(chapters: tuple[Chapter, ...] | list[Chapter]) -> bytes:
    """Serialise as JSON chapters 1.2 (UTF-8, deterministic, sorted by start time)."""
    out = []
    for chapter in sorted(chapters, key=lambda c: c.start):
        entry: dict[str, object] = {"startTime": _seconds(chapter.start), "title": chapter.title}
        if chapter.end is not None:
            entry["endTime"] = _seconds(chapter.end)
        if chapter.image:
            entry["img"] = chapter.image
        if chapter.url:
            entry["url"] = chapter.url
        out.append(entry)
    doc = {"version": JSON_CHAPTERS_VERSION, "chapters": out}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def from_json_chapters(data: bytes) -> tuple[Chapter, ...]:
    """Read a JSON chapters document; raise :class:`ChaptersError` with a plain reason."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ChaptersError("not valid JSON (nested too deep)") from None
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: also an integer of thousands of digits
        raise ChaptersError(f"not valid JSON ({exc})") from None
    items = doc.get("chapters") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ChaptersError('expected an object with a "chapters" list')
    found = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or not _number(item.get("startTime")):
            raise ChaptersError(f'chapter {n}: expected an object with a numeric "startTime"')
        start = _time(item["startTime"], n, "startTime")
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ChaptersError(f'chapter {n}: expected a "title"')
        end = item.get("endTime")
        found.append(
            Chapter(
                start,
                title.strip(),
                _time(end, n, "endTime") if _number(end) else None,
                item.get("url") if isinstance(item.get("url"), str) else None,
                item.get("img") if isinstance(item.get("img"), str) else None,
            )
        )
    return tuple(sorted(found, key=lambda c: c.start))


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _time(value: Any, n: int, name: str) -> float:
    """A time in seconds from 0 to :data:`MAX_SECONDS` (JSON allows NaN, Infinity, 1e400 and huge integers)."""
    if not 0 <= value <= MAX_SECONDS:  # False for NaN too
        shown = value if isinstance(value, float) or abs(value) < 10**20 else "a huge number"
        raise ChaptersError(f'chapter {n}: expected "{name}" in seconds from 0 to {MAX_SECONDS}, got {shown}')
    return float(value)


def _seconds(value: float) -> float | int:
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded
