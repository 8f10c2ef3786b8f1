"""The last build, kept in ``.apa-feed/build.pickle`` with the stamps of every file it read, so an
unchanged show (the usual re-publish of a big catalogue) is not read, checked and rendered again.

The snapshot is used only when nothing it depends on has moved: every file it read and every
folder it listed (size, modification and change times, inode: one ``stat`` each, as git checks
its index; a folder's times move when an entry is added, removed or renamed), the command-line
options, apa-feed's own code, and the clock (no scheduled episode has come due, no live one has
become future). When only the files of a few episodes moved, :func:`load` gives the kept build
as :class:`Stale`, with each episode's share of it, and :mod:`apa_feed.patch` redoes only those
episodes. Anything else rebuilds. It is a cache: deleting it is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .episodeparts import EPISODES, Parts, absolute, by_prefix, feed_assets, owned_paths, parts_of
from .episodes import EPISODE_FILE, episode_dirs
from .files import CACHE_DIR, overwrite
from .lock import LOCK_FILE
from .machinekey import tag_of, verified_view
from .model import Build, episode_prefix

if TYPE_CHECKING:
    from .project import Built, Options

SNAPSHOT = "build.pickle"
FORMAT = 5
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


class Header(NamedTuple):
    """What a kept build depends on, read (and compared) before the build itself is unpickled."""

    key: str
    paths: tuple[str, ...]
    """Every path no single episode owns: feed.yaml, the lock, the episodes folder and any folder in
    it without an episode, the theme, the show's artwork; and every episode's path when the build
    has no :class:`Parts`."""
    stamps: tuple[str, ...]
    """Each path's :func:`stat_stamp`, in the same order."""
    valid_from: datetime | None
    valid_until: datetime | None
    episodes: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    """(folder, its paths, their stamps) of each episode, when the build kept its :class:`Parts`."""
    listing: str = ""
    """The episodes folder."""
    config: str = ""
    """The show's config file (feed.yaml)."""


@dataclass(frozen=True)
class Stale:
    """A kept build whose show, options and clock still hold, but some of whose episodes changed,
    came or went."""

    built: Built
    head: Header
    parts: Parts
    changed: tuple[str, ...]
    """The folders of the changed episodes and of the new ones, to read."""
    removed: tuple[str, ...] = ()
    """The folders of the episodes gone."""
    folders: tuple[str, ...] = ()
    """The folders of every episode now, in build order."""
    show_changed: bool = False
    """Whether the config file changed too (:mod:`apa_feed.patch` decides whether only the channel did)."""


def load(options: Options, now: datetime) -> Built | Stale | None:
    """The kept build if nothing it depends on has changed; a :class:`Stale` one if only some
    episodes changed, came or went (a quarter of them at most); None otherwise."""
    try:
        data = verified_view(_file(options).read_bytes())
        if data is None:
            return None  # not written by apa-feed on this machine: never unpickled
        if data[: len(MAGIC)] != MAGIC:
            return None  # another format of the snapshot
        at = len(MAGIC)
        head, at = _section(data, at)
        if not isinstance(head, Header) or not _settled(head, options, now):
            return None
        moved = _moved(head)
        if moved is None or (moved and not head.episodes):
            return None
        stale = _stale(head, moved)
        if stale is not None and (len(stale[0]) + len(stale[1])) * 4 > len(head.episodes):
            return None
        size = int.from_bytes(data[at : at + 8], "big")
        parts = pickle.loads(data[at + 8 : at + 8 + size]) if stale else None  # noqa: S301  (signed, as above)
        built = pickle.loads(data[at + 8 + size :])  # noqa: S301  (signed by this machine's key, checked above)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if type(built).__name__ != "Built":
        return None
    if stale is None:
        return built  # type: ignore[no-any-return]
    return Stale(built, head, parts, *stale, head.config in moved) if isinstance(parts, Parts) else None


def _section(data: memoryview, at: int) -> tuple[object, int]:
    size = int.from_bytes(data[at : at + 8], "big")
    return pickle.loads(data[at + 8 : at + 8 + size]), at + 8 + size  # noqa: S301  (signed: see load)


def _settled(head: Header, options: Options, now: datetime) -> bool:
    """The same options and code, and the clock within the kept build's time."""
    if head.key != _key(options):
        return False
    return not ((head.valid_from and now < head.valid_from) or (head.valid_until and now >= head.valid_until))


def _moved(head: Header) -> list[str] | None:
    """The paths no episode owns that moved: only the config file, the episodes folder and folders
    in it (an episode came or went); None when anything else did."""
    moved = [path for path, stamp in zip(head.paths, head.stamps, strict=True) if stamp_of(path) != stamp]
    listing = head.listing
    if len(head.paths) != len(head.stamps) or any(
            p not in (listing, head.config) and os.path.dirname(p) != listing for p in moved):
        return None
    return moved


