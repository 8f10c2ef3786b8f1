"""Tests for the preview server, against a real server on 127.0.0.1."""

from __future__ import annotations

import email.utils
import http.client
import os
import socket
import struct
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from apa_feed.serve import CHUNK_SIZE, content_type_for, make_server

AUDIO_SIZE = 300 * 1024 + 123  # a few hundred KB, not a multiple of the chunk size
OUTSIDE_SECRET = b"TOP-SECRET-OUTSIDE-ROOT\n"
MTIME = 1_700_000_000  # 2023-11-14T22:13:20Z


Response = tuple[int, http.client.HTTPMessage, bytes]


@pytest.fixture
def audio() -> bytes:
    return os.urandom(AUDIO_SIZE)


@pytest.fixture
def site(tmp_path: Path, audio: bytes) -> Path:
    """A served folder inside tmp_path, with a secret file next to it (outside)."""
    (tmp_path / "secret.txt").write_bytes(OUTSIDE_SECRET)
    (tmp_path / "outside-dir").mkdir()
    (tmp_path / "outside-dir" / "index.html").write_bytes(OUTSIDE_SECRET)
    root = tmp_path / "site"
    root.mkdir()
    (root / "episode.mp3").write_bytes(audio)
    os.utime(root / "episode.mp3", (MTIME, MTIME))
    (root / "feed.xml").write_bytes(b"<rss/>")
    (root / "index.html").write_bytes(b"<h1>home</h1>")
    (root / "show").mkdir()
    (root / "show" / "index.html").write_bytes(b"<h1>show</h1>")
    (root / "show" / "cover.jpg").write_bytes(b"jpeg")
    (root / "show" / ".hidden.mp3").write_bytes(OUTSIDE_SECRET)
    (root / "empty").mkdir()
    (root / ".env").write_bytes(OUTSIDE_SECRET)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_bytes(OUTSIDE_SECRET)
    (root / "empty.mp3").write_bytes(b"")
    return root


