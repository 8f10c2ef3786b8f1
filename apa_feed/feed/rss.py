"""Feed model → RSS 2.0 bytes with the itunes namespace (feedgen lives here only).

feedgen serialises the core RSS; a small extension writes the itunes tags the way Apple
documents them today (``true``/``false`` explicit, nested categories, whole-second
durations). Output depends only on the model: the same feed renders byte-identical.

A big catalogue re-renders only what changed: :func:`render` takes the ``<item>`` text of
items rendered before (by :func:`item_key`, a digest of everything the item holds) and lets
feedgen serialise the rest. A kept item stands in the tree as a processing instruction carrying
a random marker, at the depth and place its ``<item>`` would have, and the marker's line is then
replaced by the kept text, so the result is byte-identical to rendering every item afresh.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import formatRFC2822, xml_elem
from lxml import etree

from .chapters import JSON_CHAPTERS_TYPE
from .model import Feed, Item, PersonRef, RemoteItem

ATOM = "http://www.w3.org/2005/Atom"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
GENERATOR = "apa-feed"


def _el(parent: Any, tag: str, value: str | None = None, ns: str = ITUNES, **attrs: str | None) -> Any:
    """Append ``<ns:tag attrs>value</ns:tag>`` to ``parent`` (attributes that are None are left out)."""
    elem = xml_elem(f"{{{ns}}}{tag}", parent)
    for key, val in attrs.items():
        if val is not None:
            elem.set(key, val)
    if value is not None:
        elem.text = value
    return elem


def _pc(parent: Any, tag: str, value: str | None = None, **attrs: str | None) -> Any:
    """Append a ``podcast:`` element."""
    return _el(parent, tag, value, PODCAST, **attrs)


def _number(value: float) -> str:
    """Seconds as the podcast namespace writes them: no needless decimals."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


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
        if f.new_feed_url:
            _el(channel, "new-feed-url", f.new_feed_url)
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
        if i.author:
            _el(entry, "author", i.author)
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


class PodcastFeed(BaseExtension):  # type: ignore[misc]
    """Channel-level Podcasting 2.0 tags."""

    feed: Feed | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST}

    def extend_rss(self, rss: Any) -> Any:
        assert self.feed is not None
        channel, f = rss[0], self.feed
        p = f.p20
        for hub in f.hubs:
            etree.SubElement(channel, f"{{{ATOM}}}link", rel="hub", href=hub)
        _pc(channel, "guid", f.podcast_guid)
        _pc(channel, "locked", "yes" if p.locked else "no", owner=f.owner_email)
        _pc(channel, "medium", p.medium)
        for link in p.funding:
            _pc(channel, "funding", link.name, url=link.url)
        if p.license:
            _pc(channel, "license", p.license, url=p.license_url)
        if p.location:
            _pc(channel, "location", p.location.name, geo=p.location.geo, osm=p.location.osm)
        if p.update_frequency:
            _pc(channel, "updateFrequency", p.update_frequency, rrule=p.update_rrule)
        for purpose, value in p.txt:
            _pc(channel, "txt", value, purpose=purpose)
        _persons(channel, f.persons)
        _podroll(channel, f.podroll)
        for item in f.items:
            if item.episode_type == "trailer":
                _pc(
                    channel,
                    "trailer",
                    item.title,
                    pubdate=formatRFC2822(item.published),
                    url=item.enclosure_url,
                    length=str(item.enclosure_length),
                    type=item.enclosure_type,
                    season=str(item.season) if item.season else None,
                )
        return rss


class PodcastEntry(BaseEntryExtension):  # type: ignore[misc]
    """Item-level Podcasting 2.0 tags."""

    item: Item | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST}

    def extend_rss(self, entry: Any) -> Any:
        assert self.item is not None
        i = self.item
        if i.season is not None:
            _pc(entry, "season", str(i.season), name=i.season_name)
        if i.episode is not None:
            _pc(entry, "episode", str(i.episode))
        if i.transcript:
            t = i.transcript
            _pc(
                entry, "transcript", url=t.url, type=t.type, language=t.language, rel="captions" if t.captions else None
            )
        if i.chapters_url:
            _pc(entry, "chapters", url=i.chapters_url, type=JSON_CHAPTERS_TYPE)
        for bite in i.soundbites:
            _pc(entry, "soundbite", bite.title, startTime=_number(bite.start), duration=_number(bite.duration))
        _persons(entry, i.persons)
        return entry


