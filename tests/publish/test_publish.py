"""Publishing to the local store: media first, feed last and atomic, no-op re-runs, failures leave the feed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml

from apa_feed.build import Options
from apa_feed.errors import ProblemsFound, StorageError
from apa_feed.publish.run import publish
from apa_feed.storage.local import LocalStore


def options(root: Path) -> Options:
    return Options(root / "feed.yaml", now=NOW)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_first_publish_writes_media_artwork_and_feed(project: Path) -> None:
    report = publish(options(project))
    public = project / "public"
    published = files(public)
    assert published["feed.xml"] == report.built.rss
    audio = (project / "episodes" / SAMPLE_EPISODE / "audio.mp3").read_bytes()
    assert [k for k, v in published.items() if v == audio] == [
        k for k in published if k.startswith(f"episodes/{SAMPLE_EPISODE}/audio-")
    ]
    kept = [k for k in published if k.startswith("history/pages/")]  # the pages and their list, kept with the feed
    assert len(kept) == len([a for a in report.built.publication.assets if a.key.endswith("index.html")]) + 1
    # audio, 2 covers, chapters, transcript, pages, stylesheet, the feed, the manifest of page hashes and
    # the record of the keys apa-feed wrote, and the publish record (what is published, by whom)
    assert len(published) - len(kept) == len(report.built.publication.assets) + 4 >= 9
    assert report.as_dict()["uploaded"] == len(published) - len(kept) - 3  # the manifest and records are no actions
    assert not [p for p in public.rglob(".*")], "no temporary file may be left behind"


def test_second_publish_copies_nothing(project: Path) -> None:
    publish(options(project))
    before = {p: p.stat().st_mtime_ns for p in (project / "public").rglob("*") if p.is_file()}
    report = publish(options(project))
    assert (report.plan.count("upload"), report.plan.count("unchanged")) == (
        0,
        len(report.built.publication.assets) + 1,
    )
    after = {p: p.stat().st_mtime_ns for p in (project / "public").rglob("*") if p.is_file()}
    assert after == before


def test_dry_run_changes_nothing(project: Path) -> None:
    report = publish(options(project), dry_run=True)
    assert report.plan.count("upload") == len(report.built.publication.assets) + 1
    assert not (project / "public").exists()


def test_changed_audio_goes_to_a_new_key_and_keeps_the_guid(project: Path) -> None:
    first = publish(options(project))
    audio = project / "episodes" / SAMPLE_EPISODE / "audio.mp3"
    audio.write_bytes(audio.read_bytes()[:600_000])  # a re-encode: different bytes
    second = publish(options(project))
    old_item, new_item = first.built.publication.feed.items[0], second.built.publication.feed.items[0]
    assert old_item.guid == new_item.guid
    assert old_item.enclosure_url != new_item.enclosure_url
    old_key = old_item.enclosure_url.removeprefix("https://agencepresseaudio.example/podcast/")
    assert (project / "public" / old_key).stat().st_size == 619415, "live URL must keep serving whole bytes"
    assert [a.key for a in second.plan.actions if a.kind == "orphan"] == [old_key]


def test_invalid_project_publishes_nothing(project: Path) -> None:
    publish(options(project))
    live = (project / "public" / "feed.xml").read_bytes()
    add_episode(project, "2025-12-01-bad", episode_yaml("Bad", "2025-12-01"))
    (project / "episodes" / "2025-12-01-bad" / "audio.mp3").write_bytes(b"not audio at all" * 100)
    with pytest.raises(ProblemsFound) as found:
        publish(options(project))
    assert found.value.problems[0].file == "episodes/2025-12-01-bad/audio.mp3"
    assert (project / "public" / "feed.xml").read_bytes() == live
    assert not list((project / "public" / "episodes").glob("2025-12-01-bad*"))


def test_interrupted_publish_keeps_live_feed_and_rerun_finishes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(options(project))
    live = (project / "public" / "feed.xml").read_bytes()
    add_episode(project, "2025-12-01-two", episode_yaml("Two", "2025-12-01", image="cover.jpg"))
    (project / "episodes" / "2025-12-01-two" / "cover.jpg").write_bytes(
        (project / "episodes" / SAMPLE_EPISODE / "cover.jpg").read_bytes()
    )
    add_episode(project, "2025-12-02-three", episode_yaml("Three", "2025-12-02"))
    (project / "episodes" / "2025-12-02-three" / "audio.mp3").write_bytes(
        (project / "episodes" / SAMPLE_EPISODE / "audio.mp3").read_bytes()[:500_000]
    )
    real_put = LocalStore.put_file
    calls: list[str] = []

    def failing_put(self: LocalStore, key: str, source: Path, content_type: str, cache_control: str) -> None:
        calls.append(key)
        if len(calls) == 2:
            raise StorageError("disk full (simulated)")
        real_put(self, key, source, content_type, cache_control)

    monkeypatch.setattr(LocalStore, "put_file", failing_put)
    with pytest.raises(StorageError):
        publish(options(project))
    assert (project / "public" / "feed.xml").read_bytes() == live
    monkeypatch.setattr(LocalStore, "put_file", real_put)
    report = publish(options(project))
    assert calls[0] not in [a.key for a in report.plan.uploads], "what arrived whole is not uploaded twice"
    # files go in key order: two/audio arrived, two/cover failed, three/audio never started
    media = [a.key for a in report.plan.uploads if a.data is None]
    assert [k.split("/")[1] + "/" + k.split("/")[2][:5] for k in media] == [
        "2025-12-01-two/cover",
        "2025-12-02-three/audio",
    ]
    # pages are re-sent: without the manifest (written after them) the store cannot vouch for their bytes
    assert all(a.key.endswith(".html") or "/chapters-" in a.key for a in report.plan.uploads if a.data is not None)
    assert b"Three" in (project / "public" / "feed.xml").read_bytes()


def test_storage_override_and_absolute_folder(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    target = tmp_path_factory.mktemp("elsewhere")
    report = publish(Options(project / "feed.yaml", storage=str(target), now=NOW))
    assert (target / "feed.xml").read_bytes() == report.built.rss
    assert not (project / "public").exists()


def test_local_store_refuses_keys_outside_its_folder(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "public")
    with pytest.raises(StorageError):
        store.put_bytes("../escape.txt", b"x", "text/plain", "")
    assert not (tmp_path / "escape.txt").exists()


def test_replaced_feed_is_kept_in_history(project: Path) -> None:
    first = publish(options(project))
    add_episode(project, "2025-12-01-two", episode_yaml("Two", "2025-12-01"))
    second = publish(options(project))
    kept = [p for p in (project / "public" / "history").iterdir() if p.name != "pages"]  # pages/: the kept pages
    assert [p.read_bytes() for p in kept] == [first.built.rss]
    assert kept[0].name.startswith("000001-feed-") and kept[0].suffix == ".xml"
    assert (project / "public" / "feed.xml").read_bytes() == second.built.rss
    assert publish(options(project)).plan.count("orphan") == 0, "history is not an orphan"


def test_rollback_restores_the_previous_feed_and_can_be_undone(project: Path) -> None:
    from apa_feed.publish.run import NothingToRollBack, rollback

    with pytest.raises(NothingToRollBack):
        rollback(options(project))
    first = publish(options(project))
    add_episode(project, "2025-12-01-two", episode_yaml("Two", "2025-12-01"))
    second = publish(options(project))
    live = project / "public" / "feed.xml"
    key = rollback(options(project)).key
    assert key.startswith("history/000001-feed-")
    assert live.read_bytes() == first.built.rss
    with pytest.raises(NothingToRollBack):  # a plain rollback steps back; it does not toggle
        rollback(options(project))
    undone = rollback(options(project), to=2).key  # the feed the rollback replaced was kept as entry 2
    assert undone.startswith("history/000002-to-000001-feed-")
    assert live.read_bytes() == second.built.rss
