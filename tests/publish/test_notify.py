"""Notify apps after a publish: WebSub hubs, Podcast Index, podping — against stand-ins on 127.0.0.1
that record what they receive."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

import apa_feed.importfeed.client as client_module
from apa_feed.config.notify import PODCASTINDEX_URL, Notify
from apa_feed.publish.notify import notify

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
    pings = notify(settings, FEED, allow_private=True)
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
    pings = notify(Notify((f"{stand_in.url}/hub", closed)), FEED, allow_private=True)
    assert [(p.status, p.ok) for p in pings] == [(503, False), (None, False)]
    assert pings[0].describe() == f"websub {stand_in.url}/hub: HTTP 503"
    assert "connection refused" in pings[1].describe()


def test_podping_without_its_token_is_not_sent(stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PODPING_TOKEN", raising=False)
    (ping,) = notify(Notify(podping=f"{stand_in.url}/", podping_token_env="PODPING_TOKEN"), FEED, allow_private=True)
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
    (ping,) = notify(Notify(podcastindex=f"http://hub.example:{port}/pubnotify"), FEED)
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
