"""Tags, embedded covers and chapters read by apa_feed.audio.probe from real files (ID3, MP4 atoms, Vorbis comments)."""

from __future__ import annotations

import base64
from pathlib import Path

import audiogen
import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TLAN, TPE1, TRCK, WOAR, WXXX, CTOCFlags
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus

from apa_feed.audio.mp4chapters import chpl_box, read_chapter_track
from apa_feed.audio.probe import AudioError, CoverInfo, Tags, extract_cover, probe
from apa_feed.feed.chapters import Chapter

SECONDS = 3.0
FULL_TAGS = Tags("Café crème", "Zoë Müller", "Les Échos du Sahel", "2025-11-12", "Un épisode très spécial",
                 "Podcast", "3/10", "fra")  # fmt: skip


@pytest.fixture(scope="session")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tags")


@pytest.fixture(scope="session")
def plain_mp3(folder: Path) -> Path:
    path = folder / "plain.mp3"
    audiogen.write_mp3(path, SECONDS)
    return path


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


# --------------------------------------------------------------------------- ID3 text encodings


@pytest.mark.parametrize("version", [3, 4], ids=["id3v2.3", "id3v2.4"])
@pytest.mark.parametrize("encoding", [0, 1, 2, 3], ids=["latin-1", "utf-16", "utf-16be", "utf-8"])
def test_id3_text_in_every_encoding(tmp_path: Path, plain_mp3: Path, encoding: int, version: int) -> None:
    if version == 3 and encoding in (2, 3):
        encoding = 1  # ID3v2.3 has only Latin-1 and UTF-16: mutagen upgrades, so test what v2.3 allows
    path = _copy(plain_mp3, tmp_path / "tagged.mp3")
    tags = ID3()
    for frame, value in ((TIT2, FULL_TAGS.title), (TPE1, FULL_TAGS.artist), (TALB, FULL_TAGS.album),
                         (TDRC, FULL_TAGS.date), (TRCK, FULL_TAGS.track), (TLAN, FULL_TAGS.language)):  # fmt: skip
        tags.add(frame(encoding=encoding, text=[value]))
    tags.add(TCON(encoding=encoding, text=["(186)"]))  # ID3v1 genre number 186: "Podcast"
    tags.add(COMM(encoding=encoding, lang="fra", desc="", text=[FULL_TAGS.comment]))
    tags.add(COMM(encoding=encoding, lang="eng", desc="iTunNORM", text=["0000 0000"]))  # not the comment
    tags.save(path, v2_version=version)

    assert probe(path).tags == FULL_TAGS


def test_latin1_frame_holding_utf8_bytes_is_decoded_as_utf8(tmp_path: Path, plain_mp3: Path) -> None:
    """A tagger that writes UTF-8 bytes into a frame declared ISO-8859-1 ("CafÃ© crÃ¨me" in most tools)."""
    path = _copy(plain_mp3, tmp_path / "mojibake.mp3")
    tags = ID3()
    tags.add(TIT2(encoding=0, text=["Café crème".encode().decode("latin-1")]))
    tags.add(TPE1(encoding=0, text=["Müller"]))  # real Latin-1: stays as it is
    tags.save(path, v2_version=3)

    found = probe(path).tags

    assert (found.title, found.artist) == ("Café crème", "Müller")


# --------------------------------------------------------------------------- MP4 atoms and Vorbis comments

FFMPEG_METADATA = {"title": FULL_TAGS.title, "artist": FULL_TAGS.artist, "album": FULL_TAGS.album,
                   "date": FULL_TAGS.date, "comment": FULL_TAGS.comment, "genre": "Podcast", "track": "3/10"}  # fmt: skip
CHAPTERS = [(0.0, 1.25, "Ouverture"), (1.25, 2.0, "Entretien à Bamako"), (2.0, 3.0, "Fin")]


@pytest.mark.parametrize(
    ("suffix", "codec_args", "expected"),
    [
        ("m4a", audiogen.AAC_M4A, FULL_TAGS),
        ("opus", audiogen.OPUS_OGG, FULL_TAGS),
        ("flac", audiogen.FLAC, FULL_TAGS),
    ],
    ids=["m4a", "opus", "flac"],
)
def test_tags_and_chapters_written_by_ffmpeg(folder: Path, suffix: str, codec_args: list[str], expected: Tags) -> None:
    path = folder / f"meta.{suffix}"
    metadata = dict(FFMPEG_METADATA)
    if suffix != "m4a":
        metadata["language"] = "fra"  # a Vorbis comment; MP4 has no iTunes language atom
    else:
        expected = Tags(**{**expected.__dict__, "language": None})
    audiogen.write_with_ffmpeg(path, SECONDS, codec_args, metadata=metadata, chapters=CHAPTERS)
    if suffix == "flac":  # ffmpeg's FLAC muxer drops chapters: add the CHAPTERnnn comments Ogg gets
        audio = FLAC(path)
        for n, (start, _, title) in enumerate(CHAPTERS, 1):
            audio[f"CHAPTER{n:03d}"] = f"00:00:{start:06.3f}"
            audio[f"CHAPTER{n:03d}NAME"] = title
        audio.save()

    info = probe(path)

    assert info.tags == expected
    # M4A: the QuickTime chapter track (ffmpeg also writes a Nero chpl); Ogg/FLAC: CHAPTERnnn comments (ms).
    # Each chapter ends where the next starts.
    assert info.chapters == tuple(Chapter(start, title, end) for start, end, title in CHAPTERS)
    assert info.chapter_images == ()


