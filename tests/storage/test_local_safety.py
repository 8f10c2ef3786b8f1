"""A local store never overwrites or deletes the show itself, and never writes through a symbolic link
planted in its folder: the show may be someone else's clone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE_EPISODE

from apa_feed.build import Options
from apa_feed.errors import StorageError
from apa_feed.publish.run import publish
from apa_feed.storage import open_store
from apa_feed.storage.local import LocalStore

FEED = "application/rss+xml"
CACHE = "no-cache"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the show (the store under public/ aside) with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.relative_to(root).as_posix().startswith("public/")
    }


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apa_feed", *args], cwd=root, capture_output=True, text=True)


# --- a store that is the show, holds it, or lies in its own folders ---------------------------------


def test_publish_prune_to_the_show_folder_is_refused_and_deletes_nothing(project: Path) -> None:
    assert cli(project, "publish").returncode == 0  # a lock file and a published show, as a producer has them
    (project / "notes.txt").write_text("the producer's own file\n", encoding="utf-8")
    before = snapshot(project)
    assert {"feed.yaml", "apa-feed.lock", f"episodes/{SAMPLE_EPISODE}/episode.yaml", "notes.txt"} <= set(before)
    done = cli(project, "publish", "--prune", "--storage", ".")
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "error: storage \".\": it is the show's folder; a local store must not be the show's folder, a folder "
        "holding it, or inside its episodes/ or theme/ (publish to a folder of its own, like the default public/)\n"
    )
    assert snapshot(project) == before
    assert not (project / "feed.xml").exists() and not (project / "index.html").exists()


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        (".", "it is the show's folder"),
        ("./", "it is the show's folder"),
        ("..", "it holds the show's folder"),
        ("episodes", "it is inside the show's episodes/"),
        (f"episodes/{SAMPLE_EPISODE}", "it is inside the show's episodes/"),
        ("theme/out", "it is inside the show's theme/"),
        ("public/..", "it is the show's folder"),
    ],
)
def test_a_local_store_in_the_shows_own_folders_is_refused(project: Path, spec: str, why: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_store(spec, project)
    assert str(caught.value).startswith(f'storage "{spec}": {why}; ')


def test_the_show_folder_named_absolutely_or_through_a_link_is_refused(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with pytest.raises(StorageError, match="it is the show's folder"):
        open_store(str(project), project)
    with pytest.raises(StorageError, match="it holds the show's folder"):
        open_store(str(project.parent), project)
    link = tmp_path_factory.mktemp("links") / "show"
    link.symlink_to(project)
    with pytest.raises(StorageError, match="it is the show's folder"):
        open_store(str(link), project)
    (project / "out").symlink_to(project / "episodes")
    with pytest.raises(StorageError, match="it is inside the show's episodes/"):
        open_store("out", project)


@pytest.mark.parametrize("spec", ["public", "site/out", "public/episodes", "themes"])
def test_a_folder_of_its_own_inside_the_show_is_fine(project: Path, spec: str) -> None:
    store = open_store(spec, project)
    assert isinstance(store, LocalStore) and store.root == project / spec


def test_rollback_to_the_show_folder_is_refused(project: Path) -> None:
    before = snapshot(project)
    done = cli(project, "rollback", "--storage", ".")
    assert done.returncode == 1 and done.stderr.startswith('error: storage ".": it is the show\'s folder; ')
    assert snapshot(project) == before


# --- symbolic links planted in the store ------------------------------------------------------------


@pytest.fixture
def victim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("elsewhere") / "victim"
    path.write_bytes(b"precious\n")
    return path


def test_publish_replaces_a_linked_feed_instead_of_writing_through_it(project: Path, victim: Path) -> None:
    publish(Options(project / "feed.yaml", now=NOW))
    feed = project / "public" / "feed.xml"
    published = feed.read_bytes()
    feed.unlink()
    feed.symlink_to(victim)
    publish(Options(project / "feed.yaml", now=NOW))
    assert victim.read_bytes() == b"precious\n"
    assert not feed.is_symlink() and feed.read_bytes() == published


def test_writes_replace_links_to_files_inside_or_outside(tmp_path: Path, victim: Path) -> None:
    store = LocalStore(tmp_path / "public")
    store.put_bytes("other.xml", b"other", FEED, CACHE)
    (tmp_path / "public" / "feed.xml").symlink_to(victim)
    (tmp_path / "public" / "inner.xml").symlink_to(tmp_path / "public" / "other.xml")
    source = tmp_path / "source.mp3"
    source.write_bytes(b"audio")
    (tmp_path / "public" / "a.mp3").symlink_to(victim)
    store.put_bytes("feed.xml", b"<rss/>", FEED, CACHE)
    store.put_bytes("inner.xml", b"inner", FEED, CACHE)
    store.put_files([("a.mp3", source, "audio/mpeg", CACHE)])
    assert victim.read_bytes() == b"precious\n" and store.read("other.xml") == b"other"
    for name, data in [("feed.xml", b"<rss/>"), ("inner.xml", b"inner"), ("a.mp3", b"audio")]:
        path = tmp_path / "public" / name
        assert not path.is_symlink() and path.read_bytes() == data


def test_a_linked_temporary_name_is_not_written_through(tmp_path: Path, victim: Path) -> None:
    import os

    (tmp_path / "public").mkdir()
    (tmp_path / "public" / f".apa-tmp-{os.getpid()}-feed.xml").symlink_to(victim)
    LocalStore(tmp_path / "public").put_bytes("feed.xml", b"<rss/>", FEED, CACHE)
    assert victim.read_bytes() == b"precious\n"
    assert (tmp_path / "public" / "feed.xml").read_bytes() == b"<rss/>"


def test_a_linked_folder_in_the_store_is_not_written_through(tmp_path: Path, victim: Path) -> None:
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "episodes").symlink_to(victim.parent)
    store = LocalStore(tmp_path / "public")
    with pytest.raises(StorageError) as caught:
        store.put_bytes("episodes/victim", b"overwritten", FEED, CACHE)
    assert "episodes: a symbolic link" in str(caught.value)
    assert victim.read_bytes() == b"precious\n"
    assert store.read("episodes/victim") is None
    store.delete(["episodes/victim"])
    assert victim.read_bytes() == b"precious\n"


def test_a_link_is_not_an_object_read_listed_or_followed_on_delete(tmp_path: Path, victim: Path) -> None:
    store = LocalStore(tmp_path / "public")
    store.put_bytes("feed.xml", b"<rss/>", FEED, CACHE)
    (tmp_path / "public" / "history").mkdir()
    (tmp_path / "public" / "history" / "stolen.xml").symlink_to(victim)
    assert store.read("history/stolen.xml") is None
    assert sorted(store.list()) == ["feed.xml"]
    store.delete(["history/stolen.xml"])
    assert victim.read_bytes() == b"precious\n"
    assert not (tmp_path / "public" / "history" / "stolen.xml").is_symlink()
