"""HTTP as a careful client: every address vetted (redirects too), one deadline, a size cap, lengths checked.

A feed is untrusted, and so are the URLs inside it: a URL whose host resolves to a loopback, link-local
or private address is fetched only when it is the host of the feed URL the producer named, or when the
producer allows it (``--allow-private``). The connection goes to the address that was vetted, so a name
cannot resolve to something else between the check and the connect.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from .. import __version__
from ..errors import ApaFeedError

READ_TIMEOUT = 30.0
"""Seconds one read (or the connect) may wait for the server."""
DEADLINE = 600.0
"""Seconds one whole download may take, redirects included (``--timeout``)."""
MAX_SIZE = 2 * 1024**3
"""Bytes one download may hold (``--max-size``)."""
MAX_REDIRECTS = 10
CHUNK = 1 << 20
USER_AGENT = f"apa-feed/{__version__} (import)"
REDIRECTS = (301, 302, 303, 307, 308)
HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}


class ImportFailed(ApaFeedError):
    """The feed could not be imported; the message says why, in one line."""


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, as the system's resolver gives them."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


resolve: Callable[[str, int], list[str]] = system_resolve
"""Name resolution, replaceable (tests give names the addresses they need without asking any DNS)."""


@dataclass(frozen=True)
class Client:
    """How the import fetches: whose private addresses it trusts, how long and how much it accepts."""

    feed_host: str | None = None
    """The host of the feed URL the producer named (None for a file): its URLs may be private."""
    allow_private: bool = False
    max_size: int = MAX_SIZE
    deadline: float = DEADLINE
    read_timeout: float = READ_TIMEOUT


def parse_size(value: str) -> int:
    """``--max-size``: bytes, or a number with K, M, G or T (powers of 1024)."""
    text = value.strip().upper().removesuffix("B").removesuffix("I")
    scale = 1024 ** (" KMGT".index(text[-1])) if text and text[-1] in "KMGT" else 1
    number = text[:-1] if scale > 1 else text
    try:
        size = int(float(number) * scale) if len(number) < 20 else 0
    except ValueError:
        size = 0
    if size < 1:
        raise ImportFailed(f'--max-size "{value}" is not a size (bytes, or a number with K, M, G or T)')
    return size


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http or https URL (a malformed one is not)."""
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:
        return False


def host_of(url: str) -> str | None:
    """The lower-case host of an http(s) URL, None if it is not one."""
    return (urlsplit(url).hostname or "").lower() or None if is_http_url(url) else None


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _Deadline:
    def __init__(self, url: str, seconds: float) -> None:
        self.url, self.seconds, self.end = url, seconds, time.monotonic() + seconds

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise ImportFailed(f"cannot fetch {self.url}: not done after {self.seconds:g} seconds (--timeout)")
        return left


class _Pinned(http.client.HTTPConnection):
    """A connection to the address that was vetted, whatever the name resolves to by now."""

    def __init__(self, host: str, port: int, address: str, timeout: float, tls: bool) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address, self.tls = address, tls
        self.default_port = 443 if tls else 80  # the Host header names no port when it is the scheme's

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        if self.tls:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self.sock = sock


