"""The embedded default store: a local folder, written atomically (temp file, then rename)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import StorageError, display_path
from . import StoredObject

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

    def put_files(self, items: Sequence[tuple[str, Path, str, str]], workers: int = 1) -> None:
        """Copy several files, one after the other (a local disk gains nothing from threads)."""
        for key, source, content_type, cache_control in items:
            self.put_file(key, source, content_type, cache_control)

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
            raise StorageError(f"cannot write {display_path(target)}: {exc.strerror or exc}") from None
