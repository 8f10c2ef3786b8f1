"""The feed model: Show + episodes + file facts → final URLs, GUIDs, order (pure, no I/O)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from .config import Show
from .episodes import EpisodeMeta
from .notes import clip, credits_html, to_html, to_text, xml_safe
from .probe import AudioInfo

MEDIA_CACHE = "public, max-age=31536000, immutable"
FEED_CACHE = "public, max-age=300"
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
CREDITS_HEADING = {"fr": "Crédits", "en": "Credits", "es": "Créditos", "de": "Mitwirkende"}


@dataclass(frozen=True)
class FileFacts:
    """What was read from one local file: its size and SHA-256."""

    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class Asset:
    """One object to publish under ``key``."""

    key: str
    source: Path
    size: int
    sha256: str
    content_type: str
    cache_control: str = MEDIA_CACHE
    data: bytes | None = None
    """The bytes themselves, for objects apa-feed generates (chapters, pages); None: read ``source``."""


@dataclass(frozen=True)
class Item:
    """One episode as the feed shows it."""

    guid: str
    title: str
    link: str
    published: datetime
    html: str
    text: str
    enclosure_url: str
    enclosure_length: int
    enclosure_type: str
    duration: int
    image_url: str | None
    season: int | None
    episode: int | None
    episode_type: str
    explicit: bool
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    """The channel and its items, newest first."""

    title: str
    link: str
    description: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    image_url: str
    categories: tuple[tuple[str, str], ...]
    explicit: bool
    type: str
    copyright: str | None
    self_url: str
    last_build: datetime | None
    items: tuple[Item, ...]


@dataclass(frozen=True)
class EpisodeInput:
    """An episode with the facts read from its files."""

    meta: EpisodeMeta
    audio: AudioInfo
    audio_file: FileFacts
    image_file: FileFacts | None


@dataclass(frozen=True)
class Build:
    """A built feed and the files it references."""

    feed: Feed
    assets: tuple[Asset, ...]
    skipped: tuple[tuple[str, str], ...]


def is_live(meta: EpisodeMeta, now: datetime) -> bool:
    """An episode is in the feed unless it is a draft or dated in the future."""
    return not meta.draft and meta.published <= now


def build_feed(show: Show, show_image: FileFacts, episodes: list[EpisodeInput], now: datetime) -> Build:
    """Assemble the feed: only live episodes, newest first, every URL under ``base_url``."""
    image = content_asset("artwork", show_image)
    assets = [image]
    items = []
    skipped = []
    for ep in episodes:
        if not is_live(ep.meta, now):
            skipped.append((ep.meta.slug, "draft" if ep.meta.draft else "scheduled"))
            continue
        item, files = _item(show, ep)
        items.append(item)
        assets.extend(files)
    items.sort(key=lambda i: (i.published, i.guid), reverse=True)
    feed = _channel(show, url(show, image.key), tuple(items))
    return Build(feed, tuple(_unique(assets)), tuple(skipped))


def _channel(show: Show, image_url: str, items: tuple[Item, ...]) -> Feed:
    return Feed(
        title=xml_safe(show.title),
        link=show.link,
        description=clip(xml_safe(show.description)),
        language=show.language,
        author=xml_safe(show.author),
        owner_name=xml_safe(show.owner.name),
        owner_email=show.owner.email,
        image_url=image_url,
        categories=show.categories,
        explicit=show.explicit,
        type=show.type,
        copyright=xml_safe(show.copyright) if show.copyright else None,
        self_url=url(show, show.feed_file),
        last_build=max((i.published for i in items), default=None),
        items=items,
    )


def _item(show: Show, ep: EpisodeInput) -> tuple[Item, list[Asset]]:
    meta = ep.meta
    audio = content_asset(f"episodes/{slugify(meta.slug)}", ep.audio_file, ep.audio.mime_type)
    files = [audio]
    image_url = None
    if ep.image_file is not None:
        image = content_asset(f"episodes/{slugify(meta.slug)}", ep.image_file)
        files.append(image)
        image_url = url(show, image.key)
    body = to_html(meta.description)
    lang = show.language.split("-")[0].lower()
    colon = " : " if lang == "fr" else ": "
    notes = body + credits_html(CREDITS_HEADING.get(lang, "Credits"), _credits(meta), colon)
    item = Item(
        guid=meta.guid or "",
        title=xml_safe(meta.title),
        link=meta.link or show.link,
        published=meta.published,
        html=notes,
        text=clip(to_text(notes)),
        enclosure_url=url(show, audio.key),
        enclosure_length=ep.audio_file.size,
        enclosure_type=ep.audio.mime_type,
        duration=round(ep.audio.duration),
        image_url=image_url,
        season=meta.season,
        episode=meta.episode,
        episode_type=meta.episode_type,
        explicit=show.explicit if meta.explicit is None else meta.explicit,
        keywords=tuple(xml_safe(k) for k in meta.keywords),
    )
    return item, files


def _credits(meta: EpisodeMeta) -> list[tuple[str, list[str]]]:
    """Credits grouped by role, in the order roles first appear."""
    grouped: dict[str, list[str]] = {}
    for credit in meta.credits:
        grouped.setdefault(xml_safe(credit.role), []).append(xml_safe(credit.name))
    return list(grouped.items())


def content_asset(folder: str, facts: FileFacts, content_type: str | None = None) -> Asset:
    """An asset under a content-addressed key: new bytes get a new key, so a live URL never changes bytes."""
    suffix = facts.path.suffix.lower()
    key = f"{folder}/{slugify(facts.path.stem)}-{facts.sha256[:12]}{suffix}"
    kind = content_type or IMAGE_TYPES.get(suffix, "application/octet-stream")
    return Asset(key, facts.path, facts.size, facts.sha256, kind)


def url(show: Show, key: str) -> str:
    """The public URL of a storage key."""
    return show.base_url + quote(key)


def slugify(name: str) -> str:
    """An ASCII, lower-case, URL-safe form of a file or folder name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9._-]+", "-", ascii_name.lower()).strip("-.")
    return slug or "file"


def _unique(assets: list[Asset]) -> list[Asset]:
    seen: dict[str, Asset] = {}
    for asset in assets:
        seen.setdefault(asset.key, asset)
    return list(seen.values())
