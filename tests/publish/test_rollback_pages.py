"""The website follows the feed: a rollback puts back the pages that went with the restored feed (kept
under ``history/pages/``), ``--to`` the newest brings the newer ones back, and ``--prune`` keeps them."""
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path

from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from s3server import WeedServer, aws_env, point_at, s3_server, show, store_of  # noqa: F401  (fixtures)

from apa_feed.build import Options
from apa_feed.publish.history import PAGES
from apa_feed.publish.plan import MANIFEST
from apa_feed.publish.run import publish, rollback

PAGE = f"episodes/{SAMPLE_EPISODE}/index.html"


def options(root: Path) -> Options:
    return Options(root / "feed.yaml", now=NOW)


def pages(root: Path) -> dict[str, bytes]:
    """Every page on the store (keys ending in index.html, outside history/), with its bytes."""
    store = store_of(root)
    found = {}
    for key in store.list():
        if key.endswith("index.html") and not key.startswith("history/"):
            data = store.read(key)
            assert data is not None
            found[key] = data
    return found


def retitle_episode(root: Path, title: str) -> None:
    path = root / "episodes" / SAMPLE_EPISODE / "episode.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = f'title: "{title}"\n'
    path.write_text("".join(lines), encoding="utf-8")


def test_rollback_puts_back_the_pages_of_the_restored_feed_and_to_the_newest_brings_them_back(show: Path) -> None:
    publish(options(show))
    first = pages(show)
    assert {"index.html", PAGE} <= first.keys()
    retitle_episode(show, "Un titre tout neuf")
    publish(options(show))
    second = pages(show)
    assert second["index.html"] != first["index.html"] and second[PAGE] != first[PAGE]

    restored = rollback(options(show))
    assert pages(show) == first
    assert "restored" in restored.pages

    listing = store_of(show).list()
    newest = max(int(k[len("history/") :][:6]) for k in listing if k[len("history/") :][:6].isdigit())
    rollback(options(show), to=newest)
    assert pages(show) == second


def test_rollback_removes_the_page_of_an_episode_the_restored_feed_lacks(show: Path) -> None:
    publish(options(show))
    first = pages(show)
    add_episode(show, "2025-12-01-two", episode_yaml("Two", "2025-12-01"))
    publish(options(show))
    assert "episodes/2025-12-01-two/index.html" in pages(show)
    rollback(options(show))
    assert pages(show) == first
    rollback(options(show), to=2)  # entry 1: the first feed; entry 2: the one the rollback replaced
    assert "episodes/2025-12-01-two/index.html" in pages(show)


def test_the_next_publish_after_a_rollback_sees_which_pages_changed(project: Path) -> None:
    """Rollback rewrites the pages manifest too, so a publish of the newer show uploads its pages again."""
    publish(options(project))
    retitle_episode(project, "Un titre tout neuf")
    publish(options(project))
    second = pages(project)
    rollback(options(project))
    store = store_of(project)
    assert store.read(MANIFEST) is not None
    again = publish(options(project))
    assert {a.key for a in again.plan.actions if a.kind == "upload"} >= {"index.html", PAGE}
    assert pages(project) == second


def test_prune_keeps_the_kept_pages_and_identical_pages_are_kept_once(project: Path) -> None:
    publish(options(project))
    retitle_episode(project, "Un titre tout neuf")
    publish(options(project))
    retitle_episode(project, "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako")
    publish(options(project), prune=True)
    kept = sorted(k for k in store_of(project).list() if k.startswith(PAGES))
    copies = [k for k in kept if k.endswith(".html")]
    assert len(copies) == len(set(copies)) == 2 * 2, "index and episode page, in two versions (the third is the first)"
    rollback(options(project))
    publish(options(project), prune=True)
    assert sorted(k for k in store_of(project).list() if k.startswith(PAGES)) == kept


def test_an_unchanged_publish_keeps_nothing_more(project: Path) -> None:
    publish(options(project))
    before = store_of(project).list()
    publish(options(project))
    assert store_of(project).list() == before
