"""The embedded default store: a local folder, written atomically (temp file, then rename)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..errors import StorageError, display_path
from .base import Progress, StoredObject, Upload

TEMP_PREFIX = ".apa-tmp-"


class LocalStore:
    """A folder on this machine; keys are relative paths with ``/``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return display_path(self.root) + "/"

    def path(self, key: str) -> Path:
        """The file behind ``key``; refuses keys that would leave the folder."""
        target = (self.root / key).resolve()
        if not target.is_relative_to(self.root.resolve()) or key.startswith("/"):
            raise StorageError(f"refusing to write outside {self.describe()}: {key}")
        return target

    def list(self) -> dict[str, StoredObject]:
        found: dict[str, StoredObject] = {}
        if not self.root.is_dir():
            return found
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.startswith("."):
                    continue
                full = Path(dirpath) / name
                key = full.relative_to(self.root).as_posix()
                found[key] = StoredObject(key, full.stat().st_size)
        return found

    def read(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def put_file(self, key: str, source: Path, content_type: str, cache_control: str) -> None:
        self._atomic(key, lambda tmp: shutil.copyfile(source, tmp))

    def put_bytes(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        self._atomic(key, lambda tmp: tmp.write_bytes(data))

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
                size = self.path(key).stat().st_size
            if progress is not None:
                progress.advance(size)
                progress.finished(key, size)

    def delete(self, keys: Iterable[str]) -> None:
        """Unlink each file, then remove the folders this left empty (never the store's own folder)."""
        root = self.root.resolve()
        for key in keys:
            target = self.path(key)
            try:
                target.unlink(missing_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot delete {display_path(target)}: {exc.strerror or exc}") from None
            folder = target.parent
            while folder != root and folder.is_relative_to(root):
                try:
                    folder.rmdir()
                except OSError:  # not empty (or already gone): stop climbing
                    break
                folder = folder.parent

    def _atomic(self, key: str, write: Callable[[Path], object]) -> None:
        target = self.path(key)
        tmp = target.with_name(f"{TEMP_PREFIX}{os.getpid()}-{target.name}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write(tmp)
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            culprit = Path(exc.filename) if exc.filename else None
            if culprit is not None and culprit not in (tmp, target, target.parent):  # the source, not the store
                raise StorageError(f"cannot read {display_path(culprit)}: {exc.strerror or exc}") from None
            raise StorageError(f"cannot write {display_path(target)}: {exc.strerror or exc}") from None


def _size_or_zero(source: Path) -> int:
    """A file's size for the progress total (a missing file fails later, with its own message)."""
    try:
        return source.stat().st_size
    except OSError:
        return 0
