"""Reading an untrusted feed's XML as podcast apps do: entities never expanded, nothing fetched, undeclared
``itunes:`` or ``podcast:`` prefixes read by their name, URLs cleaned and made absolute."""

from __future__ import annotations

import functools
import re
from contextlib import suppress
from urllib.parse import quote, urljoin

from lxml import etree  # (no stubs installed)

from .client import ImportFailed

NAMESPACES = {
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "https://podcastindex.org/namespace/1.0": "podcast",
    "https://github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md": "podcast",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://www.w3.org/2005/atom": "atom",
    "http://www.w3.org/2005/atom/": "atom",
    "http://search.yahoo.com/mrss/": "media",
    "http://search.yahoo.com/mrss": "media",
}
"""Namespace URIs (compared lower-case: feeds in the wild vary the case) → the prefix used here."""
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_UNDECLARED = "NS_ERR_UNDEFINED_NAMESPACE"


def _parser(recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def read_xml(data: bytes, where: str) -> etree._Element:
    """The document's root element; a prefix used without its ``xmlns:`` declaration (``<itunes:image>`` in a
    feed that never declares ``itunes``) is read by its written name, as podcast apps read it."""
    strict = _parser()
    try:
        root = etree.fromstring(data, strict)
    except etree.XMLSyntaxError as exc:
        errors = [e for e in strict.error_log if e.level_name in ("ERROR", "FATAL")]
        if not errors or any(e.type_name != _UNDECLARED for e in errors):
            line, column = exc.position
            raise ImportFailed(f"{where}: not XML (syntax error at line {line}, column {column})") from None
        root = etree.fromstring(data, _parser(recover=True))  # the only faults were undeclared prefixes
    if root is None:
        raise ImportFailed(f"{where}: not XML (the document is empty)")
    return root


def key(el: etree._Element) -> str:
    """``itunes:image``, ``podcast:guid``, ``title``…: an element's tag under our fixed prefixes."""
    return _key(str(el.tag))


@functools.lru_cache(maxsize=1024)
def _key(tag: str) -> str:
    """:func:`key` of a tag (a feed has a few dozen distinct tags, each met thousands of times)."""
    if not tag.startswith("{"):
        return tag  # no namespace, or an undeclared prefix kept as written ("itunes:duration")
    namespace, _, local = tag[1:].partition("}")
    return f"{NAMESPACES.get(namespace.lower(), namespace)}:{local}"


Kids = dict[str, list[etree._Element]]
"""An element's child elements by :func:`key`, in document order (see :func:`group`)."""


def group(el: etree._Element) -> Kids:
    """``el``'s child elements by :func:`key`: made once, it answers every look-up of an element read field by
    field (an item's twenty-odd fields would otherwise each walk its children)."""
    kids: Kids = {}
    for child in el:
        if isinstance(tag := child.tag, str):
            kids.setdefault(_key(tag), []).append(child)
    return kids


def children(el: etree._Element | Kids, name: str) -> list[etree._Element]:
    """The child elements of ``el`` (or of the element ``el`` groups) named ``name`` (see :func:`key`)."""
    return (el if isinstance(el, dict) else group(el)).get(name, [])


def text(el: etree._Element | Kids, name: str) -> str | None:
    """The stripped text of the first child ``name``, None if absent or empty."""
    for child in children(el, name):
        value = inner(child).strip()
        if value:
            return value
    return None


def attr(el: etree._Element | Kids, name: str, attribute: str) -> str | None:
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


def base_of(el: etree._Element, default: str | None) -> str:
    """The URL relative links in ``el`` are relative to: the ``xml:base`` of it and its ancestors, on ``default``."""
    bases = [a.get(XML_BASE) for a in (el, *el.iterancestors())]
    base = default or ""
    for value in reversed([b.strip() for b in bases if b and b.strip()]):
        base = urljoin(base, value)
    return base


def clean_url(value: str | None, base: str = "") -> str | None:
    """A URL as apps fetch it: spaces around it and line breaks in it dropped, made absolute on ``base``, and
    the spaces (and control characters) left inside it percent-encoded; anything else is kept as written."""
    if not value:
        return None
    url = re.sub(r"[\t\r\n]", "", value).strip()
    if not url:
        return None
    with suppress(ValueError):  # a base or URL urljoin cannot read: the URL as written (refused later)
        url = urljoin(base, url) if base else url
    if url.isprintable() and " " not in url:  # no space or control character to encode (most URLs)
        return url
    return "".join(quote(c) if c.isspace() or not c.isprintable() else c for c in url)