def _stale(head: Header, moved: list[str]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None:
    """The folders to read again (changed or new) and the folders gone, and every episode's folder
    now; None when nothing changed."""
    known = [folder for folder, _, _ in head.episodes]
    changed = [folder for folder, paths, stamps in head.episodes if not _same(paths, stamps)]
    if not moved:
        return (tuple(changed), (), tuple(known)) if changed else None
    if moved == [head.config]:  # the episodes folder as it was: no episode came or went
        return tuple(changed), (), tuple(known)
    kept, edited = set(known), set(changed)
    present = [name for name in episode_dirs(Path(head.listing).parent)
               if name in kept or os.path.isfile(os.path.join(name, EPISODE_FILE))]
    here = set(present)
    removed = tuple(folder for folder in known if folder not in here)
    fresh = [folder for folder in present if folder not in kept or folder in edited]
    return tuple(fresh), removed, tuple(present)


def _same(paths: tuple[str, ...], stamps: tuple[str, ...]) -> bool:
    return len(paths) == len(stamps) and all(stamp_of(path) == stamp for path, stamp in zip(paths, stamps, strict=True))


def save(options: Options, built: Built, now: datetime, keys: dict[str, bytes] | None = None) -> None:
    """Keep ``built`` with the stamps of everything it read (a read-only project just skips it).

    ``keys`` gives each live item's render key by GUID (worked out again when not given). A path
    changed after the build began reading (``built.read_ns``), or just before, makes the snapshot
    untrustworthy, except apa-feed's own lock file, which a publish writes afterwards.
    """
    if not built.inputs or any(not i.meta.guid for i in built.inputs):
        return  # read back from a snapshot already, or GUIDs still to be written by the next build
    grouped = by_prefix(feed_assets(built.build))
    owned = {os.fspath(i.meta.folder): owned_paths(i, grouped.get(episode_prefix(i.meta), ())) for i in built.inputs}
    if keys is None:
        from .render import item_key

        keys = {item.guid: item_key(item) for item in built.build.feed.items}
    found = parts_of(built.show, built.build, built.inputs, owned, built.warnings, keys)
    parts = Parts(found[0], _show_assets(built.build), tuple(found[1])) if found else None
    paths, stamps, racy = global_survey(built, options.config, set(owned) if parts else set(),
                                        () if parts else [p for paths in owned.values() for p in paths])
    episodes = []
    for folder, own in owned.items() if parts else ():
        own_stamps, own_racy = survey(own, built.read_ns)
        racy = racy or own_racy
        episodes.append((folder, own, own_stamps))
    if not racy:
        due = [i.meta.published for i in built.inputs if not i.meta.draft and i.meta.published > now]
        write(options, built, header(options, built, paths, stamps, due, tuple(episodes)), parts)


def header(options: Options, built: Built, paths: tuple[str, ...], stamps: tuple[str, ...], due: list[datetime],
           episodes: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> Header:
    """The header of ``built``: valid from its newest item's date until the first of ``due``."""
    live = [i.published for i in built.build.feed.items]
    listing = absolute(os.path.join(built.show.root, "episodes"))
    return Header(_key(options), paths, stamps, max(live, default=None), min(due, default=None), episodes, listing,
                  absolute(os.fspath(options.config)))


def _show_assets(build: Build) -> tuple[str, ...]:
    return tuple(a.key for a in feed_assets(build) if not a.key.startswith(EPISODES))


def write(options: Options, built: Built, head: Header, parts: Parts | None) -> None:
    """Write the snapshot: its header, its parts and the build, signed."""
    kept = replace(built, inputs=())  # only this build needs them: they are the bulk of the unpickling
    try:
        sections = [pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL) for x in (head, parts)]
        body = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
    except pickle.PicklingError:
        return
    framed = [MAGIC, *(len(x).to_bytes(8, "big") + x for x in sections), body]
    tag = tag_of(framed)
    if tag is not None:
        overwrite(_file(options), [tag, *framed])


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


def global_survey(built: Built, config: Path, owned: set[str],
                  more: Iterable[str] = ()) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """The paths no ``owned`` episode folder holds (and ``more``), sorted, their stamps, and whether
    one changed since the build began (the lock file aside)."""
    paths = tuple(sorted(global_paths(built, config, owned) | set(more)))
    return (paths, *survey(paths, built.read_ns, absolute(os.path.join(built.show.root, LOCK_FILE))))


def global_paths(built: Built, config: Path, owned: set[str]) -> set[str]:
    """Every file and folder the build read or lists but the ``owned`` episode folders and their
    files (absolute paths, as text): the show's ``config`` file (feed.yaml, or the one ``-f``
    names), the lock, the theme; a new file in a folder that holds no episode yet is seen too."""
    root = built.show.root
    found: list[str | Path] = [config, root / LOCK_FILE, root / "episodes", root / "theme"]
    found.append(built.show.image)
    found += [name for name in episode_dirs(root) if name not in owned]
    theme = root / "theme"
    if theme.is_dir():
        found += theme.iterdir()
    found += [a.source for a in feed_assets(built.build) if a.data is None and not a.key.startswith(EPISODES)]
    return {absolute(os.fspath(p)) for p in found}  # as text before hashing: a Path hashes slowly


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


