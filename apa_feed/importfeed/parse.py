"""An RSS or Atom podcast feed's bytes → plain records of what it says (strings as found; URLs made absolute).

The XML is untrusted: entities are not expanded, no DTD or anything else is fetched, and huge
documents are refused (lxml's own limits).
"""

from __future__ import annotations

from lxml import etree  # (no stubs installed)

from .atom import atom_feed
from .fetch import ImportFailed
from .records import Linked, OldFeed, OldItem, Person
from .xmlread import Kids, attr, base_of, children, clean_url, group, inner, key, read_xml, text

__all__ = ["OldFeed", "OldItem", "Person", "parse_feed"]


def parse_feed(data: bytes, where: str, base: str | None = None) -> OldFeed:
    """Parse an RSS 2.0 or Atom podcast feed; ``where`` (the URL or file) starts every error message, and
    relative URLs are read against ``base`` (the feed's URL), else the URL the feed gives itself."""
    root = read_xml(data, where)
    name = key(root)
    if name == "atom:feed":
        return atom_feed(root, _channel(root, base, atom=True), base)
    if name != "rss":
        shown = str(root.tag).rpartition("}")[2]
        raise ImportFailed(f"{where}: not an RSS feed (the document is <{shown}>, expected <rss> or Atom's <feed>)")
    channel = root.find("channel")
    if channel is None:
        moved = next((text(r, "newLocation") for r in children(root, "redirect")), None)
        if moved:
            raise ImportFailed(f"{where}: this feed has moved to {moved}; import that URL")
        raise ImportFailed(f"{where}: not an RSS feed (no <channel> in <rss>)")
    return _channel(channel, base)


def _categories(channel: etree._Element | Kids) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for top in children(channel, "itunes:category"):
        name = (top.get("text") or "").strip()
        subs = [(c.get("text") or "").strip() for c in children(top, "itunes:category")]
        if name:
            found.extend((name, sub) for sub in subs or [""])
    return tuple(found)


def _people(el: etree._Element | Kids) -> tuple[Person, ...]:
    return tuple(
        Person(inner(p).strip(), (p.get("role") or "host").strip(), p.get("href"), p.get("img"))
        for p in children(el, "podcast:person")
        if inner(p).strip()
    )


def self_url(channel: etree._Element | Kids) -> str | None:
    """The URL the feed gives itself (``atom:link rel="self"``)."""
    for link in children(channel, "atom:link"):
        if (link.get("rel") or "") == "self" and (link.get("href") or "").strip():
            return (link.get("href") or "").strip()
    return None


def _channel(element: etree._Element, base: str | None, atom: bool = False) -> OldFeed:
    channel = group(element)  # every field below is looked up among the channel's children
    owner = children(channel, "itunes:owner")
    default = base or self_url(channel)
    entries = children(channel, "atom:entry" if atom else "item")
    return OldFeed(
        title=text(channel, "title") or text(channel, "itunes:title") or "",
        description=text(channel, "description") or text(channel, "itunes:summary") or "",
        language=text(channel, "language"),
        link=text(channel, "link"),
        author=text(channel, "itunes:author"),
        owner_name=text(owner[0], "itunes:name") if owner else None,
        owner_email=text(owner[0], "itunes:email") if owner else None,
        managing_editor=text(channel, "managingEditor"),
        image_url=clean_url(attr(channel, "itunes:image", "href") or _image_url(channel), base_of(element, default)),
        categories=_categories(channel),
        explicit=text(channel, "itunes:explicit"),
        type=text(channel, "itunes:type"),
        copyright=text(channel, "copyright"),
        self_url=self_url(channel),
        new_feed_url=text(channel, "itunes:new-feed-url"),
        podcast_guid=text(channel, "podcast:guid"),
        locked=text(channel, "podcast:locked"),
        funding=tuple((f.get("url") or "", inner(f).strip()) for f in children(channel, "podcast:funding")),
        license=text(channel, "podcast:license"),
        medium=text(channel, "podcast:medium"),
        people=_people(channel),
        items=tuple(_item(i, el, default) for i, el in enumerate(entries, start=1)),
        build_date=text(channel, "lastBuildDate") or text(channel, "pubDate") or text(channel, "atom:updated"),
    )


def _image_url(channel: etree._Element | Kids) -> str | None:
    images = children(channel, "image")
    return text(images[0], "url") if images else None


def enclosure(el: etree._Element | Kids) -> etree._Element | None:
    """The first ``<enclosure>`` with a URL, else the first ``media:content`` with one (Media RSS, also in a
    ``media:group``), as podcast apps take it."""
    tags = [("enclosure", el)] + [("media:content", g) for g in (el, *children(el, "media:group"))]
    for tag, owner in tags:
        for found in children(owner, tag):
            if (found.get("url") or "").strip():
                return found
    return None


def _item(index: int, item: etree._Element, base: str | None) -> OldItem:
    el = group(item)  # every field below is looked up among the item's children
    notes = text(el, "content:encoded") or text(el, "description") or text(el, "itunes:summary") or ""
    found = enclosure(el)
    size = "fileSize" if found is not None and key(found) == "media:content" else "length"
    return OldItem(
        index=index,
        title=text(el, "title") or text(el, "itunes:title") or "",
        itunes_title=text(el, "itunes:title"),
        guid=text(el, "guid"),
        pub_date=text(el, "pubDate"),
        enclosure_url=None if found is None else clean_url(found.get("url"), base_of(found, base)),
        enclosure_type="" if found is None else (found.get("type") or "").strip(),
        notes=notes,
        enclosure_length=None if found is None else (found.get(size) or "").strip() or None,
        duration=text(el, "itunes:duration"),
        image_url=clean_url(attr(el, "itunes:image", "href"), base_of(item, base)),
        season=text(el, "itunes:season"),
        episode=text(el, "itunes:episode"),
        episode_type=text(el, "itunes:episodeType"),
        explicit=text(el, "itunes:explicit"),
        link=text(el, "link"),
        keywords=_keywords(el),
        people=_people(el),
        transcripts=tuple(
            Linked((t.get("url") or "").strip(), (t.get("type") or "").strip(), t.get("language"))
            for t in children(el, "podcast:transcript")
            if (t.get("url") or "").strip()
        ),
        chapters=_chapters(el),
    )


def _keywords(el: etree._Element | Kids) -> tuple[str, ...]:
    words = [inner(c).strip() for c in children(el, "category")]
    if not any(words):
        words = (text(el, "itunes:keywords") or "").split(",")
    return tuple(dict.fromkeys(w.strip() for w in words if w.strip()))


def _chapters(el: etree._Element | Kids) -> Linked | None:
    url = attr(el, "podcast:chapters", "url")
    return Linked(url, attr(el, "podcast:chapters", "type") or "application/json+chapters") if url else None
