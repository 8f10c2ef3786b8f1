"""Derived files: the embedded cover as episode artwork, and the tagged copy of the audio (tags: write)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import NOW, REPO, SAMPLE_EPISODE, add_episode, episode_yaml
from lxml import etree
from mutagen.id3 import APIC, ID3

from apa_feed.audio.probe import probe
from apa_feed.build import Options
from apa_feed.publish.run import publish

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
SAMPLE_AUDIO = REPO / "episodes" / SAMPLE_EPISODE / "audio.mp3"


def run(root: Path):  # type: ignore[no-untyped-def]
    return publish(Options(root / "feed.yaml", now=NOW))


def published_file(root: Path, url: str) -> Path:
    return root / "public" / url.removeprefix("https://agencepresseaudio.example/podcast/")


def test_tags_write_gives_the_published_copy_title_chapters_and_cover(project: Path) -> None:
    (project / "feed.yaml").write_text((project / "feed.yaml").read_text(encoding="utf-8") + "tags: write\n")
    original = (project / "episodes" / SAMPLE_EPISODE / "audio.mp3").read_bytes()
    report = run(project)
    item = report.built.publication.feed.items[0]
    copy = published_file(project, item.enclosure_url)
    info = probe(copy)
    assert info.tags.title == "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako"
    assert (info.tags.artist, info.tags.album, info.tags.genre) == (
        "Agence Presse Audio",
        "Agence Presse Audio — Documentaires",
        "Podcast",
    )
    assert info.tags.date == "2025-11-12"
    assert [(round(c.start, 3), c.title) for c in info.chapters] == [
        (0.0, "Introduction"),
        (24.887, "Le salon de Bamako"),
        (54.465, "La stratégie malienne"),
        (89.932, "Crédits"),
    ]
    assert info.cover is not None and (info.cover.width, info.cover.height) == (1400, 1400)
    assert item.enclosure_length == copy.stat().st_size != len(original)
    assert abs(info.duration - probe(SAMPLE_AUDIO).duration) < 0.05
    assert (project / "episodes" / SAMPLE_EPISODE / "audio.mp3").read_bytes() == original, "the original is untouched"
    again = run(project)
    assert again.plan.count("upload") == 0, "the same copy is made again: nothing to upload"


def test_without_tags_write_the_original_bytes_are_published(project: Path) -> None:
    item = run(project).built.publication.feed.items[0]
    assert published_file(project, item.enclosure_url).read_bytes() == SAMPLE_AUDIO.read_bytes()


def test_an_episode_without_image_uses_the_cover_embedded_in_its_audio(project: Path) -> None:
    folder = add_episode(project, "2025-12-01-embedded", episode_yaml("Embedded", "2025-12-01"))
    cover = (REPO / "episodes" / SAMPLE_EPISODE / "cover.jpg").read_bytes()
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=cover))
    tags.save(folder / "audio.mp3", v2_version=4)
    report = run(project)
    rss = etree.fromstring(report.built.rss)
    image = rss.find("channel/item").find(f"{ITUNES}image").get("href")
    assert hashlib.sha256(published_file(project, image).read_bytes()).digest() == hashlib.sha256(cover).digest()
    assert image.endswith(".jpg")
    assert not (folder / "cover.jpg").exists(), "the producer's folder is not written to"


def test_chapter_pictures_in_the_audio_are_published_and_linked_from_the_json_chapters(project: Path) -> None:
    import json

    from mutagen.id3 import CHAP, CTOC, TIT2, CTOCFlags

    folder = add_episode(project, "2025-12-02-pictures", episode_yaml("Pictures", "2025-12-02"))
    picture = (REPO / "episodes" / SAMPLE_EPISODE / "cover.jpg").read_bytes()
    tags = ID3()
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=["c0", "c1"],
            sub_frames=[],
        )
    )
    tags.add(CHAP(element_id="c0", start_time=0, end_time=30000, sub_frames=[TIT2(encoding=3, text="Début")]))
    tags.add(
        CHAP(
            element_id="c1",
            start_time=30000,
            end_time=60000,
            sub_frames=[
                TIT2(encoding=3, text="Avec image"),
                APIC(encoding=3, mime="image/jpeg", type=0, desc="c1", data=picture),
            ],
        )
    )
    tags.save(folder / "audio.mp3", v2_version=4)
    report = run(project)
    item = next(i for i in report.built.publication.feed.items if i.slug == "2025-12-02-pictures")
    assert item.chapters_url is not None
    doc = json.loads(published_file(project, item.chapters_url).read_bytes())
    assert [c["title"] for c in doc["chapters"]] == ["Début", "Avec image"]
    assert "img" not in doc["chapters"][0]
    assert published_file(project, doc["chapters"][1]["img"]).read_bytes() == picture
    assert run(project).plan.count("upload") == 0, "extracted once; the re-run finds everything in place"
