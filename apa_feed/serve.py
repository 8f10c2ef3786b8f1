"""A small static-file HTTP server for previewing a built feed locally.

`apa-feed serve` points a podcast app on this machine at
``http://127.0.0.1:N/feed.xml``. Only GET and HEAD are answered; byte ranges
are supported so players can seek; nothing outside the root folder, and no
hidden file, is ever served. A ``refresh`` hook, called with the path of each request before it is
answered, lets the caller rebuild what is served (``serve`` follows the show's edits that way).
"""

from __future__ import annotations

import errno
import functools
import http.server
import os
import re
import socket
import urllib.parse
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ApaFeedError

CHUNK_SIZE = 64 * 1024
ALLOWED_METHODS = "GET, HEAD"

_RANGE_RE = re.compile(r"bytes=(\d{0,30})-(\d{0,30})", re.IGNORECASE)

_CONTENT_TYPES: dict[str, str] = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def content_type_for(path: Path) -> str:
    """Return the Content-Type to send for `path`, chosen by its (case-insensitive) extension."""
    name = Path(path).name.lower()
    if name.endswith(".chapters.json"):
        return "application/json+chapters"
    return _CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")


Refresh = Callable[[str], None]
"""Called with a request's decoded path before it is answered (in the request's thread)."""


def make_server(
    root: Path, host: str = "127.0.0.1", port: int = 0, quiet: bool = True, refresh: Refresh | None = None
) -> http.server.ThreadingHTTPServer:
    """Bind a preview server for the files under `root`, without starting it.

    The caller runs ``serve_forever()``. With ``port=0`` the system picks a free
    port; read it back from ``server.server_address``. ``quiet=False`` logs one
    line per request to stderr. ``refresh`` is called before each GET or HEAD.
    """
    resolved = Path(root).resolve()
    if not resolved.is_dir():
        raise NotADirectoryError(f"cannot serve {root}: not a directory")
    if not 0 <= port <= MAX_PORT:
        raise PortUnavailable(f"--port {port}: expected a port from 1 to {MAX_PORT} (or 0 for any free port)")
    handler = functools.partial(_PreviewHandler, root=resolved, quiet=quiet, refresh=refresh)
    server_class = _IPv6Server if ":" in host else http.server.ThreadingHTTPServer
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        raise PortUnavailable(_bind_failure(exc, host, port)) from None


MAX_PORT = 65535


class PortUnavailable(ApaFeedError):
    """The preview server cannot listen where it was asked to."""


def _bind_failure(exc: OSError, host: str, port: int) -> str:
    where = f"port {port} on {host}"
    if exc.errno == errno.EADDRINUSE:
        other = next_free_port(host, port)
        suggestion = f"e.g. --port {other} " if other else ""
        return f"{where} is already in use; pick another port, {suggestion}(or --port 0 for any free one)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{where} needs privileges to listen on; pick a port above 1023, e.g. --port 8000"
    return f"cannot listen on {where}: {exc.strerror or exc}"


def next_free_port(host: str, port: int, tries: int = 20) -> int | None:
    """The first port after ``port`` (then before it) that ``host`` can listen on now, or None."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    candidates = [p for p in range(port + 1, port + 1 + tries) if p <= MAX_PORT]
    candidates += [p for p in range(port - 1, port - 1 - tries, -1) if p > 1023]
    for candidate in candidates:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return None


class _IPv6Server(http.server.ThreadingHTTPServer):
    """ThreadingHTTPServer listening on an IPv6 address such as ``::1``."""

    address_family = socket.AF_INET6


class _Unsatisfiable(Exception):
    """A well-formed Range header that selects no byte of the file."""


def _parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Return the inclusive (first, last) byte of a single range, or None for the whole file.

    Malformed and multi-range headers give None (RFC 9110 lets a server ignore
    them); a range lying wholly past the end raises `_Unsatisfiable`.
    """
    match = _RANGE_RE.fullmatch(header.strip()) if header else None
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _Unsatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise _Unsatisfiable
    return start, min(end, size - 1)


def _request_path(target: str) -> str | None:
    """Return the percent-decoded path of a request target, or None if it is garbage."""
    raw = target.split("?", 1)[0].split("#", 1)[0]
    if raw.lower().startswith(("http://", "https://")):
        raw = urllib.parse.urlsplit(raw).path or "/"
    if not raw.startswith("/"):
        return None
    try:
        path = urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in path or "\\" in path:
        return None
    return path


def _is_hidden(parts: tuple[str, ...] | list[str]) -> bool:
    """True if any path segment is hidden (this also catches ``.`` and ``..``)."""
    return any(part.startswith(".") for part in parts)


