"""A cache of file facts (SHA-256, audio probe) keyed by path, size and modification time.

Stored as JSON in ``.apa-feed/cache.json`` under the project, so a re-run reads no unchanged
file. A changed file (size or mtime) is read again. A broken cache file is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .files import CACHE_DIR, keep
from .machinekey import sign, verified
from .model import FileFacts
from .probe import AudioInfo, probe

VERSION = 4
"""Bumped whenever a stored shape changes (v4: AudioInfo gained stream facts, tags, cover, chapters)."""


class FactCache:
    """File facts remembered between runs."""

    def __init__(self, root: Path) -> None:
        self.path = root / CACHE_DIR / "cache.json"
        self.entries: dict[str, dict[str, Any]] = _load(self.path)
        self.dirty = False

    def _entry(self, path: Path) -> tuple[str, dict[str, Any]]:
        stat = path.stat()
        key = os.path.abspath(path)  # no per-component lstat, unlike resolve()
        stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns}
        entry = self.entries.get(key)
        if not isinstance(entry, dict) or any(entry.get(k) != v for k, v in stamp.items()):
            entry = dict(stamp)
            self.entries[key] = entry
            self.dirty = True
        return key, entry

    def facts(self, path: Path) -> FileFacts:
        """Size and SHA-256 of ``path``."""
        _, entry = self._entry(path)
        if not isinstance(entry.get("sha256"), str):
            entry["sha256"] = sha256_file(path)
            self.dirty = True
        return FileFacts(path, entry["size"], entry["sha256"])

    def audio(self, path: Path) -> AudioInfo:
        """Probe ``path`` (raises :class:`~apa_feed.probe.AudioError`), or reuse the cached result."""
        _, entry = self._entry(path)
        stored = entry.get("audio")
        if isinstance(stored, dict):
            try:
                return AudioInfo.from_json(stored)
            except ValueError:  # a damaged or old entry: probe again
                pass
        info = probe(path)
        entry["audio"] = info.to_json()
        self.dirty = True
        return info

    def save(self, prune: bool = True) -> None:
        """Write the cache atomically if anything changed; a read-only project just skips it.

        With ``prune``, entries of files that no longer exist are dropped (a build that read only a
        few episodes leaves that to the next whole one).
        """
        if not self.dirty:
            return
        if prune:
            self.entries = {k: v for k, v in self.entries.items() if os.path.exists(k)}
        data = json.dumps({"version": VERSION, "files": self.entries}, separators=(",", ":"), check_circular=False)
        keep(self.path, data.encode("utf-8"))
        self.dirty = False


def load_signed_json(path: Path) -> object:
    """A JSON file apa-feed signed on this machine, or None when it is missing, damaged or foreign."""
    try:
        data = verified(path.read_bytes())
        return None if data is None else json.loads(data.decode("utf-8"))
    except (OSError, ValueError):
        return None


def save_signed_json(path: Path, value: object) -> None:
    """Write ``value`` atomically, signed with this machine's key; a read-only project just skips it."""
    signed = sign(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    if signed is not None:
        keep(path, signed)


def _load(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("files"), dict):
        return {}
    files: dict[str, dict[str, Any]] = data["files"]
    return files


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
