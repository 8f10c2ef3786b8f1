"""Reading a feed and downloading its media through :mod:`.client`: written to a temp name, renamed when whole."""

from __future__ import annotations

import os
from pathlib import Path

from .client import Client, ImportFailed, Response, get, is_http_url

__all__ = ["Client", "ImportFailed", "download", "is_http_url", "read_source"]

FEED_LIMIT = 64 * 1024 * 1024
"""A feed larger than this is refused (no real feed comes close)."""
ALWAYS = ("", "application/octet-stream", "binary/octet-stream", "application/x-download", "application/force-download")
"""Content types any download may have: none said, or "some bytes"."""
KINDS = {
    "audio": ("audio/", "video/", "application/ogg", "application/mp4"),
    "image": ("image/",),
    "file": ("",),  # transcripts and chapters: many types in the wild
}


def read_source(source: str, client: Client | None = None) -> bytes:
    """The bytes of a feed given as an http(s) URL or a file path."""
    if is_http_url(source):
        with get(source, client or Client()) as response:
            try:
                return b"".join(response.blocks(FEED_LIMIT))
            except ImportFailed as exc:
                if "larger than" in str(exc):
                    raise ImportFailed(
                        f"{source}: larger than {FEED_LIMIT // 1024**2} MB; not a podcast feed"
                    ) from None
                raise
    if "://" in source:
        raise ImportFailed(f'expected an http(s) URL or a file, got "{source}"')
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(f"{source}: file not found") from None
    except IsADirectoryError:
        raise ImportFailed(f"{source}: is a folder, expected a feed file or URL") from None
    except OSError as exc:
        raise ImportFailed(f"{source}: cannot read it ({exc.strerror})") from None


def _check_type(response: Response, kind: str) -> None:
    accepted = KINDS[kind]
    if response.type in ALWAYS or any(response.type.startswith(a) for a in accepted):
        return
    raise ImportFailed(f"cannot fetch {response.url}: the server sent {response.type}, not {kind}")


def download(url: str, dest: Path, client: Client | None = None, kind: str = "file") -> Path:
    """Stream ``url`` to ``dest`` through a temporary file renamed when complete (never a half file at ``dest``).

    A file already at ``dest`` is kept when it has the length the server announces (a resumed import), and
    replaced otherwise (a short file is repaired, not kept). ``kind`` (audio, image, file) is the content
    type expected.
    """
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        with get(url, client or Client()) as response:
            if response.length is not None and dest.is_file() and dest.stat().st_size == response.length:
                return dest
            _check_type(response, kind)
            with tmp.open("wb") as out:
                for block in response.blocks():
                    out.write(block)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
