"""The ``notify:`` settings of feed.yaml: whom to tell after a publish that changed the feed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from yaml.nodes import Node

from . import schema as s
from .yamlread import Context

PODCASTINDEX_URL = "https://api.podcastindex.org/api/1.0/hub/pubnotify"
PODPING_URL = "https://podping.cloud/"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env_name(value: str) -> str:
    if not ENV_NAME.match(value):
        raise ValueError
    return value


def endpoint(default: str) -> s.Convert:
    """``true`` (the service's own endpoint, ``default``), ``false`` (none), or an http(s) URL."""
    expected = "true, false or an http(s) URL"

    def convert(node: Node, ctx: Context, path: str) -> Any:
        value = s.scalar(node, ctx, path, expected)
        if value is None:
            return s.INVALID
        if value.lower() in ("true", "false"):
            return default if value.lower() == "true" else None
        try:
            return s.http_url(value)
        except ValueError:
            ctx.report(node, path, f"expected {expected}, got {s.quoted(value)}")
            return s.INVALID

    return convert


# fmt: off
PODPING_FIELDS = (
    s.Field("token_env", s.checked("an environment variable's name", _env_name), "variable name",
            "The environment variable that holds podping's token (the token never goes in feed.yaml, and apa-feed "
            "never prints it).", required=True, example="PODPING_TOKEN"),
    s.Field("url", s.url, "URL", "The podping endpoint (a relay of your own, or a stand-in for tests).",
            default=PODPING_URL, example="https://podping.cloud/"),
)

NOTIFY_FIELDS = (
    s.Field("websub", s.list_of(s.url), "list of URLs", "WebSub hubs: the feed names each "
            '(`<atom:link rel="hub">`) and each gets a publish ping (a form POST of `hub.mode=publish` and '
            "`hub.url`).", default=(), example="[https://pubsubhubbub.appspot.com/]", rss='atom:link rel="hub"'),
    s.Field("podcastindex", endpoint(PODCASTINDEX_URL), "true or URL", "Tell Podcast Index: `true` for its "
            "pubnotify endpoint, or another endpoint's URL (a GET with `?url=FEED`).", example="true"),
    s.Field("podping", s.mapping(PODPING_FIELDS), "mapping: token_env, url", "Send a podping (a GET with "
            "`?url=FEED` and the token as `Authorization`).", example="{token_env: PODPING_TOKEN}"),
)
# fmt: on


@dataclass(frozen=True)
class Notify:
    """Whom a publish that changed the feed tells: WebSub hubs, Podcast Index, podping."""

    websub: tuple[str, ...] = ()
    podcastindex: str | None = None
    podping: str | None = None
    podping_token_env: str = ""

    def __bool__(self) -> bool:
        return bool(self.websub or self.podcastindex or self.podping)


def notify_settings(value: dict[str, Any] | None) -> Notify:
    """The settings ``notify:`` gives (None: none given)."""
    if not value:
        return Notify()
    podping = value["podping"] or {}
    return Notify(tuple(value["websub"]), value["podcastindex"], podping.get("url"), podping.get("token_env", ""))
