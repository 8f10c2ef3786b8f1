"""apa_feed.audio.probe.extract_chapter_images: the pictures of ID3 CHAP frames (APIC sub-frames), by chapter index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import audiogen
import pytest
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, CTOCFlags

from apa_feed.audio.probe import AudioError, extract_chapter_images, probe

SECONDS = 3.0
JPEG = audiogen.cover_image("JPEG", (40, 30))
PNG = audiogen.cover_image("PNG", (20, 20))
GIF = audiogen.cover_image("GIF", (10, 10))


@pytest.fixture(scope="session")
def plain_mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chapter-images") / "plain.mp3"
    audiogen.write_mp3(path, SECONDS)
    return path


def _chap(element_id: str, start: float, end: float, title: str, *pictures: tuple[str, bytes]) -> CHAP:
    subs = [TIT2(encoding=3, text=[title])]
    subs += [APIC(encoding=3, mime=mime, type=0, desc=f"p{n}", data=data) for n, (mime, data) in enumerate(pictures)]
    return CHAP(element_id=element_id, start_time=round(start * 1000), end_time=round(end * 1000), sub_frames=subs)


def _tagged(plain_mp3: Path, target: Path, *frames: object) -> Path:
    target.write_bytes(plain_mp3.read_bytes())
    tags = ID3()
    for frame in frames:
        tags.add(frame)
    tags.save(target)
    return target


def test_pictures_come_back_by_chapter_index_with_the_mime_of_their_bytes(tmp_path: Path, plain_mp3: Path) -> None:
    """Written out of time order with no CTOC: the chapters, and so the indexes, follow the start times."""
    path = _tagged(
        plain_mp3, tmp_path / "images.mp3",
        _chap("d", 2.5, 3.0, "Été", ("image/jpeg", b"\xff\xd8 not a JPEG")),  # unreadable: no image
        _chap("c", 2.0, 2.5, "Gif", ("image/gif", GIF)),  # neither JPEG nor PNG: no image
        _chap("b", 1.0, 2.0, "Sans image"),
        _chap("a", 0.0, 1.0, "Ouverture", ("image/png", JPEG)),  # declared PNG, is JPEG
        _chap("e", 2.75, 3.0, "Générique", ("image/jpeg", b"junk"), ("image/jpeg", PNG)),  # the first usable one
    )  # fmt: skip

    images = extract_chapter_images(path)
    info = probe(path)

    assert [c.title for c in info.chapters] == ["Ouverture", "Sans image", "Gif", "Été", "Générique"]
    assert images == {0: (JPEG, "image/jpeg"), 4: (PNG, "image/png")}
    assert info.chapter_images == (0, 4) == tuple(sorted(images))


def test_indexes_follow_the_table_of_contents(tmp_path: Path, plain_mp3: Path) -> None:
    path = _tagged(
        plain_mp3, tmp_path / "toc.mp3",
        _chap("one", 0.0, 1.5, "Un", ("image/jpeg", JPEG)),
        _chap("two", 1.5, 3.0, "Deux", ("image/png", PNG)),
        CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["two", "one"]),
    )  # fmt: skip

    info = probe(path)

    assert [c.title for c in info.chapters] == ["Deux", "Un"]  # the CTOC's order, as for the chapters
    assert extract_chapter_images(path) == {0: (PNG, "image/png"), 1: (JPEG, "image/jpeg")}
    assert info.chapter_images == (0, 1)


def test_no_chapter_images(tmp_path: Path, plain_mp3: Path) -> None:
    m4a = tmp_path / "a.m4a"
    audiogen.write_with_ffmpeg(m4a, 1.0, audiogen.AAC_M4A, chapters=[(0.0, 1.0, "Seul")])
    cover_only = _tagged(plain_mp3, tmp_path / "cover.mp3", APIC(encoding=3, mime="image/jpeg", type=3, data=JPEG))

    for path in (plain_mp3, cover_only, m4a):
        assert extract_chapter_images(path) == {}
        assert probe(path).chapter_images == ()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: None, "file not found"),
        (audiogen.write_random_bytes, "not a readable audio file (no MPEG audio frames found)"),
    ],
    ids=["missing", "random-bytes"],
)
def test_unusable_files(tmp_path: Path, make: Callable[[Path], object], message: str) -> None:
    path = tmp_path / "bad.mp3"
    make(path)

    with pytest.raises(AudioError) as raised:
        extract_chapter_images(path)

    assert str(raised.value) == message
