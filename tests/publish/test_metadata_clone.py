"""A clone of the show with its metadata only (no audio, no episode artwork) builds the same feed from
apa-feed.lock, publishes edits to metadata, and uploads or deletes nothing else (issue 15)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import audiogen
import pytest
from conftest import NOW, SAMPLE_EPISODE
from lxml import etree
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TIT2, CTOCFlags
from typer.testing import CliRunner

from apa_feed.build import BuiltShow, Options, build_project
from apa_feed.cli import app
from apa_feed.errors import ApaFeedError, ProblemsFound
from apa_feed.publish.lockfile import LOCK_FILE, read_lock, write_lock
from apa_feed.publish.run import publish

runner = CliRunner()

TAGGED = "2025-11-20-from-tags"
PLAIN = "2025-11-25-plain"
ARTWORK = audiogen.cover_image("PNG", (1400, 1400))
CHAPTER_PICTURE = audiogen.cover_image("JPEG", (400, 400))
EMBEDDED = audiogen.cover_image("JPEG", (1400, 1400))


def _options(root: Path) -> Options:
    return Options(root / "feed.yaml", now=NOW)


def _tagged_mp3(path: Path) -> None:
    """Generated audio whose tags give the title, notes, cover and chapters (one with a picture)."""
    audiogen.write_mp3(path, 4.0)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Le titre des tags"]))
    tags.add(COMM(encoding=3, lang="fra", desc="", text=["Les notes des tags."]))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=EMBEDDED))
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["a", "b"]))
    for element, start, end, title, pictures in (
        ("a", 0, 2000, "Ouverture", [CHAPTER_PICTURE]),
        ("b", 2000, 4000, "Fin", []),
    ):
        subs = [TIT2(encoding=3, text=[title])]
        subs += [APIC(encoding=3, mime="image/jpeg", type=0, desc="p", data=data) for data in pictures]
        tags.add(CHAP(element_id=element, start_time=start, end_time=end, sub_frames=subs))
    tags.save(path)


@pytest.fixture
def published(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample show plus an episode that takes everything from its tags and one with its own artwork,
    published to a folder store outside the show (as a CI job and a laptop would share it)."""
    store = tmp_path_factory.mktemp("store")
    feed = project / "feed.yaml"
    feed.write_text(feed.read_text(encoding="utf-8").replace("storage: public", f"storage: {store}"), encoding="utf-8")
    tagged = project / "episodes" / TAGGED
    tagged.mkdir()
    _tagged_mp3(tagged / "audio.mp3")
    (tagged / "episode.yaml").write_text("date: 2025-11-20\naudio: audio.mp3\n", encoding="utf-8")
    plain = project / "episodes" / PLAIN
    plain.mkdir()
    audiogen.write_mp3(plain / "sound.mp3", 3.0)
    (plain / "art.png").write_bytes(ARTWORK)
    (plain / "episode.yaml").write_text(
        'title: "Plain"\ndate: 2025-11-25\naudio: sound.mp3\nimage: art.png\ndescription: Notes.\n', encoding="utf-8"
    )
    publish(_options(project))
    return project


def _clone(show: Path, target: Path) -> Path:
    """The show's folder as version control holds it when ``*.mp3`` and episode artwork stay out."""
    shutil.copytree(show, target, ignore=shutil.ignore_patterns("*.mp3", "art.png", "cover.jpg"))
    shutil.copy(show / "cover.jpg", target / "cover.jpg")  # the show's own cover stays
    assert not list(target.glob("episodes/*/*.mp3")) and not list(target.glob("episodes/*/*.png"))
    return target


def _items(rss: bytes) -> dict[str, tuple[str, str, str]]:
    """Each item's title by GUID, with its enclosure URL and length."""
    root = etree.fromstring(rss)
    return {
        item.findtext("guid"): (
            item.findtext("title"),
            item.find("enclosure").get("url"),
            item.find("enclosure").get("length"),
        )
        for item in root.iter("item")
    }


