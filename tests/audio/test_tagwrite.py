"""apa_feed.audio.tagwrite: the published copy gets ID3v2.4 / MP4 tags; the original is never modified; tags round-trip."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import audiogen
import pytest
from mutagen.id3 import ID3, TIT2, CTOCFlags
from mutagen.mp4 import MP4
from typer.testing import CliRunner

from apa_feed.audio.mp4chapters import read_chapter_track
from apa_feed.audio.probe import AudioError, CoverInfo, extract_chapter_images, probe
from apa_feed.audio.tagwrite import TagSpec, write_tags
from apa_feed.cli import app
from apa_feed.feed.chapters import Chapter

SECONDS = 4.0
COVER = audiogen.cover_image("JPEG", (1400, 1400))
CHAPTERS = (
    Chapter(0.0, "Ouverture"),
    Chapter(1.2346, "Entretien à Bamako", url="https://example.org/bamako"),
    Chapter(3.0, "Générique"),
)
SPEC = TagSpec(
    title="Mali–Turquie : la route du coton",
    artist="Agence Presse Audio",
    album="Les Échos du Sahel",
    date="2025-11-12",
    comment="Un reportage de Zoë Müller.",
    cover=COVER,
    cover_mime="image/jpeg",
    chapters=CHAPTERS,
    duration=SECONDS,
)


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An MP3 that already has an ID3 tag (title, an old chapter) and an M4A with ffmpeg chapters."""
    folder = tmp_path_factory.mktemp("tagwrite")
    mp3 = folder / "original.mp3"
    audiogen.write_mp3(mp3, SECONDS)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Old title"]))
    tags.save(mp3, v2_version=3)
    m4a = folder / "original.m4a"
    audiogen.write_with_ffmpeg(
        m4a, SECONDS, audiogen.AAC_M4A, metadata={"title": "Old"}, chapters=[(0, 2, "A"), (2, 4, "B")]
    )
    flac = folder / "original.flac"
    audiogen.write_with_ffmpeg(flac, 1.0, audiogen.FLAC)
    return {"mp3": mp3, "m4a": m4a, "flac": flac}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_mp3_round_trip(tmp_path: Path, sources: dict[str, Path]) -> None:
    source = sources["mp3"]
    before = _digest(source)
    dest = tmp_path / "published" / "audio.mp3"

    write_tags(source, dest, SPEC)

    assert _digest(source) == before
    info = probe(dest)
    assert info.tags.title == SPEC.title
    assert (info.tags.artist, info.tags.album, info.tags.date) == (SPEC.artist, SPEC.album, SPEC.date)
    assert (info.tags.genre, info.tags.comment) == ("Podcast", SPEC.comment)
    assert info.cover == CoverInfo("jpeg", 1400, 1400, "image/jpeg")
    assert [c.title for c in info.chapters] == [c.title for c in CHAPTERS]
    assert [c.start for c in info.chapters] == pytest.approx([c.start for c in CHAPTERS], abs=0.001)
    assert [c.end for c in info.chapters] == [1.235, 3.0, SECONDS]  # ms, each to the next start, the last to the end
    assert info.chapters[1].url == "https://example.org/bamako"
    assert info.duration == probe(source).duration  # the audio is untouched


def test_mp3_frames_are_id3v24_with_an_ordered_top_level_toc(tmp_path: Path, sources: dict[str, Path]) -> None:
    dest = tmp_path / "audio.mp3"
    write_tags(sources["mp3"], dest, SPEC)

    tags = ID3(dest)

    assert tags.version == (2, 4, 0)
    assert {"TIT2", "TPE1", "TALB", "TDRC", "TCON", "COMM::und", "APIC:Cover", "CTOC:toc"} <= set(tags.keys())
    assert [str(f) for f in tags.getall("TIT2")] == [SPEC.title]  # the old title replaced, not added to
    assert tags.getall("APIC")[0].type == 3
    toc = tags.getall("CTOC")[0]
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    chaps = {f.element_id: f for f in tags.getall("CHAP")}
    assert [(chaps[i].start_time, chaps[i].end_time) for i in toc.child_element_ids] == [
        (0, 1235),
        (1235, 3000),
        (3000, 4000),
    ]
    assert str(chaps["chp1"].sub_frames["TIT2"]) == "Entretien à Bamako"


