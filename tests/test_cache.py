"""The one cache of builds: outside the show, SQLite rows of data, used only while their keys match."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import audiogen
import pytest
from conftest import NOW
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, WXXX, CTOCFlags

import apa_feed.cache as cache_module
from apa_feed.audio.probe import AudioInfo, CoverInfo, probe
from apa_feed.build import Options, build_project
from apa_feed.cache import Cache
from apa_feed.feed.chapters import Chapter
from apa_feed.files import show_cache

SECONDS = 2.5


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("audio") / "tone.mp3"
    return path, audiogen.write_mp3(path, SECONDS)


@pytest.fixture(scope="module")
def rich_mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tagged MP3 with a cover and two chapters (one with a URL and a picture)."""
    path = tmp_path_factory.mktemp("audio") / "rich.mp3"
    audiogen.write_mp3(path, SECONDS)
    tags = ID3()
    tags.add(TIT2(encoding=1, text=["Épisode spécial"]))
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=audiogen.cover_image("PNG", (40, 30))))
    tags.add(CHAP(element_id="a", start_time=0, end_time=1000, sub_frames=[TIT2(encoding=3, text=["Début"])]))
    tags.add(
        CHAP(
            element_id="b",
            start_time=1000,
            end_time=2500,
            sub_frames=[
                TIT2(encoding=3, text=["Suite"]),
                WXXX(encoding=3, desc="", url="https://example.org/b"),
                APIC(encoding=3, mime="image/png", type=0, desc="", data=audiogen.cover_image("PNG", (8, 8))),
            ],
        )
    )
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["a", "b"]))
    tags.save(path)
    return path


