"""Pages whose inputs did not change are taken from the cache; any change renders them again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import NOW, REPO, SAMPLE_EPISODE

from apa_feed.build import Options, build_project
from apa_feed.files import show_cache

PAGE = f"episodes/{SAMPLE_EPISODE}/index.html"


def pages(root: Path) -> dict[str, bytes]:
    built = build_project(Options(root / "feed.yaml", now=NOW))
    return {a.key: a.data for a in built.publication.assets if a.key.endswith(".html") and a.data is not None}


def cache_db(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(show_cache(root) / "cache.sqlite3")


def memo_files(root: Path) -> set[str]:
    """The keys of the pages the cache holds."""
    with cache_db(root) as db:
        return {key for (key,) in db.execute("SELECT key FROM rows WHERE kind = 'pages'")}


def test_a_rerun_reads_pages_back_and_gives_the_same_bytes(project: Path) -> None:
    first = pages(project)
    kept = memo_files(project)
    assert len(kept) == len(first) == 2  # the index and the episode page
    with cache_db(project) as db:  # prove the second run reads them: mark the kept pages
        for key, page in db.execute("SELECT key, value FROM rows WHERE kind = 'pages'").fetchall():
            marked = page.replace(b"</html>", b"<!-- kept --></html>")
            db.execute("UPDATE rows SET value = ? WHERE kind = 'pages' AND key = ?", (marked, key))
    again = pages(project)
    assert all(b"<!-- kept -->" in page for page in again.values())


def test_a_changed_episode_renders_its_page_again_and_drops_the_old_one(project: Path) -> None:
    before = pages(project)
    old_files = memo_files(project)
    episode = project / "episodes" / SAMPLE_EPISODE / "episode.yaml"
    text = episode.read_text(encoding="utf-8")
    episode.write_text(text.replace("Coopération/ Mali-Turquie", "Coopération : Mali-Turquie"), encoding="utf-8")
    after = pages(project)
    assert b"Coop\xc3\xa9ration : Mali-Turquie" in after[PAGE]
    assert after[PAGE] != before[PAGE] and after["index.html"] != before["index.html"]
    assert memo_files(project).isdisjoint(old_files), "pages no longer made are removed"


def test_a_theme_change_renders_every_page_again(project: Path) -> None:
    before = pages(project)
    (project / "theme").mkdir()
    base = (REPO / "apa_feed/site/templates/base.html").read_text(encoding="utf-8")
    (project / "theme" / "base.html").write_text(
        base.replace("</body>", "<p>thème maison</p></body>"), encoding="utf-8"
    )
    after = pages(project)
    assert set(after) == set(before)
    assert all("thème maison".encode() in page for page in after.values())
