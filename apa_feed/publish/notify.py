"""After a publish that changed the feed: tell WebSub hubs, Podcast Index and podping, so apps show
the new episode within a minute instead of at their next poll.

A ping that fails is a warning with its reason, never a failed publish (the feed is out already).
An endpoint on a loopback, link-local or private address is refused unless the producer allows it
(``--allow-private``): feed.yaml may be someone else's. The podping token comes from the
environment variable feed.yaml names and is never printed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlencode

from ..config.notify import Notify
from ..importfeed.client import Client, ImportFailed, send

TIMEOUT_S = 10.0
"""Seconds one ping may take, name resolution included."""
USER_AGENT = "apa-feed (notify)"


@dataclass(frozen=True)
class Ping:
    """One notification and its answer: an HTTP status, or why there was none."""

    service: str
    """``websub``, ``podcastindex`` or ``podping``."""
    endpoint: str
    """Where it went (without the feed's URL or any token)."""
    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        """One line for the report."""
        answer = f"HTTP {self.status}" if self.status is not None else self.error
        return f"{self.service} {self.endpoint}: {answer}"

    def as_dict(self) -> dict[str, object]:
        return {"service": self.service, "endpoint": self.endpoint, "status": self.status, "ok": self.ok,
                "error": self.error or None}  # fmt: skip


def send_pings(settings: Notify, feed_url: str, allow_private: bool = False) -> list[Ping]:
    """Send every ping ``settings`` asks for about ``feed_url``; each one's answer, in order."""
    client = Client(allow_private=allow_private, deadline=TIMEOUT_S, read_timeout=TIMEOUT_S)
    query = urlencode({"url": feed_url})
    pings = []
    for hub in settings.websub:
        form = urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        pings.append(_ping("websub", hub, client, "POST", hub, form, headers))
    if settings.podcastindex:
        target = _with_query(settings.podcastindex, query)
        pings.append(_ping("podcastindex", settings.podcastindex, client, "GET", target))
    if settings.podping:
        pings.append(_podping(settings, client, _with_query(settings.podping, query)))
    return pings


def _podping(settings: Notify, client: Client, target: str) -> Ping:
    assert settings.podping is not None
    token = os.environ.get(settings.podping_token_env, "")
    if not token:
        return Ping("podping", settings.podping, None, f"not sent: ${settings.podping_token_env} is not set")
    return _ping("podping", settings.podping, client, "GET", target, headers={"Authorization": token})


def _ping(
    service: str,
    endpoint: str,
    client: Client,
    method: str,
    target: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Ping:
    try:
        status = send(method, target, client, body, {"User-Agent": USER_AGENT, **(headers or {})})
    except ImportFailed as exc:
        return Ping(service, endpoint, None, str(exc).replace(target, endpoint))
    return Ping(service, endpoint, status)


def _with_query(endpoint: str, query: str) -> str:
    return endpoint + ("&" if "?" in endpoint else "?") + query
