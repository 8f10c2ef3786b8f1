"""A random key kept outside every project, to sign what apa-feed caches inside a project.

A show is often a git repository shared between people and machines. What apa-feed keeps in
``.apa-feed/`` (a pickled build, rendered pages and notes) must not be trusted when it came with a
clone: signed with this machine's key, anything else is simply ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

TAG = 32


def machine_key() -> bytes | None:
    """The key in ``$XDG_CACHE_HOME/apa-feed/snapshot.key`` (made once, mode 0600); None when no home is writable."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "apa-feed"
    path = home / "snapshot.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32))
    except FileExistsError:  # another run made it first
        pass
    except OSError:
        return None
    return path.read_bytes()


def sign(data: bytes) -> bytes | None:
    """``data`` with this machine's signature in front; None when there is no key."""
    key = machine_key()
    return None if key is None else hmac.new(key, data, hashlib.sha256).digest() + data


def tag_of(parts: list[bytes]) -> bytes | None:
    """The signature :func:`sign` would put in front of the parts joined (without joining them); None without a key."""
    key = machine_key()
    if key is None:
        return None
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return mac.digest()


def verified_view(blob: bytes) -> memoryview | None:
    """:func:`verified` without copying the data out of ``blob`` (a big snapshot)."""
    key = machine_key()
    view = memoryview(blob)
    if key is None or not hmac.compare_digest(blob[:TAG], hmac.new(key, view[TAG:], hashlib.sha256).digest()):
        return None
    return view[TAG:]


def verified(blob: bytes) -> bytes | None:
    """The data of a blob :func:`sign` made on this machine; None for anything else."""
    key = machine_key()
    tag, data = blob[:TAG], blob[TAG:]
    if key is None or not hmac.compare_digest(tag, hmac.new(key, data, hashlib.sha256).digest()):
        return None
    return data


def keyed(text: bytes) -> bytes | None:
    """A digest of ``text`` no one without this machine's key can predict (names of cached files)."""
    key = machine_key()
    return None if key is None else hmac.new(key, text, hashlib.sha256).digest()
