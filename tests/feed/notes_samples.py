"""Markdown-ish and HTML-ish inputs for the show-notes tests: hypothesis strategies, and the same
pieces drawn by a seeded :class:`random.Random` for the fixed corpus (tests/feed/make_notes_corpus.py)."""

from __future__ import annotations

import random

from hypothesis import strategies as st

WORDS = ["Un", "épisode", "à", "Ça", "naïve", "cœur", "l'été", "«", "»", "Ü", "日本", "x", "1.", "42", "2025"]
"""Plain words, French accents and other non-ASCII text."""

MARKDOWN = [
    *("*", "**", "_", "__", "`", "``", "```\n", "~~", "#", "# ", "## ", "###### ", "####### ", "\\", "!", "|"),
    *("- ", "* ", "+ ", "1. ", "2) ", "> ", "    ", "---\n", "***\n", "Titre\n===\n", "[", "]", "(", ")", ":"),
    *("[lien](https://x.example/a?b=1&c=2)", "[x](javascript:alert(1))", "[m](mailto:a@b.example)", "[r](/rel)"),
    *(
        "![img](https://x.example/i.png)",
        "<https://x.example>",
        "https://x.example/",
        "[ref]\n\n[ref]: https://r.example",
    ),
    *('[t](https://x.example "ti>tle")', "a@b.example", "<a@b.example>"),
]
"""Markdown syntax: emphasis, code, headings, lists, quotes, rules, links, autolinks, images."""

HTML = [
    *("<", ">", "&", "<<", "a < b", "a > b", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#10;", "&#x41;", "&#9;"),
    *("&nbsp;", "&eacute;", "&amp", "&copy", "&notit;", "&#0;", "&#x110000;", "&bogus;", "&#", "&;", "&Tab;"),
    *("<p>", "</p>", "<P>", "<br>", "<br/>", "<BR />", "<h2>", "</h2>", "<H1>", "<h7>", "<ul>", "</ul>", "<Ol>"),
    *("<li>", "</LI>", "<lI>", "</a>", '<a href="https://x.example/?a>b&amp;c">', "<a href='mailto:a@b.example'>"),
    *(
        "<a href=javascript:alert(1)>",
        "<a name=x>",
        '<a\nhref="https://y.example"\ttitle=x>',
        "<script>alert(1)</script>",
    ),
    *("<style>p{}</style>", "<!-- c -->", "<!-- <p>caché</p> -->", "<!--", "-->", "<div>", "</div>", "<span>"),
    *("<table><tr><td>x</td></tr></table>", "<img src=x onerror=y>", "<iframe src=https://x.example>", "<b>", "</b>"),
    *("<em>", "<strong>", "<code>", "<pre>", "<blockquote>", "<hr/>", "<?php x ?>", "<!DOCTYPE html>", "<![CDATA[x]]>"),
    *("<p/>", "< p>", "</ p>", "<p x=>", "<p x='>'>", '<p "q">', "<li value=3>", "<UL class=x>", "</>", "<1>"),
]
"""Inline HTML and entities, well and badly formed, allowed by Apple or not."""

SPACE = [" ", "  ", "\t", "\n", "\n\n", "\n\n\n", " \n", "\n ", "\r\n", "\r", "\x0b", "\x0c", "\xa0", "\u2028"]
"""Whitespace of every kind, and line breaks."""

CONTROL = ["\x00", "\x07", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff", "\U0001f600"]
"""Characters XML forbids (and one it allows beyond the BMP)."""

PIECES = WORDS + MARKDOWN + HTML + SPACE + CONTROL


def markdown_texts(max_pieces: int = 40) -> st.SearchStrategy[str]:
    """Markdown-ish text: pieces of the lists above mixed with arbitrary short text."""
    piece = st.one_of(st.sampled_from(PIECES), st.sampled_from(PIECES), st.text(max_size=4))
    return st.lists(piece, max_size=max_pieces).map("".join)


def html_fragments(max_pieces: int = 40) -> st.SearchStrategy[str]:
    """HTML-ish fragments (what :func:`to_text` reads): tags, entities, words and whitespace."""
    piece = st.one_of(st.sampled_from(HTML + WORDS + SPACE), st.text(max_size=3))
    return st.lists(piece, max_size=max_pieces).map("".join)


def random_text(rng: random.Random, pieces: list[str], max_pieces: int = 40) -> str:
    """The corpus's counterpart of the strategies: ``pieces`` drawn by a seeded generator."""
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, max_pieces)))
