"""Show notes from another host (HTML, or plain text) → the Markdown that ``episode.yaml`` holds.

Paragraphs, line breaks, links, lists, bold and italics become Markdown; other tags keep only
their text; scripts and styles are dropped. Text is escaped so that it reads back as the same
words (a ``*`` or a leading ``1.`` in the notes stays literal).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

BLOCKS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "hr",
}
EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*"}
SKIPPED = {"script", "style", "head", "title"}
HARD_BREAK = "\\\n"

_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_INLINE = re.compile(r"([\\`*_\[\]<])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_BLOCK_START = re.compile(r"^(?:[#>+=-]|\d+(?=[.)]))")


def escape(text: str, line_start: bool) -> str:
    """Escape Markdown syntax in plain ``text`` (and what would start a block at the start of a line)."""
    text = _ENTITY_LIKE.sub(r"\\&", _INLINE.sub(r"\\\1", text))
    match = _BLOCK_START.match(text) if line_start else None
    if match:  # "# x", "- x", "> x", "1. x" would become a heading, a list, a quote
        cut = match.end() if match.group().isdigit() else 0
        text = text[:cut] + "\\" + text[cut:]
    return text


class _Markdown(HTMLParser):
    """Collect Markdown while walking the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [next number] (0 for bullets)
        self.marks: list[tuple[str, int, str]] = []  # open inline marks: (tag, position in out, href)
        self.skip = 0
        self.fresh = True  # at the start of a line: block syntax must be escaped

    def _break(self, text: str) -> None:
        while self.out and self.out[-1].isspace() and "\n" not in self.out[-1]:
            self.out.pop()  # spaces before a break
        last = self.out[-1] if self.out else "\n\n"
        if not last.endswith("\n") or text not in (HARD_BREAK, "\n\n", "\n"):
            self.out.append(text)
        elif text == "\n\n" and not last.endswith("\n\n"):
            self.out.append("\n")
        self.fresh = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skip += 1
        elif tag == "br":
            self._break(HARD_BREAK)
        elif tag in ("ul", "ol"):
            if not self.lists:
                self._break("\n\n")
            self.lists.append([1 if tag == "ol" else 0])
        elif tag == "li":
            self._item()
        elif tag in BLOCKS and not self.lists:
            self._break("\n\n")
        elif tag in EMPHASIS or tag == "a":
            self.marks.append((tag, len(self.out), dict(attrs).get("href") or ""))

    def _item(self) -> None:
        depth = len(self.lists)
        indent = "   " * (depth - 1)
        counter = self.lists[-1] if self.lists else [0]
        marker = f"{counter[0]}. " if counter[0] else "- "
        if counter[0]:
            counter[0] += 1
        self._break(f"\n{indent}{marker}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._break("\n\n" if not self.lists else "\n")
        elif tag in BLOCKS and not self.lists:
            self._break("\n\n")
        elif (tag in EMPHASIS or tag == "a") and self.marks and self.marks[-1][0] == tag:
            self._close(*self.marks.pop())

    def _close(self, tag: str, start: int, href: str) -> None:
        inside = "".join(self.out[start:])
        del self.out[start:]
        body = inside.strip()
        lead, trail = inside[: len(inside) - len(inside.lstrip())], inside[len(inside.rstrip()) :]
        if not body:
            self.out.append(inside)
        elif tag == "a":
            self.out.append(lead + link(body, href) + trail)
        else:
            self.out.append(f"{lead}{EMPHASIS[tag]}{body}{EMPHASIS[tag]}{trail}")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        words = re.sub(r"\s+", " ", data)
        if self.fresh:
            words = words.lstrip()
        if words:
            self.out.append(escape(words, self.fresh))
            self.fresh = False

    def markdown(self) -> str:
        """The Markdown collected, with tidy blank lines and no trailing spaces."""
        text = "".join(self.out)
        text = re.sub(r"[ \t]+\n", "\n", text)
        text = re.sub(r"(?<=\S) {2,}", " ", text)
        text = re.sub(r"\\\n(\s*\n)", r"\1", text)  # a break right before a block is no break
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip().removesuffix("\\").strip()


def link(label: str, href: str) -> str:
    """``[label](href)``; just the label when the href is not a web or mail link."""
    href = href.strip()
    if not re.match(r"^(https?:|mailto:)", href, re.IGNORECASE):
        return label
    href = href.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    target = f"<{href}>" if "(" in href or ")" in href else href
    return f"[{label}]({target})"


def to_markdown(notes: str) -> str:
    """Markdown for show notes written as HTML (escaped or CDATA) or as plain text."""
    if not _TAG.search(notes):  # plain text: its entities, if any, were escaped once too often
        notes = html.unescape(notes)
    if not _TAG.search(notes):  # (unless they were HTML escaped twice, "&lt;p&gt;" in CDATA: read as HTML)
        paragraphs = re.split(r"\n\s*\n", notes.strip())
        notes = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    parser = _Markdown()
    parser.feed(notes)
    parser.close()
    return parser.markdown()


CREDITS_BLOCK = re.compile(
    r"<p>\s*(?:Crédits|Credits|Créditos|Mitwirkende)\s*</p>\s*<ul>(?P<items>(?:\s*<li>[^<]*</li>)+)\s*</ul>\s*$",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(r"<li>(?P<role>[^<]+?)\s*:\s*(?P<names>[^<]+)</li>")


def split_credits(notes: str) -> tuple[str, list[dict[str, str]]]:
    """Show notes without the credits block they end with (as apa-feed and many hosts write it:
    a "Crédits" paragraph and a list of "Role : Names"), and those credits in the producer's words."""
    found = CREDITS_BLOCK.search(notes)
    if not found:
        return notes, []
    lines = _CREDIT_LINE.findall(found.group("items"))
    if len(lines) != found.group("items").count("<li>"):
        return notes, []  # not every line is "Role : Names": leave the notes as they are
    credits = [
        {"role": html.unescape(role).strip(), "name": name.strip()}
        for role, names in lines
        for name in html.unescape(names).split(", ")
        if name.strip()
    ]
    return notes[: found.start()].rstrip(), credits
