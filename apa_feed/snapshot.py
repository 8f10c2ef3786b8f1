"""The last build, kept in ``.apa-feed/build.pickle`` with the stamps of every file it read, so an
unchanged show (the usual re-publish of a big catalogue) is not read, checked and rendered again.

The snapshot is used only when nothing it depends on has moved: every file it read and every
folder it listed (size, modification and change times, inode: one ``stat`` each, as git checks
its index; a folder's times move when an entry is added, removed or renamed), the command-line
options, apa-feed's own code, and the clock (no scheduled episode has come due, no live one has
become future). Anything else rebuilds. It is a cache: deleting it is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
import zlib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .files import CACHE_DIR, keep
from .lock import LOCK_FILE
from .machinekey import sign, verified

if TYPE_CHECKING:
    from .project import Built, Options

SNAPSHOT = "build.pickle"
FORMAT = 4
MAGIC = b"apa-feed snapshot %d\n" % FORMAT
RACY_NS = 2_000_000_000
"""A path changed less than this before the build started (or during it) may change again within
the same timestamp tick unnoticed (the "racy" case git knows; FAT's clock ticks every 2 s): no
snapshot is kept then, and the next build keeps one."""
FINE_RACY_NS = 100_000_000
"""The same for a path whose times have a fraction of a second, so its file system keeps fine
times (ext4, XFS, Btrfs, tmpfs, APFS: their clock ticks every few milliseconds at most)."""


def changed_since(st: os.stat_result, started_ns: int) -> bool:
    """Whether a path was changed too close to ``started_ns`` (or after it) for its times to tell."""
    latest = max(st.st_mtime_ns, st.st_ctime_ns)
    coarse = st.st_mtime_ns % 1_000_000_000 == 0 and st.st_ctime_ns % 1_000_000_000 == 0
    return latest > started_ns - (RACY_NS if coarse else FINE_RACY_NS)
PACKAGE = Path(__file__).resolve().parent
MISSING = "missing"


@dataclass(frozen=True)
class Header:
    """What a kept build depends on, read (and compared) before the build itself is unpickled."""

    key: str
    paths: tuple[str, ...]
    stamps: tuple[str, ...]
    """Each path's :func:`stat_stamp` (compared one by one: the first changed path ends the check)."""
    valid_from: datetime | None
    valid_until: datetime | None


def load(options: Options, now: datetime) -> Built | None:
    """The kept build, if nothing it depends on has changed; None otherwise."""
    try:
        data = verified(_file(options).read_bytes())
        if data is None:
            return None  # not written by apa-feed on this machine: never unpickled
        if data[: len(MAGIC)] != MAGIC:
            return None  # another format of the snapshot
        data = data[len(MAGIC) :]
        size = int.from_bytes(data[:8], "big")
        head = pickle.loads(data[8 : 8 + size])  # noqa: S301  (signed by this machine's key, checked above)
        if not isinstance(head, Header) or not _current(head, options, now):
            return None
        built = pickle.loads(zlib.decompress(data[8 + size :]))  # noqa: S301  (signed, as above)
    except (OSError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return built if type(built).__name__ == "Built" else None


def _current(head: Header, options: Options, now: datetime) -> bool:
    if head.key != _key(options):
        return False
    if (head.valid_from and now < head.valid_from) or (head.valid_until and now >= head.valid_until):
        return False
    return len(head.paths) == len(head.stamps) and all(
        stamp_of(path) == stamp for path, stamp in zip(head.paths, head.stamps, strict=True))


def save(options: Options, built: Built, now: datetime) -> None:
    """Keep ``built`` with the stamps of everything it read (a read-only project just skips it).

    A path changed after the build began reading (``built.read_ns``), or just before, makes the
    snapshot untrustworthy, except apa-feed's own lock file, which a publish writes afterwards.
    """
    if not built.inputs or any(not i.meta.guid for i in built.inputs):
        return  # read back from a snapshot already, or GUIDs still to be written by the next build
    skipped_dates = [i.meta.published for i in built.inputs if not i.meta.draft and i.meta.published > now]
    paths = tuple(sorted(_inputs(built)))
    stamps, racy = survey(paths, built.read_ns, _absolute(os.path.join(built.show.root, LOCK_FILE)))
    if racy:
        return
    live = [i.published for i in built.build.feed.items]
    head = Header(_key(options), paths, stamps, max(live, default=None), min(skipped_dates, default=None))
    kept = replace(built, inputs=())  # only this build needs them: they are the bulk of the unpickling
    try:
        header = pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL)
        body = zlib.compress(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL), 1)
    except pickle.PicklingError:
        return
    signed = sign(MAGIC + len(header).to_bytes(8, "big") + header + body)
    if signed is not None:
        keep(_file(options), signed)


def survey(paths: tuple[str, ...], started_ns: int, exempt: str = "") -> tuple[tuple[str, ...], bool]:
    """Every path's :func:`stat_stamp` (``missing`` for a missing one), and whether a path other
    than ``exempt`` was :func:`changed_since` ``started_ns``."""
    stamps = []
    racy = False
    for name in paths:
        try:
            st = os.stat(name)
        except OSError:
            stamps.append(MISSING)
            continue
        stamps.append(stat_stamp(st))
        if not racy and name != exempt and changed_since(st, started_ns):
            racy = True
    return tuple(stamps), racy


def stamp_of(path: str) -> str:
    """``path``'s :func:`stat_stamp`, or ``missing``."""
    try:
        return stat_stamp(os.stat(path))
    except OSError:
        return MISSING


def _inputs(built: Built) -> set[str]:
    """Every file and folder the build read or lists (absolute paths, as text: this runs per episode)."""
    root = built.show.root
    found: list[str | Path] = [root / "feed.yaml", root / LOCK_FILE, root / "episodes", root / "theme"]
    found.append(built.show.image)
    for ep in built.inputs:
        meta = ep.meta
        found += [meta.folder, os.path.join(meta.folder, "episode.yaml")]  # text: no Path to parse
        found += [p for p in (meta.audio, meta.image, meta.transcript) if p is not None]
        if isinstance(meta.chapters, Path):
            found.append(meta.chapters)
    theme = root / "theme"
    if theme.is_dir():
        found += theme.iterdir()
    found += [a.source for a in built.build.assets if a.data is None]
    return {_absolute(os.fspath(p)) for p in found}  # as text before hashing: a Path hashes slowly


def _absolute(path: str) -> str:
    return path if os.path.isabs(path) and "/." not in path else os.path.abspath(path)


def _key(options: Options) -> str:
    """What the build depends on besides files: the options and apa-feed's own code."""
    parts = (FORMAT, os.getcwd(), str(options.config.absolute()), options.base_url, options.storage, code_version())
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@functools.cache
def code_version() -> str:
    """apa-feed's own code as it is installed (every file's name, size and modification time)."""
    code = sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in PACKAGE.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts)
    return hashlib.sha256(repr(code).encode()).hexdigest()


def stat_stamp(st: os.stat_result) -> str:
    """A path's kind, size, modification and change times and inode, as git's index compares them."""
    kind = "d" if stat.S_ISDIR(st.st_mode) else "f"
    return f"{kind}{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def _file(options: Options) -> Path:
    return options.config.parent / CACHE_DIR / SNAPSHOT


