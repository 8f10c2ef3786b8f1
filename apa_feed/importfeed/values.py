"""Single values from another host's feed → apa-feed's: dates, explicit, categories, numbers, file names."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from ..config.categories import APPLE_CATEGORIES
from ..config.schema import clock_seconds
from ..feed.model import slugify

EXPLICIT = {"true": True, "yes": True, "explicit": True, "false": False, "no": False, "clean": False}

RENAMED_CATEGORIES = {
    "Games & Hobbies": "Leisure",
    "Games & Hobbies › Video Games": "Leisure › Video Games",
    "Games & Hobbies › Automotive": "Leisure › Automotive",
    "Games & Hobbies › Aviation": "Leisure › Aviation",
    "Games & Hobbies › Hobbies": "Leisure › Hobbies",
    "Games & Hobbies › Other Games": "Leisure › Games",
    "News & Politics": "News › Politics",
    "Science & Medicine": "Science",
    "Science & Medicine › Medicine": "Health & Fitness › Medicine",
    "Science & Medicine › Natural Sciences": "Science › Natural Sciences",
    "Science & Medicine › Social Sciences": "Science › Social Sciences",
    "Sports & Recreation": "Sports",
    "Health": "Health & Fitness",
    "Health › Fitness & Nutrition": "Health & Fitness › Nutrition",
    "Health › Alternative Health": "Health & Fitness › Alternative Health",
    "Health › Sexuality": "Health & Fitness › Sexuality",
    "Government & Organizations": "Government",
    "Society & Culture › History": "History",
    "Arts › Literature": "Arts › Books",
    "Business › Business News": "News › Business News",
    "Technology › Tech News": "News › Tech News",
    "Technology › Podcasting": "Technology",
    "Technology › Software How-To": "Technology",
    "Technology › Gadgets": "Technology",
    "Education › Educational Technology": "Education",
    "Education › Higher Education": "Education › Courses",
    "Education › K-12": "Kids & Family › Education for Kids",
    "Kids & Family": "Kids & Family",
    "TV & Film": "TV & Film",
}
"""Apple's categories before the 2019 list, as many old feeds still carry them → today's."""

AUDIO_TYPES = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/x-m4a": ".m4a",
    "audio/mp4": ".m4a",
    "audio/m4a": ".m4a",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/flac": ".flac",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "video/mp4": ".mp4",
}
AUDIO_SUFFIXES = set(AUDIO_TYPES.values()) | {".oga"}
TRANSCRIPT_TYPES = {
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
    "application/srt": ".srt",
    "text/srt": ".srt",
    "application/json": ".json",
    "text/html": ".html",
    "text/plain": ".txt",
}
"""Transcript formats in the order apa-feed prefers them (timed first)."""


def parse_date(value: str | None) -> datetime | None:
    """An RFC 2822 pubDate (or an ISO 8601 one, as some tools write) as an aware datetime, None if unreadable."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # "-0000": UTC, origin unknown


def explicit(value: str | None) -> bool | None:
    """``yes``/``no``/``clean``/``explicit``/``true``/``false`` → a bool; None if absent or unknown."""
    return EXPLICIT.get((value or "").strip().lower())


MAX_NUMBER = 10**15
"""The largest number read from a feed (a season, an episode, a length): past it, a value is a mistake."""


def positive(value: str | None) -> int | None:
    """A whole number from 1 to :data:`MAX_NUMBER` in ASCII digits, else None (``²`` and ``٣`` are not)."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_NUMBER)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_NUMBER else None


def category(top: str, sub: str) -> tuple[str | None, str]:
    """Apple's category for an old feed's (top, sub), and a note when it was renamed or dropped ("" if kept)."""
    given = f"{top} › {sub}" if sub else top
    if top in APPLE_CATEGORIES and (not sub or sub in APPLE_CATEGORIES[top]):
        return given, ""
    renamed = RENAMED_CATEGORIES.get(given) or (RENAMED_CATEGORIES.get(top) if sub else None)
    if renamed:
        return renamed, f'category "{given}" is now "{renamed}" in Apple\'s list'
    if top in APPLE_CATEGORIES:
        return top, f'category "{given}" is not in Apple\'s list; kept "{top}"'
    return None, f'category "{given}" is not in Apple\'s list; left out'


def url_path_name(url: str) -> str:
    """The last segment of a URL's path, decoded (twice: hosts that wrap a URL in their own)."""
    try:
        path = unquote(urlsplit(url).path)
        return PurePosixPath(unquote(urlsplit(path).path) or "/").name
    except ValueError:  # one urllib cannot split ("http://[zz/a.vtt"): the last segment of its text
        return PurePosixPath(url.split("?", 1)[0].split("#", 1)[0] or "/").name


def audio_name(url: str, mime: str) -> str:
    """The audio file's local name: the URL's basename, sanitised; its type decides a missing extension."""
    name = PurePosixPath(url_path_name(url))
    ext = name.suffix.lower()
    if ext not in AUDIO_SUFFIXES:
        ext = AUDIO_TYPES.get(mime.lower().split(";")[0].strip(), ".mp3")
        stem = slugify(name.name) if name.name else "audio"
    else:
        stem = slugify(name.stem)
    return f"{stem[:80].strip('-.') or 'audio'}{ext}"


def site_of(url: str) -> str:
    """The site a URL belongs to: its host's last two labels (three under a two-letter country code's
    short second level, ``co.uk``); an IP address whole. ``traffic.libsyn.com`` and ``garagetalk.libsyn.com``
    are one site."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    labels = host.split(".")
    if host.replace(".", "").isdigit() or ":" in host or len(labels) < 3:
        return host
    keep = 3 if len(labels[-1]) == 2 and len(labels[-2]) <= 3 else 2
    return ".".join(labels[-keep:])


def same_site(url: str, other: str) -> bool:
    """Whether two http(s) URLs are on the same site (see :func:`site_of`)."""
    try:
        return bool(site_of(url)) and site_of(url) == site_of(other)
    except ValueError:
        return False


def folder_name(published: datetime, title: str) -> str:
    """``YYYY-MM-DD-slug``: the date as the old feed wrote it (its own offset), the title's slug."""
    slug = re.sub(r"[-._]+", "-", slugify(title))[:60].strip("-")
    return f"{published.date().isoformat()}-{slug or 'episode'}"


def suffix_for(mime: str, url: str, known: dict[str, str]) -> str | None:
    """The file suffix of a linked file, from its MIME type, else from its URL."""
    by_type = known.get(mime.lower().split(";")[0].strip())
    if by_type:
        return by_type
    ext = PurePosixPath(url_path_name(url)).suffix.lower()
    return ext if ext in known.values() else None


def parse_duration(value: str | None) -> float | None:
    """``itunes:duration`` as seconds: ``1234``, ``20:34`` or ``1:02:03`` (None when it is none of these)."""
    try:
        seconds = clock_seconds(value or "")
    except (ValueError, OverflowError):
        return None
    return seconds if 0 < seconds < 10**7 else None  # more than 115 days: a mistake, not a duration


MIME_ALIASES = {"audio/mp3": "audio/mpeg", "audio/mpeg3": "audio/mpeg", "audio/x-mp3": "audio/mpeg",
                "audio/m4a": "audio/x-m4a", "audio/x-mp4": "audio/mp4"}  # fmt: skip
"""Enclosure types other hosts write, as the names apa-feed publishes."""
