"""Show notes: Markdown → the HTML Apple allows, and → plain text within Apple's byte limit."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

APPLE_TAGS = {"p", "ol", "ul", "li", "a"}
"""The HTML Apple Podcasts documents for show notes."""

APPLE_LIMIT = 4000
"""Apple's limit for description and summary, counted in UTF-8 bytes."""

_HEADING = re.compile(r"<(/?)h[1-6]>")
_HEADING_TAGS = {f"h{n}" for n in range(1, 7)}
_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)[\s/>]")
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(value: str) -> str:
    """Remove the characters XML 1.0 forbids (control characters, lone surrogates)."""
    return _XML_FORBIDDEN.sub("", value)


@dataclass(frozen=True)
class ShowNotes:
    """An episode's Markdown notes, rendered: the HTML Apple allows, and the tags that were dropped."""

    html: str
    dropped: tuple[str, ...]
    text: str
    """The HTML as plain text (:func:`to_text`)."""


def render_notes(markdown: str) -> ShowNotes:
    """Render show notes once, for the feed, the checks and the pages."""
    raw = raw_html(markdown)
    html = _clean(raw)
    return ShowNotes(html, tuple(_dropped(raw)), to_text(html))


def join_text(*texts: str) -> str:
    """Plain texts of consecutive blocks (what :func:`to_text` gave for each), as one text."""
    return "\n\n".join(text for text in texts if text)


def raw_html(markdown: str) -> str:
    """Markdown rendered as CommonMark says, before Apple's tag set is applied (raw HTML is kept
    here: :func:`render_notes` is what removes what Apple does not allow)."""
    return str(cmarkgfm.markdown_to_html(xml_safe(markdown), options=Options.CMARK_OPT_UNSAFE))


def _dropped(raw: str) -> list[str]:
    """The HTML tags in rendered Markdown that Apple's set does not allow."""
    tags = set(map(str.lower, _START_TAG.findall(raw)))
    return sorted(tags - APPLE_TAGS - _HEADING_TAGS)


_APPLE_CLEANER = nh3.Cleaner(
    tags=APPLE_TAGS, attributes={"a": {"href"}}, link_rel=None, url_schemes={"http", "https", "mailto"}
)
"""Apple's tags, links to web and mail addresses only (made once: half of what each clean would cost)."""


def _clean(raw: str) -> str:
    """Keep only Apple's tags (headings become paragraphs)."""
    return str(_APPLE_CLEANER.clean(_HEADING.sub(r"<\1p>", raw))).strip()


_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*/?>|<!--.*?-->""",
    re.DOTALL,
)
"""A start or end tag (its attributes' quoted values may hold ``>``), or a comment."""


_BREAKS = {"li": "\n- ", "p": "\n\n", "ul": "\n\n", "ol": "\n\n"}
"""What the start tags that begin a block become in plain text."""
_SPACE_RUN = re.compile("  +")
_BLANK_LINES = re.compile("\n\n\n+")


def to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: blank lines between blocks, "- " before list items."""
    # A newline reads as a space, in text as in tags. split gives each text, then each tag's "/" (or "")
    # and name (None for a comment): a text is unescaped, a tag becomes its break (start tags) or nothing.
    pieces = _TAG.split(fragment.replace("\n", " "))
    pieces[::3] = [_unescape(text) if "&" in text else text for text in pieces[::3]]
    tags = zip(pieces[1::3], pieces[2::3], strict=True)
    pieces[1::3] = ["" if end or not name else _BREAKS.get(name.lower(), "") for end, name in tags]
    pieces[2::3] = [""] * (len(pieces) // 3)
    text = _SPACE_RUN.sub(" ", "".join(pieces).replace("\t", " "))
    text = text.replace(" \n", "\n").replace("\n ", "\n")  # no tab or run of spaces is left to strip
    return _BLANK_LINES.sub("\n\n", text).strip()


def _unescape(text: str) -> str:
    """Text between tags with its character references resolved (a newline among them reads as a space)."""
    return html.unescape(text).replace("\n", " ")


def clip(text: str, limit: int = APPLE_LIMIT) -> str:
    """Cut ``text`` to at most ``limit`` UTF-8 bytes at a word boundary, ending with "…"."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len("…".encode())
    cut = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    if " " in cut[-40:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def credits_html(heading: str, lines: list[tuple[str, list[str]]], colon: str = ": ") -> str:
    """A credits block in Apple's tags: a heading paragraph and one list item per role."""
    if not lines:
        return ""
    items = "".join(f"<li>{html.escape(role)}{colon}{html.escape(', '.join(names))}</li>" for role, names in lines)
    return f"<p>{html.escape(heading)}</p><ul>{items}</ul>"