def _counting_probe(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []

    def counted(path: Path) -> AudioInfo:
        calls.append(path)
        return probe(path)

    monkeypatch.setattr(cache_module, "probe", counted)
    return calls


def _must_not_probe(path: Path) -> AudioInfo:
    raise AssertionError(f"probed {path} again: the cache was not used")


def kept(root: Path, audio: Path) -> Cache:
    """A cache that has probed ``audio`` and written it back."""
    cache = Cache(root)
    cache.audio(audio)
    cache.close(complete=True)
    return cache


def database(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(show_cache(root) / "cache.sqlite3")


# --------------------------------------------------------------------------- file facts


def test_cache_reuses_saved_probe(tmp_path: Path, mp3: tuple[Path, int], monkeypatch: pytest.MonkeyPatch) -> None:
    audio = tmp_path / "episode.mp3"
    audio.write_bytes(mp3[0].read_bytes())
    calls = _counting_probe(monkeypatch)
    first = Cache(tmp_path)
    info = first.audio(audio)
    first.close(complete=True)
    assert calls == [audio]

    monkeypatch.setattr(cache_module, "probe", _must_not_probe)
    again = Cache(tmp_path).audio(audio)

    assert again == info == probe(audio)


def test_cache_reprobes_changed_file(tmp_path: Path, mp3: tuple[Path, int], monkeypatch: pytest.MonkeyPatch) -> None:
    audio = tmp_path / "episode.mp3"
    audio.write_bytes(mp3[0].read_bytes())
    os.utime(audio, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    calls = _counting_probe(monkeypatch)
    first = Cache(tmp_path)
    long_info = first.audio(audio)
    first.close(complete=True)

    audiogen.write_mp3(audio, 1.0)  # different content and size
    os.utime(audio, ns=(1_700_000_100_000_000_000, 1_700_000_100_000_000_000))
    second = Cache(tmp_path)
    short_info = second.audio(audio)
    second.close(complete=True)

    assert len(calls) == 2
    assert long_info.duration == pytest.approx(SECONDS, abs=0.001)
    assert short_info.duration == pytest.approx(1.0, abs=0.001)
    assert short_info.size == audio.stat().st_size

    os.utime(audio, ns=(1_700_000_200_000_000_000, 1_700_000_200_000_000_000))  # same bytes, new mtime only
    assert Cache(tmp_path).audio(audio) == short_info
    assert len(calls) == 3


def test_cache_facts_sha256(tmp_path: Path, mp3: tuple[Path, int], monkeypatch: pytest.MonkeyPatch) -> None:
    audio = tmp_path / "episode.mp3"
    data = mp3[0].read_bytes()
    audio.write_bytes(data)
    os.utime(audio, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    first = Cache(tmp_path)
    facts = first.facts(audio)
    first.close(complete=True)

    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert (facts.path, facts.size) == (audio, len(data))

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"hashed {path} again: the cache was not used")

    monkeypatch.setattr(cache_module, "sha256_file", no_hashing)
    assert Cache(tmp_path).facts(audio) == facts
    monkeypatch.undo()

    # Same size, one byte different inside the last frame, new mtime: hashed again.
    changed = bytearray(data)
    changed[-10] ^= 0xFF
    audio.write_bytes(bytes(changed))
    os.utime(audio, ns=(1_700_000_100_000_000_000, 1_700_000_100_000_000_000))
    refreshed = Cache(tmp_path).facts(audio)
    assert refreshed.size == facts.size
    assert refreshed.sha256 == hashlib.sha256(bytes(changed)).hexdigest() != facts.sha256


def test_cache_rebuilds_tags_cover_and_chapters(
    tmp_path: Path, rich_mp3: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audio = tmp_path / "episode.mp3"
    audio.write_bytes(rich_mp3.read_bytes())
    first = Cache(tmp_path)
    info = first.audio(audio)
    first.close(complete=True)
    assert info.tags.title == "Épisode spécial"
    assert info.cover == CoverInfo("png", 40, 30, "image/png")
    assert info.chapters == (Chapter(0.0, "Début", 1.0), Chapter(1.0, "Suite", 2.5, "https://example.org/b"))
    assert info.chapter_images == (1,)

    monkeypatch.setattr(cache_module, "probe", _must_not_probe)
    again = Cache(tmp_path).audio(audio)

    assert again == info
    assert isinstance(again.cover, CoverInfo) and isinstance(again.chapters, tuple)


DAMAGED = [
    ("not-a-dict", lambda entry: "garbage"),
    ("missing-field", lambda entry: {k: v for k, v in entry.items() if k != "codec"}),
    ("old-shape", lambda entry: {k: entry[k] for k in ("duration", "size", "mime_type", "format", "duration_source")}),
    ("wrong-type", lambda entry: {**entry, "duration": "2.5"}),
    ("bad-tags", lambda entry: {**entry, "tags": {"titel": "x"}}),
    (
        "bad-cover",
        lambda entry: {**entry, "cover": {"format": "png", "width": "40", "height": 30, "mime_type": "image/png"}},
    ),
    ("bad-chapter", lambda entry: {**entry, "chapters": [{"start": None, "title": "x"}]}),
]


@pytest.mark.parametrize(("name", "damage"), DAMAGED, ids=[d[0] for d in DAMAGED])
def test_damaged_cache_entry_is_probed_again(
    tmp_path: Path, rich_mp3: Path, monkeypatch: pytest.MonkeyPatch, name: str, damage: Callable[[dict], object]
) -> None:
    audio = tmp_path / "episode.mp3"
    audio.write_bytes(rich_mp3.read_bytes())
    info = Cache(tmp_path).audio(audio)
    kept(tmp_path, audio)
    with database(tmp_path) as db:
        (value,) = db.execute(
            "SELECT value FROM rows WHERE kind = 'facts' AND key = ?", (os.fsencode(audio),)
        ).fetchone()
        entry = json.loads(value)
        entry["audio"] = damage(entry["audio"])
        db.execute(
            "UPDATE rows SET value = ? WHERE kind = 'facts' AND key = ?", (json.dumps(entry), os.fsencode(audio))
        )
    calls = _counting_probe(monkeypatch)

    again = Cache(tmp_path).audio(audio)

    assert calls == [audio]
    assert again == info


def test_a_cache_written_by_another_version_is_ignored(
    tmp_path: Path, mp3: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    audio = tmp_path / "episode.mp3"
    audio.write_bytes(mp3[0].read_bytes())
    kept(tmp_path, audio)
    with database(tmp_path) as db:
        db.execute("UPDATE meta SET value = 'an older apa-feed' WHERE name = 'code'")
    calls = _counting_probe(monkeypatch)

    Cache(tmp_path).audio(audio)

    assert calls == [audio]


@pytest.mark.parametrize("damage", [b"", b"not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_damaged_database_is_started_afresh(tmp_path: Path, mp3: tuple[Path, int], damage: bytes) -> None:
    audio = tmp_path / "episode.mp3"
    audio.write_bytes(mp3[0].read_bytes())
    kept(tmp_path, audio)
    (show_cache(tmp_path) / "cache.sqlite3").write_bytes(damage)

    cache = Cache(tmp_path)
    assert cache.audio(audio) == probe(audio)
    cache.close(complete=True)
    assert Cache(tmp_path).rows["facts"], "the fresh database is written again"


def test_an_unwritable_cache_folder_still_builds(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = project.parent / "blocked"
    blocked.write_text("a file where the cache folder should go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    first = build_project(Options(project / "feed.yaml", now=NOW))
    again = build_project(Options(project / "feed.yaml", now=NOW))
    assert first.rss == again.rss and b"<item>" in first.rss


def test_a_complete_build_drops_rows_it_no_longer_uses(tmp_path: Path, mp3: tuple[Path, int]) -> None:
    one, two = tmp_path / "one.mp3", tmp_path / "two.mp3"
    one.write_bytes(mp3[0].read_bytes())
    two.write_bytes(mp3[0].read_bytes() + b"\0")
    first = Cache(tmp_path)
    first.facts(one)
    first.facts(two)
    first.close(complete=True)

    failed = Cache(tmp_path)  # a build that stopped early keeps what it did not reach
    failed.facts(one)
    failed.close(complete=False)
    assert set(Cache(tmp_path).rows["facts"]) == {os.fsencode(one), os.fsencode(two)}

    whole = Cache(tmp_path)
    whole.facts(one)
    whole.close(complete=True)
    assert set(Cache(tmp_path).rows["facts"]) == {os.fsencode(one)}


# --------------------------------------------------------------------------- where it lives


def test_a_build_writes_nothing_inside_the_show(project: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    after = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    assert after == before
    assert (show_cache(project) / "cache.sqlite3").is_file()
    assert not (project / ".apa-feed").exists()


def test_the_cache_folder_is_private_and_per_show(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    Cache(tmp_path / "a").close(complete=True)
    assert show_cache(tmp_path / "a") != show_cache(tmp_path / "b")
    assert show_cache(tmp_path / "a").stat().st_mode & 0o077 == 0


def test_a_planted_dot_apa_feed_folder_is_never_read(project: Path) -> None:
    """What an earlier apa-feed kept inside the show (pickles, pages, items) is ignored, whatever it holds."""
    planted = project / ".apa-feed"
    (planted / "pages").mkdir(parents=True)
    (planted / "build.pickle").write_bytes(b"cos\nsystem\n(S'touch /tmp/pwned'\ntR.")
    (planted / "items.bin").write_bytes(b"\x00" * 64)
    first = build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    assert b"<item>" in first.rss
    assert sorted(p.name for p in planted.iterdir()) == ["build.pickle", "items.bin", "pages"]


def test_no_module_imports_a_format_that_can_hold_code() -> None:
    package = Path(cache_module.__file__).resolve().parent
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("pickle", "marshal", "shelve"):
            assert f"import {name}" not in text, f"{path} imports {name}"


def test_a_build_with_the_cache_gives_what_a_build_without_it_gives(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from conftest import add_episode, episode_yaml

    add_episode(project, "2025-12-01-deux", episode_yaml("Deux", "2025-12-01", explicit="true"))
    options = Options(project / "feed.yaml", now=NOW)

    def outputs() -> tuple[bytes, list[tuple[str, str]], list[str]]:
        built = build_project(options)
        assets = [(a.key, a.sha256) for a in built.publication.assets]
        return built.rss, assets, [p.render() for p in built.warnings]

    cold = outputs()
    warm = outputs()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("empty-cache")))
    fresh = outputs()
    assert cold == warm == fresh
    assert len(cold[1]) > 4 and b"<item>" in cold[0]


def test_a_file_whose_name_is_not_utf8_is_kept_too(
    tmp_path: Path, mp3: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/\xff-ep"))
    folder.mkdir()
    audio = folder / "audio.mp3"
    audio.write_bytes(mp3[0].read_bytes())
    first = Cache(tmp_path)
    info = first.audio(audio)
    first.close(complete=True)
    monkeypatch.setattr(cache_module, "probe", _must_not_probe)
    assert Cache(tmp_path).audio(audio) == info


def test_a_link_planted_where_a_temporary_file_would_go_is_never_written_through(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from conftest import add_episode

    victim = tmp_path_factory.mktemp("outside") / "victim.txt"
    victim.write_text("someone's file\n", encoding="utf-8")
    folder = add_episode(
        project, "2025-12-01-deux", 'title: "Deux"\ndate: 2025-12-01\naudio: audio.mp3\ndescription: Notes.\n'
    )
    for name in (f".episode.yaml.{os.getpid()}.tmp", ".episode.yaml.tmp"):
        (folder / name).symlink_to(victim)
    (project / f".apa-feed.lock.{os.getpid()}.tmp").symlink_to(victim)
    build_project(Options(project / "feed.yaml", now=NOW))  # writes the new episode's GUID into its episode.yaml
    assert "guid:" in (folder / "episode.yaml").read_text(encoding="utf-8")
    assert victim.read_text(encoding="utf-8") == "someone's file\n"