def test_the_lock_records_the_facts_of_the_published_files(published: Path) -> None:
    lock = read_lock(published)
    assert lock is not None
    by_slug = {e.slug: e for e in lock.episodes}
    tagged = by_slug[TAGGED]
    assert tagged.audio is not None and tagged.image is None
    assert tagged.audio.file.name == "audio.mp3" and tagged.audio.file.type == "audio/mpeg"
    assert tagged.enclosure_url.endswith(tagged.audio.file.key)
    assert tagged.audio.probe.tags.title == "Le titre des tags" and len(tagged.audio.probe.chapters) == 2
    assert tagged.audio.cover is not None and tagged.audio.cover.type == "image/jpeg"
    assert [i for i, _ in tagged.audio.chapter_images] == [0]
    plain = by_slug[PLAIN]
    assert plain.image is not None and (plain.image.name, plain.image.size) == ("art.png", len(ARTWORK))
    sample = by_slug[SAMPLE_EPISODE]
    audio = published / "episodes" / SAMPLE_EPISODE / "audio.mp3"
    assert sample.audio is not None and sample.audio.file.size == audio.stat().st_size


def test_a_clone_without_audio_or_artwork_builds_the_same_feed(
    published: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = build_project(_options(published), assign=False)
    clone = _clone(published, tmp_path_factory.mktemp("clone") / "show")
    monkeypatch.chdir(clone)
    rebuilt = build_project(_options(clone), assign=False)
    assert rebuilt.rss == original.rss

    def facts(built: BuiltShow) -> list[tuple[str, int, str]]:
        return [(a.key, a.size, a.sha256) for a in built.publication.assets]

    assert facts(rebuilt) == facts(original) and original.publication.site > 0  # the pages are the same too
    infos = [p.render() for p in rebuilt.warnings if p.severity == "info" and "apa-feed.lock" in p.message]
    assert infos == [
        f'info: episodes/{SAMPLE_EPISODE}/episode.yaml: audio: built from apa-feed.lock: "audio.mp3" and '
        '"cover.jpg" not here, published as recorded',
        f'info: episodes/{TAGGED}/episode.yaml: audio: built from apa-feed.lock: "audio.mp3" not here, '
        "published as recorded",
        f'info: episodes/{PLAIN}/episode.yaml: audio: built from apa-feed.lock: "sound.mp3" and "art.png" not '
        "here, published as recorded",
    ]


def test_check_names_the_episodes_built_from_the_lock(
    published: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = _clone(published, tmp_path_factory.mktemp("clone") / "show")
    monkeypatch.chdir(clone)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    named = [
        line.split(":")[1].split("/")[1] for line in result.stderr.splitlines() if "built from apa-feed.lock" in line
    ]
    assert named == [SAMPLE_EPISODE, TAGGED, PLAIN]


def test_a_second_publish_from_the_clone_uploads_and_deletes_nothing(
    published: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    lock_before = (published / LOCK_FILE).read_bytes()
    clone = _clone(published, tmp_path_factory.mktemp("clone") / "show")
    report = publish(_options(clone), prune=True)
    assert report.plan.count("upload") == 0 and report.plan.deletes == ()
    assert report.plan.count("orphan") == 0 and not report.plan.feed_changed
    assert (clone / LOCK_FILE).read_bytes() == lock_before


def test_an_edited_title_publishes_with_the_same_enclosure(
    published: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    before = _items(build_project(_options(published), assign=False).rss)
    clone = _clone(published, tmp_path_factory.mktemp("clone") / "show")
    episode = clone / "episodes" / SAMPLE_EPISODE / "episode.yaml"
    text = episode.read_text(encoding="utf-8")
    old_title = text.splitlines()[0]
    episode.write_text(text.replace(old_title, 'title: "Un titre corrigé"'), encoding="utf-8")
    tagged = clone / "episodes" / TAGGED / "episode.yaml"
    tagged.write_text(tagged.read_text(encoding="utf-8") + 'title: "Titre écrit"\n', encoding="utf-8")
    report = publish(_options(clone))
    after = _items(report.built.rss)
    assert report.plan.feed_changed
    assert [a.key for a in report.plan.uploads if a.key.endswith((".mp3", ".jpg", ".png"))] == []
    changed = {guid: (title, url, length) for guid, (title, url, length) in after.items() if before[guid][0] != title}
    assert sorted(t for t, _, _ in changed.values()) == ["Titre écrit", "Un titre corrigé"]
    assert {g: (u, n) for g, (_, u, n) in after.items()} == {g: (u, n) for g, (_, u, n) in before.items()}
    lock = read_lock(clone)
    assert lock is not None
    assert {e.title for e in lock.episodes} >= {"Un titre corrigé", "Titre écrit"}
    assert all(e.audio is not None for e in lock.episodes), "the facts stay recorded"


def test_new_audio_in_the_clone_wins_over_the_record(published: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    clone = _clone(published, tmp_path_factory.mktemp("clone") / "show")
    audiogen.write_mp3(clone / "episodes" / PLAIN / "sound.mp3", 5.0)
    report = publish(_options(clone))
    uploads = [a.key for a in report.plan.uploads]
    assert any(k.startswith(f"episodes/{PLAIN}/sound-") for k in uploads)
    lock = read_lock(clone)
    assert lock is not None
    (plain,) = [e for e in lock.episodes if e.audio and e.audio.file.name == "sound.mp3"]
    assert (
        plain.audio is not None and plain.audio.file.size == (clone / "episodes" / PLAIN / "sound.mp3").stat().st_size
    )


def test_another_audio_file_name_needs_the_file(
    published: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = _clone(published, tmp_path_factory.mktemp("clone") / "show")
    monkeypatch.chdir(clone)
    episode = clone / "episodes" / PLAIN / "episode.yaml"
    episode.write_text(episode.read_text(encoding="utf-8").replace("sound.mp3", "other.mp3"), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        build_project(_options(clone), assign=False)
    assert [p.render() for p in found.value.problems if p.severity == "error"] == [
        f'error: episodes/{PLAIN}/episode.yaml:3:8: audio: expected a file, got "other.mp3" (no such file); '
        'apa-feed.lock records "sound.mp3", not this file; put the file there'
    ]


def test_an_absent_file_without_a_record_is_an_error(
    published: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = _clone(published, tmp_path_factory.mktemp("clone") / "show")
    monkeypatch.chdir(clone)
    (clone / LOCK_FILE).unlink()
    with pytest.raises(ProblemsFound) as found:
        build_project(_options(clone), assign=False)
    errors = sorted((p.file, p.field) for p in found.value.problems if p.severity == "error")
    assert errors == [
        (f"episodes/{SAMPLE_EPISODE}/episode.yaml", "audio"),
        (f"episodes/{SAMPLE_EPISODE}/episode.yaml", "image"),
        (f"episodes/{TAGGED}/episode.yaml", "audio"),
        (f"episodes/{PLAIN}/episode.yaml", "audio"),
        (f"episodes/{PLAIN}/episode.yaml", "image"),
    ]


def test_a_store_without_the_recorded_files_is_refused_before_any_upload(
    published: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = _clone(published, tmp_path_factory.mktemp("clone") / "show")
    monkeypatch.chdir(clone)
    elsewhere = tmp_path_factory.mktemp("other-store")
    feed = clone / "feed.yaml"
    text = feed.read_text(encoding="utf-8")
    store_line = next(line for line in text.splitlines() if line.startswith("storage:"))
    feed.write_text(text.replace(store_line, f"storage: {elsewhere}"), encoding="utf-8")
    with pytest.raises(ApaFeedError, match="the store lacks files that are not here either") as refused:
        publish(_options(clone))
    assert f"episodes/{PLAIN}/sound.mp3" in str(refused.value)
    assert list(elsewhere.iterdir()) == [], "nothing was uploaded"


def test_an_old_lock_without_the_facts_still_reads_and_gains_them(published: Path) -> None:
    doc = json.loads((published / LOCK_FILE).read_text(encoding="utf-8"))
    for entry in doc["episodes"]:
        entry.pop("audio", None)
        entry.pop("image", None)
    (published / LOCK_FILE).write_text(json.dumps(doc), encoding="utf-8")
    old = read_lock(published)
    assert old is not None and all(e.audio is None and e.image is None for e in old.episodes)
    publish(_options(published))
    new = read_lock(published)
    assert new is not None and all(e.audio is not None for e in new.episodes)
    write_lock(published, new)
    assert read_lock(published) == new, "the facts survive their JSON round trip"


def test_a_clone_of_a_show_that_writes_tags_publishes_the_tagged_copies_as_recorded(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``tags: write`` publishes a tagged copy of each audio; the lock records the copy, and the clone,
    which cannot make it again, publishes the one recorded (its tags stay as published)."""
    feed = project / "feed.yaml"
    store = tmp_path_factory.mktemp("store")
    text = feed.read_text(encoding="utf-8").replace("storage: public", f"storage: {store}")
    feed.write_text(text + "tags: write\n", encoding="utf-8")
    first = publish(_options(project))
    source = (project / "episodes" / SAMPLE_EPISODE / "audio.mp3").read_bytes()
    (item,) = first.built.publication.feed.items
    published = store / item.enclosure_url.removeprefix(first.built.show.base_url)
    assert published.read_bytes() != source, "the published audio is the tagged copy"
    clone = _clone(project, tmp_path_factory.mktemp("clone") / "show")
    again = publish(_options(clone))
    assert again.built.rss == first.built.rss and again.plan.count("upload") == 0


def test_a_lock_from_before_the_records_says_why_the_clone_cannot_build(
    published: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = _clone(published, tmp_path_factory.mktemp("clone") / "show")
    monkeypatch.chdir(clone)
    doc = json.loads((clone / LOCK_FILE).read_text(encoding="utf-8"))
    for entry in doc["episodes"]:
        entry.pop("image", None)
    (clone / LOCK_FILE).write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        build_project(_options(clone), assign=False)
    assert [p.render() for p in found.value.problems if p.severity == "error"] == [
        f'error: episodes/{SAMPLE_EPISODE}/episode.yaml:4:8: image: expected a file, got "cover.jpg" (no such file); '
        "apa-feed.lock has no record of this artwork (written before such records); put the file there",
        f'error: episodes/{PLAIN}/episode.yaml:4:8: image: expected a file, got "art.png" (no such file); '
        "apa-feed.lock has no record of this artwork (written before such records); put the file there",
    ]


def test_a_damaged_record_is_a_problem_of_the_lock(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(published)
    doc = json.loads((published / LOCK_FILE).read_text(encoding="utf-8"))
    doc["episodes"][0]["audio"]["file"]["size"] = "big"
    (published / LOCK_FILE).write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        build_project(_options(published), assign=False)
    assert [p.render() for p in found.value.problems] == [
        "error: apa-feed.lock: apa-feed.lock is damaged (size should be int, got 'big'); restore it from version control"
    ]


def test_tags_write_needs_the_artwork_to_tag_new_audio(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = project / "feed.yaml"
    store = tmp_path_factory.mktemp("store")
    text = feed.read_text(encoding="utf-8").replace("storage: public", f"storage: {store}")
    feed.write_text(text + "tags: write\n", encoding="utf-8")
    publish(_options(project))
    clone = _clone(project, tmp_path_factory.mktemp("clone") / "show")
    monkeypatch.chdir(clone)
    audiogen.write_mp3(clone / "episodes" / SAMPLE_EPISODE / "audio.mp3", 3.0)  # new audio, the artwork still absent
    with pytest.raises(ProblemsFound) as found:
        build_project(_options(clone), assign=False)
    assert [p.render() for p in found.value.problems if p.field == "tags"] == [
        f"error: episodes/{SAMPLE_EPISODE}/cover.jpg: tags: tags: write puts the artwork into new audio, "
        "and it is not here; put it back"
    ]
