"""Analytics prefixes at publish time: the identity guard explains an enclosure URL that changed because of a
prefix, and the check after a publish follows each new enclosure through the prefixes' redirects to the file.

The analytics service is a stand-in on 127.0.0.1 that redirects ``/<URL without scheme>`` to ``http://<URL>``,
as OP3 or Podtrac do; the store is a local folder served by apa-feed's own static server on 127.0.0.1.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree
from s3server import closed_port
from typer.testing import CliRunner, Result

from apa_feed.cli import app
from apa_feed.serve import make_server

EPISODE = "2025-11-12-mali-turquie"


@dataclass
class Redirector:
    """Answers each HEAD with a redirect: ``follow`` to the URL the path holds, ``loop`` to itself, ``wrong`` to
    another file of the store (the feed). Records the paths asked."""

    mode: str = "follow"
    url: str = ""
    store: str = ""
    asked: list[str] = field(default_factory=list)


def _serve(server: ThreadingHTTPServer) -> str:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def store(project: Path) -> Iterator[tuple[Path, str]]:
    """The local store's folder and the URL it is served at."""
    folder = project.parent / f"{project.name}-store"
    folder.mkdir()
    server = make_server(folder, port=0)
    yield folder, _serve(server)
    server.shutdown()
    server.server_close()


@pytest.fixture
def redirector(store: tuple[Path, str]) -> Iterator[Redirector]:
    record = Redirector(store=store[1])

    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            record.asked.append(self.path)
            rest = self.path[1:]
            target = {"follow": f"http://{rest}", "loop": record.url + rest, "wrong": record.store + "feed.xml"}
            self.send_response(302)
            self.send_header("Location", target[record.mode])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = _serve(server)
    yield record
    server.shutdown()
    server.server_close()


def _analytics(root: Path, *prefixes: str) -> None:
    text = (root / "feed.yaml").read_text(encoding="utf-8").split("\nanalytics:")[0].rstrip("\n")
    listed = "".join(f"\n  - {p}" for p in prefixes)
    (root / "feed.yaml").write_text(text + (f"\nanalytics:{listed}\n" if prefixes else "\n"), encoding="utf-8")


def _publish(root: Path, base_url: str, *args: str) -> Result:
    folder = root.parent / f"{root.name}-store"
    return CliRunner().invoke(app, ["publish", "--storage", str(folder), "--base-url", base_url, *args])


def _enclosure(folder: Path) -> tuple[str, str]:
    item = etree.parse(str(folder / "feed.xml")).find("channel/item")
    assert item is not None
    return item.findtext("guid") or "", item.find("enclosure").get("url") or ""


def test_adding_then_removing_a_prefix_is_explained_and_keeps_the_guid(project: Path, store: tuple[Path, str]) -> None:
    folder, base = store
    first = _publish(project, base, "--no-verify")
    assert first.exit_code == 0, first.output
    guid, plain = _enclosure(folder)

    _analytics(project, "op3")
    added = _publish(project, base, "--no-verify")
    assert added.exit_code == 0, added.output
    changed = [line for line in added.stdout.splitlines() if line.startswith("changed ")]
    assert changed == [
        f'changed   {EPISODE}: the enclosure URL changes because analytics prefix "op3" was added; '
        "the GUID stays, apps do not download it again"
    ], added.stdout
    assert "new audio" not in added.output and "base URL moved" not in added.output
    new_guid, wrapped = _enclosure(folder)
    assert (
        new_guid == guid and wrapped.startswith("https://op3.dev/e,pg=") and wrapped.endswith(plain[len("http://") :])
    )

    _analytics(project, "podtrac", "op3")
    both = _publish(project, base, "--no-verify")
    assert f'{EPISODE}: the enclosure URL changes because analytics prefix "podtrac" was added;' in both.stdout

    _analytics(project)
    removed = _publish(project, base, "--no-verify")
    assert removed.exit_code == 0, removed.output
    assert (
        f'changed   {EPISODE}: the enclosure URL changes because analytics prefixes "podtrac", "op3" were removed;'
        in removed.stdout
    ), removed.stdout
    assert _enclosure(folder) == (guid, plain)

    _analytics(project, "https://track.example/p/")
    assert _publish(project, base, "--no-verify").exit_code == 0
    _analytics(project)
    gone = _publish(project, base, "--no-verify")
    assert (
        f'{EPISODE}: the enclosure URL changes because analytics prefix "track.example/p/" was removed;' in gone.stdout
    )


