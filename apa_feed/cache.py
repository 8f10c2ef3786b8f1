"""A cache of file facts (SHA-256, audio probe) keyed by path, size and modification time.

Stored as JSON under the project, so a re-run reads no unchanged file; a changed file (size or
times) is read again, a broken cache file is ignored. The facts are spread over 256 small files,
``.apa-feed/facts/<xx>.json``, by the folder a file is in: a build that reads a few episodes again
reads and writes only their files' shards, not the facts of a whole catalogue. (A cache of an
earlier apa-feed, ``.apa-feed/cache.json``, is taken over once.)
"""

from __future__ import annotations

import contextlib
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
FACTS = "facts"
LEGACY = "cache.json"


class FactCache:
    """File facts remembered between runs."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR / FACTS
        self.shards: dict[str, dict[str, dict[str, Any]]] = {}
        """The shards read so far, by name."""
        self.dirty: set[str] = set()
        self._adopt(root / CACHE_DIR / LEGACY)

    def file_for(self, path: Path | str) -> Path:
        """The shard file that holds ``path``'s facts."""
        return self.folder / f"{_shard(os.path.abspath(path))}.json"

    def _entry(self, path: Path) -> tuple[str, dict[str, Any]]:
        stat = path.stat()
        key = os.path.abspath(path)  # no per-component lstat, unlike resolve()
        entries = self._shard(_shard(key))
        stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns}
        entry = entries.get(key)
        if not isinstance(entry, dict) or any(entry.get(k) != v for k, v in stamp.items()):
            entry = dict(stamp)
            entries[key] = entry
            self.dirty.add(_shard(key))
        return key, entry

    def _shard(self, name: str) -> dict[str, dict[str, Any]]:
        if name not in self.shards:
            self.shards[name] = _load(self.folder / f"{name}.json")
        return self.shards[name]

    def _touch(self, key: str) -> None:
        self.dirty.add(_shard(key))
    def facts(self, path: Path) -> FileFacts:
        """Size and SHA-256 of ``path``."""
        key, entry = self._entry(path)
        if not isinstance(entry.get("sha256"), str):
            entry["sha256"] = sha256_file(path)
            self._touch(key)
        return FileFacts(path, entry["size"], entry["sha256"])

    def audio(self, path: Path) -> AudioInfo:
        """Probe ``path`` (raises :class:`~apa_feed.probe.AudioError`), or reuse the cached result."""
        key, entry = self._entry(path)
        stored = entry.get("audio")
        if isinstance(stored, dict):
            try:
                return AudioInfo.from_json(stored)
            except ValueError:  # a damaged or old entry: probe again
                pass
        info = probe(path)
        entry["audio"] = info.to_json()
        self._touch(key)
        return info

    def save(self, prune: bool = True) -> None:
        """Write the shards that changed, each atomically; a read-only project just skips it.

        With ``prune``, entries of files that no longer exist are dropped from the shards read (a
        build that read only a few episodes leaves that to the next whole one).
        """
        if not self.dirty:
            return
        for name, entries in self.shards.items():
            if prune:
                kept = {k: v for k, v in entries.items() if os.path.exists(k)}
                if len(kept) != len(entries):
                    self.shards[name] = entries = kept
                    self.dirty.add(name)
            if name in self.dirty:
                data = json.dumps({"version": VERSION, "files": entries}, separators=(",", ":"), check_circular=False)
                keep(self.folder / f"{name}.json", data.encode("utf-8"))
        self.dirty.clear()

    def _adopt(self, legacy: Path) -> None:
        """Spread an earlier apa-feed's single cache file over the shards (once), so nothing is hashed again."""
        if not legacy.is_file():
            return
        for key, entry in _load(legacy).items():
            self._shard(_shard(key)).setdefault(key, entry)
            self.dirty.add(_shard(key))
        self.save(prune=False)
        with contextlib.suppress(OSError):  # a read-only project keeps reading it
            legacy.unlink()


def _shard(key: str) -> str:
    """The shard of an absolute path: by its folder, so an episode's files share one."""
    return hashlib.blake2b(os.path.dirname(key).encode("utf-8", "surrogatepass"), digest_size=1).hexdigest()


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
