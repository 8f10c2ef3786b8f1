"""``apa-feed import`` as a careful client: private addresses, short, endless and slow bodies, bad replies.

Every connection goes to 127.0.0.1: a stub resolver gives the feed's names the addresses a test needs,
and a guard fails the test if anything else is dialled.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from apa_feed.cli import app
from apa_feed.importfeed import Client, ImportFailed, ImportSummary, import_feed
from apa_feed.importfeed import client as net

AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 40
Route = Callable[[BaseHTTPRequestHandler], None]
ROUTES: dict[str, Route] = {}
NAMES: dict[str, str] = {}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        route = ROUTES.get(self.path)
        if route is None:
            self.send_error(404)
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def stub_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Names resolve through NAMES only; a connection anywhere but 127.0.0.1 fails the test."""
    dialled: list[str] = []
    real = socket.create_connection

    def resolve(host: str, port: int) -> list[str]:
        if host == "127.0.0.1" or host in NAMES:
            return [NAMES.get(host, host)]
        raise socket.gaierror(f"no such name in the test: {host}")

    def guarded(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        dialled.append(address[0])
        assert address[0] == "127.0.0.1", f"the import dialled {address[0]}"
        return real(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(net, "resolve", resolve)
    monkeypatch.setattr(socket, "create_connection", guarded)
    NAMES.clear()
    NAMES.update({"feed.example": "127.0.0.1"})
    ROUTES.clear()
    yield
    assert all(a == "127.0.0.1" for a in dialled)


def send(body: bytes, kind: str = "audio/mpeg", length: int | None = None, pause: float = 0.0) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body) if length is None else length))
        h.send_header("Connection", "close")
        h.end_headers()
        if not pause:
            h.wfile.write(body)
            return
        for i in range(len(body)):
            h.wfile.write(body[i : i + 1])
            h.wfile.flush()
            time.sleep(pause)

    return route


def raw(data: bytes, pause: float = 0.0) -> Route:
    """A reply written as bytes, whatever HTTP says (garbage status lines, dripping headers)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        for piece in [data] if not pause else [data[i : i + 1] for i in range(len(data))]:
            h.wfile.write(piece)
            h.wfile.flush()
            time.sleep(pause)

    return route


def endless(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "audio/mpeg")
    h.send_header("Connection", "close")
    h.end_headers()
    while True:
        h.wfile.write(b"\0" * 65536)


def redirect(to: str) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


ITEM = """<item><title>{title}</title><guid>g-{n}</guid><pubDate>Mon, 0{n} Jan 2024 00:00:00 GMT</pubDate>
<enclosure url="{url}" length="{length}" type="audio/mpeg"/><itunes:duration>{duration}</itunes:duration>{extra}</item>"""


def serve_feed(port: int, *enclosures: str, duration: str = "12:00", extra: str = "") -> str:
    """Serve a feed at http://feed.example:PORT/feed.xml whose items have these enclosures; its URL."""
    url = f"http://feed.example:{port}/feed.xml"
    items = "".join(
        ITEM.format(title=f"Episode {n}", n=n, url=e, length=len(AUDIO), duration=duration, extra=extra)
        for n, e in enumerate(enclosures, start=1)
    )
    ROUTES["/feed.xml"] = send(
        f"""<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
        xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>T</title>
        <atom:link rel="self" href="{url}"/><link>https://t.example/</link><description>D</description>
        <language>en</language><itunes:category text="Technology"/>{items}</channel></rss>""".encode(),
        "application/rss+xml",
    )
    return url


def episode(root: Path, n: int = 1) -> dict[str, Any]:
    meta: dict[str, Any] = yaml.safe_load(sorted(root.glob("episodes/*/episode.yaml"))[n - 1].read_text("utf-8"))
    return meta


def warning(summary: ImportSummary, part: str) -> str:
    """The one warning that says ``part``."""
    messages = [w.message for w in summary.warnings if part in w.message]
    assert len(messages) == 1, [w.message for w in summary.warnings]
    return messages[0]


def kept_by_reference(root: Path, url: str, n: int = 1) -> None:
    """The episode is in the show, its audio where it is served (no partial file left behind)."""
    meta = episode(root, n)
    assert "audio" not in meta
    assert meta["enclosure"] == {"url": url, "length": len(AUDIO), "type": "audio/mpeg", "duration": 720.0}
    folder = sorted(root.glob("episodes/*"))[n - 1]
    assert [p.name for p in folder.iterdir()] == ["episode.yaml"]


# -- 1. private addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["10.0.0.5", "169.254.169.254", "192.168.1.1", "127.0.0.1", "::1"])
def test_a_feeds_url_on_a_private_address_of_another_host_is_refused(port: int, tmp_path: Path, address: str) -> None:
    NAMES["media.example"] = address
    ROUTES["/a.mp3"] = send(AUDIO)
    url = f"http://media.example:{port}/a.mp3"
    summary = import_feed(serve_feed(port, url), tmp_path)
    assert warning(summary, "private").startswith(
        f"cannot fetch {url}: its host media.example is a private address ({address}); only the feed's own "
        'host may be, unless you pass --allow-private (the audio of item 1, "Episode 1"); the episode is kept '
        "where it is served (enclosure: in its episode.yaml)"
    )
    kept_by_reference(tmp_path, url)


