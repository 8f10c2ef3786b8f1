"""The files a feed publishes: their facts, their content-addressed keys and public URLs (pure, no I/O)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..config.episodes import EpisodeMeta
from ..config.s3 import MEDIA_CACHE
from ..config.show import Show

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


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


def episode_prefix(meta: EpisodeMeta) -> str:
    """Where an episode's files go: ``episodes/<slug>/``."""
    return f"episodes/{slugify(meta.slug)}/"


def content_asset(folder: str, facts: FileFacts, content_type: str | None = None) -> Asset:
    """An asset under a content-addressed key: new bytes get a new key, so a live URL never changes bytes."""
    suffix = facts.path.suffix.lower()
    kind = content_type or IMAGE_TYPES.get(suffix, "application/octet-stream")
    return Asset(content_key(folder, facts.path, facts.sha256), facts.path, facts.size, facts.sha256, kind)


def generated_asset(folder: str, name: str, data: bytes, content_type: str, cache: str = MEDIA_CACHE) -> Asset:
    """An object apa-feed writes itself, under a content-addressed key like any file."""
    digest = hashlib.sha256(data).hexdigest()
    return Asset(content_key(folder, Path(name), digest), Path(name), len(data), digest, content_type, cache, data)


def content_key(folder: str, name: Path, sha256: str) -> str:
    """``<folder>/<stem>-<sha256[:12]><ext>``: the key changes with the bytes."""
    return f"{folder}/{slugify(name.stem)}-{sha256[:12]}{name.suffix.lower()}"


def url(show: Show, key: str) -> str:
    """The public URL of a storage key."""
    return show.base_url + quote(key)


def slugify(name: str) -> str:
    """An ASCII, lower-case, URL-safe form of a file or folder name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9._-]+", "-", ascii_name.lower()).strip("-.")
    return slug or "file"


def unique_assets(assets: list[Asset]) -> list[Asset]:
    """Each key once, where it first appears."""
    seen: dict[str, Asset] = {}
    for asset in assets:
        seen.setdefault(asset.key, asset)
    return list(seen.values())
