"""The probe's shortcuts give the same facts as the long way: an MP3 named ``.mp3`` goes straight to mutagen's MP3
reader (instead of mutagen scoring every format), one open file serves every reader, and
:meth:`AudioInfo.to_json` builds what :func:`dataclasses.asdict` gave. Real files from audiogen (LAME, ffmpeg)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import audiogen
import mutagen
import pytest
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, WXXX, CTOCFlags
from mutagen.mp3 import MP3

from apa_feed.audio.info import AudioInfo, CoverInfo, Tags
from apa_feed.audio.mp4chapters import read_chapter_track
from apa_feed.audio.probe import AudioError, _load, _sniff, probe
from apa_feed.feed.chapters import Chapter

SECONDS = 0.5


def _id3(path: Path, chapters: bool = False) -> None:
    """Put an ID3v2 tag in front of ``path`` (with a cover and two chapters if ``chapters``)."""
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Titre"]))
    if chapters:
        tags.add(APIC(encoding=0, mime="image/png", type=3, desc="", data=audiogen.cover_image("PNG", (16, 16))))
        picture = APIC(encoding=0, mime="image/jpeg", type=0, desc="c", data=audiogen.cover_image(size=(8, 8)))
        tags.add(CHAP(element_id="b", start_time=200, end_time=500, sub_frames=[TIT2(encoding=3, text=["Deux"])]))
        tags.add(CHAP(element_id="a", start_time=0, end_time=200, sub_frames=[TIT2(encoding=3, text=["Un"]), picture,
                                                                            WXXX(encoding=0, url="https://e.example/")]))  # fmt: skip
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL, child_element_ids=["a", "b"]))
    tags.save(path, v2_version=4)


def _ffmpeg_then_id3(args: list[str]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        audiogen.write_with_ffmpeg(path, SECONDS, args)
        _id3(path)

    return make


MAKERS: dict[str, Callable[[Path], object]] = {
    "bare": lambda p: audiogen.write_mp3(p, SECONDS, lame_tag=False),  # starts with a frame sync, no ID3
    "mpeg2-bare": lambda p: audiogen.write_mp3(p, SECONDS, 22050, 1, 32, lame_tag=False),  # 0xFFF3 sync
    "lame-id3": lambda p: (audiogen.write_mp3(p, SECONDS), _id3(p, chapters=True)),
    "vbr-id3-junk": lambda p: (audiogen.write_mp3(p, SECONDS, vbr=True), audiogen.prepend_junk(p), _id3(p)),
    "id3-only": _id3,  # a tag and nothing else
    "id3-flac": _ffmpeg_then_id3([*audiogen.FLAC, "-f", "flac"]),
    "id3-adts": _ffmpeg_then_id3([*audiogen.AAC_M4A, "-f", "adts"]),
}
MPEG = ("bare", "mpeg2-bare", "lame-id3", "vbr-id3-junk")
NAMES = (".mp3", ".MP3", ".mp2", ".mpg", ".mpeg", ".flac", ".aac", ".tta", ".bin", "")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sniff")
    for name, make in MAKERS.items():
        make(folder / name)
    return {name: folder / name for name in MAKERS}


def _named(source: Path, tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"episode{suffix}"
    shutil.copyfile(source, path)
    return path


def _outcome(read: Callable[[Path], object], path: Path) -> str:
    try:
        return type(read(path)).__name__
    except (AudioError, mutagen.MutagenError):
        return "refused"


def _load_path(path: Path) -> object:
    with path.open("rb") as handle:
        return _load(path, handle)


@pytest.mark.parametrize("suffix", NAMES)
@pytest.mark.parametrize("content", list(MAKERS))
def test_an_id3_or_mpeg_start_is_read_as_mutagen_file_reads_it(
    made: dict[str, Path], tmp_path: Path, content: str, suffix: str
) -> None:
    """Whatever the name, the probe's reader is the class mutagen.File picks over all its formats (or both refuse):
    an ID3 tag is no proof of MP3 (a FLAC or ADTS file may carry one), so only the name settles a tie."""
    path = _named(made[content], tmp_path, suffix)

    chosen = _outcome(_load_path, path)

    assert chosen == _outcome(mutagen.File, path)
    if content in MPEG and suffix.lower() in (".mp3", ".mp2", ".mpg", ".mpeg"):
        assert _sniff(str(path), path.read_bytes()[:12]) == [MP3]  # the shortcut was taken...
        assert chosen == "MP3"  # ...and it is the class mutagen's scoring gives
    if content == "id3-flac" and suffix == ".flac":
        assert chosen == "FLAC"


@pytest.mark.parametrize("content", MPEG)
def test_the_mp3_shortcut_gives_the_same_facts_as_the_full_scoring(
    made: dict[str, Path], tmp_path: Path, content: str
) -> None:
    """``x.mp3`` (straight to MP3) and ``x.bin`` (mutagen scores every format) probe to the same AudioInfo."""
    short, scored = _named(made[content], tmp_path, ".mp3"), _named(made[content], tmp_path, ".bin")
    assert _sniff(str(scored), scored.read_bytes()[:12]) is None

    info = probe(short)

    assert info == probe(scored)
    assert info.format == "MP3" and info.duration > 0
    if content == "vbr-id3-junk":  # junk before the first frame: every frame counted, the tag still read
        assert (info.duration_source, info.tags.title) == ("scan", "Titre")
    if content == "lame-id3":
        assert [c.title for c in info.chapters] == ["Un", "Deux"] and info.chapter_images == (0,)
        assert info.chapters[0].url == "https://e.example/"
        assert info.cover == CoverInfo("png", 16, 16, "image/png")


def test_flac_and_m4a_named_mp3_keep_their_format(tmp_path: Path) -> None:
    flac, m4a = tmp_path / "flac.mp3", tmp_path / "m4a.mp3"
    audiogen.write_with_ffmpeg(flac, SECONDS, [*audiogen.FLAC, "-f", "flac"])
    audiogen.write_m4a_as_mp3(m4a, SECONDS)

    assert probe(flac) == probe(_named(flac, tmp_path, ".flac"))
    assert probe(flac).format == "FLAC"
    assert probe(m4a) == probe(_named(m4a, tmp_path, ".m4a"))
    assert probe(m4a).format == "MP4"


def test_m4a_chapter_track_is_read_from_the_probes_open_file(tmp_path: Path) -> None:
    path = tmp_path / "chapters.m4a"
    marks = [(0.0, 0.2, "Un"), (0.2, 0.5, "Deux")]
    audiogen.write_with_ffmpeg(path, SECONDS, audiogen.AAC_M4A, metadata={"title": "T"}, chapters=marks)

    info = probe(path)

    assert info.chapters == read_chapter_track(path)  # the path-based reader, opening the file itself
    assert [(c.title, c.end) for c in info.chapters] == [("Un", pytest.approx(0.2)), ("Deux", pytest.approx(0.5))]
    assert info.duration == pytest.approx(SECONDS, abs=0.001)  # the edit list, from the same moov read


@pytest.mark.parametrize("what", ["full", "bare"])
def test_to_json_is_what_asdict_gave(what: str) -> None:
    """Same keys in the same order, same values and types (tuples kept): the cache and apa-feed.lock are unchanged."""
    info = AudioInfo(1.5, 10, "audio/mpeg", "MP3")
    if what == "full":
        info = AudioInfo(
            61.25, 123456, "audio/mpeg", "MP3", "scan", 64000, 44100, 2, "mp3",
            Tags(title="Titre", artist="Zoë", track="3/9"),
            CoverInfo("jpeg", 300, 300, "image/jpeg"),
            (Chapter(0.0, "Un", 12.5, "https://e.example/", None), Chapter(12.5, "Deux", None, None, "https://i/")),
            (1,),
        )  # fmt: skip

    doc = info.to_json()

    assert doc == asdict(info)
    assert repr(doc) == repr(asdict(info))  # key order and tuple/list types too
    assert json.dumps(doc) == json.dumps(asdict(info))
    assert AudioInfo.from_json(json.loads(json.dumps(doc))) == info


def test_from_json_still_refuses_a_damaged_entry() -> None:
    doc = json.loads(json.dumps(AudioInfo(1.5, 10, "audio/mpeg", "MP3", chapters=(Chapter(0.0, "A"),)).to_json()))
    for broken in ({**doc, "size": "10"}, {k: v for k, v in doc.items() if k != "codec"},
                   {**doc, "chapters": [{"start": "0", "title": "A"}]}, {**doc, "tags": {"nope": 1}}):  # fmt: skip
        with pytest.raises(ValueError, match="not a stored AudioInfo"):
            AudioInfo.from_json(broken)
