"""The one cache of builds: what was read, probed, hashed and rendered, kept between runs.

Every build is a whole build; this only saves it time. It lives outside the show (see
:func:`apa_feed.files.show_cache`), in one SQLite file that holds data and nothing that runs:
rows of (kind, key, value), where

* ``facts``: a file's size, times, SHA-256 and probe, keyed by its path's bytes (used only while the
  size and times still match);
* ``notes``: show notes rendered from Markdown, keyed by a digest of the Markdown;
* ``items``: the ``<item>`` text of a feed item, keyed by a digest of everything the item holds;
* ``pages``: a website page, keyed by a digest of everything it is made from.

The file records the version of the code that wrote it (a digest of apa-feed's sources and the
versions of the libraries that shape the output); another version, a damaged file or one that
is not a database is simply started afresh. A build reads the rows at the start and writes what
it made in one transaction at the end; a complete build also drops the rows it did not use.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .audio.loudness import Loudness, measure_all
from .audio.probe import AudioError, AudioInfo, probe
from .feed.model import FileFacts
from .feed.notes import ShowNotes, render_notes
from .files import private_folder, show_cache

KINDS = ("facts", "notes", "items", "pages")
JSON_KINDS = ("facts", "notes")
"""The kinds whose values are JSON text in the database."""
Key = str | bytes
"""A row's key: text, or a file's path as the bytes the file system holds."""
DATABASE = "cache.sqlite3"


class Cache:
    """The rows kept for one show, read once, written back by :meth:`close`."""

    def __init__(self, root: Path) -> None:
        self.folder = show_cache(root)
        """The show's cache folder: the database, and files derived for publishing (``files/``)."""
        self.rows: dict[str, dict[Key, Any]] = {kind: {} for kind in KINDS}
        self.new: dict[str, dict[Key, Any]] = {kind: {} for kind in KINDS}
        self.used: dict[str, set[Key]] = {kind: set() for kind in KINDS}
        self.decoded: dict[str, dict[Key, Any]] = {kind: {} for kind in JSON_KINDS}
        """The JSON rows read so far, decoded once (what a build made is kept decoded until :meth:`close`)."""
        self.db = _connect(self.folder / DATABASE)
        if self.db is not None:
            self._read()

    def _read(self) -> None:
        assert self.db is not None
        try:
            for kind, key, value in self.db.execute("SELECT kind, key, value FROM rows"):
                if kind in self.rows:
                    self.rows[kind][key] = value
        except sqlite3.Error:
            self.db = None

    def _get(self, kind: str, key: Key) -> Any:
        self.used[kind].add(key)
        return self.rows[kind].get(key)

    def _put(self, kind: str, key: Key, value: Any) -> None:
        self.used[kind].add(key)
        self.rows[kind][key] = self.new[kind][key] = value

    def _get_json(self, kind: str, key: Key) -> Any:
        """The decoded value of a JSON row (None when absent or not JSON)."""
        self.used[kind].add(key)
        decoded = self.decoded[kind]
        if key not in decoded:
            decoded[key] = _json(self.rows[kind].get(key))
        return decoded[key]

    def _put_json(self, kind: str, key: Key, value: Any) -> None:
        """Keep ``value`` for a JSON row; it is encoded once, when :meth:`close` writes it."""
        self.used[kind].add(key)
        self.decoded[kind][key] = self.new[kind][key] = value

    def files(self, *parts: str) -> Path:
        """A folder for derived files (covers, chapter pictures, tagged copies) under the cache."""
        return self.folder / "files" / Path(*parts)

    # ----------------------------------------------------------------------- file facts

    def _stamped(self, path: Path) -> tuple[Key, dict[str, Any]]:
        """The kept facts of ``path`` while its size and times match, else a fresh entry."""
        stat = path.stat()
        key = os.fsencode(os.path.abspath(path))  # bytes: a name that is not UTF-8 is a key too
        stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns}
        entry = self._get_json("facts", key)
        if not isinstance(entry, dict) or any(entry.get(k) != v for k, v in stamp.items()):
            entry = stamp
        return key, entry

    def facts(self, path: Path) -> FileFacts:
        """Size and SHA-256 of ``path``."""
        key, entry = self._stamped(path)
        if not isinstance(entry.get("sha256"), str):
            entry = {**entry, "sha256": sha256_file(path)}
            self._put_json("facts", key, entry)
        return FileFacts(path, entry["size"], entry["sha256"])

    def audio(self, path: Path) -> AudioInfo:
        """Probe ``path`` (raises :class:`~apa_feed.audio.probe.AudioError`), or reuse the kept result."""
        key, entry = self._stamped(path)
        stored = entry.get("audio")
        if isinstance(stored, dict):
            try:
                return AudioInfo.from_json(stored)
            except ValueError:  # a damaged entry: probe again
                pass
        info = probe(path)
        self._put_json("facts", key, {**entry, "audio": info.to_json()})
        return info

    def loudness(self, files: list[tuple[Path, str]], ffmpeg: str) -> dict[Path, Loudness | AudioError]:
        """The loudness of each (path, format the probe found): kept while the file is unchanged, else
        measured now with ``ffmpeg`` (several files at once); a file ffmpeg cannot decode gives its error."""
        found: dict[Path, Loudness | AudioError] = {}
        todo = []
        for path, audio_format in files:
            key, entry = self._stamped(path)
            try:
                found[path] = Loudness.from_json(entry.get("loudness"))
            except ValueError:
                todo.append((path, audio_format, key, entry))
        measured = measure_all([(path, audio_format) for path, audio_format, _, _ in todo], ffmpeg)
        for (path, _, key, entry), result in zip(todo, measured, strict=True):
            found[path] = result
            if isinstance(result, Loudness):
                self._put_json("facts", key, {**entry, "loudness": result.to_json()})
        return found

    # ----------------------------------------------------------------------- rendered text

    def notes(self, markdown: str) -> ShowNotes:
        """``markdown`` rendered as show notes (see :func:`apa_feed.feed.notes.render_notes`)."""
        key = _digest(markdown)
        kept = self._get_json("notes", key)
        if isinstance(kept, list) and len(kept) == 3 and isinstance(kept[1], list) and _texts(kept[0], kept[2]):
            return ShowNotes(kept[0], tuple(str(tag) for tag in kept[1]), kept[2])
        made = render_notes(markdown)
        self._put_json("notes", key, [made.html, list(made.dropped), made.text])
        return made

    def items(self) -> dict[str, bytes]:
        """The kept ``<item>`` texts by key (a render takes those it needs, then :meth:`keep_items`)."""
        return {
            key: text for key, text in self.rows["items"].items() if isinstance(key, str) and isinstance(text, bytes)
        }

    def keep_items(self, items: dict[str, bytes]) -> None:
        """Keep the text of every item of this render (kept before or rendered now)."""
        for key, text in items.items():
            if self.rows["items"].get(key) != text:
                self._put("items", key, text)
            self.used["items"].add(key)

    def page(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The page made from inputs with digest ``key``: the kept one, else made now and kept."""
        kept = self._get("pages", key)
        if isinstance(kept, bytes):
            return kept
        made = make()
        self._put("pages", key, made)
        return made

    # ----------------------------------------------------------------------- writing back

    def close(self, complete: bool) -> None:
        """Write what this build made, in one transaction; a ``complete`` build also drops the rows
        it did not use (files gone, episodes removed, notes edited). Where the cache cannot be
        written, the build goes on without it."""
        if self.db is None:
            return
        stale = [(kind, key) for kind in KINDS for key in self.rows[kind].keys() - self.used[kind]] if complete else []
        rows = [
            (kind, key, json.dumps(value) if kind in JSON_KINDS else value)
            for kind in KINDS
            for key, value in self.new[kind].items()
        ]
        try:
            with self.db:
                self.db.executemany("DELETE FROM rows WHERE kind = ? AND key = ?", stale)
                self.db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?, ?)", rows)
        except sqlite3.Error:
            pass
        finally:
            self.db.close()
            self.db = None


def _connect(path: Path) -> sqlite3.Connection | None:
    """The cache database at ``path``, for this code's version; None where it cannot be had."""
    for _ in range(2):
        try:
            private_folder(path.parent)
            db = sqlite3.connect(path, timeout=30)
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS rows (kind TEXT, key TEXT, value, PRIMARY KEY (kind, key))"
                    " WITHOUT ROWID"
                )
                found = db.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
                if found != (code_version(),):  # another apa-feed wrote it: nothing in it is ours to use
                    db.execute("DELETE FROM rows")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('code', ?)", (code_version(),))
            return db
        except sqlite3.DatabaseError:  # damaged, or not a database at all: start afresh
            try:
                path.unlink(missing_ok=True)
            except OSError:
                return None
        except OSError:
            return None
    return None


@functools.cache
def code_version() -> str:
    """A digest of apa-feed's sources and templates and of the versions of the libraries that shape
    what the cache holds: a kept row is only as good as the code that made it."""
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".html", ".css") and p.is_file()):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    for name in ("mutagen", "feedgen", "lxml", "cmarkgfm", "nh3", "Jinja2"):
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _texts(*values: object) -> bool:
    return all(isinstance(value, str) for value in values)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
