"""Where a show is published: the :class:`Store` contract and how to open one from a spec."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .base import Progress, Store, StoreChanged, StoredObject, Upload

if TYPE_CHECKING:
    from ..config.s3 import S3Settings

__all__ = ["Progress", "Store", "StoreChanged", "StoredObject", "Upload", "open_store"]


def open_store(spec: str, root: Path, s3: S3Settings | None = None) -> Store:
    """Open the store a ``storage:`` value names: ``s3://bucket/prefix`` or a folder (relative to ``root``).

    A folder must be one of the store's own: not the show's folder ``root``, not a folder holding it,
    not inside its ``episodes/`` or ``theme/`` (links followed); otherwise a :class:`StorageError`,
    before anything is read, written or deleted.
    """
    if spec.startswith("s3://"):
        from ..config.s3 import S3Settings
        from .s3 import S3Store

        settings = s3 or S3Settings()
        return S3Store.from_spec(
            spec,
            endpoint_url=settings.endpoint_url,
            region=settings.region,
            profile=settings.profile,
            addressing_style=settings.addressing_style,
            acl=settings.acl,
            storage_class=settings.storage_class,
        )
    from .local import LocalStore, check_folder

    folder = Path(spec).expanduser()
    folder = folder if folder.is_absolute() else root / folder
    check_folder(folder, root, spec)
    return LocalStore(folder)