# --------------------------------------------------------------------------- covers


def test_id3_front_cover_is_preferred_and_measured_by_pillow(tmp_path: Path, plain_mp3: Path) -> None:
    path = _copy(plain_mp3, tmp_path / "covers.mp3")
    back, front = audiogen.cover_image("PNG", (20, 10)), audiogen.cover_image("JPEG", (320, 240))
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/png", type=4, desc="back", data=back))
    tags.add(APIC(encoding=0, mime="image/png", type=3, desc="front", data=front))  # declared PNG, is JPEG
    tags.save(path)

    assert probe(path).cover == CoverInfo("jpeg", 320, 240, "image/jpeg")
    assert extract_cover(path) == (front, "image/jpeg")


def test_flac_and_opus_pictures(tmp_path: Path) -> None:
    image = audiogen.cover_image("PNG", (64, 64))
    flac, opus = tmp_path / "a.flac", tmp_path / "a.opus"
    audiogen.write_with_ffmpeg(flac, 1.0, audiogen.FLAC)
    audiogen.write_with_ffmpeg(opus, 1.0, audiogen.OPUS_OGG)
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, "image/png", image
    audio = FLAC(flac)
    audio.add_picture(picture)
    audio.save()
    ogg = OggOpus(opus)
    ogg["metadata_block_picture"] = [base64.b64encode(picture.write()).decode("ascii")]
    ogg.save()

    for path in (flac, opus):
        assert probe(path).cover == CoverInfo("png", 64, 64, "image/png")
        assert extract_cover(path) == (image, "image/png")


def test_no_cover_and_an_unreadable_cover(tmp_path: Path, plain_mp3: Path) -> None:
    assert probe(plain_mp3).cover is None
    assert extract_cover(plain_mp3) is None
    path = _copy(plain_mp3, tmp_path / "broken-cover.mp3")
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="", data=b"\xff\xd8 not really a JPEG"))
    tags.save(path)

    assert probe(path).cover is None
    assert extract_cover(path) is None


def test_extract_cover_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="^file not found$"):
        extract_cover(tmp_path / "gone.mp3")


# --------------------------------------------------------------------------- ID3 chapters


def test_id3_chapters_follow_the_top_level_toc(tmp_path: Path, plain_mp3: Path) -> None:
    path = _copy(plain_mp3, tmp_path / "chapters.mp3")
    tags = ID3()
    image = audiogen.cover_image("JPEG", (16, 16))
    # Written out of order; the ordered top-level CTOC lists intro, middle (through a nested CTOC), end.
    tags.add(
        CHAP(
            element_id="end",
            start_time=2500,
            end_time=3000,
            sub_frames=[TIT2(encoding=1, text=["Générique"]), WOAR(url="https://example.org/credits")],
        )
    )
    tags.add(CHAP(element_id="intro", start_time=0, end_time=1000, sub_frames=[TIT2(encoding=0, text=["Été"])]))
    tags.add(
        CHAP(
            element_id="middle",
            start_time=1000,
            end_time=2500,
            sub_frames=[
                TIT2(encoding=3, text=["Reportage"]),
                WXXX(encoding=3, desc="", url="https://example.org/r"),
                APIC(encoding=3, mime="image/jpeg", type=0, desc="", data=image),
            ],
        )
    )
    tags.add(CHAP(element_id="untitled", start_time=2900, end_time=3000))  # not in any table of contents
    tags.add(CTOC(element_id="part", flags=CTOCFlags.ORDERED, child_element_ids=["middle"]))
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=["intro", "part", "end"], sub_frames=[TIT2(encoding=3, text=["Sommaire"])]))  # fmt: skip
    tags.save(path)

    info = probe(path)

    assert info.chapters == (
        Chapter(0.0, "Été", 1.0),
        Chapter(1.0, "Reportage", 2.5, "https://example.org/r"),
        Chapter(2.5, "Générique", 3.0, "https://example.org/credits"),
    )
    assert info.chapter_images == (1,)


