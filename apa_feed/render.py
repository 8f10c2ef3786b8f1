"""Feed model → RSS 2.0 bytes with the itunes namespace (feedgen lives here only).

feedgen serialises the core RSS; a small extension writes the itunes tags the way Apple
documents them today (``true``/``false`` explicit, nested categories, whole-second
durations). Output depends only on the model: the same feed renders byte-identical.
"""

from __future__ import annotations

from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from .model import Feed, Item

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
GENERATOR = "apa-feed"


def _el(parent: Any, tag: str, value: str | None = None, **attrs: str) -> Any:
    """Append ``<itunes:tag attrs>value</itunes:tag>`` to ``parent``."""
    elem = xml_elem(f"{{{ITUNES}}}{tag}", parent, **attrs)
    if value is not None:
        elem.text = value
    return elem


def _bool(value: bool) -> str:
    return "true" if value else "false"


class ItunesFeed(BaseExtension):  # type: ignore[misc]
    """Channel-level itunes tags."""

    feed: Feed | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES}

    def extend_rss(self, rss: Any) -> Any:
        assert self.feed is not None
        channel = rss[0]
        f = self.feed
        _el(channel, "image", href=f.image_url)
        for top, sub in f.categories:
            cat = _el(channel, "category", text=top)
            if sub:
                _el(cat, "category", text=sub)
        _el(channel, "explicit", _bool(f.explicit))
        _el(channel, "author", f.author)
        owner = _el(channel, "owner")
        _el(owner, "name", f.owner_name)
        _el(owner, "email", f.owner_email)
        _el(channel, "type", f.type)
        return rss


class ItunesEntry(BaseEntryExtension):  # type: ignore[misc]
    """Item-level itunes tags."""

    item: Item | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES}

    def extend_rss(self, entry: Any) -> Any:
        assert self.item is not None
        i = self.item
        _el(entry, "title", i.title)
        _el(entry, "duration", str(i.duration))
        if i.image_url:
            _el(entry, "image", href=i.image_url)
        _el(entry, "explicit", _bool(i.explicit))
        _el(entry, "episodeType", i.episode_type)
        if i.season is not None:
            _el(entry, "season", str(i.season))
        if i.episode is not None:
            _el(entry, "episode", str(i.episode))
        _el(entry, "summary", i.text)
        return entry


def render(feed: Feed) -> bytes:
    """Serialise ``feed`` as RSS 2.0 (UTF-8, pretty-printed, deterministic)."""
    fg = FeedGenerator()
    fg.register_extension("itunes_apa", ItunesFeed, ItunesEntry)
    fg.itunes_apa.feed = feed
    _channel(fg, feed)
    for item in feed.items:
        _entry(fg, item)
    return bytes(fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True))


def _channel(fg: FeedGenerator, feed: Feed) -> None:
    fg.title(feed.title)
    fg.link(href=feed.self_url, rel="self", type="application/rss+xml")
    fg.link(href=feed.link, rel="alternate")  # feedgen's RSS <link> is the last link given
    fg.description(feed.description)
    fg.language(feed.language)
    fg.image(url=feed.image_url, title=feed.title, link=feed.link)
    if feed.copyright:
        fg.copyright(feed.copyright)
    fg.generator(GENERATOR)
    fg.docs("")
    if feed.last_build is not None:
        fg.lastBuildDate(feed.last_build)
    else:  # feedgen would write "now"; an empty feed has no build date of its own.
        fg._FeedGenerator__rss_lastBuildDate = None


def _entry(fg: FeedGenerator, item: Item) -> None:
    fe = fg.add_entry(order="append")
    fe.itunes_apa.item = item
    fe.title(item.title)
    fe.link(href=item.link)
    fe.description(item.text)
    if "]]>" in item.html:
        fe.content(item.html, type="html")
    else:
        fe.content(item.html, type="CDATA")
    fe.guid(item.guid, permalink=False)
    fe.pubDate(item.published)
    fe.enclosure(item.enclosure_url, str(item.enclosure_length), item.enclosure_type)
    for word in item.keywords:
        fe.category(term=word)
