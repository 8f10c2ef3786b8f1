"""The kept build (.apa-feed/build.pickle): used only while nothing it read has changed."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml

from apa_feed import project as project_module
from apa_feed import snapshot
from apa_feed.project import Options, build_project

EPISODE = f"episodes/{SAMPLE_EPISODE}/episode.yaml"


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by a test are seconds old at most: trust their times anyway (the racy case has its own test)."""
    monkeypatch.setattr(snapshot, "RACY_NS", 0)
    monkeypatch.setattr(snapshot, "FINE_RACY_NS", 0)


def build(root: Path, **options: object):  # type: ignore[no-untyped-def]
    return build_project(Options(root / "feed.yaml", now=NOW, **options))  # type: ignore[arg-type]


def without_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any real read of the project fail, so only the snapshot can answer."""
    def refuse(options: Options) -> object:
        raise AssertionError("the project was read again")

    monkeypatch.setattr(project_module, "_read", refuse)


def touch_later(path: Path) -> None:
    time.sleep(0.01)
    path.write_bytes(path.read_bytes())


def test_an_unchanged_show_is_read_back(project: Path, trusting: None, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build(project)
    assert (project / ".apa-feed" / "build.pickle").is_file()
    without_reading(monkeypatch)
    again = build(project)
    assert again.rss == first.rss
    assert again.build.assets == first.build.assets
    assert again.warnings == first.warnings


def test_a_same_size_edit_is_seen(project: Path, trusting: None) -> None:
    build(project)
    path = project / EPISODE
    time.sleep(0.01)
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2025-11-12", "date: 2025-11-10"), encoding="utf-8")
    assert b"Mon, 10 Nov 2025" in build(project).rss


def test_a_new_file_in_an_episode_folder_is_seen(project: Path, trusting: None) -> None:
    folder = project / "episodes" / SAMPLE_EPISODE
    (folder / "transcript.vtt").rename(project / "elsewhere.vtt")
    assert b"podcast:transcript" not in build(project).rss
    (project / "elsewhere.vtt").rename(folder / "transcript.vtt")
    assert b"podcast:transcript" in build(project).rss


def test_a_new_episode_folder_is_seen(project: Path, trusting: None) -> None:
    build(project)
    add_episode(project, "2025-12-01-two", episode_yaml("Two", "2025-12-01"))
    assert len(build(project).build.feed.items) == 2


def test_a_scheduled_episode_comes_due(project: Path, trusting: None) -> None:
    add_episode(project, "2026-03-01-later", episode_yaml("Later", "2026-03-01"))
    assert len(build(project).build.feed.items) == 1
    due = build_project(Options(project / "feed.yaml", now=datetime(2026, 3, 2, tzinfo=UTC)))
    assert [i.title for i in due.build.feed.items] == [
        "Later", "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako"]


def test_other_options_build_again(project: Path, trusting: None) -> None:
    build(project)
    moved = build(project, base_url="https://cdn.example.org/apa/")
    assert b"https://cdn.example.org/apa/feed.xml" in moved.rss


def test_an_edit_to_a_config_file_named_with_f_is_seen(project: Path, trusting: None) -> None:
    other = project / "other.yaml"
    other.write_text((project / "feed.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    build_project(Options(other, now=NOW))
    touch_later(other)
    other.write_text(other.read_text(encoding="utf-8").replace("title: ", "title: Retitled ", 1), encoding="utf-8")
    assert b"<title>Retitled " in build_project(Options(other, now=NOW)).rss


def test_files_changed_just_before_the_build_keep_no_snapshot(project: Path) -> None:
    path = project / EPISODE
    path.write_bytes(path.read_bytes())  # changed a moment ago: its times cannot be trusted yet
    build(project)
    assert not (project / ".apa-feed" / "build.pickle").exists()


def test_a_damaged_snapshot_is_ignored(project: Path, trusting: None) -> None:
    first = build(project)
    (project / ".apa-feed" / "build.pickle").write_bytes(b"not a snapshot")
    assert build(project).rss == first.rss


def test_a_build_with_guids_still_to_write_is_not_kept(project: Path, trusting: None) -> None:
    add_episode(project, "2025-12-01-two", episode_yaml("Two", "2025-12-01"))
    build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    assert not (project / ".apa-feed" / "build.pickle").exists()
    written = build(project).build.feed.items[0].guid  # this build writes the GUID into episode.yaml
    assert f"guid: {written}" in (project / "episodes" / "2025-12-01-two" / "episode.yaml").read_text(encoding="utf-8")


def test_after_a_publish_the_next_unchanged_publish_is_not_rebuilt(
    project: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apa_feed.lock import read_lock
    from apa_feed.publish import publish

    first = publish(Options(project / "feed.yaml", now=NOW))  # writes apa-feed.lock: the snapshot follows it
    without_reading(monkeypatch)
    again = publish(Options(project / "feed.yaml", now=NOW))
    assert again.plan.count("upload") == 0
    assert again.built.lock == read_lock(project) != first.built.lock


def test_a_snapshot_not_signed_on_this_machine_is_never_unpickled(
    project: Path, trusting: None, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A show cloned with someone's .apa-feed/build.pickle must not run their code: it is ignored."""
    first = build(project)
    kept = project / ".apa-feed" / "build.pickle"
    assert kept.is_file()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("other-machine")))
    import pickle

    monkeypatch.setattr(pickle, "loads", lambda data: (_ for _ in ()).throw(AssertionError("unpickled")))
    assert build(project).rss == first.rss  # rebuilt, not read back


