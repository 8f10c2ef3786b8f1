"""Show notes: Markdown → the HTML Apple allows, and → plain text within Apple's byte limit."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

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
    import cmarkgfm
    from cmarkgfm.cmark import Options

    return str(cmarkgfm.markdown_to_html(xml_safe(markdown), options=Options.CMARK_OPT_UNSAFE))


def _dropped(raw: str) -> list[str]:
    """The HTML tags in rendered Markdown that Apple's set does not allow."""
    tags = {name.lower() for name in _START_TAG.findall(raw)}
    return sorted(tags - APPLE_TAGS - _HEADING_TAGS)


def _clean(raw: str) -> str:
    """Keep only Apple's tags (headings become paragraphs)."""
    import nh3

    raw = _HEADING.sub(lambda m: f"<{m.group(1)}p>", raw)
    cleaned = nh3.clean(
        raw, tags=APPLE_TAGS, attributes={"a": {"href"}}, link_rel=None, url_schemes={"http", "https", "mailto"}
    )
    return cleaned.strip()


_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*/?>|<!--.*?-->""",
    re.DOTALL,
)
"""A start or end tag (its attributes' quoted values may hold ``>``), or a comment."""


def to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: blank lines between blocks, "- " before list items."""
    parts = []
    end = 0
    for tag in _TAG.finditer(fragment):
        parts.append(html.unescape(fragment[end : tag.start()]).replace("\n", " "))
        name = (tag.group(2) or "").lower()
        if not tag.group(1) and name == "li":
            parts.append("\n- ")
        elif not tag.group(1) and name in ("p", "ul", "ol"):
            parts.append("\n\n")
        end = tag.end()
    parts.append(html.unescape(fragment[end:]).replace("\n", " "))
    text = re.sub(r"[ \t]+", " ", "".join(parts))
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


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
