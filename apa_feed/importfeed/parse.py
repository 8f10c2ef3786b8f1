"""An RSS podcast feed's bytes → plain records of what it says (strings as found; no interpretation).

The XML is untrusted: entities are not expanded, no DTD or anything else is fetched, and huge
documents are refused (lxml's own limits).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree  # (no stubs installed)

from .fetch import ImportFailed

NAMESPACES = {
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "https://podcastindex.org/namespace/1.0": "podcast",
    "https://github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md": "podcast",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://www.w3.org/2005/atom": "atom",
}
"""Namespace URIs (compared lower-case: feeds in the wild vary the case) → the prefix used here."""


@dataclass(frozen=True)
class Person:
    """``podcast:person``: a name, a role (taxonomy words), optional page and picture."""

    name: str
    role: str
    href: str | None
    img: str | None


@dataclass(frozen=True)
class Linked:
    """A tag pointing at a file: ``podcast:transcript``, ``podcast:chapters``."""

    url: str
    type: str
    language: str | None = None


@dataclass(frozen=True)
class OldItem:
    """One ``<item>`` as written (``index`` counts from 1, in document order)."""

    index: int
    title: str
    guid: str | None
    pub_date: str | None
    enclosure_url: str | None
    enclosure_type: str
    notes: str
    image_url: str | None
    season: str | None
    episode: str | None
    episode_type: str | None
    explicit: str | None
    link: str | None
    keywords: tuple[str, ...]
    people: tuple[Person, ...]
    transcripts: tuple[Linked, ...]
    chapters: Linked | None
    enclosure_length: str | None = None
    duration: str | None = None


@dataclass(frozen=True)
class OldFeed:
    """The ``<channel>`` as written."""

    title: str
    description: str
    language: str | None
    link: str | None
    author: str | None
    owner_name: str | None
    owner_email: str | None
    managing_editor: str | None
    image_url: str | None
    categories: tuple[tuple[str, str], ...]
    explicit: str | None
    type: str | None
    copyright: str | None
    self_url: str | None
    new_feed_url: str | None
    podcast_guid: str | None
    locked: str | None
    funding: tuple[tuple[str, str], ...]
    license: str | None
    medium: str | None
    people: tuple[Person, ...]
    items: tuple[OldItem, ...]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_feed(data: bytes, where: str) -> OldFeed:
    """Parse an RSS 2.0 podcast feed; ``where`` (the URL or file) starts every error message."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise ImportFailed(f"{where}: not XML (syntax error at line {line}, column {column})") from None
    if root is None:
        raise ImportFailed(f"{where}: not XML (the document is empty)")
    name = etree.QName(root).localname
    if name != "rss":
        raise ImportFailed(f"{where}: not an RSS feed (the document is <{name}>, expected <rss>)")
    channel = root.find("channel")
    if channel is None:
        raise ImportFailed(f"{where}: not an RSS feed (no <channel> in <rss>)")
    return _channel(channel)


def key(el: etree._Element) -> str:
    """``itunes:image``, ``podcast:guid``, ``title``…: an element's tag under our fixed prefixes."""
    qname = etree.QName(el)
    if not qname.namespace:
        return str(qname.localname)
    prefix = NAMESPACES.get(qname.namespace.lower(), qname.namespace)
    return f"{prefix}:{qname.localname}"


def children(el: etree._Element, name: str) -> list[etree._Element]:
    """The child elements of ``el`` named ``name`` (see :func:`key`)."""
    return [c for c in el if isinstance(c.tag, str) and key(c) == name]


def text(el: etree._Element, name: str) -> str | None:
    """The stripped text of the first child ``name``, None if absent or empty."""
    for child in children(el, name):
        value = inner(child).strip()
        if value:
            return value
    return None


def attr(el: etree._Element, name: str, attribute: str) -> str | None:
    """An attribute of the first child ``name`` that has it."""
    for child in children(el, name):
        value = (child.get(attribute) or "").strip()
        if value:
            return value
    return None


def inner(el: etree._Element) -> str:
    """The content of ``el``: its text, or its markup when HTML was written as unescaped child elements."""
    parts = [el.text or ""]
    for child in el:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _categories(channel: etree._Element) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for top in children(channel, "itunes:category"):
        name = (top.get("text") or "").strip()
        subs = [(c.get("text") or "").strip() for c in children(top, "itunes:category")]
        if name:
            found.extend((name, sub) for sub in subs or [""])
    return tuple(found)


def _people(el: etree._Element) -> tuple[Person, ...]:
    return tuple(
        Person(inner(p).strip(), (p.get("role") or "host").strip(), p.get("href"), p.get("img"))
        for p in children(el, "podcast:person")
        if inner(p).strip()
    )


def _self_url(channel: etree._Element) -> str | None:
    for link in children(channel, "atom:link"):
        if (link.get("rel") or "") == "self" and (link.get("href") or "").strip():
            return (link.get("href") or "").strip()
    return None


def _channel(channel: etree._Element) -> OldFeed:
    owner = children(channel, "itunes:owner")
    return OldFeed(
        title=text(channel, "title") or text(channel, "itunes:title") or "",
        description=text(channel, "description") or text(channel, "itunes:summary") or "",
        language=text(channel, "language"),
        link=text(channel, "link"),
        author=text(channel, "itunes:author"),
        owner_name=text(owner[0], "itunes:name") if owner else None,
        owner_email=text(owner[0], "itunes:email") if owner else None,
        managing_editor=text(channel, "managingEditor"),
        image_url=attr(channel, "itunes:image", "href") or _image_url(channel),
        categories=_categories(channel),
        explicit=text(channel, "itunes:explicit"),
        type=text(channel, "itunes:type"),
        copyright=text(channel, "copyright"),
        self_url=_self_url(channel),
        new_feed_url=text(channel, "itunes:new-feed-url"),
        podcast_guid=text(channel, "podcast:guid"),
        locked=text(channel, "podcast:locked"),
        funding=tuple((f.get("url") or "", inner(f).strip()) for f in children(channel, "podcast:funding")),
        license=text(channel, "podcast:license"),
        medium=text(channel, "podcast:medium"),
        people=_people(channel),
        items=tuple(_item(i, el) for i, el in enumerate(children(channel, "item"), start=1)),
    )


def _image_url(channel: etree._Element) -> str | None:
    images = children(channel, "image")
    return text(images[0], "url") if images else None


def _item(index: int, el: etree._Element) -> OldItem:
    notes = text(el, "content:encoded") or text(el, "description") or text(el, "itunes:summary") or ""
    return OldItem(
        index=index,
        title=text(el, "title") or text(el, "itunes:title") or "",
        guid=text(el, "guid"),
        pub_date=text(el, "pubDate"),
        enclosure_url=attr(el, "enclosure", "url"),
        enclosure_type=attr(el, "enclosure", "type") or "",
        notes=notes,
        enclosure_length=attr(el, "enclosure", "length"),
        duration=text(el, "itunes:duration"),
        image_url=attr(el, "itunes:image", "href"),
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


def _keywords(el: etree._Element) -> tuple[str, ...]:
    words = [inner(c).strip() for c in children(el, "category")]
    if not any(words):
        words = (text(el, "itunes:keywords") or "").split(",")
    return tuple(dict.fromkeys(w.strip() for w in words if w.strip()))


def _chapters(el: etree._Element) -> Linked | None:
    url = attr(el, "podcast:chapters", "url")
    return Linked(url, attr(el, "podcast:chapters", "type") or "application/json+chapters") if url else None
