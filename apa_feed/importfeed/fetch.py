"""Reading a feed and downloading its media: http(s) only, with a timeout, written to a temp name then renamed."""

from __future__ import annotations

import os
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from .. import __version__
from ..errors import ApaFeedError

TIMEOUT = 30.0
"""Seconds to wait for a server before giving up (per connection and per read)."""
FEED_LIMIT = 64 * 1024 * 1024
"""A feed larger than this is refused (no real feed comes close)."""
CHUNK = 1 << 20
USER_AGENT = f"apa-feed/{__version__} (import)"


class ImportFailed(ApaFeedError):
    """The feed could not be imported; the message says why, in one line."""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but only to http(s) URLs (a feed must not send us to ftp: or file:)."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not is_http_url(newurl):
            raise ImportFailed(f"cannot fetch {req.full_url}: it redirects to {newurl}, which is not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http or https URL."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _open(url: str) -> IO[bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        response: IO[bytes] = _OPENER.open(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        raise ImportFailed(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise ImportFailed(f"cannot fetch {url}: {_reason(exc.reason)}") from None
    except (TimeoutError, OSError, ValueError) as exc:
        raise ImportFailed(f"cannot fetch {url}: {_reason(exc)}") from None
    return response


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    return str(getattr(reason, "strerror", None) or reason)


def read_source(source: str) -> bytes:
    """The bytes of a feed given as an http(s) URL or a file path."""
    if is_http_url(source):
        with _open(source) as response:
            data = _read(response, source, FEED_LIMIT + 1)
        if len(data) > FEED_LIMIT:
            raise ImportFailed(f"{source}: larger than {FEED_LIMIT // (1024 * 1024)} MB; not a podcast feed")
        return data
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


def _read(response: IO[bytes], url: str, limit: int) -> bytes:
    try:
        return response.read(limit)
    except (TimeoutError, OSError) as exc:
        raise ImportFailed(f"cannot fetch {url}: {_reason(exc)}") from None


def download(url: str, dest: Path) -> Path:
    """Stream ``url`` to ``dest`` through a temporary file renamed at the end (never a half file at ``dest``)."""
    if not is_http_url(url):
        raise ImportFailed(f'cannot fetch "{url}": not an http(s) URL')
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        with _open(url) as response, tmp.open("wb") as out:
            while block := _read(response, url, CHUNK):
                out.write(block)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
