"""A re-build reads again only the episodes whose files changed (.apa-feed/episodes.bin)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from audiogen import write_mp3
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml

from apa_feed import episodememo, snapshot, yamlread
from apa_feed import episodes as episodes_module
from apa_feed import project as project_module
from apa_feed.project import Built, Options, build_project

SAMPLE = f"episodes/{SAMPLE_EPISODE}"


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by a test are seconds old at most: trust their times anyway (the racy case has its own test)."""
    monkeypatch.setattr(snapshot, "RACY_NS", 0)
    monkeypatch.setattr(snapshot, "FINE_RACY_NS", 0)


def build(root: Path) -> Built:
    """A build that never reads the whole show back from the snapshot (only the episode memo may help)."""
    (root / ".apa-feed" / "build.pickle").unlink(missing_ok=True)
    return build_project(Options(root / "feed.yaml", now=NOW))


def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The episode folders whose episode.yaml is parsed from now on."""
    seen: list[str] = []
    real = yamlread.compose_file

    def compose(path: Path, ctx: yamlread.Context):  # type: ignore[no-untyped-def]
        if path.name == "episode.yaml":
            seen.append(path.parent.name)
        return real(path, ctx)

    monkeypatch.setattr(episodes_module, "compose_file", compose)
    return seen


def probed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The audio files probed from now on."""
    seen: list[str] = []
    real = project_module.FactCache.audio

    def audio(self, path: Path):  # type: ignore[no-untyped-def]
        seen.append(path.parent.name)
        return real(self, path)

    monkeypatch.setattr(project_module.FactCache, "audio", audio)
    return seen


def touch_later(path: Path, old: str, new: str) -> None:
    time.sleep(0.01)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def two(project: Path, trusting: None) -> Path:
    add_episode(project, "2025-12-01-two", episode_yaml("Deux", "2025-12-01", guid="deux-guid"))
    return project


def test_unchanged_episodes_are_not_read_again_and_build_the_same_feed(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build(two)
    reads, probes = parsed(monkeypatch), probed(monkeypatch)
    again = build(two)
    assert reads == [] and probes == []
    assert again.rss == first.rss
    assert again.warnings == first.warnings
    assert again.build.assets == first.build.assets


def test_an_edited_episode_is_read_again_alone(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(two)
    touch_later(two / "episodes" / "2025-12-01-two" / "episode.yaml", '"Deux"', '"Deux bis"')
    reads = parsed(monkeypatch)
    again = build(two)
    assert reads == ["2025-12-01-two"]
    assert [i.title for i in again.build.feed.items][0] == "Deux bis"


def test_new_audio_under_the_same_name_is_probed_again(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build(two)
    time.sleep(0.01)
    write_mp3(two / "episodes" / "2025-12-01-two" / "audio.mp3", seconds=3.0)
    probes = probed(monkeypatch)
    again = build(two)
    assert probes == ["2025-12-01-two"]
    assert again.build.feed.items[0].duration == 3
    assert again.build.feed.items[0].enclosure_length != first.build.feed.items[0].enclosure_length


def test_a_file_added_to_an_episode_folder_is_seen(two: Path) -> None:
    build(two)
    folder = two / "episodes" / "2025-12-01-two"
    time.sleep(0.01)
    (folder / "transcript.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour.\n", encoding="utf-8")
    assert build(two).build.feed.items[0].transcript is not None


def test_an_edited_chapters_file_is_seen(project: Path, trusting: None) -> None:
    build(project)
    chapters = project / SAMPLE / "chapters.json"
    touch_later(chapters, '"title": "', '"title": "Nouveau : ')
    assert all(c.title.startswith("Nouveau : ") for c in build(project).build.feed.items[0].chapters)


def test_a_new_time_zone_reads_every_episode_again(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build(two)
    touch_later(two / "feed.yaml", "timezone: Europe/Paris", "timezone: America/New_York")
    reads = parsed(monkeypatch)
    again = build(two)
    assert sorted(reads) == sorted([SAMPLE_EPISODE, "2025-12-01-two"])
    assert again.build.feed.items[0].published != first.build.feed.items[0].published


def test_an_episode_with_an_error_is_never_kept(two: Path) -> None:
    build(two)
    touch_later(two / "episodes" / "2025-12-01-two" / "episode.yaml", "audio: audio.mp3", "audio: missing.mp3")
    with pytest.raises(project_module.ProblemsFound):
        build(two)
    with pytest.raises(project_module.ProblemsFound) as again:
        build(two)
    assert any(p.field == "audio" and "missing.mp3" in p.message for p in again.value.problems)


def test_files_written_just_before_the_build_are_not_kept(project: Path) -> None:
    path = project / SAMPLE / "episode.yaml"
    path.write_bytes(path.read_bytes())  # changed a moment ago: its times cannot be trusted yet
    build(project)
    assert not (project / ".apa-feed" / episodememo.MEMO).exists()


def test_a_memo_from_another_machine_is_never_unpickled(
    two: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    first = build(two)
    assert (two / ".apa-feed" / episodememo.MEMO).is_file()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("other-machine")))
    import pickle

    monkeypatch.setattr(pickle, "loads", lambda data: (_ for _ in ()).throw(AssertionError("unpickled")))
    reads = parsed(monkeypatch)
    again = build(two)
    assert sorted(reads) == sorted([SAMPLE_EPISODE, "2025-12-01-two"])
    assert again.rss == first.rss


def test_an_edit_that_puts_the_old_modification_time_back_is_seen(two: Path) -> None:
    """``touch -r`` or ``rsync -t`` can restore a file's modification time; its change time still moves."""
    build(two)
    path = two / "episodes" / "2025-12-01-two" / "episode.yaml"
    before = path.stat()
    touch_later(path, '"Deux"', '"Deus"')  # the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert build(two).build.feed.items[0].title == "Deus"
