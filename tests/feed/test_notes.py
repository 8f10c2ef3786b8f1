"""Show notes: render_notes and to_text against a fixed corpus of inputs with the outputs the code gave
before it was made faster (tests/feed/make_notes_corpus.py), and properties that hold for any input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apa_feed.feed.notes import render_notes, to_text

CORPUS = json.loads(Path(__file__).with_name("notes-corpus.json").read_text("utf-8"))


@pytest.mark.parametrize("chunk", range(8))
def test_render_notes_gives_the_recorded_outputs(chunk: int) -> None:
    rows = CORPUS["render_notes"][chunk::8]
    assert len(rows) > 100
    for markdown, html, dropped, text in rows:
        notes = render_notes(markdown)
        assert (notes.html, list(notes.dropped), notes.text) == (html, dropped, text), markdown


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
