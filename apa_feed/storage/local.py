"""The embedded default store: a local folder, written atomically (temp file, then rename).

The folder may sit in a show someone else made, so nothing under it is trusted: each key is reached
folder by folder from the store's root without following a symbolic link (a linked folder is refused
for a write and holds nothing for a read or a delete), and a file is written to a temporary name in
its own folder and renamed over the key, which replaces a link there instead of writing through it.
A link is not an object: it is not listed, read or pruned (only replaced by a write).

:func:`check_folder` keeps the store out of the show's own files (see :func:`~apa_feed.storage.open_store`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from ..errors import StorageError, display_path
from .base import Progress, StoreChanged, StoredObject, Upload

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; conditional writes are check-then-rename
    fcntl = None  # type: ignore[assignment]

TEMP_PREFIX = ".apa-tmp-"
SHOW_FOLDERS = ("episodes", "theme")
"""The show's own folders, which a store may not be inside."""
ABSENT = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EISDIR)
"""What opening a key can meet where no stored file is: nothing, a file for a folder, a link, a folder."""
NOFOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def check_folder(folder: Path, show_root: Path, spec: str) -> None:
    """Refuse a store ``folder`` that is the show's folder, holds it, or lies inside its episodes/ or theme/
    (through links too): publishing there, and above all pruning, would overwrite or delete the show."""
    store, show = folder.resolve(), show_root.resolve()
    why = ""
    if store == show:
        why = "it is the show's folder"
    elif show.is_relative_to(store):
        why = "it holds the show's folder"
    else:
        for own in SHOW_FOLDERS:
            if store.is_relative_to((show_root / own).resolve()) or store.is_relative_to(show / own):
                why = f"it is inside the show's {own}/"
                break
    if why:
        raise StorageError(
            f'storage "{spec}": {why}; a local store must not be the show\'s folder, a folder holding it, or '
            "inside its episodes/ or theme/ (publish to a folder of its own, like the default public/)"
        )


def check_claimed(folder: Path, show_root: Path, spec: str) -> None:
    """Refuse a store ``folder`` that is not empty, for a ``spec`` feed.yaml gave and a folder holding no
    feed or record of apa-feed's (the caller's to tell): a cloned feed.yaml may name someone's own folder,
    outside the show or inside it (a store in the show is a folder made for it, like ``public/``). The
    user's command line (``--storage``) is trusted; a file is not."""
    store = folder.resolve()
    inside = store.is_relative_to(show_root.resolve())
    try:
        if not store.is_dir():
            return
        with os.scandir(store) as entries:
            if next(entries, None) is None:
                return
    except OSError as exc:
        raise StorageError(f'storage "{spec}": cannot read {display_path(store)}: {exc.strerror or exc}') from None
    named = Path(os.path.abspath(show_root / Path(spec).expanduser()))
    leads = "" if named == store else f" (it leads to {display_path(store)})"
    where = "is a folder of the show's" if inside else "lies outside the show"
    raise StorageError(
        f'storage "{spec}" (named by feed.yaml) {where}{leads}, holds files and no feed or record '
        "of apa-feed's: refusing to publish there; if it is meant to be this show's store, pass it on the "
        f"command line: --storage {display_path(store)}"
    )