def test_kept_pages_and_notes_from_another_machine_are_not_trusted(
    project: Path, trusting: None, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A cloned project's .apa-feed (pages, rendered notes) could carry anything: it is rebuilt here."""
    first = build(project)
    kept = project / ".apa-feed"
    for page in (kept / "pages").iterdir():
        page.write_bytes(b"<script>alert('injected')</script>")
    (kept / "notes.json").write_text('{"html": {}, "text": {}, "dropped": {}}')  # unsigned
    (kept / "build.pickle").unlink()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("new-machine")))
    again = build(project)
    pages = [a.data for a in again.build.assets if a.key.endswith(".html")]
    assert pages and not any(b"injected" in (p or b"") for p in pages)
    assert again.rss == first.rss


def stat_at(mtime_ns: int) -> os.stat_result:
    """A stat result whose modification and change times are ``mtime_ns``."""
    fields = [0o100644, 1, 1, 1, 0, 0, 10, mtime_ns // 10**9, mtime_ns // 10**9, mtime_ns // 10**9]
    return os.stat_result((*fields, mtime_ns / 1e9, mtime_ns / 1e9, mtime_ns / 1e9,
                           mtime_ns, mtime_ns, mtime_ns))


@pytest.mark.parametrize(("before_start_ns", "racy"), [
    (1_500_000_000, False),  # fine times, 1.5 s before: safe
    (150_000_000, False),    # fine times, 0.15 s before: safe
    (50_000_000, True),      # fine times, 50 ms before: within a clock tick or two, not trusted
    (-10_000_000, True),     # changed while the build ran
])
def test_fine_file_times_are_trusted_a_tenth_of_a_second_after_a_change(before_start_ns: int, racy: bool) -> None:
    started = 1_700_000_000_123_456_789
    assert snapshot.changed_since(stat_at(started - before_start_ns), started) is racy


def test_whole_second_file_times_wait_two_seconds() -> None:
    """FAT and other file systems keep times in whole (or even) seconds: a change within 2 s could hide."""
    started = 1_700_000_010_000_000_000
    assert snapshot.changed_since(stat_at(started - 1_000_000_000), started)
    assert not snapshot.changed_since(stat_at(started - 3_000_000_000), started)
