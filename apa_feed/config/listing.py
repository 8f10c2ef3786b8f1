"""What an episode folder holds, from one directory read: a big catalogue has thousands of folders, and a
read answers for every file in one (is it there, is it a file, is it a link) where a stat per name would not."""

from __future__ import annotations

import os

Entries = dict[str, os.DirEntry[str]] | None
"""A folder's entries by name; None when it could not be listed."""


def scan(folder: str) -> Entries:
    """The entries of ``folder`` (None when it cannot be listed)."""
    try:
        with os.scandir(folder) as found:
            return {e.name: e for e in found}
    except OSError:
        return None


def folders_in(entries: Entries) -> list[str]:
    """The paths of the folders among ``entries``, links to folders included, in name order."""
    try:
        return sorted(e.path for e in entries.values() if e.is_dir()) if entries is not None else []
    except OSError:
        return []


def files_in(folder: str, entries: Entries) -> frozenset[str]:
    """The names of the files among ``entries`` of ``folder``, links to files included (listed again when
    they could not be; nothing when that fails too)."""
    try:
        if entries is None:
            with os.scandir(folder) as found:
                return frozenset([e.name for e in found if e.is_file()])
        return frozenset([name for name, e in entries.items() if e.is_file()])
    except OSError:
        return frozenset()


def is_file(folder: str, name: str, entries: Entries) -> bool:
    """Whether ``name`` in ``folder`` is a file or a link to one, as ``os.path.isfile`` says (which is asked
    when the listing ``entries`` has no such name: it may be spelt otherwise on a case-insensitive disk)."""
    entry = entries.get(name) if entries is not None else None
    if entry is None:
        return os.path.isfile(os.path.join(folder, name))
    try:
        return entry.is_file()
    except OSError:
        return False