def _podroll(channel: Any, shows: tuple[RemoteItem, ...]) -> None:
    """``<podcast:podroll>``: one ``remoteItem`` per show (``medium`` only when it is not a podcast)."""
    if not shows:
        return
    roll = _pc(channel, "podroll")
    for other in shows:
        medium = other.medium if other.medium != "podcast" else None
        _pc(roll, "remoteItem", feedGuid=other.feed_guid, feedUrl=other.feed_url, title=other.title, medium=medium)


def _persons(parent: Any, people: tuple[PersonRef, ...]) -> None:
    for p in people:
        _pc(parent, "person", p.name, role=p.role, group=p.group, href=p.href, img=p.img)


def render(feed: Feed, known: Mapping[str, bytes] | None = None) -> tuple[bytes, dict[str, bytes]]:
    """Serialise ``feed`` as RSS 2.0 (UTF-8, pretty-printed, deterministic), reusing the ``<item>``
    text of items in ``known`` (by :func:`item_key`: rendered before by this same function).

    Returns the feed and the text of each of its items by key, to be kept for the next render.
    """
    known = known or {}
    fg = _generator(feed)
    marker = secrets.token_hex(12)
    keys = [item_key(item) for item in feed.items]
    for index, (key, item) in enumerate(zip(keys, feed.items, strict=True)):
        if key in known:
            fg.add_entry(_Marker(f"{marker} kept {index}"), order="append")
        else:  # fresh: its text runs from this marker to the next one
            fg.add_entry(_Marker(f"{marker} new {index}"), order="append")
            _entry(fg, item)
    fg.add_entry(_Marker(f"{marker} end 0"), order="append")
    return _splice(_serialise(fg), marker, keys, known)


def _generator(feed: Feed) -> FeedGenerator:
    """A feedgen generator with apa-feed's extensions and the channel set, no items yet."""
    fg = FeedGenerator()
    fg.register_extension("itunes_apa", ItunesFeed, ItunesEntry)
    fg.register_extension("podcast_apa", PodcastFeed, PodcastEntry)
    fg.itunes_apa.feed = feed
    fg.podcast_apa.feed = feed
    _channel(fg, feed)
    return fg


def _serialise(fg: FeedGenerator) -> bytes:
    return bytes(fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True))


def _splice(text: bytes, marker: str, keys: list[str], known: Mapping[str, bytes]) -> tuple[bytes, dict[str, bytes]]:
    """Put the kept items' text in place of their markers (each ``<?apa-feed MARKER WHAT INDEX?>`` line, its
    indentation included); collect every item's text by key."""
    head, *pieces = text.split(b"<?apa-feed " + marker.encode() + b" ")
    out = [head.rstrip(b" ")]
    items: dict[str, bytes] = {}
    for number, piece in enumerate(pieces, 1):
        what, _, rest = piece.partition(b" ")
        index, _, following = rest.partition(b"?>\n")
        following = following.rstrip(b" ") if number < len(pieces) else following  # the next marker's indentation
        key = keys[int(index)] if what != b"end" else ""
        if what == b"kept":
            items[key] = known[key]
            out.append(known[key])
        elif what == b"new":
            items[key] = following
        out.append(following)
    return b"".join(out), items


class _Marker(FeedEntry):  # type: ignore[misc]
    """An entry feedgen serialises as ``<?apa-feed TEXT?>``: the place of an item rendered before."""

    def __init__(self, text: str) -> None:
        self.marker = text  # none of FeedEntry's fields: feedgen only asks a marker for its element

    def register_extension(self, *args: Any, **kwargs: Any) -> None:
        """No extension writes anything into a marker."""

    def rss_entry(self, extensions: bool = True) -> Any:
        return etree.ProcessingInstruction("apa-feed", self.marker)


def item_key(item: Item) -> str:
    """A digest of everything ``item`` holds (the cache it is kept in answers for the code's version)."""
    return hashlib.blake2b(repr(item).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


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
    fe.podcast_apa.item = item
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