def _start(root: Path, quiet: bool = True) -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = make_server(root, port=0, quiet=quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    return server, thread


def _stop(server: ThreadingHTTPServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def server(site: Path) -> Iterator[ThreadingHTTPServer]:
    srv, thread = _start(site)
    yield srv
    _stop(srv, thread)


def _address(server: ThreadingHTTPServer) -> tuple[str, int]:
    host, port = server.server_address[:2]
    return str(host), int(port)


def fetch(
    server: ThreadingHTTPServer,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Response:
    conn = http.client.HTTPConnection(*_address(server), timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def raw_request(server: ThreadingHTTPServer, request: bytes) -> bytes:
    """Send bytes as-is (no client-side cleanup of the path) and read to EOF."""
    with socket.create_connection(_address(server), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


# --- whole files, HEAD, headers ------------------------------------------------


def test_get_returns_exact_bytes_and_headers(server: ThreadingHTTPServer, audio: bytes) -> None:
    status, headers, body = fetch(server, "/episode.mp3")
    assert status == 200
    assert body == audio
    assert headers["Content-Length"] == str(AUDIO_SIZE)
    assert headers["Content-Type"] == "audio/mpeg"
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Cache-Control"] == "no-cache"
    assert headers["Last-Modified"] == email.utils.formatdate(MTIME, usegmt=True)
    assert "Content-Range" not in headers


def test_query_string_is_ignored(server: ThreadingHTTPServer) -> None:
    status, _, body = fetch(server, "/feed.xml?refresh=1&x=%2e%2e")
    assert (status, body) == (200, b"<rss/>")


def test_percent_encoded_names_are_decoded(site: Path, server: ThreadingHTTPServer) -> None:
    (site / "my episode é.mp3").write_bytes(b"spaced")
    status, _, body = fetch(server, "/my%20episode%20%C3%A9.mp3")
    assert (status, body) == (200, b"spaced")


def test_empty_file(server: ThreadingHTTPServer) -> None:
    status, headers, body = fetch(server, "/empty.mp3")
    assert (status, headers["Content-Length"], body) == (200, "0", b"")


def test_head_has_get_headers_and_no_body(server: ThreadingHTTPServer) -> None:
    _, get_headers, _ = fetch(server, "/episode.mp3")
    # http.client never reads a body for HEAD, so check the raw bytes on the wire.
    raw = raw_request(server, b"HEAD /episode.mp3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, sep, rest = raw.partition(b"\r\n\r\n")
    assert sep and rest == b""
    assert head.startswith(b"HTTP/1.1 200 ")
    assert f"Content-Length: {AUDIO_SIZE}".encode() in head.split(b"\r\n")
    status, headers, body = fetch(server, "/episode.mp3", method="HEAD")
    assert (status, body) == (200, b"")
    for name in ("Content-Length", "Content-Type", "Last-Modified", "Accept-Ranges"):
        assert headers[name] == get_headers[name]


def test_keep_alive_serves_several_requests_on_one_connection(server: ThreadingHTTPServer, audio: bytes) -> None:
    conn = http.client.HTTPConnection(*_address(server), timeout=10)
    try:
        conn.request("GET", "/episode.mp3", headers={"Range": "bytes=0-9"})
        assert conn.getresponse().read() == audio[:10]
        conn.request("GET", "/episode.mp3")
        assert conn.getresponse().read() == audio
        conn.request("HEAD", "/episode.mp3")
        head = conn.getresponse()
        head.read()
        conn.request("GET", "/feed.xml")
        assert conn.getresponse().read() == b"<rss/>"
        assert head.status == 200
    finally:
        conn.close()


# --- byte ranges -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-70000", 1000, 70000),
        ("bytes=200000-", 200000, AUDIO_SIZE - 1),
        ("bytes=-500", AUDIO_SIZE - 500, AUDIO_SIZE - 1),
        ("bytes=5-5", 5, 5),
        ("bytes=100-99999999", 100, AUDIO_SIZE - 1),  # end clamped to the file
        ("bytes=-99999999", 0, AUDIO_SIZE - 1),  # suffix longer than the file
        ("BYTES=10-19", 10, 19),  # range unit is case-insensitive
    ],
)
def test_ranges_give_206_with_exact_bytes(
    server: ThreadingHTTPServer, audio: bytes, range_header: str, first: int, last: int
) -> None:
    status, headers, body = fetch(server, "/episode.mp3", headers={"Range": range_header})
    assert status == 206
    assert body == audio[first : last + 1]
    assert headers["Content-Range"] == f"bytes {first}-{last}/{AUDIO_SIZE}"
    assert headers["Content-Length"] == str(last - first + 1)
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "audio/mpeg"


def test_head_with_range_gives_206_headers_only(server: ThreadingHTTPServer) -> None:
    status, headers, body = fetch(server, "/episode.mp3", method="HEAD", headers={"Range": "bytes=-500"})
    assert (status, body) == (206, b"")
    assert headers["Content-Range"] == f"bytes {AUDIO_SIZE - 500}-{AUDIO_SIZE - 1}/{AUDIO_SIZE}"
    assert headers["Content-Length"] == "500"


@pytest.mark.parametrize(
    "range_header",
    [f"bytes={AUDIO_SIZE}-", f"bytes={AUDIO_SIZE + 10}-{AUDIO_SIZE + 20}", "bytes=-0"],
)
def test_unsatisfiable_range_gives_416(server: ThreadingHTTPServer, range_header: str) -> None:
    status, headers, body = fetch(server, "/episode.mp3", headers={"Range": range_header})
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{AUDIO_SIZE}"
    assert headers["Content-Length"] == str(len(body))
    assert headers["Cache-Control"] == "no-cache"


def test_any_range_of_an_empty_file_is_unsatisfiable(server: ThreadingHTTPServer) -> None:
    status, headers, _ = fetch(server, "/empty.mp3", headers={"Range": "bytes=0-"})
    assert (status, headers["Content-Range"]) == (416, "bytes */0")


@pytest.mark.parametrize(
    "range_header",
    ["bytes=abc", "bytes=5-2", "bytes=0-1,5-6", "items=0-1", "bytes=-", "bytes 0-1", ""],
)
def test_malformed_or_multi_range_serves_whole_file(
    server: ThreadingHTTPServer, audio: bytes, range_header: str
) -> None:
    status, headers, body = fetch(server, "/episode.mp3", headers={"Range": range_header})
    assert (status, body) == (200, audio)
    assert "Content-Range" not in headers


def test_if_range_matching_date_honours_range(server: ThreadingHTTPServer, audio: bytes) -> None:
    headers = {"Range": "bytes=0-9", "If-Range": email.utils.formatdate(MTIME, usegmt=True)}
    status, _, body = fetch(server, "/episode.mp3", headers=headers)
    assert (status, body) == (206, audio[:10])


def test_if_range_stale_date_sends_whole_file(server: ThreadingHTTPServer, audio: bytes) -> None:
    stale = email.utils.formatdate(MTIME - 3600, usegmt=True)
    status, _, body = fetch(server, "/episode.mp3", headers={"Range": "bytes=0-9", "If-Range": stale})
    assert (status, body) == (200, audio)


def test_range_across_chunk_boundaries(server: ThreadingHTTPServer, audio: bytes) -> None:
    first, last = CHUNK_SIZE - 7, 3 * CHUNK_SIZE + 11
    _, _, body = fetch(server, "/episode.mp3", headers={"Range": f"bytes={first}-{last}"})
    assert body == audio[first : last + 1]


# --- content types ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.mp3", "audio/mpeg"),
        ("a.m4a", "audio/x-m4a"),
        ("feed.xml", "application/rss+xml; charset=utf-8"),
        ("cover.jpg", "image/jpeg"),
        ("cover.png", "image/png"),
        ("data.json", "application/json"),
        ("ep1.chapters.json", "application/json+chapters"),
        ("ep1.vtt", "text/vtt; charset=utf-8"),
        ("ep1.srt", "application/x-subrip"),
    ],
)
def test_content_type_over_http(site: Path, server: ThreadingHTTPServer, name: str, expected: str) -> None:
    (site / name).write_bytes(b"x")
    status, headers, _ = fetch(server, "/" + name)
    assert (status, headers["Content-Type"]) == (200, expected)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.mp3", "audio/mpeg"),
        ("A.MP3", "audio/mpeg"),
        ("a.m4a", "audio/x-m4a"),
        ("a.mp4", "video/mp4"),
        ("a.aac", "audio/aac"),
        ("a.ogg", "audio/ogg"),
        ("a.Opus", "audio/ogg"),
        ("a.flac", "audio/flac"),
        ("a.wav", "audio/wav"),
        ("feed.XML", "application/rss+xml; charset=utf-8"),
        ("feed.rss", "application/rss+xml; charset=utf-8"),
        ("c.jpeg", "image/jpeg"),
        ("c.JPG", "image/jpeg"),
        ("c.webp", "image/webp"),
        ("x.json", "application/json"),
        ("x.Chapters.JSON", "application/json+chapters"),
        ("chapters.json", "application/json"),
        ("t.vtt", "text/vtt; charset=utf-8"),
        ("t.srt", "application/x-subrip"),
        ("i.html", "text/html; charset=utf-8"),
        ("s.css", "text/css; charset=utf-8"),
        ("s.js", "text/javascript; charset=utf-8"),
        ("r.txt", "text/plain; charset=utf-8"),
        ("archive.tar.gz", "application/octet-stream"),
        ("README", "application/octet-stream"),
    ],
)
def test_content_type_for(name: str, expected: str) -> None:
    assert content_type_for(Path("some/dir") / name) == expected


