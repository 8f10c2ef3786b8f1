"""Where a show is published: the :class:`Store` contract and how to open one from a spec."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..config import S3Settings


@dataclass(frozen=True)
class StoredObject:
    """An object found on a store."""

    key: str
    size: int


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

    def put_file(self, key: str, source: Path, content_type: str, cache_control: str) -> None:
        """Store ``source`` under ``key``; a reader never sees a partial object."""
        ...

    def put_bytes(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        """Store ``data`` under ``key``; a reader never sees a partial object."""
        ...

    def put_files(self, items: Sequence[tuple[str, Path, str, str]], workers: int = 8) -> None:
        """Store many ``(key, source, content_type, cache_control)`` files, concurrently where it helps."""
        ...


def open_store(spec: str, root: Path, s3: S3Settings | None = None) -> Store:
    """Open the store a ``storage:`` value names: ``s3://bucket/prefix`` or a folder (relative to ``root``)."""
    if spec.startswith("s3://"):
        from ..config import S3Settings
        from .s3 import S3Store

        settings = s3 or S3Settings()
        return S3Store.from_spec(
            spec,
            endpoint_url=settings.endpoint_url,
            region=settings.region,
            profile=settings.profile,
            addressing_style=settings.addressing_style,
        )
    from .local import LocalStore

    folder = Path(spec).expanduser()
    return LocalStore(folder if folder.is_absolute() else root / folder)
