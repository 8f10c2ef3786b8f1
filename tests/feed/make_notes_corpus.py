"""Write tests/feed/notes-corpus.json: show-notes inputs with the outputs the code gives for them.

    python tests/feed/make_notes_corpus.py [--check]

The corpus was written by the show-notes code as it was before render_notes was made faster, so
tests/feed/test_notes.py holds every later version to that output, byte for byte: the html, the
dropped tags and the text of :func:`render_notes`, and the text of :func:`to_text`. Inputs: the
benchmark's full show notes (bench/upload.py), every string in the tests that holds Markdown or HTML
syntax, every string in the repository's YAML files, the descriptions of the feeds the import
tests read, the HTML that cmark makes of each Markdown input, and seeded random Markdown-ish and
HTML-ish text (tests/feed/notes_samples.py). Rewriting it is only right when an output is meant to
change; ``--check`` says whether the current code still gives the recorded outputs for the recorded
inputs (what tests/feed/test_notes.py asserts).
"""

from __future__ import annotations

import ast
import json
import random
import sys
from pathlib import Path

import yaml
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).with_name("notes-corpus.json")
sys.path[:0] = [str(REPO / "bench"), str(Path(__file__).parent)]

from notes_samples import HTML, PIECES, SPACE, WORDS, random_text  # noqa: E402
from upload import FULL_NOTES, LETTERS  # noqa: E402

from apa_feed.feed.notes import raw_html, render_notes, to_text  # noqa: E402

SYNTAX = set("*_`[]<>&#!\\\n\t\r")
"""A test string with one of these is kept as a Markdown input."""


def bench_notes(numbers: tuple[int, ...] = (0, 1, 1999)) -> list[str]:
    """The benchmark show's notes for some episode numbers, as its episode.yaml gives them."""
    notes = []
    for n in numbers:
        text = "description: |\n" + FULL_NOTES.format(n=n, number=n + 1, word=f"{n:x}".translate(LETTERS))
        notes.append(yaml.safe_load(text)["description"])
    return notes


def test_strings() -> set[str]:
    """The string constants of the tests that hold Markdown or HTML syntax."""
    found = set()
    for path in sorted((REPO / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SYNTAX & set(node.value):
                found.add(node.value)
    return found


def yaml_strings() -> set[str]:
    """Every string value in the repository's YAML files (the sample shows' notes among them)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(REPO.rglob("*.yaml")):
        if not {".apa-feed", "public", ".git"} & set(path.relative_to(REPO).parts):
            try:
                walk(yaml.safe_load(path.read_text("utf-8")))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
    return found


def feed_texts() -> set[str]:
    """The text of every element of the feeds the import tests read (their HTML descriptions among them)."""
    found = set()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for path in sorted((REPO / "tests" / "importfeed" / "feeds").glob("*.xml")):
        try:
            tree = etree.parse(str(path), parser)
        except etree.XMLSyntaxError:
            continue
        found |= {el.text for el in tree.iter() if isinstance(el.tag, str) and el.text and el.text.strip()}
    return found


def inputs() -> tuple[list[str], list[str]]:
    """The Markdown inputs and the HTML fragments, each sorted and without repeats."""
    rng = random.Random(20261203)
    markdown = set(bench_notes()) | test_strings() | yaml_strings()
    markdown |= {random_text(rng, PIECES) for _ in range(400)}
    fragments = feed_texts() | {raw_html(text) for text in markdown}
    fragments |= {random_text(rng, HTML + WORDS + SPACE) for _ in range(400)}
    return sorted(filter(_kept_by_json, markdown)), sorted(filter(_kept_by_json, fragments))


def _kept_by_json(text: str) -> bool:
    """Whether JSON gives ``text`` back (two lone surrogates in a row come back as one character)."""
    return bool(json.loads(json.dumps(text)) == text)


def corpus() -> dict[str, list[list[object]]]:
    """The inputs with the outputs the current code gives."""
    markdown, fragments = inputs()
    return {
        "render_notes": [corpus_notes(text) for text in markdown],
        "to_text": [[fragment, to_text(fragment)] for fragment in fragments],
    }


def differences(recorded: dict[str, list[list[object]]]) -> int:
    """How many recorded inputs the current code gives another output for."""
    notes = [row for row in recorded["render_notes"] if corpus_notes(str(row[0])) != row]
    texts = [row for row in recorded["to_text"] if [row[0], to_text(str(row[0]))] != row]
    return len(notes) + len(texts)


def corpus_notes(text: str) -> list[object]:
    """A ``render_notes`` row of the corpus for ``text``."""
    notes = render_notes(text)
    return [text, notes.html, list(notes.dropped), notes.text]


def main() -> None:
    if "--check" in sys.argv[1:]:
        wrong = differences(json.loads(CORPUS.read_text("utf-8")))
        print(f"{wrong} recorded inputs give another output" if wrong else "the code gives the recorded outputs")
        sys.exit(1 if wrong else 0)
    CORPUS.write_text(json.dumps(corpus(), ensure_ascii=True, indent=0) + "\n", "utf-8")
    print(f"wrote {CORPUS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
