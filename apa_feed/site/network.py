"""The network's index page: after ``publish --all``, the shows that take their storage and base URL from one
shared file (``extends:``, each show in its own folder there) get one ``index.html`` at that shared root,
listing each show (cover, title, description, its page and its feed) as its live feed gives them.

It is written only there, only when two shows or more share the root, and never over a page it did not write
(a show publishing at the root itself keeps its own index.html: the network page is then skipped, with a
message)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from ..config.show import Show, load_show
from ..errors import ApaFeedError, display_path
from ..importfeed.fetch import ImportFailed
from ..importfeed.parse import parse_feed
from ..storage import Store, open_store
from . import PAGE_CACHE, PAGE_TYPE, STYLESHEET, environment, render
from .i18n import strings

INDEX = "index.html"
GENERATOR = "apa-feed network index"
"""The page's ``<meta name="generator">``: how a later publish knows the index.html at the root is its own."""


@dataclass(frozen=True)
class Listed:
    """One show as the network page lists it."""

    title: str
    description: str
    image_url: str | None
    page_url: str
    feed_url: str
    author: str
    language: str


def network_page(shows: Sequence[Listed], url: str) -> bytes:
    """The network's index page at ``url``, in the first show's language, named after its author."""
    first = shows[0]
    t = SimpleNamespace(**strings(first.language))
    names = ", ".join(show.title for show in shows)
    return render(
        environment(),
        "network.html",
        {},
        t=t,
        language=first.language,
        generator=GENERATOR,
        brand=first.author or first.title,
        description=f"{t.network}{t.colon}{names}",
        url=url,
        css=STYLESHEET.read_text(encoding="utf-8"),
        shows=shows,
    )


def write_network_indexes(configs: Iterable[Path]) -> list[str]:
    """Write the index page of every network the shows of ``configs`` (their feed.yaml) form; what was done
    (or why not), one line each."""
    networks: dict[tuple[str, str], list[Show]] = {}
    for config in configs:
        try:
            show = load_show(config)
        except ApaFeedError:
            continue  # its own run said why
        if show.network is not None:
            networks.setdefault(show.network, []).append(show)
    return [_write(root, shows) for root, shows in networks.items() if len(shows) > 1]


def _write(root: tuple[str, str], shows: list[Show]) -> str:
    storage, base_url = root
    shown = storage if storage.startswith("s3://") else display_path(Path(storage)) + os.sep
    try:
        store = open_store(storage, shows[0].root, shows[0].s3)
        listed = [entry for entry in (_listed(show) for show in shows) if entry is not None]
        if len(listed) < 2:
            return f"network index: not written in {shown}: fewer than two of its shows are live"
        why = _taken(store, shows)
        if why:
            return f"network index: not written in {shown}: {why}"
        store.put_bytes(INDEX, network_page(listed, base_url), PAGE_TYPE, PAGE_CACHE)
    except ApaFeedError as exc:
        return f"network index: not written in {shown}: {exc}"
    return f"network index: {base_url} ({len(listed)} shows)"


def _listed(show: Show) -> Listed | None:
    """The show as its live feed gives it; None when it has none (never published, or unreadable)."""
    store = open_store(show.storage, show.root, show.s3)
    data = store.read(show.feed_file)
    if data is None:
        return None
    try:
        feed = parse_feed(data, show.feed_file)
    except ImportFailed:
        return None
    page = feed.link or show.base_url
    own = feed.self_url or show.base_url + show.feed_file
    return Listed(feed.title, feed.description, feed.image_url, page, own, feed.author or "", feed.language or "en")


def _taken(store: Store, shows: list[Show]) -> str:
    """Why the root's index.html is not the network page's to write ("" when it is)."""
    feeds = {show.feed_file for show in shows}
    if any(store.read(name) is not None for name in feeds):
        return "a show publishes its feed there itself, and its index.html is its own"
    page = store.read(INDEX)
    if page is not None and f'<meta name="generator" content="{GENERATOR}">'.encode() not in page:
        return f"its {INDEX} was not written by apa-feed's network index (a show's own page?), so it is left alone"
    return ""