def test_id3_chapters_without_toc_are_sorted_by_time_and_untitled_ones_numbered(
    tmp_path: Path, plain_mp3: Path
) -> None:
    path = _copy(plain_mp3, tmp_path / "no-toc.mp3")
    tags = ID3()
    tags.add(CHAP(element_id="b", start_time=1500, end_time=1500, sub_frames=[TIT2(encoding=3, text=["Deux"])]))
    tags.add(CHAP(element_id="a", start_time=0, end_time=1500))
    tags.save(path)

    # No CTOC: time order. No TIT2: "Chapter N". An end not after the start is unknown (None).
    assert probe(path).chapters == (Chapter(0.0, "Chapter 1", 1.5), Chapter(1.5, "Deux", None))


# --------------------------------------------------------------------------- MP4 QuickTime chapter tracks

TRACK_CHAPTERS = [(0.0, 1.237, "Générique d’ouverture"), (1.237, 2.501, "Entretien à Bamako — 1ʳᵉ partie"),
                  (2.501, 3.0, "Fin")]  # fmt: skip


def _boxes_in(data: bytes) -> set[bytes]:
    return {kind for kind in (b"chpl", b"tref", b"chap") if kind in data}


@pytest.mark.parametrize("faststart", [False, True], ids=["moov-after-mdat", "moov-first"])
def test_m4a_chapter_track_alone(tmp_path: Path, faststart: bool) -> None:
    """ffmpeg with ``-movflags +disable_chpl`` writes only the chapter text track, as Apple's tools do:
    mutagen sees no chapters there; the probe reads the track's sample times and texts."""
    path = tmp_path / "track.m4a"
    flags = "+disable_chpl+faststart" if faststart else "+disable_chpl"
    audiogen.write_with_ffmpeg(path, SECONDS, [*audiogen.AAC_M4A, "-movflags", flags], chapters=TRACK_CHAPTERS)
    assert not MP4(path).chapters  # no chpl: mutagen alone finds nothing

    info = probe(path)

    assert [c.title for c in info.chapters] == [title for _, _, title in TRACK_CHAPTERS]
    assert [c.start for c in info.chapters] == pytest.approx([start for start, _, _ in TRACK_CHAPTERS], abs=0.001)
    assert [c.end for c in info.chapters] == pytest.approx([end for _, end, _ in TRACK_CHAPTERS], abs=0.001)
    assert info.chapter_images == ()


def test_m4a_chapter_track_wins_over_chpl(tmp_path: Path) -> None:
    """ffmpeg writes both; a chpl that disagrees (other titles, another start) loses to the track."""
    path = tmp_path / "both.m4a"
    audiogen.write_with_ffmpeg(path, SECONDS, audiogen.AAC_M4A, chapters=TRACK_CHAPTERS)
    data = path.read_bytes()
    old = chpl_box([(start, title) for start, _, title in TRACK_CHAPTERS])
    stale = chpl_box([(0.0, "Generique d’ouverture!!"), (1.5, "Entretien à Bamako — 1ʳᵉ partie"), (2.501, "End")])
    assert len(stale) == len(old) and data.count(old) == 1  # same size: spliced in place, offsets unchanged
    path.write_bytes(data.replace(old, stale))
    assert [(c.start, c.title[:9]) for c in MP4(path).chapters] == [
        (0.0, "Generique"),
        (1.5, "Entretien"),
        (2.501, "End"),
    ]

    found = probe(path).chapters

    assert [c.title for c in found] == [title for _, _, title in TRACK_CHAPTERS]
    assert [c.start for c in found] == pytest.approx([0.0, 1.237, 2.501], abs=0.001)
    assert read_chapter_track(path) == found


def test_m4a_chapter_starts_where_ffmpeg_reads_them(tmp_path: Path) -> None:
    """A gap between chapters: ffmpeg's muxer stretches the earlier text sample over it, and its own
    reader (ffprobe) then gives the same starts and ends as the probe."""
    path = tmp_path / "gap.m4a"
    audiogen.write_with_ffmpeg(path, SECONDS, audiogen.AAC_M4A, chapters=[(0.0, 1.0, "Un"), (1.5, 3.0, "Deux")])

    assert probe(path).chapters == (Chapter(0.0, "Un", 1.5), Chapter(1.5, "Deux", 3.0))


def test_damaged_chapter_track_falls_back_to_chpl(tmp_path: Path) -> None:
    """A chap reference to a track that is not there: no track chapters, the chpl list is used."""
    path = tmp_path / "dangling.m4a"
    audiogen.write_with_ffmpeg(path, SECONDS, audiogen.AAC_M4A, chapters=CHAPTERS)
    data = path.read_bytes()
    reference = b"\x00\x00\x00\x0cchap\x00\x00\x00\x02"
    assert data.count(reference) == 1
    path.write_bytes(data.replace(reference, reference[:-1] + b"\x63"))  # track 99

    assert read_chapter_track(path) == ()
    assert probe(path).chapters == tuple(Chapter(start, title, end) for start, end, title in CHAPTERS)