@pytest.mark.parametrize("faststart", [False, True], ids=["moov-after-mdat", "moov-first"])
def test_m4a_round_trip(tmp_path: Path, sources: dict[str, Path], faststart: bool) -> None:
    """Tags by mutagen, chapters as a Nero chpl box (replacing ffmpeg's); with moov first, chunk offsets move."""
    source = sources["m4a"]
    if faststart:
        source = tmp_path / "faststart.m4a"
        audiogen.write_with_ffmpeg(source, SECONDS, [*audiogen.AAC_M4A, "-movflags", "+faststart"])
    before = _digest(source)
    dest = tmp_path / "audio.m4a"

    write_tags(source, dest, SPEC)

    assert _digest(source) == before
    info = probe(dest)
    assert info.tags.title == SPEC.title
    assert (info.tags.artist, info.tags.album, info.tags.date, info.tags.genre, info.tags.comment) == (
        SPEC.artist, SPEC.album, SPEC.date, "Podcast", SPEC.comment)  # fmt: skip
    assert info.cover == CoverInfo("jpeg", 1400, 1400, "image/jpeg")
    assert [c.title for c in info.chapters] == [c.title for c in CHAPTERS]
    assert [c.start for c in info.chapters] == pytest.approx([c.start for c in CHAPTERS], abs=0.001)
    assert info.duration == pytest.approx(SECONDS, abs=0.001)
    assert bytes(MP4(dest).tags["covr"][0]) == COVER
    # ffmpeg's chapter track ("A", "B") would outrank the new chpl: the copy no longer refers to it.
    assert [c.title for c in read_chapter_track(source)] == ([] if faststart else ["A", "B"])
    assert read_chapter_track(dest) == ()
    # The audio still decodes to the same samples: the chunk offsets point at the moved media data.
    assert _decoded(dest) == _decoded(source)


def _decoded(path: Path) -> bytes:
    command = [audiogen.ffmpeg_path(), "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "s16le", "-"]
    return subprocess.run(command, capture_output=True, check=True).stdout


def test_cover_mime_is_read_from_the_image_when_not_given(tmp_path: Path, sources: dict[str, Path]) -> None:
    png = audiogen.cover_image("PNG", (50, 50))
    dest = tmp_path / "audio.mp3"

    write_tags(sources["mp3"], dest, TagSpec("T", "A", "S", "2025-01-01", "", cover=png))

    assert ID3(dest).getall("APIC")[0].mime == "image/png"
    assert probe(dest).cover == CoverInfo("png", 50, 50, "image/png")
    assert probe(dest).chapters == ()


@pytest.mark.parametrize(
    ("which", "dest_name", "message"),
    [
        ("flac", "out.flac", "cannot write tags to FLAC audio (expected MP3 or M4A/AAC)"),
        ("mp3", None, "the tagged copy must be a different file from the original"),
    ],
    ids=["flac", "same-file"],
)
def test_refused(tmp_path: Path, sources: dict[str, Path], which: str, dest_name: str | None, message: str) -> None:
    source = sources[which]
    before = _digest(source)
    dest = tmp_path / dest_name if dest_name else source

    with pytest.raises(AudioError) as raised:
        write_tags(source, dest, SPEC)

    assert str(raised.value) == message
    assert _digest(source) == before
    assert not (tmp_path / "out.flac").exists()


def test_chapter_images_round_trip(tmp_path: Path, sources: dict[str, Path]) -> None:
    """Indexes are into the chapters as given; the CHAP frames are written in time order, so they move."""
    png = audiogen.cover_image("PNG", (30, 30))
    chapters = (CHAPTERS[2], CHAPTERS[0], CHAPTERS[1])  # Générique, Ouverture, Entretien
    dest = tmp_path / "audio.mp3"

    write_tags(sources["mp3"], dest, TagSpec("T", "A", "S", "2025-01-01", "", chapters=chapters, duration=SECONDS,
                                             chapter_images=((0, png), (2, COVER))))  # fmt: skip

    info = probe(dest)
    assert [c.title for c in info.chapters] == ["Ouverture", "Entretien à Bamako", "Générique"]
    assert extract_chapter_images(dest) == {1: (COVER, "image/jpeg"), 2: (png, "image/png")}
    assert info.chapter_images == (1, 2)
    assert info.cover is None  # a chapter's picture is not the episode's cover


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (((3, COVER),), "chapter image for chapter 3, but there are 3 chapters"),
        (((1, b"GIF89a"),), "the image of chapter 1 is not an image Pillow can read (expected JPEG or PNG)"),
    ],
    ids=["index", "not-an-image"],
)
def test_bad_chapter_images(tmp_path: Path, sources: dict[str, Path], images: tuple[tuple[int, bytes], ...],
                            message: str) -> None:  # fmt: skip
    dest = tmp_path / "audio.mp3"

    with pytest.raises(AudioError) as raised:
        write_tags(
            sources["mp3"], dest, TagSpec("T", "A", "S", "2025-01-01", "", chapters=CHAPTERS, chapter_images=images)
        )

    assert str(raised.value) == message
    assert not dest.exists()