def test_the_feeds_own_host_and_allow_private_are_fetched(port: int, tmp_path: Path) -> None:
    NAMES["media.example"] = "127.0.0.1"
    ROUTES["/a.mp3"] = send(AUDIO)
    own, other = f"http://feed.example:{port}/a.mp3", f"http://media.example:{port}/a.mp3?b"
    ROUTES["/a.mp3?b"] = send(AUDIO)
    summary = import_feed(serve_feed(port, own, other), tmp_path / "one")
    assert "media.example is a private address" in warning(summary, "private")
    assert "audio" in episode(tmp_path / "one", 1) and "enclosure" in episode(tmp_path / "one", 2)
    summary = import_feed(serve_feed(port, own, other), tmp_path / "two", client=Client(allow_private=True))
    assert not [w for w in summary.warnings if "cannot fetch" in w.message]
    assert [p.read_bytes() == AUDIO for p in sorted((tmp_path / "two").glob("episodes/*/*.mp3"))] == [True, True]


def test_a_redirect_to_a_private_address_is_refused(port: int, tmp_path: Path) -> None:
    NAMES["metadata.example"] = "169.254.169.254"
    ROUTES["/a.mp3"] = redirect("http://metadata.example/latest/meta-data/")
    url = f"http://feed.example:{port}/a.mp3"
    summary = import_feed(serve_feed(port, url), tmp_path)
    assert warning(summary, "redirects").startswith(
        f"cannot fetch {url}: it redirects to http://metadata.example/latest/meta-data/, whose host "
        "metadata.example is a private address (169.254.169.254)"
    )
    kept_by_reference(tmp_path, url)
    ROUTES["/moved.xml"] = redirect("http://metadata.example/feed.xml")
    with pytest.raises(ImportFailed, match=r"redirects to http://metadata.example/feed.xml, whose host"):
        import_feed(f"http://feed.example:{port}/moved.xml", tmp_path / "moved")


# -- 2. lengths, types, caps, deadlines ----------------------------------------------------------------


BROKEN: list[tuple[str, Route, Client, str]] = [
    ("short", send(AUDIO[:1000], length=len(AUDIO)), Client(), f"the server sent 1000 of {len(AUDIO)} bytes"),
    ("endless", endless, Client(max_size=200_000), "larger than the limit of 200000 bytes"),
    (
        "too-long",
        send(AUDIO * 2),
        Client(max_size=len(AUDIO)),
        f"{2 * len(AUDIO)} bytes, over the limit of {len(AUDIO)}",
    ),
    ("drip", send(AUDIO, pause=0.02), Client(deadline=0.5), "not done after 0.5 seconds (--timeout)"),
    ("drip-headers", raw(b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 100, 0.02), Client(deadline=0.5), "not done after"),
    ("silent", raw(b"HTTP/1.1 200 OK\r\n", 5), Client(read_timeout=0.3), "timed out"),
    ("html", send(b"<html>oops</html>", "text/html"), Client(), "the server sent text/html, not audio"),
    ("garbage", raw(b"garbage\r\n\r\n"), Client(), "the server's reply is not HTTP (BadStatusLine)"),
    ("huge-status", raw(b"HTTP/1.1 9" + b"9" * 1000 + b" OK\r\n\r\n"), Client(), "the server's reply is not HTTP"),
    ("no-reply", raw(b""), Client(), "the server's reply is not HTTP (RemoteDisconnected)"),
    ("long-line", raw(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70000 + b"\r\n\r\n"), Client(), "not HTTP (LineTooLong)"),
    ("binary", raw(b"\xff\xfe\x00\x01\r\n\r\n"), Client(), "the server's reply is not HTTP"),
]