class _PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Answers GET and HEAD for files under `root`; every other method gets 405."""

    protocol_version = "HTTP/1.1"
    server_version = "apa-feed-preview"

    def __init__(self, *args: Any, root: Path, quiet: bool, refresh: Refresh | None = None, **kwargs: Any) -> None:
        self.root = root
        self.quiet = quiet
        self.refresh = refresh
        super().__init__(*args, **kwargs)

    def __getattr__(self, name: str) -> Callable[[], None]:
        """Route any method other than GET and HEAD to the 405 answer."""
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def handle(self) -> None:
        """Serve the connection; a client hanging up is normal, not an error."""
        try:
            super().handle()
        except ConnectionError:  # BrokenPipe, ConnectionReset, ConnectionAborted
            self.close_connection = True

    def end_headers(self) -> None:
        """Mark every response as a preview that must not be cached blindly."""
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Log one line per request to stderr unless quiet."""
        if not self.quiet:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        """Send a file, or the requested byte range of it."""
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        """Send the headers a GET would send, without the body."""
        self._serve(send_body=False)

    def _method_not_allowed(self) -> None:
        # Any request body is left unread, so the connection must close.
        self._send_simple(HTTPStatus.METHOD_NOT_ALLOWED, ("Allow", ALLOWED_METHODS), ("Connection", "close"))

    def _send_simple(self, status: HTTPStatus, *headers: tuple[str, str]) -> None:
        """Send a short plain-text response (errors, redirects) with extra headers."""
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _serve(self, send_body: bool) -> None:
        found = self._locate()
        if found is None:
            return
        path, content_type = found
        try:
            fh = path.open("rb")
        except OSError:
            self._send_simple(HTTPStatus.NOT_FOUND)
            return
        with fh:
            self._send_file(fh, content_type, send_body)

    def _locate(self) -> tuple[Path, str] | None:
        """Map the request to (real file, content type), or send an error and return None."""
        decoded = _request_path(self.path)
        if decoded is None:
            self._send_simple(HTTPStatus.BAD_REQUEST)
            return None
        if self.refresh is not None:
            self.refresh(decoded)
        segments = [part for part in decoded.split("/") if part]
        requested = self.root.joinpath(*segments)
        real = None if _is_hidden(segments) else self._within_root(requested)
        if real is not None and real.is_dir():
            if not decoded.endswith("/"):
                self._redirect_to_slash(segments)
                return None
            requested = requested / "index.html"
            real = self._within_root(requested)
        if real is None or not real.is_file():
            self._send_simple(HTTPStatus.NOT_FOUND)
            return None
        return real, content_type_for(requested)

    def _within_root(self, candidate: Path) -> Path | None:
        """Resolve symlinks; None if the result leaves root or is hidden inside it."""
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError):  # symlink loops
            return None
        if not real.is_relative_to(self.root) or _is_hidden(real.relative_to(self.root).parts):
            return None
        return real

    def _redirect_to_slash(self, segments: list[str]) -> None:
        location = "/" + "/".join(urllib.parse.quote(part) for part in segments) + "/"
        query = self.path.partition("?")[2]
        if query:
            location += "?" + query
        self._send_simple(HTTPStatus.MOVED_PERMANENTLY, ("Location", location))

    def _send_file(self, fh: BinaryIO, content_type: str, send_body: bool) -> None:
        stat = os.fstat(fh.fileno())
        size = stat.st_size
        last_modified = self.date_time_string(stat.st_mtime)
        range_header = self.headers.get("Range")
        if self.headers.get("If-Range", last_modified) != last_modified:
            range_header = None  # the client's copy is stale: send it all
        try:
            span = _parse_range(range_header, size)
        except _Unsatisfiable:
            content_range = ("Content-Range", f"bytes */{size}")
            status = HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE
            self._send_simple(status, content_range, ("Accept-Ranges", "bytes"))
            return
        if span is None:
            start, end = 0, size - 1
            self.send_response(HTTPStatus.OK)
        else:
            start, end = span
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Last-Modified", last_modified)
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if send_body:
            self._copy(fh, start, end - start + 1)

    def _copy(self, fh: BinaryIO, offset: int, length: int) -> None:
        """Stream `length` bytes from `offset` in CHUNK_SIZE pieces."""
        fh.seek(offset)
        while length > 0:
            chunk = fh.read(min(CHUNK_SIZE, length))
            if not chunk:  # the file shrank under us; Content-Length is now a lie
                self.close_connection = True
                return
            self.wfile.write(chunk)
            length -= len(chunk)