# --- staying inside root ---------------------------------------------------------


def _assert_refused(status: int, body: bytes) -> None:
    assert status in (400, 404)
    assert OUTSIDE_SECRET not in body
    assert b"root:" not in body  # /etc/passwd


@pytest.mark.parametrize(
    "path",
    [
        "/../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/show/../../secret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/secret.txt%00.mp3",
        "/%ff%fe",
        "http://127.0.0.1/../secret.txt",
        "etc/passwd",
    ],
)
def test_traversal_is_refused(server: ThreadingHTTPServer, path: str) -> None:
    raw = raw_request(server, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    status = int(raw.split(b" ", 2)[1])
    _assert_refused(status, raw)


def test_garbage_paths_give_400(server: ThreadingHTTPServer) -> None:
    for path in ("/a%00b", "/%ff", "/a\\b", "etc/passwd"):
        status, _, _ = fetch(server, path)
        assert status == 400, path


def test_absolute_form_target_inside_root_is_served(server: ThreadingHTTPServer) -> None:
    status, _, body = fetch(server, "http://127.0.0.1/feed.xml")
    assert (status, body) == (200, b"<rss/>")


def test_symlink_to_file_outside_root_is_refused(site: Path, server: ThreadingHTTPServer) -> None:
    (site / "leak.mp3").symlink_to(site.parent / "secret.txt")
    _assert_refused(*_status_body(fetch(server, "/leak.mp3")))


def test_symlink_to_dir_outside_root_is_refused(site: Path, server: ThreadingHTTPServer) -> None:
    (site / "leakdir").symlink_to(site.parent / "outside-dir")
    for path in ("/leakdir/", "/leakdir/index.html", "/leakdir"):
        status, _, body = fetch(server, path)
        _assert_refused(status, body)


def test_symlink_inside_root_is_served(site: Path, server: ThreadingHTTPServer) -> None:
    (site / "latest.xml").symlink_to(site / "feed.xml")
    status, headers, body = fetch(server, "/latest.xml")
    assert (status, body) == (200, b"<rss/>")
    assert headers["Content-Type"] == "application/rss+xml; charset=utf-8"


def test_symlink_loop_is_404(site: Path, server: ThreadingHTTPServer) -> None:
    (site / "loop").symlink_to(site / "loop")
    status, _, _ = fetch(server, "/loop")
    assert status == 404


def _status_body(response: Response) -> tuple[int, bytes]:
    return response[0], response[2]


@pytest.mark.parametrize("path", ["/.env", "/.git/config", "/.git/", "/%2eenv", "/show/.hidden.mp3"])
def test_hidden_paths_give_404(server: ThreadingHTTPServer, path: str) -> None:
    status, headers, body = fetch(server, path)
    assert status == 404
    assert OUTSIDE_SECRET not in body
    assert headers["Cache-Control"] == "no-cache"


def test_symlink_to_hidden_file_inside_root_is_404(site: Path, server: ThreadingHTTPServer) -> None:
    (site / "config.txt").symlink_to(site / ".env")
    status, _, body = fetch(server, "/config.txt")
    assert status == 404
    assert OUTSIDE_SECRET not in body


def test_missing_file_gives_404(server: ThreadingHTTPServer) -> None:
    status, headers, _ = fetch(server, "/nope.mp3")
    assert status == 404
    assert headers["Cache-Control"] == "no-cache"


# --- directories -----------------------------------------------------------------


def test_root_serves_index_html(server: ThreadingHTTPServer) -> None:
    status, headers, body = fetch(server, "/")
    assert (status, body) == (200, b"<h1>home</h1>")
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_directory_with_index_html_is_served(server: ThreadingHTTPServer) -> None:
    status, headers, body = fetch(server, "/show/")
    assert (status, body) == (200, b"<h1>show</h1>")
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_directory_without_slash_redirects(server: ThreadingHTTPServer) -> None:
    status, headers, _ = fetch(server, "/show?x=1")
    assert status == 301
    assert headers["Location"] == "/show/?x=1"


def test_redirect_cannot_point_off_site(site: Path, server: ThreadingHTTPServer) -> None:
    (site / "evil.example").mkdir()
    status, headers, _ = fetch(server, "//evil.example")
    assert status == 301
    assert headers["Location"] == "/evil.example/"


def test_directory_without_index_is_404_not_a_listing(site: Path, server: ThreadingHTTPServer) -> None:
    (site / "empty" / "episode.mp3").write_bytes(b"x")
    status, _, body = fetch(server, "/empty/")
    assert status == 404
    assert b"episode.mp3" not in body


# --- methods ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"])
def test_other_methods_give_405(server: ThreadingHTTPServer, method: str) -> None:
    status, headers, _ = fetch(server, "/feed.xml", method=method, body=b"payload")
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"
    assert headers["Cache-Control"] == "no-cache"


def test_server_still_works_after_405_with_body(server: ThreadingHTTPServer) -> None:
    fetch(server, "/feed.xml", method="POST", body=b"x" * 100_000)
    status, _, body = fetch(server, "/feed.xml")
    assert (status, body) == (200, b"<rss/>")


# --- make_server, logging, disconnects -------------------------------------------


def test_make_server_binds_a_free_port_without_serving(site: Path) -> None:
    server = make_server(site)
    try:
        host, port = _address(server)
        assert host == "127.0.0.1"
        assert port > 0
    finally:
        server.server_close()


def test_make_server_rejects_a_missing_root(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        make_server(tmp_path / "nope")


def test_quiet_server_logs_nothing(server: ThreadingHTTPServer, capfd: pytest.CaptureFixture[str]) -> None:
    fetch(server, "/feed.xml")
    fetch(server, "/nope")
    assert capfd.readouterr().err == ""


def test_verbose_server_logs_one_line_per_request(site: Path, capfd: pytest.CaptureFixture[str]) -> None:
    server, thread = _start(site, quiet=False)
    try:
        fetch(server, "/feed.xml")
        fetch(server, "/nope.mp3")
    finally:
        _stop(server, thread)
    lines = capfd.readouterr().err.splitlines()
    assert len(lines) == 2
    assert "GET /feed.xml" in lines[0] and "200" in lines[0]
    assert "GET /nope.mp3" in lines[1] and "404" in lines[1]


def test_client_disconnect_mid_body_prints_no_traceback(
    site: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    big = site / "big.mp3"
    with big.open("wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: far more than any socket buffer
    server, thread = _start(site)
    done = threading.Event()
    shutdown_request = server.shutdown_request

    def record_done(request: socket.socket) -> None:
        shutdown_request(request)
        done.set()

    monkeypatch.setattr(server, "shutdown_request", record_done)
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(_address(server))
        sock.sendall(b"GET /big.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        # Close with RST so the server's pending write fails at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        assert done.wait(timeout=10), "server never finished the aborted request"
        status, _, body = fetch(server, "/feed.xml")
        assert (status, body) == (200, b"<rss/>")
    finally:
        _stop(server, thread)
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "Error" not in err


# --- the refresh hook and the port advice ----------------------------------------


def test_refresh_hook_sees_each_decoded_path_before_the_answer(site: Path) -> None:
    seen: list[str] = []

    def rewrite(path: str) -> None:
        seen.append(path)
        (site / "feed.xml").write_bytes(b"<rss>fresh</rss>")

    server = make_server(site, port=0, refresh=rewrite)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        status, _, body = fetch(server, "/feed.xml?x=1")
        fetch(server, "/my%20episode.mp3", method="HEAD")
    finally:
        _stop(server, thread)
    assert (status, body) == (200, b"<rss>fresh</rss>")
    assert seen == ["/feed.xml", "/my episode.mp3"]


def test_next_free_port_skips_taken_ones() -> None:
    from apa_feed.serve import next_free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        found = next_free_port("127.0.0.1", port - 1)
        assert found is not None and found != port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", found))  # it is free indeed