@pytest.mark.parametrize(("name", "route", "limits", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_failing_download_is_a_warning_and_the_episode_is_kept_by_reference(
    port: int, tmp_path: Path, name: str, route: Route, limits: Client, message: str
) -> None:
    ROUTES[f"/{name}.mp3"], ROUTES["/ok.mp3"] = route, send(AUDIO)
    url, ok = f"http://feed.example:{port}/{name}.mp3", f"http://feed.example:{port}/ok.mp3"
    started = time.monotonic()
    summary = import_feed(serve_feed(port, url, ok), tmp_path, client=limits)
    assert time.monotonic() - started < 5
    assert message in warning(summary, f"cannot fetch {url}: ")
    kept_by_reference(tmp_path, url)
    assert (tmp_path / "episodes" / "2024-01-02-episode-2" / "ok.mp3").read_bytes() == AUDIO
    assert summary.episodes == 2


@pytest.mark.parametrize("reply", [b"garbage\r\n\r\n", b"HTTP/1.1 abc OK\r\n\r\n", b""])
def test_a_feed_url_with_a_garbage_reply_is_one_line(port: int, tmp_path: Path, reply: bytes) -> None:
    ROUTES["/bad.xml"] = raw(reply)
    with pytest.raises(ImportFailed) as failed:
        import_feed(f"http://feed.example:{port}/bad.xml", tmp_path)
    assert str(failed.value).startswith(
        f"cannot fetch http://feed.example:{port}/bad.xml: the server's reply is not HTTP"
    )


def test_a_rerun_repairs_a_short_file_and_keeps_a_complete_one(port: int, tmp_path: Path) -> None:
    ROUTES["/a.mp3"] = send(AUDIO)
    feed = serve_feed(port, f"http://feed.example:{port}/a.mp3")
    import_feed(feed, tmp_path)
    audio = tmp_path / "episodes" / "2024-01-01-episode-1" / "a.mp3"
    audio.write_bytes(AUDIO[:500])  # an earlier import cut short
    import_feed(feed, tmp_path, force=True)
    assert audio.read_bytes() == AUDIO
    ROUTES["/a.mp3"] = send(b"x" * len(AUDIO), length=len(AUDIO))  # same length: kept, not fetched again
    import_feed(feed, tmp_path, force=True)
    assert audio.read_bytes() == AUDIO
    assert not list(tmp_path.glob("episodes/*/.*part"))


def test_without_duration_the_warning_says_what_to_fill_in(port: int, tmp_path: Path) -> None:
    url = f"http://feed.example:{port}/gone.mp3"
    summary = import_feed(serve_feed(port, url, duration=""), tmp_path)
    assert warning(summary, url).endswith(
        'HTTP 404 Not Found (the audio of item 1, "Episode 1"); the episode is kept where it is served '
        "(enclosure: in its episode.yaml); fill in itunes:duration there"
    )
    assert episode(tmp_path)["enclosure"] == {"url": url, "length": len(AUDIO), "type": "audio/mpeg"}


# -- 4. odd values -------------------------------------------------------------------------------------


def test_odd_values_are_messages_or_sensible_values(port: int, tmp_path: Path) -> None:
    ROUTES["/a.mp3"] = send(AUDIO)
    thousand = "9" * 1000
    odd = f"<itunes:season>²</itunes:season><itunes:episode>{thousand}</itunes:episode><link>http://[::1</link>"
    feed = serve_feed(port, f"http://feed.example:{port}/a.mp3", "http://[::1/b.mp3", "http://x.example:99999/c.mp3",
                      extra=odd)  # fmt: skip
    ROUTES["/feed.xml"] = send(
        b"".join([_body(ROUTES["/feed.xml"]).replace(b'length="2570"', f'length="{thousand}"'.encode())]),
        "application/rss+xml",
    )
    summary = import_feed(feed, tmp_path)
    messages = [w.message for w in summary.warnings]
    assert (
        'item 1 ("Episode 1"): itunes:season "²" is not a whole number from 1 to 1000000000000000; left out' in messages
    )
    assert f'item 1 ("Episode 1"): itunes:episode "{"9" * 20}…" is not a whole number' in " ".join(messages)
    assert 'item 2 ("Episode 2"): its enclosure "http://[::1/b.mp3" is not http(s); skipped' in messages
    assert 'item 3 ("Episode 3"): its enclosure "http://x.example:99999/c.mp3" is not http(s); skipped' in messages
    meta = episode(tmp_path)
    assert "season" not in meta and "episode" not in meta and "link" not in meta
    assert meta["audio"] == "a.mp3"


def _body(route: Route) -> bytes:
    """What a ``send`` route serves (read back through a fake handler)."""

    class Fake:
        def __init__(self) -> None:
            self.out = bytearray()
            self.wfile = self

        def write(self, data: bytes) -> None:
            self.out += data

        def send_response(self, *a: object) -> None: ...
        def send_header(self, *a: object) -> None: ...
        def end_headers(self) -> None: ...

    fake = Fake()
    route(fake)  # type: ignore[arg-type]
    return bytes(fake.out)


# -- the command ---------------------------------------------------------------------------------------


def test_the_command_takes_the_limits_and_refuses_a_bad_size(port: int, tmp_path: Path) -> None:
    runner = CliRunner()
    ROUTES["/a.mp3"] = send(AUDIO)
    feed = serve_feed(port, f"http://feed.example:{port}/a.mp3")
    small = runner.invoke(app, ["import", feed, "--into", str(tmp_path / "a"), "--max-size", "1K", "--timeout", "5"])
    assert small.exit_code == 1, small.output  # imported, its audio left on the old host: a status to notice
    assert f"{len(AUDIO)} bytes, over the limit of 1024" in small.stderr
    big = runner.invoke(app, ["import", feed, "--into", str(tmp_path / "b"), "--max-size", "2G", "--allow-private"])
    assert big.exit_code == 0 and "cannot fetch" not in big.stderr, big.output
    bad = runner.invoke(app, ["import", feed, "--into", str(tmp_path / "c"), "--max-size", "lots"])
    assert (bad.exit_code, bad.stderr) == (
        1,
        'error: --max-size "lots" is not a size (bytes, or a number with K, M, G or T)\n',
    )
