"""An Atom podcast feed (``<feed>`` of ``<entry>``, audio in ``<link rel="enclosure">``) → the same records as RSS.

The ``itunes:`` and ``podcast:`` tags are read as in RSS (:mod:`.parse` reads them first); this module
replaces what Atom says its own way: titles, ids, dates, links, the enclosure and the notes.
"""

from __future__ import annotations

import html
from dataclasses import replace

from lxml import etree  # (no stubs installed)

from .records import OldFeed, OldItem
from .xmlread import base_of, children, clean_url, inner, text

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def atom_feed(root: etree._Element, common: OldFeed, base: str | None) -> OldFeed:
    """``common`` (what the RSS reading found in ``<feed>``: the itunes and podcast tags) with Atom's own parts."""
    default = base or common.self_url
    entries = children(root, "atom:entry")
    author = next((text(a, "atom:name") for a in children(root, "atom:author")), None)
    image = text(root, "atom:logo") or text(root, "atom:icon")
    return replace(
        common,
        title=text(root, "atom:title") or common.title,
        description=_content(root, "atom:subtitle") or common.description,
        language=common.language or (root.get(XML_LANG) or "").strip() or None,
        link=link(root, "alternate", default) or common.link,
        author=common.author or author,
        image_url=common.image_url or clean_url(image, base_of(root, default)),
        items=tuple(_entry(item, entry, default) for item, entry in zip(common.items, entries, strict=True)),
    )


def link(el: etree._Element, rel: str, base: str | None) -> str | None:
    """The href of the first ``atom:link`` of relation ``rel`` (a link without ``rel`` is ``alternate``)."""
    for found in children(el, "atom:link"):
        if (found.get("rel") or "alternate").strip() == rel and (found.get("href") or "").strip():
            return clean_url(found.get("href"), base_of(found, base))
    return None


def _enclosure(entry: etree._Element) -> etree._Element | None:
    return next((e for e in children(entry, "atom:link") if e.get("rel") == "enclosure" and e.get("href")), None)


def _content(el: etree._Element, name: str) -> str:
    """The HTML of an Atom text construct (``type`` text, html or xhtml); "" when absent."""
    for found in children(el, name):
        kind = (found.get("type") or "text").strip().lower()
        if kind == "xhtml":
            div = next(iter(found), None)
            body = inner(div) if div is not None else inner(found)
        elif kind == "html":
            body = found.text or ""
        else:
            body = html.escape(found.text or "", quote=False)
        if body.strip():
            return body.strip()
    return ""


def _entry(item: OldItem, entry: etree._Element, base: str | None) -> OldItem:
    found = _enclosure(entry)
    notes = text(entry, "content:encoded") or _content(entry, "atom:content") or _content(entry, "atom:summary")
    return replace(
        item,
        title=text(entry, "atom:title") or item.title,
        guid=text(entry, "atom:id"),
        pub_date=text(entry, "atom:published") or text(entry, "atom:updated"),
        enclosure_url=None if found is None else clean_url(found.get("href"), base_of(found, base)),
        enclosure_type="" if found is None else (found.get("type") or "").strip(),
        enclosure_length=None if found is None else (found.get("length") or "").strip() or None,
        notes=notes or item.notes,
        link=link(entry, "alternate", base) or item.link,
    )