def _vet(url: str, named: str, client: Client) -> tuple[str, int, str]:
    """The host, port and address to connect to for ``url``, refused when its address is private."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        raise ImportFailed(f"cannot fetch {named}: unknown host {host}") from None
    if not addresses:
        raise ImportFailed(f"cannot fetch {named}: unknown host {host}")
    trusted = client.allow_private or host == client.feed_host
    private = [a for a in addresses if not _public(a)]
    if private and not trusted:
        via = f"it redirects to {url}, whose host" if url != named else "its host"
        raise ImportFailed(
            f"cannot fetch {named}: {via} {host} is a private address ({private[0]}); only the feed's own "
            "host may be, unless you pass --allow-private"
        )
    return host, port, addresses[0]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, http.client.HTTPException):
        return f"the server's reply is not HTTP ({type(exc).__name__})"
    return str(getattr(exc, "strerror", None) or exc)


class Response:
    """An open 200 response: its headers, and its body read within the deadline and the size cap."""

    def __init__(self, url: str, conn: _Pinned, raw: http.client.HTTPResponse, client: Client, clock: _Deadline):
        self.url, self.conn, self.raw, self.client, self.clock = url, conn, raw, client, clock
        self.length: int | None = raw.length
        self.type = (raw.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if self.length is not None and self.length > client.max_size:
            raise ImportFailed(f"cannot fetch {url}: {self.length} bytes, over the limit of {client.max_size}")

    def blocks(self, limit: int | None = None) -> Iterator[bytes]:
        """The body, a block at a time; an error when it is short, too large or too slow."""
        cap = min(limit or self.client.max_size, self.client.max_size)
        total = 0
        while True:
            if self.conn.sock is not None:
                self.conn.sock.settimeout(min(self.client.read_timeout, self.clock.left()))
            try:
                block = self.raw.read1(CHUNK)
            except (OSError, http.client.HTTPException) as exc:
                self.clock.left()
                raise ImportFailed(f"cannot fetch {self.url}: {_reason(exc)}") from None
            self.clock.left()
            if not block:
                break
            total += len(block)
            if total > cap:
                raise ImportFailed(f"cannot fetch {self.url}: larger than the limit of {cap} bytes")
            yield block
        if self.length is not None and total < self.length:
            raise ImportFailed(f"cannot fetch {self.url}: the server sent {total} of {self.length} bytes")


@contextmanager
def get(url: str, client: Client) -> Iterator[Response]:
    """GET ``url`` (following redirects, each vetted) and yield its 200 response, all within one deadline."""
    if not is_http_url(url):
        raise ImportFailed(f'cannot fetch "{url}": not an http(s) URL')
    clock = _Deadline(url, client.deadline)
    conn: list[_Pinned] = []
    watchdog = threading.Timer(client.deadline, lambda: _cut(conn))
    watchdog.daemon = True
    watchdog.start()
    try:
        yield _follow(url, client, clock, conn)
    finally:
        watchdog.cancel()
        for c in conn:
            c.close()


def _cut(conns: list[_Pinned]) -> None:
    """At the deadline, end a read that is still waiting (a server dripping headers or body)."""
    for c in conns:
        if c.sock is not None:
            with suppress(OSError):
                c.sock.shutdown(socket.SHUT_RDWR)


def _follow(url: str, client: Client, clock: _Deadline, conns: list[_Pinned]) -> Response:
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        host, port, address = _vet(current, url, client)
        parts = urlsplit(current)
        conn = _Pinned(host, port, address, min(client.read_timeout, clock.left()), parts.scheme == "https")
        conns.append(conn)
        try:
            conn.request("GET", _target(parts.path, parts.query), headers=HEADERS)
            raw = conn.getresponse()
        except (OSError, http.client.HTTPException, UnicodeError, ValueError) as exc:
            clock.left()
            raise ImportFailed(f"cannot fetch {url}: {_reason(exc)}") from None
        if raw.status in REDIRECTS and raw.getheader("Location"):
            target = urljoin(current, (raw.getheader("Location") or "").strip())
            if not is_http_url(target):
                raise ImportFailed(f"cannot fetch {url}: it redirects to {target}, which is not http(s)")
            conn.close()
            current = target
            continue
        if raw.status != 200:
            raise ImportFailed(f"cannot fetch {url}: HTTP {raw.status} {raw.reason}".rstrip())
        return Response(url, conn, raw, client, clock)
    raise ImportFailed(f"cannot fetch {url}: more than {MAX_REDIRECTS} redirects")


def _target(path: str, query: str) -> str:
    """The request's path and query, with what a feed left unescaped (spaces…) escaped."""
    safe = "/%:@!$&'()*+,;=-._~"
    return quote(path or "/", safe=safe) + ("?" + quote(query, safe=safe + "?") if query else "")


def send(method: str, url: str, client: Client, body: bytes = b"", headers: Mapping[str, str] | None = None) -> int:
    """One request to ``url`` (its address vetted; no redirect followed); the status it answers.
    :class:`ImportFailed` when it cannot be made (unknown host, refused address, no answer in time)."""
    if not is_http_url(url):
        raise ImportFailed(f'cannot reach "{url}": not an http(s) URL')
    clock = _Deadline(url, client.deadline)
    host, port, address = _vet(url, url, client)
    parts = urlsplit(url)
    conn = _Pinned(host, port, address, min(client.read_timeout, clock.left()), parts.scheme == "https")
    try:
        conn.request(
            method, _target(parts.path, parts.query), body=body or None, headers={**HEADERS, **(headers or {})}
        )
        answer = conn.getresponse()
        answer.read(CHUNK)
        return answer.status
    except (OSError, http.client.HTTPException, UnicodeError, ValueError) as exc:
        raise ImportFailed(f"cannot reach {url}: {_reason(exc)}") from None
    finally:
        conn.close()