def _chap_order(path: Path) -> list[str]:
    """The titles of the top-level CHAP frames in the order the file's bytes hold them."""
    by_id = {frame.element_id: str(frame.sub_frames["TIT2"]) for frame in ID3(path).getall("CHAP")}
    in_file = [m.group(1).decode() for m in re.finditer(rb"CHAP[\0-\x7f]{4}\0\0(chp\d+)\0", path.read_bytes())]
    assert sorted(in_file) == sorted(by_id), "every CHAP frame found in the bytes"
    return [by_id[key] for key in in_file]


def _ffprobe_titles(path: Path) -> list[str]:
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        pytest.skip("ffprobe is not installed")
    result = subprocess.run([ffprobe, "-v", "error", "-show_chapters", "-of", "json", str(path)],
                            capture_output=True, check=True)  # fmt: skip
    return [c["tags"]["title"] for c in json.loads(result.stdout)["chapters"]]


def test_chap_frames_are_written_in_time_order_through_publish(project: Path) -> None:
    """mutagen sorts frames by byte length ("Crédits" came first); players that ignore CTOC (ffmpeg's
    among them) list CHAP frames in file order, so the published copy holds them in time order."""
    (project / "feed.yaml").write_text((project / "feed.yaml").read_text(encoding="utf-8") + "tags: write\n")
    result = CliRunner().invoke(app, ["publish"])
    assert result.exit_code == 0, result.output
    copies = list((project / "public").rglob("*.mp3"))
    assert len(copies) == 1
    expected = ["Introduction", "Le salon de Bamako", "La stratégie malienne", "Crédits"]
    assert _chap_order(copies[0]) == expected
    assert _ffprobe_titles(copies[0]) == expected
    assert [str(c.sub_frames["TIT2"]) for c in ID3(copies[0]).getall("CTOC")] == ["Chapters"]


def test_chap_frames_in_time_order_whatever_their_sizes(tmp_path: Path, sources: dict[str, Path]) -> None:
    """Twelve chapters whose titles shrink as time goes on (mutagen would write them last to first)."""
    chapters = tuple(Chapter(n * 0.3, "x" * (40 - 3 * n)) for n in range(12))
    dest = tmp_path / "copy.mp3"
    write_tags(sources["mp3"], dest, TagSpec("T", "A", "S", "2025-01-01", "", chapters=chapters, duration=SECONDS))
    assert _chap_order(dest) == [c.title for c in chapters]
    assert _ffprobe_titles(dest) == [c.title for c in chapters]
    assert [c.title for c in probe(dest).chapters] == [c.title for c in chapters]
    assert _decoded(dest) == _decoded(sources["mp3"]), "the audio is untouched"
