"""Pages whose inputs did not change are read back from .apa-feed/pages/; any change renders them again."""

from __future__ import annotations

from pathlib import Path

from conftest import NOW, SAMPLE_EPISODE

from apa_feed.project import Options, build_project

PAGE = f"episodes/{SAMPLE_EPISODE}/index.html"


def pages(root: Path) -> dict[str, bytes]:
    built = build_project(Options(root / "feed.yaml", now=NOW))
    return {a.key: a.data for a in built.build.assets if a.key.endswith(".html") and a.data is not None}


def memo_files(root: Path) -> set[str]:
    return {p.name for p in (root / ".apa-feed" / "pages").iterdir()}


def test_a_rerun_reads_pages_back_and_gives_the_same_bytes(project: Path) -> None:
    first = pages(project)
    kept = memo_files(project)
    assert len(kept) == len(first) == 2  # the index and the episode page
    for name in kept:  # prove the second run reads them: mark the kept files
        path = project / ".apa-feed" / "pages" / name
        path.write_bytes(path.read_bytes().replace(b"</html>", b"<!-- kept --></html>"))
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
    base = (Path(__file__).resolve().parent.parent / "apa_feed/site/templates/base.html").read_text(encoding="utf-8")
    (project / "theme" / "base.html").write_text(base.replace("</body>", "<p>thème maison</p></body>"),
                                                 encoding="utf-8")
    after = pages(project)
    assert set(after) == set(before)
    assert all("thème maison".encode() in page for page in after.values())
