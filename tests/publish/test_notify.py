"""Notify apps after a publish: WebSub hubs, Podcast Index, podping — against stand-ins on 127.0.0.1
that record what they receive."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree
from typer.testing import CliRunner, Result

import apa_feed.importfeed.client as client_module
from apa_feed.cli import app
from apa_feed.config.notify import PODCASTINDEX_URL, Notify
from apa_feed.publish.notify import send_pings

FEED = "https://cdn.example.com/podcast/feed.xml"


@dataclass
class Heard:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class StandIn:
    """An HTTP endpoint on 127.0.0.1 that answers ``status`` and records every request."""

    status: int = 204
    heard: list[Heard] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    record = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            body = self.rfile.read(length) if length else b""
            record.heard.append(Heard(self.command, parts.path, parse_qs(parts.query), dict(self.headers), body))
            self.send_response(record.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield record
    server.shutdown()
    server.server_close()


def test_each_service_gets_the_request_its_spec_describes(stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODPING_TOKEN", "s3cret-token")
    settings = Notify((f"{stand_in.url}/hub",), f"{stand_in.url}/pubnotify", f"{stand_in.url}/ping/", "PODPING_TOKEN")
    pings = send_pings(settings, FEED, allow_private=True)
    assert [(p.service, p.status, p.ok) for p in pings] == [
        ("websub", 204, True),
        ("podcastindex", 204, True),
        ("podping", 204, True),
    ]
    hub, index, ping = stand_in.heard
    assert (hub.method, hub.path, hub.headers["Content-Type"]) == ("POST", "/hub", "application/x-www-form-urlencoded")
    assert parse_qs(hub.body.decode()) == {"hub.mode": ["publish"], "hub.url": [FEED]}
    assert (index.method, index.path, index.query) == ("GET", "/pubnotify", {"url": [FEED]})
    assert (ping.method, ping.path, ping.query) == ("GET", "/ping/", {"url": [FEED]})
    assert ping.headers["Authorization"] == "s3cret-token" and "Authorization" not in index.headers
    assert all("s3cret" not in p.describe() and "s3cret" not in str(p.as_dict()) for p in pings)


def test_a_failing_endpoint_is_an_answer_not_an_exception(stand_in: StandIn) -> None:
    stand_in.status = 503
    closed = "http://127.0.0.1:9/"  # the discard port: nothing listens there
    pings = send_pings(Notify((f"{stand_in.url}/hub", closed)), FEED, allow_private=True)
    assert [(p.status, p.ok) for p in pings] == [(503, False), (None, False)]
    assert pings[0].describe() == f"websub {stand_in.url}/hub: HTTP 503"
    assert "connection refused" in pings[1].describe()


def test_podping_without_its_token_is_not_sent(stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PODPING_TOKEN", raising=False)
    (ping,) = send_pings(
        Notify(podping=f"{stand_in.url}/", podping_token_env="PODPING_TOKEN"), FEED, allow_private=True
    )
    assert (ping.ok, ping.error) == (False, "not sent: $PODPING_TOKEN is not set") and stand_in.heard == []


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "192.168.1.2", "127.0.0.1", "fe80::1"])
def test_private_and_link_local_endpoints_are_refused_without_connecting(
    stand_in: StandIn, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    asked: list[str] = []

    def stub(host: str, port: int) -> list[str]:
        asked.append(host)
        return [address]

    monkeypatch.setattr(client_module, "resolve", stub)
    port = urlsplit(stand_in.url).port
    (ping,) = send_pings(Notify(podcastindex=f"http://hub.example:{port}/pubnotify"), FEED)
    assert asked == ["hub.example"] and stand_in.heard == []
    assert not ping.ok and "private address" in ping.error and "--allow-private" in ping.error


def test_feed_yaml_notify_settings_and_the_hub_links_in_the_feed(tmp_path: Path) -> None:
    from conftest import copy_sample

    from apa_feed.build import Options, build_project
    from apa_feed.config.show import load_show

    root = copy_sample(tmp_path)
    with (root / "feed.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write(
            "notify:\n  websub: [https://hub.one.example/, https://hub.two.example/]\n  podcastindex: true\n"
            "  podping: {token_env: PODPING_TOKEN}\n"
        )
    show = load_show(root / "feed.yaml")
    assert show.notify.websub == ("https://hub.one.example/", "https://hub.two.example/")
    assert (show.notify.podcastindex, show.notify.podping) == (PODCASTINDEX_URL, "https://podping.cloud/")
    rss = build_project(Options(root / "feed.yaml"), assign=False).rss
    channel = etree.fromstring(rss).find("channel")
    assert channel is not None
    hubs = channel.findall("{http://www.w3.org/2005/Atom}link[@rel='hub']")
    assert [h.get("href") for h in hubs] == ["https://hub.one.example/", "https://hub.two.example/"]


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        (
            "notify:\n  podcastindex: maybe\n",
            'notify.podcastindex: expected true, false or an http(s) URL, got "maybe"',
        ),
        ("notify:\n  podping: {url: https://relay.example/}\n", "notify.podping.token_env: missing required field"),
        ("notify:\n  podping: {token_env: 'the token'}\n", "notify.podping.token_env: expected an environment"),
        ("notify:\n  websub: ftp://hub.example/\n", "notify.websub[0]: expected an http(s) URL"),
    ],
)
def test_bad_notify_settings_are_located_errors(tmp_path: Path, yaml: str, message: str) -> None:
    from conftest import copy_sample

    from apa_feed.config.show import load_show
    from apa_feed.errors import ProblemsFound

    root = copy_sample(tmp_path)
    with (root / "feed.yaml").open("a", encoding="utf-8") as handle:
        handle.write(yaml)
    with pytest.raises(ProblemsFound) as found:
        load_show(root / "feed.yaml")
    rendered = [p.render() for p in found.value.problems]
    assert len(rendered) == 1 and message in rendered[0] and "/feed.yaml:" in rendered[0], rendered


def _with_notify(root: Path, stand_in: StandIn) -> None:
    with (root / "feed.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write(
            f"notify:\n  websub: [{stand_in.url}/hub]\n  podcastindex: {stand_in.url}/pubnotify\n"
            f"  podping: {{url: {stand_in.url}/ping, token_env: APA_TEST_PODPING}}\n"
        )


def _publish(root: Path, *args: str) -> Result:
    store = root.parent / f"{root.name}-store"
    return CliRunner().invoke(app, ["publish", "--no-verify", "--storage", str(store), *args])


def test_publish_pings_once_the_feed_changed_and_only_then(
    project: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APA_TEST_PODPING", "tok-123")
    _with_notify(project, stand_in)
    first = _publish(project, "--allow-private")
    assert first.exit_code == 0, first.output
    assert [(h.method, h.path) for h in stand_in.heard] == [("POST", "/hub"), ("GET", "/pubnotify"), ("GET", "/ping")]
    feed_url = parse_qs(stand_in.heard[0].body.decode())["hub.url"][0]
    assert feed_url.endswith("/feed.xml") and stand_in.heard[1].query == {"url": [feed_url]}
    assert first.stdout.count("notified  ") == 3 and "tok-123" not in first.output

    again = _publish(project, "--allow-private")  # the same feed: nobody is told again
    assert again.exit_code == 0 and len(stand_in.heard) == 3 and "notified" not in again.stdout

    (project / "feed.yaml").write_text(
        (project / "feed.yaml").read_text(encoding="utf-8").replace("title: ", "title: Nouveau ", 1), encoding="utf-8"
    )
    quiet = _publish(project, "--allow-private", "--no-notify")
    assert quiet.exit_code == 0 and len(stand_in.heard) == 3


def test_a_failing_hub_is_a_warning_and_json_lists_every_ping(
    project: Path, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APA_TEST_PODPING", raising=False)
    stand_in.status = 500
    _with_notify(project, stand_in)
    result = _publish(project, "--allow-private", "--json")
    assert result.exit_code == 0, result.output
    pings = json.loads(result.stdout)["pings"]
    assert [(p["service"], p["status"], p["ok"]) for p in pings] == [
        ("websub", 500, False),
        ("podcastindex", 500, False),
        ("podping", None, False),
    ]
    assert f"warning: notify: websub {stand_in.url}/hub: HTTP 500" in result.stderr
    assert "warning: notify: podping" in result.stderr and "$APA_TEST_PODPING is not set" in result.stderr


def test_without_allow_private_a_loopback_hub_is_refused_and_the_publish_goes_on(
    project: Path, stand_in: StandIn
) -> None:
    _with_notify(project, stand_in)
    result = _publish(project)
    assert result.exit_code == 0, result.output
    assert stand_in.heard == [] and result.stdout.splitlines()[-1].startswith("feed: ")
    refused = [line for line in result.stderr.splitlines() if line.startswith("warning: notify: websub")]
    assert len(refused) == 1 and "private address (127.0.0.1)" in refused[0] and "--allow-private" in refused[0]


def test_the_library_and_serve_send_no_ping_unless_asked(project: Path, stand_in: StandIn) -> None:
    from apa_feed.build import Options
    from apa_feed.publish.run import publish

    _with_notify(project, stand_in)
    report = publish(Options(project / "feed.yaml", storage=str(project.parent / "lib-store")), allow=frozenset())
    assert report.pings == () and stand_in.heard == []
