"""What every store is and deals in: listed objects, uploads, progress, and the Store protocol."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

from ..errors import StorageError


@dataclass(frozen=True)
class StoredObject:
    """An object found on a store."""

    key: str
    size: int
    etag: str | None = field(default=None, compare=False)
    """The store's entity tag (S3), unquoted; for a single-part upload it is the MD5 of the bytes."""
    modified: float | None = field(default=None, compare=False)
    """When it was last written (POSIX seconds: S3's LastModified, a file's mtime)."""


class StoreChanged(StorageError):
    """A conditional write found the object no longer the version it expected (another writer came first)."""

    def __init__(self, store: str, key: str) -> None:
        self.key = key
        super().__init__(f"{store}{key} changed on the store since it was read; it was not overwritten")


class Upload(NamedTuple):
    """One object to store: a file, or bytes apa-feed generated (chapters, pages).

    ``sha256`` (hex) is kept as object metadata where the store has any (S3: ``x-amz-meta-sha256``);
    empty: computed from ``source`` when it is bytes, omitted for a file.
    """

    key: str
    source: Path | bytes
    content_type: str
    cache_control: str
    sha256: str = ""
    immutable: bool = False
    """Under a content-addressed key (its bytes never change): an S3 store gives it ``storage_class``."""

    @property
    def size(self) -> int:
        """Bytes to send (a file's size is read from the disk)."""
        return len(self.source) if isinstance(self.source, bytes) else self.source.stat().st_size


class Progress(Protocol):
    """Told about uploads as they go; called from worker threads, so it must be thread-safe."""

    def start(self, files: int, total_bytes: int) -> None:
        """A batch of ``files`` uploads, ``total_bytes`` in all, begins."""
        ...

    def advance(self, nbytes: int) -> None:
        """``nbytes`` more were sent (negative when a retry starts a part again)."""
        ...

    def finished(self, key: str, size: int) -> None:
        """``key`` is stored whole."""
        ...


class Store(Protocol):
    """What publishing needs from a storage backend."""

    def describe(self) -> str:
        """A human name for the store, e.g. ``public/`` or ``s3://bucket/prefix/``."""
        ...

    def list(self) -> dict[str, StoredObject]:
        """Every object under the store's root, by key."""
        ...

    def read(self, key: str) -> bytes | None:
        """The bytes of a small object (the feed), or None when it is not there."""
        ...

    def read_tagged(self, key: str) -> tuple[bytes | None, str | None]:
        """A small object's bytes and the tag of that version (S3: its ETag), or ``(None, None)``."""
        ...

    def put_if(self, key: str, data: bytes, content_type: str, cache_control: str, expected: str | None) -> str | None:
        """Store ``data`` under ``key`` only if the object there is still the version tagged ``expected`` (None:
        only if there is none), in one step no other writer can come between; else :class:`StoreChanged`.
        The new version's tag (None if the store did not say)."""
        ...

    def put_file(self, key: str, source: Path, content_type: str, cache_control: str) -> None:
        """Store ``source`` under ``key``; a reader never sees a partial object."""
        ...

    def put_bytes(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        """Store ``data`` under ``key``; a reader never sees a partial object."""
        ...

    def put_files(
        self,
        items: Sequence[Upload | tuple[str, Path | bytes, str, str]],
        workers: int = 8,
        progress: Progress | None = None,
    ) -> None:
        """Store many objects (``Upload`` or ``(key, source, content_type, cache_control)``), concurrently where
        it helps; every one is tried, then the first failure (in ``items`` order) is raised."""
        ...

    def delete(self, keys: Iterable[str]) -> None:
        """Remove ``keys`` (missing ones are fine); for ``--prune``, after the new feed is written."""
        ...
