"""``apa-feed serve`` through the CLI: it follows the show's edits, previews drafts and future episodes on
request, and a taken port is a message. The server runs in a thread on 127.0.0.1 and is fetched over HTTP."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import audiogen
import pytest
from conftest import SAMPLE_EPISODE, add_episode, episode_yaml
from typer.testing import CliRunner, Result

import apa_feed.serve
from apa_feed.cli import app

runner = CliRunner()
TITLE = "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako"


@dataclass
class Running:
    server: ThreadingHTTPServer
    thread: threading.Thread
    result: list[Result]

    def get(self, path: str) -> tuple[int, bytes]:
        host, port = self.server.server_address[:2]
        conn = http.client.HTTPConnection(str(host), int(port), timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> Result:
        self.server.shutdown()
        self.thread.join(timeout=30)
        return self.result[0]


def serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> Running:
    """``apa-feed serve --port 0 ARGS`` in a thread, once its first build is served."""
    made: list[ThreadingHTTPServer] = []
    make_server = apa_feed.serve.make_server

    def recording(*a: Any, **kw: Any) -> ThreadingHTTPServer:
        server = make_server(*a, **kw)
        made.append(server)
        return server

    monkeypatch.setattr(apa_feed.serve, "make_server", recording)
    result: list[Result] = []
    thread = threading.Thread(target=lambda: result.append(runner.invoke(app, ["serve", "--port", "0", *args])))
    thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if made and Running(made[0], thread, result).get("/feed.xml")[0] == 200:
            return Running(made[0], thread, result)
        if result:
            raise AssertionError(result[0].output)
        time.sleep(0.05)
    raise AssertionError("serve never served its feed")


@contextmanager
def serving(monkeypatch: pytest.MonkeyPatch, *args: str) -> Iterator[Running]:
    """The server of ``serve(ARGS)``, stopped at the end. Started and stopped within the test's body: pytest
    swaps sys.stdout between a test's phases, and the runner's own would be lost."""
    live = serve(monkeypatch, *args)
    try:
        yield live
    finally:
        if live.thread.is_alive():
            live.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serve_rebuilds_the_feed_and_pages_when_an_episode_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(monkeypatch) as running:
        result = rename_and_fetch(project, running)
    assert result.exit_code == 0, result.output
    assert "rebuilt: 1 episode" in result.stdout


def rename_and_fetch(project: Path, running: Running) -> Result:
    status, feed = running.get("/feed.xml")
    assert status == 200 and TITLE.encode() in feed
    edit(project / "episodes" / SAMPLE_EPISODE / "episode.yaml", TITLE, "Un titre tout neuf")
    status, feed = running.get("/feed.xml")
    assert status == 200
    assert b"Un titre tout neuf" in feed and TITLE.encode() not in feed
    status, page = running.get(f"/episodes/{SAMPLE_EPISODE}/")
    assert status == 200 and "Un titre tout neuf" in page.decode()
    return running.stop()


def test_a_new_episode_appears_on_reload(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(monkeypatch) as running:
        folder = add_episode(project, "2025-12-01-suite", episode_yaml("La suite", "2025-12-01"))
        audiogen.write_mp3(folder / "audio.mp3", 1.5)
        _, feed = running.get("/feed.xml")
        _, again = running.get("/feed.xml")
        result = running.stop()
    assert feed.count(b"<item>") == 2 and b"La suite" in feed and again == feed
    assert "guid: " in (folder / "episode.yaml").read_text(encoding="utf-8")
    assert result.stdout.count("rebuilt: ") == 1, "the GUID the rebuild wrote is no edit to rebuild for"


def test_a_broken_edit_keeps_the_last_good_build_and_says_why(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    episode = project / "episodes" / SAMPLE_EPISODE / "episode.yaml"
    with serving(monkeypatch) as running:
        edit(episode, "date: 2025-11-12", "date: le douze")
        status, feed = running.get("/feed.xml")
        assert status == 200 and TITLE.encode() in feed  # the last good build
        edit(episode, "date: le douze", "date: 2025-11-12")
        edit(episode, TITLE, "Réparé")
        _, fixed = running.get("/feed.xml")
        result = running.stop()
    assert "Réparé".encode() in fixed
    assert f"error: episodes/{SAMPLE_EPISODE}/episode.yaml:2:7: date:" in result.stderr
    assert "1 problem in 1 file; still serving the last good build." in result.stderr
    assert "Traceback" not in result.output


def test_media_requests_do_not_look_at_the_show(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apa_feed.publish import preview

    stamps: list[object] = []
    real = preview.show_stamp
    with serving(monkeypatch) as running:
        monkeypatch.setattr(preview, "show_stamp", lambda *a: stamps.append(a) or real(*a))
        _, feed = running.get("/feed.xml")
        enclosure = feed.split(b'<enclosure url="', 1)[1].split(b'"', 1)[0].decode()
        assert running.get("/" + enclosure.split("/", 3)[3])[0] == 200
    assert len(stamps) == 1  # the feed's request looked at the show; the audio's did not


def future_and_draft(project: Path) -> None:
    future = add_episode(project, "2099-01-01-futur", episode_yaml("Épisode du futur", "2099-01-01"))
    audiogen.write_mp3(future / "audio.mp3", 1.0)
    draft = add_episode(project, "2025-12-02-brouillon", episode_yaml("Brouillon", "2025-12-02", draft="true"))
    audiogen.write_mp3(draft / "audio.mp3", 1.0)


@pytest.mark.parametrize(
    ("flags", "shown", "hidden"),
    [
        ((), [], ["Épisode du futur", "Brouillon"]),
        (("--drafts",), ["Brouillon"], ["Épisode du futur"]),
        (("--future",), ["Épisode du futur"], ["Brouillon"]),
        (("--drafts", "--future"), ["Épisode du futur", "Brouillon"], []),
    ],
)
def test_drafts_and_future_are_previewed_only_on_request(
    project: Path, monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...], shown: list[str], hidden: list[str]
) -> None:
    future_and_draft(project)
    with serving(monkeypatch, *flags) as live:
        feed = live.get("/feed.xml")[1].decode()
        result = live.stop()
    assert result.exit_code == 0, result.output
    assert f"serving {1 + len(shown)} episode" in result.stdout
    for title in shown:
        assert f"<title>{title}</title>" in feed
    for title in hidden:
        assert title not in feed


def test_publish_never_takes_drafts_or_future_episodes(project: Path) -> None:
    future_and_draft(project)
    result = runner.invoke(app, ["publish", "--no-verify"])
    assert result.exit_code == 0, result.output
    feed = (project / "public" / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 1 and "Brouillon" not in feed and "futur" not in feed
    assert "--drafts" not in runner.invoke(app, ["publish", "--help"]).output


def adjacent_taken_ports() -> tuple[socket.socket, socket.socket, int]:
    """Two listening sockets on ports N and N+1 of 127.0.0.1, N+2 being free."""
    for _ in range(50):
        first = socket.socket()
        first.bind(("127.0.0.1", 0))
        port = first.getsockname()[1]
        second = socket.socket()
        try:
            second.bind(("127.0.0.1", port + 1))
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", port + 2))
        except OSError:
            first.close()
            second.close()
            continue
        first.listen()
        second.listen()
        return first, second, port
    raise AssertionError("no three free ports in a row")


def test_a_taken_port_suggests_the_next_free_one(project: Path) -> None:
    first, second, port = adjacent_taken_ports()
    with first, second:
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use; pick another port, e.g. --port {port + 2} "
        "(or --port 0 for any free one)"
    ]


def test_a_rebuild_that_cannot_read_a_file_keeps_serving(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apa_feed.publish import preview

    def unreadable(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(project / "feed.yaml"))

    with serving(monkeypatch) as running:
        monkeypatch.setattr(preview, "publish", unreadable)
        edit(project / "episodes" / SAMPLE_EPISODE / "episode.yaml", TITLE, "Autre titre")
        status, feed = running.get("/feed.xml")
        result = running.stop()
    assert status == 200 and TITLE.encode() in feed
    assert "error: feed.yaml: Permission denied; check the permissions; still serving the last good build" in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_a_build_that_guards_the_identity_never_previews(project: Path) -> None:
    from conftest import NOW

    from apa_feed.build import Options, build_project

    future_and_draft(project)
    options = Options(project / "feed.yaml", now=NOW, preview=frozenset({"draft", "scheduled"}))
    assert len(build_project(options, assign=False).publication.feed.items) == 1
    preview = build_project(replace(options, identity=False), assign=False)
    assert len(preview.publication.feed.items) == 3