def _enclosure_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "/episodes/" in line]


def test_the_check_follows_the_chain_to_the_file(
    project: Path, store: tuple[Path, str], redirector: Redirector
) -> None:
    _analytics(project, redirector.url, redirector.url, redirector.url)  # three redirects: the most allowed
    result = _publish(project, store[1])
    assert result.exit_code == 0, result.output
    assert _enclosure_lines(result) == [], result.stderr
    assert len(redirector.asked) == 3 and redirector.asked[-1].startswith("/127.0.0.1:")
    assert "checked 2 URLs through base_url:" in result.stderr
    assert "warning: feed.yaml:" in result.stderr and "is plain http" in result.stderr


def test_more_than_three_redirects_is_a_warning_naming_the_url(
    project: Path, store: tuple[Path, str], redirector: Redirector
) -> None:
    _analytics(project, *[redirector.url] * 4)
    result = _publish(project, store[1])
    assert result.exit_code == 0, result.output
    (line,) = _enclosure_lines(result)
    _, url = _enclosure(store[0])
    assert line.startswith(f"warning: {url}: more than 3 redirects: {url} → "), line
    assert "checked 2 URLs through base_url: 1 mismatches" in result.stderr


def test_a_redirect_loop_is_a_warning(project: Path, store: tuple[Path, str], redirector: Redirector) -> None:
    redirector.mode = "loop"
    _analytics(project, redirector.url)
    result = _publish(project, store[1])
    assert result.exit_code == 0, result.output
    (line,) = _enclosure_lines(result)
    _, url = _enclosure(store[0])
    assert line.startswith(f"warning: {url}: redirect loop: {url} → {redirector.url}"), line


def test_a_final_answer_of_another_length_is_a_warning(
    project: Path, store: tuple[Path, str], redirector: Redirector
) -> None:
    redirector.mode = "wrong"
    _analytics(project, redirector.url)
    result = _publish(project, store[1])
    assert result.exit_code == 0, result.output
    _, url = _enclosure(store[0])
    size = (next(store[0].glob("episodes/*/audio-*.mp3"))).stat().st_size
    feed = (store[0] / "feed.xml").stat().st_size
    lines = _enclosure_lines(result)
    assert f"warning: {url}: Content-Length is {feed}, expected {size}" in lines, result.stderr


def test_an_analytics_host_that_does_not_answer_is_said_and_the_publish_stands(
    project: Path, store: tuple[Path, str]
) -> None:
    gone = f"http://127.0.0.1:{closed_port()}/"
    _analytics(project, gone)
    result = _publish(project, store[1])
    assert result.exit_code == 0, result.output
    (line,) = _enclosure_lines(result)
    _, url = _enclosure(store[0])
    assert line.startswith(f"warning: {url}: {gone[7:-1]} did not answer (") and line.endswith(
        "; the check could not be made"
    ), line
    assert "1 could not be checked through their analytics prefixes" in result.stderr
    assert (store[0] / "feed.xml").is_file() and result.stdout.splitlines()[-1].startswith("feed: ")


def test_rollback_sees_the_files_behind_the_prefixes(project: Path, store: tuple[Path, str]) -> None:
    folder, base = store
    _analytics(project, "op3", "https://track.example/p/")
    assert _publish(project, base, "--no-verify").exit_code == 0
    (old_audio,) = folder.glob("episodes/*/audio-*.mp3")
    audio = project / "episodes" / EPISODE / "audio.mp3"
    audio.write_bytes(audio.read_bytes()[:600_000])  # new bytes, a new key: the first feed is kept in history/
    assert _publish(project, base, "--no-verify").exit_code == 0
    old_audio.unlink()
    refused = CliRunner().invoke(app, ["rollback", "--storage", str(folder)])
    assert refused.exit_code == 1 and "cannot be put back" in refused.output, refused.output
    assert old_audio.relative_to(folder).as_posix() in refused.output
    listed = CliRunner().invoke(app, ["rollback", "--list", "--storage", str(folder)])
    assert listed.exit_code == 0 and "(1 file missing: cannot be put back)" in listed.output, listed.output
