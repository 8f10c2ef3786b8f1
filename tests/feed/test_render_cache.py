"""Re-rendering a feed serialises only the items that changed, and the result is byte-identical."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from conftest import NOW, add_episode, episode_yaml
from lxml import etree

from apa_feed.build import Options, build_project
from apa_feed.feed.model import Feed
from apa_feed.feed.rss import item_key, render
from apa_feed.files import show_cache

TRICKY = [
    "<p>CDATA's end ]]> inside</p>",
    "<p>looks like a marker: <?apa-feed 0123 kept 0?>\n</p>",
    "<p>an item inside: </item>\n    <item><title>x</title></item></p>",
    "<p>Réalisation : Élodie — « mise en onde » & mix\n\n  indented\n</p>",
]


def sample_feed(project: Path, copies: int = 6) -> Feed:
    """The sample's feed with its one item repeated under new GUIDs and tricky show notes."""
    feed = build_project(Options(project / "feed.yaml", now=NOW)).publication.feed
    first = feed.items[0]
    items = [first] + [
        replace(
            first, guid=f"guid-{n}", title=f"Épisode {n}", html=TRICKY[n % len(TRICKY)], text=TRICKY[n % len(TRICKY)]
        )
        for n in range(copies)
    ]
    return replace(feed, items=tuple(items))


MARK = b"<!-- kept -->"


def marked(known: dict[str, bytes]) -> dict[str, bytes]:
    """Item texts with a comment inside: an item in a render that has it was taken from ``known``."""
    return {key: text.replace(b"<item>", b"<item>" + MARK, 1) for key, text in known.items()}


def test_a_render_leaves_no_marker_and_returns_every_item(project: Path) -> None:
    feed = sample_feed(project)
    text, items = render(feed)
    assert set(items) == {item_key(i) for i in feed.items}
    assert etree.fromstring(text).xpath("//processing-instruction()") == []  # well-formed, no marker left
    assert b"".join(items[item_key(i)] for i in feed.items) in text


def test_kept_items_are_spliced_back_without_rendering_them(project: Path) -> None:
    feed = sample_feed(project)
    expected, kept = render(feed)
    again, items = render(feed, marked(kept))
    assert again.count(MARK) == len(feed.items)
    assert again.replace(MARK, b"") == expected
    assert items == marked(kept)


def test_only_the_changed_item_is_rendered_and_the_text_matches_a_full_render(project: Path) -> None:
    feed = sample_feed(project)
    _, kept = render(feed)
    changed = replace(feed, items=(feed.items[0], replace(feed.items[1], title="Nouveau titre"), *feed.items[2:]))
    expected, _ = render(changed)
    text, items = render(changed, marked(kept))
    assert text.count(MARK) == len(feed.items) - 1
    assert text.replace(MARK, b"") == expected
    assert b"<title>Nouveau titre</title>" in text
    assert MARK not in items[item_key(changed.items[1])]
    assert len(set(items) - set(kept)) == 1 and len(set(kept) - set(items)) == 1


def test_a_changed_channel_keeps_the_items_and_still_renders_identically(project: Path) -> None:
    feed = sample_feed(project)
    _, kept = render(feed)
    moved = replace(feed, title="Autre titre", description="Autre description")
    assert render(moved, kept)[0] == render(moved)[0]


def test_the_key_covers_every_field(project: Path) -> None:
    item = sample_feed(project).items[0]
    keys = {item_key(item)}
    for name, value in [
        ("duration", item.duration + 1),
        ("explicit", not item.explicit),
        ("guid", "other"),
        ("enclosure_length", item.enclosure_length + 1),
        ("keywords", ("autre",)),
        ("published", item.published.replace(year=2020)),
        ("author", "Quelqu'un"),
    ]:
        keys.add(item_key(replace(item, **{name: value})))
    assert len(keys) == 8


def kept_items(root: Path) -> dict[str, bytes]:
    with sqlite3.connect(show_cache(root) / "cache.sqlite3") as db:
        return dict(db.execute("SELECT key, value FROM rows WHERE kind = 'items'").fetchall())


def test_builds_keep_the_items_and_reuse_them(project: Path) -> None:
    add_episode(project, "2025-12-01-two", episode_yaml("Deux", "2025-12-01"))
    build_project(Options(project / "feed.yaml", now=NOW))
    kept = kept_items(project)
    assert len(kept) == 2
    with sqlite3.connect(show_cache(project) / "cache.sqlite3") as db:
        db.executemany(
            "UPDATE rows SET value = ? WHERE kind = 'items' AND key = ?", [(t, k) for k, t in marked(kept).items()]
        )
    path = project / "episodes" / "2025-12-01-two" / "episode.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"Deux"', '"Deux bis"'), encoding="utf-8")
    again = build_project(Options(project / "feed.yaml", now=NOW))
    assert again.rss.count(MARK) == 1, "the unchanged item is taken from the cache, the edited one rendered"
    assert b"<title>Deux bis</title>" in again.rss
    assert len(kept_items(project)) == 2, "the old item's text is dropped"
    assert again.rss.replace(MARK, b"") == render(again.publication.feed)[0]


def test_items_kept_by_another_version_of_the_code_are_never_spliced(project: Path) -> None:
    first = build_project(Options(project / "feed.yaml", now=NOW))
    key = item_key(first.publication.feed.items[0])
    with sqlite3.connect(show_cache(project) / "cache.sqlite3") as db:
        db.execute(
            "UPDATE rows SET value = ? WHERE kind = 'items' AND key = ?",
            (b"    <item><title>injected</title></item>\n", key),
        )
        db.execute("UPDATE meta SET value = 'another version' WHERE name = 'code'")
    again = build_project(Options(project / "feed.yaml", now=NOW))
    assert b"injected" not in again.rss
    assert again.rss == first.rss
