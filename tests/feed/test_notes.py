"""Show notes: render_notes and to_text against a fixed corpus of inputs with the outputs the code gave
before it was made faster (tests/feed/make_notes_corpus.py), and properties that hold for any input."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from notes_samples import CONTROL, SPACE, WORDS, html_fragments, markdown_texts

from apa_feed.feed.notes import APPLE_TAGS, raw_html, render_notes, to_text, xml_safe

FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
CORPUS = json.loads(Path(__file__).with_name("notes-corpus.json").read_text("utf-8"))


@pytest.mark.parametrize("chunk", range(8))
def test_render_notes_gives_the_recorded_outputs(chunk: int) -> None:
    rows = CORPUS["render_notes"][chunk::8]
    assert len(rows) > 100
    for markdown, made, dropped, text in rows:
        notes = render_notes(markdown)
        assert (notes.html, list(notes.dropped), notes.text) == (made, dropped, text), markdown


@pytest.mark.parametrize("chunk", range(8))
def test_to_text_gives_the_recorded_outputs(chunk: int) -> None:
    rows = CORPUS["to_text"][chunk::8]
    assert len(rows) > 100
    for fragment, text in rows:
        assert to_text(fragment) == text, fragment


def test_the_corpus_holds_the_inputs_that_matter() -> None:
    markdown = [row[0] for row in CORPUS["render_notes"]]
    assert sum("bench.example" in text for text in markdown) == 3  # the benchmark's full show notes
    assert any("<script>" in text for text in markdown) and any("&#10;" in text for text in markdown)
    assert any(row[2] for row in CORPUS["render_notes"])  # some inputs had tags dropped
    assert any("\n- " in row[1] for row in CORPUS["to_text"])  # list items


class _Tags(HTMLParser):
    """The start tags of an HTML fragment, with their attributes, as Python's HTML parser reads them."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _folded(text: str) -> str:
    """Plain text as to_text gives it when it holds no tag: newlines read as spaces, runs as one space."""
    return re.sub("[ \t]+", " ", text.replace("\n", " ")).strip()


def _assert_folded(text: str) -> None:
    assert text == text.strip()
    assert "\t" not in text and "  " not in text and "\n\n\n" not in text
    assert " \n" not in text and "\n " not in text


@FUZZ
@given(markdown_texts())
def test_render_notes_keeps_only_apple_tags_and_reads_its_html_as_text(markdown: str) -> None:
    notes = render_notes(markdown)
    assert notes.text == to_text(notes.html) and notes.html == notes.html.strip()
    assert xml_safe(notes.html) == notes.html
    _assert_folded(notes.text)
    assert xml_safe(notes.text) == notes.text
    for tag, attrs in _Tags(notes.html).tags:
        assert tag in APPLE_TAGS
        assert all(name in ("title", "lang") or (name, tag) == ("href", "a") for name, _ in attrs)  # nh3 keeps
        hrefs = [value or "" for name, value in attrs if name == "href"]  # title and lang on any tag
        assert all(urlsplit(href).scheme in ("", "http", "https", "mailto") for href in hrefs)
    raw = raw_html(markdown).lower()
    assert list(notes.dropped) == sorted(set(notes.dropped))
    assert all(f"<{tag}" in raw and tag.islower() for tag in notes.dropped)
    assert not set(notes.dropped) & (APPLE_TAGS | {f"h{n}" for n in range(1, 7)})
    assert render_notes(markdown) == notes


@FUZZ
@given(st.lists(st.sampled_from([*WORDS, *SPACE, *CONTROL, "<", "&", ">", "a", "é"])).map("".join))
def test_render_notes_drops_what_apple_does_not_allow(text: str) -> None:
    notes = render_notes(f"# {text}\n\n<script>{text}</script><div>{text}</div>\n\n<em>x</em>\n")
    assert "script" in notes.dropped and "div" in notes.dropped and "em" in notes.dropped
    assert "<script" not in notes.html and "<div" not in notes.html and "<h1" not in notes.html


@FUZZ
@given(st.lists(st.sampled_from([w for w in WORDS if w not in ("1.", "2025")]), min_size=1, max_size=12))
def test_plain_words_are_one_paragraph(words: list[str]) -> None:
    text = " ".join(words)
    notes = render_notes(text)
    assert notes.html == f"<p>{html.escape(text, quote=False)}</p>"
    assert notes.text == text and notes.dropped == ()


@FUZZ
@given(html_fragments())
def test_to_text_gives_folded_plain_text(fragment: str) -> None:
    text = to_text(fragment)
    _assert_folded(text)
    assert text.count("<") <= html.unescape(fragment).count("<")  # a "<" in the text was in the fragment's text


@FUZZ
@given(st.text(), st.text())
def test_to_text_resolves_escapes_and_drops_tags(before: str, after: str) -> None:
    escaped = html.escape(before) + "<span class='x>y'><!-- <p>no --></span>" + html.escape(after)
    assert to_text(escaped) == _folded(before + after)


@FUZZ
@given(st.lists(st.text(alphabet=st.sampled_from(["a", "é", "&", "<", "日", " "]), min_size=1), min_size=1))
def test_to_text_marks_list_items_and_blocks(items: list[str]) -> None:
    listed = "".join(f"<li>{html.escape(item)}</li>\n" for item in items)
    text = to_text(f"<P>Titre</P>\n<ul>\n{listed}</UL><p>fin</p>")
    lines = [f"- {_folded(item)}".rstrip() for item in items]
    assert text == "Titre\n\n" + "\n".join(lines) + "\n\nfin"