class LocalStore:
    """A folder on this machine; keys are relative paths with ``/``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return display_path(self.root) + "/"

    def path(self, key: str) -> Path:
        """The file behind ``key`` (not resolved); refuses keys that would leave the folder."""
        return self.root.joinpath(*self._parts(key))

    def _parts(self, key: str) -> list[str]:
        parts = key.split("/")
        if any(part in ("", ".", "..") or "\0" in part for part in parts):
            raise StorageError(f"refusing to write outside {self.describe()}: {key}")
        return parts

    @contextmanager
    def _folder(self, key: str, create: bool) -> Iterator[tuple[int | None, str]]:
        """An open descriptor of the folder that holds ``key``'s file (None when there is none) and the
        file's name in it; reached from the root without following links, made as needed if ``create``."""
        *folders, name = self._parts(key)
        if create:
            self._mkdir(self.root)
        try:
            fd: int | None = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            if create or exc.errno not in ABSENT:
                raise StorageError(f"cannot open {self.describe()}: {exc.strerror or exc}") from None
            fd = None
        try:
            for depth in range(len(folders)):
                if fd is None:
                    break
                inner = self._step(fd, folders[: depth + 1], create)
                os.close(fd)
                fd = inner
            yield fd, name
        finally:
            if fd is not None:
                os.close(fd)

    def _step(self, fd: int, folders: list[str], create: bool) -> int | None:
        """Open (made first if ``create``) the last of ``folders`` inside ``fd``, without following a link;
        None when it is not a folder and nothing is to be made."""
        folder, where = folders[-1], self.root.joinpath(*folders)
        if create:
            try:
                os.mkdir(folder, dir_fd=fd)
            except FileExistsError:
                pass  # a folder already, or something else: the open below tells
            except OSError as exc:
                raise StorageError(f"cannot write {display_path(where)}: {exc.strerror or exc}") from None
        try:
            return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW, dir_fd=fd)
        except OSError as exc:
            if not create and exc.errno in ABSENT:
                return None
            if where.is_symlink():
                raise StorageError(
                    f"{display_path(where)}: a symbolic link in the store; refusing to follow it"
                ) from None
            raise StorageError(f"cannot write {display_path(where)}: {exc.strerror or exc}") from None

    def _mkdir(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot write {display_path(folder)}: {exc.strerror or exc}") from None

    def list(self) -> dict[str, StoredObject]:
        """Every regular file under the root (not hidden ones, not links, not through linked folders)."""
        found: dict[str, StoredObject] = {}
        if not self.root.is_dir():
            return found
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.startswith("."):
                    continue
                full = Path(dirpath) / name
                info = full.lstat()
                if stat.S_ISREG(info.st_mode):
                    key = full.relative_to(self.root).as_posix()
                    found[key] = StoredObject(key, info.st_size, modified=info.st_mtime)
        return found

    def read(self, key: str) -> bytes | None:
        """The bytes of a stored file; None when there is none (a link, a folder or a pipe is none)."""
        with self._folder(key, create=False) as (fd, name):
            if fd is None:
                return None
            try:
                handle = os.open(name, os.O_RDONLY | os.O_NONBLOCK | NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in ABSENT:
                    return None
                raise StorageError(f"cannot read {display_path(self.path(key))}: {exc.strerror or exc}") from None
            with os.fdopen(handle, "rb") as file:
                if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    return None
                return file.read()

    def read_tagged(self, key: str) -> tuple[bytes | None, str | None]:
        """The bytes and their SHA-256 (the tag of a version on a folder), or ``(None, None)``."""
        data = self.read(key)
        return data, None if data is None else hashlib.sha256(data).hexdigest()

    def put_if(self, key: str, data: bytes, content_type: str, cache_control: str, expected: str | None) -> str | None:
        """Check the file is still the version ``expected`` and rename the new one over it, both under an
        exclusive OS lock on the store's folder that every conditional write takes (other processes too)."""
        with self._swap_lock():
            if self.read_tagged(key)[1] != expected:
                raise StoreChanged(self.describe(), key)
            self.put_bytes(key, data, content_type, cache_control)
        return hashlib.sha256(data).hexdigest()

    @contextmanager
    def _swap_lock(self) -> Iterator[None]:
        """An exclusive OS lock on the store's folder itself (no lock file is left in it)."""
        self._mkdir(self.root)
        try:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise StorageError(f"cannot open {self.describe()}: {exc.strerror or exc}") from None
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # held for a check and a rename: a short wait at most
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def put_file(self, key: str, source: Path, content_type: str, cache_control: str) -> None:
        try:
            src = source.open("rb")
        except OSError as exc:
            raise StorageError(f"cannot read {display_path(source)}: {exc.strerror or exc}") from None
        with src:
            self._atomic(key, lambda out: shutil.copyfileobj(src, out, 1 << 20))

    def put_bytes(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        self._atomic(key, lambda out: out.write(data))

    def put_files(
        self,
        items: Sequence[Upload | tuple[str, Path | bytes, str, str]],
        workers: int = 1,
        progress: Progress | None = None,
    ) -> None:
        """Write several objects, one after the other (a local disk gains nothing from threads)."""
        uploads = [Upload(*item) for item in items]
        if progress is not None and uploads:
            sizes = [len(u.source) if isinstance(u.source, bytes) else _size_or_zero(u.source) for u in uploads]
            progress.start(len(uploads), sum(sizes))
        for key, source, content_type, cache_control, *_ in uploads:
            if isinstance(source, bytes):
                self.put_bytes(key, source, content_type, cache_control)
                size = len(source)
            else:
                self.put_file(key, source, content_type, cache_control)
                size = self.path(key).lstat().st_size
            if progress is not None:
                progress.advance(size)
                progress.finished(key, size)

    def delete(self, keys: Iterable[str]) -> None:
        """Unlink each file (a link itself, never what it points to), then remove the folders this left
        empty (never the store's own folder)."""
        for key in keys:
            with self._folder(key, create=False) as (fd, name):
                if fd is None:
                    continue
                try:
                    os.unlink(name, dir_fd=fd)
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    target = display_path(self.path(key))
                    raise StorageError(f"cannot delete {target}: {exc.strerror or exc}") from None
            folders = self._parts(key)[:-1]
            while folders:
                try:
                    self.root.joinpath(*folders).rmdir()
                except OSError:  # not empty (or already gone): stop climbing
                    break
                folders.pop()

    def _atomic(self, key: str, write: Callable[[BinaryIO], object]) -> int:
        """Write a temporary file beside ``key``'s and rename it over the key; the bytes written."""
        with self._folder(key, create=True) as (fd, name):
            assert fd is not None
            tmp = f"{TEMP_PREFIX}{os.getpid()}-{name}"
            try:
                with suppress(FileNotFoundError):
                    os.unlink(tmp, dir_fd=fd)  # a left-over, or a link planted under that name
                handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o666, dir_fd=fd)
                with os.fdopen(handle, "wb") as out:
                    write(out)
                    out.flush()
                    os.fsync(out.fileno())
                    size = out.tell()
                os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
            except OSError as exc:
                with suppress(OSError):
                    os.unlink(tmp, dir_fd=fd)
                raise StorageError(f"cannot write {display_path(self.path(key))}: {exc.strerror or exc}") from None
            return size


def _size_or_zero(source: Path) -> int:
    """A file's size for the progress total (a missing file fails later, with its own message)."""
    try:
        return source.stat().st_size
    except OSError:
        return 0
