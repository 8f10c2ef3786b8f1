"""The last build, kept in ``.apa-feed/build.pickle`` with the stamps of every file it read, so an
unchanged show (the usual re-publish of a big catalogue) is not read, checked and rendered again.

The snapshot is used only when nothing it depends on has moved: every file it read and every
folder it listed (size, modification and change times, inode: one ``stat`` each, as git checks
its index; a folder's times move when an entry is added, removed or renamed), the command-line
options, apa-feed's own code, and the clock (no scheduled episode has come due, no live one has
become future). Anything else rebuilds. It is a cache: deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import zlib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import CACHE_DIR
from .files import keep
from .lock import LOCK_FILE
from .machinekey import sign, verified

if TYPE_CHECKING:
    from .project import Built, Options

SNAPSHOT = "build.pickle"
FORMAT = 2
RACY_NS = 2_000_000_000
"""A path changed less than this before the build started (or during it) may change again within
the same timestamp tick unnoticed (the "racy" case git knows; some file systems tick every 2 s):
no snapshot is kept then, and the next build keeps one."""
PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Snapshot:
    """A build and what it depends on."""

    key: str
    paths: tuple[str, ...]
    stamps: str
    valid_from: datetime | None
    valid_until: datetime | None
    built: Built


def load(options: Options, now: datetime) -> Built | None:
    """The kept build, if nothing it depends on has changed; None otherwise."""
    path = _file(options)
    try:
        data = verified(path.read_bytes())
        if data is None:
            return None  # not written by apa-feed on this machine: never unpickled
        kept = pickle.loads(zlib.decompress(data))  # noqa: S301  (signed by this machine's key, checked above)
    except (OSError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(kept, Snapshot) or kept.key != _key(options):
        return None
    if (kept.valid_from and now < kept.valid_from) or (kept.valid_until and now >= kept.valid_until):
        return None
    return kept.built if stamps(kept.paths) == kept.stamps else None


def save(options: Options, built: Built, now: datetime) -> None:
    """Keep ``built`` with the stamps of everything it read (a read-only project just skips it).

    A path changed after the build began reading (``built.read_ns``), or just before, makes the
    snapshot untrustworthy, except apa-feed's own lock file, which a publish writes afterwards.
    """
    if not built.inputs or any(not i.meta.guid for i in built.inputs):
        return  # read back from a snapshot already, or GUIDs still to be written by the next build
    skipped_dates = [i.meta.published for i in built.inputs if not i.meta.draft and i.meta.published > now]
    paths = tuple(sorted(_inputs(built)))
    lock = os.path.abspath(built.show.root / LOCK_FILE)
    if _racy([p for p in paths if p != lock], built.read_ns):
        return
    live = [i.published for i in built.build.feed.items]
    kept = replace(built, inputs=())  # only this build needs them: they are the bulk of the unpickling
    snapshot = Snapshot(_key(options), paths, stamps(paths), max(live, default=None),
                        min(skipped_dates, default=None), kept)
    try:
        signed = sign(zlib.compress(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL), 1))
    except pickle.PicklingError:
        return
    if signed is not None:
        keep(_file(options), signed)


def stamps(paths: tuple[str, ...]) -> str:
    """One hash over every path's ``stat``: size, modification and change times, inode (a missing
    path counts too)."""
    digest = hashlib.sha256()
    for name in paths:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + _stamp(name) + b"\n")
    return digest.hexdigest()


def _stamp(name: str) -> bytes:
    try:
        st = os.stat(name)
    except OSError:
        return b"missing"
    kind = "d" if stat.S_ISDIR(st.st_mode) else "f"
    return f"{kind}{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}".encode()


def _racy(paths: list[str], started_ns: int) -> bool:
    """Whether some path changed too recently for its times to tell a later change apart."""
    limit = started_ns - RACY_NS
    for name in paths:
        try:
            st = os.stat(name)
        except OSError:
            continue
        if st.st_mtime_ns > limit or st.st_ctime_ns > limit:
            return True
    return False


def _inputs(built: Built) -> set[str]:
    """Every file and folder the build read or lists."""
    root = built.show.root
    found = {root / "feed.yaml", root / "apa-feed.lock", root / "episodes", root / "theme", built.show.image}
    for ep in built.inputs:
        meta = ep.meta
        found |= {meta.folder, meta.folder / "episode.yaml"}
        found |= {p for p in (meta.audio, meta.image, meta.transcript) if p is not None}
        if isinstance(meta.chapters, Path):
            found.add(meta.chapters)
    theme = root / "theme"
    if theme.is_dir():
        found |= set(theme.iterdir())
    found |= {a.source for a in built.build.assets if a.data is None}
    return {os.path.abspath(p) for p in found}


def _key(options: Options) -> str:
    """What the build depends on besides files: the options and apa-feed's own code."""
    code = sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in PACKAGE.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts)
    parts = (FORMAT, os.getcwd(), str(options.config.absolute()), options.base_url, options.storage, code)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _file(options: Options) -> Path:
    return options.config.parent / CACHE_DIR / SNAPSHOT


