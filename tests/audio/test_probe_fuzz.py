"""Property-based fuzzing of audio headers: real small files (MP3, M4A, FLAC, Opus, WAV, some with tags, a cover
and chapters) with bytes changed, cut or spliced (anywhere: each is a few KB). The probe, the inspect command and the
cover and chapter-image extraction give facts or an :class:`AudioError`, never an unexpected exception."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import audiogen
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, TPE1, CTOCFlags

from apa_feed.audio.describe import inspect_files, render_text
from apa_feed.audio.probe import AudioError, AudioInfo, extract_chapter_images, extract_cover, probe

FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HEAD = 16 * 1024
"""Mutations land in the first 16 KB, taken modulo the file's size: the whole of each seed (at most a few KB each),
so the MP4 ``moov`` atom, written after the audio by default, is hit as often as ID3 tags and Ogg pages."""
SECONDS = 0.5


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes


def _tagged_mp3(path: Path) -> None:
    audiogen.write_mp3(path, SECONDS)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Titre"]))
    tags.add(TPE1(encoding=1, text=["Zoë"]))
    tags.add(APIC(encoding=0, mime="image/jpeg", type=3, desc="", data=audiogen.cover_image(size=(16, 16))))
    tags.add(CHAP(element_id="c0", start_time=0, end_time=200, sub_frames=[TIT2(encoding=3, text=["Un"])]))
    tags.add(CHAP(element_id="c1", start_time=200, end_time=500, sub_frames=[TIT2(encoding=3, text=["Deux"])]))
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["c0", "c1"]))
    tags.save(path, v2_version=4)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[Seed]:
    """The files every example starts from, made once."""
    folder = tmp_path_factory.mktemp("seeds")
    meta = {"title": "Titre", "artist": "Zoë"}
    chapters = [(0.0, 0.2, "Un"), (0.2, 0.5, "Deux")]
    made = {
        "lame.mp3": lambda p: audiogen.write_mp3(p, SECONDS),
        "bare.mp3": lambda p: audiogen.write_mp3(p, SECONDS, vbr=True, lame_tag=False),
        "tagged.mp3": _tagged_mp3,
        "plain.m4a": lambda p: audiogen.write_with_ffmpeg(p, SECONDS, audiogen.AAC_M4A),
        "chapters.m4a": lambda p: audiogen.write_with_ffmpeg(
            p, SECONDS, audiogen.AAC_M4A, metadata=meta, chapters=chapters
        ),
        "faststart.m4a": lambda p: audiogen.write_with_ffmpeg(
            p, SECONDS, [*audiogen.AAC_M4A, "-movflags", "+faststart"], metadata=meta, chapters=chapters
        ),
        "tagged.flac": lambda p: audiogen.write_with_ffmpeg(p, SECONDS, audiogen.FLAC, metadata=meta),
        "tagged.opus": lambda p: audiogen.write_with_ffmpeg(p, SECONDS, audiogen.OPUS_OGG, metadata=meta),
        "plain.wav": lambda p: audiogen.write_with_ffmpeg(p, 0.1, audiogen.WAV),
    }
    found = []
    for name, make in made.items():
        make(folder / name)
        found.append(Seed(name, (folder / name).read_bytes()))
    return found


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz")


def assert_probes_or_refuses(path: Path) -> None:
    try:
        info = probe(path)
    except AudioError as error:
        assert str(error)
    else:
        assert isinstance(info, AudioInfo)
        assert info.duration > 0 and info.size == path.stat().st_size
    results = inspect_files([path])
    assert len(results) == 1 and (results[0].get("error") or results[0].get("duration"))
    json.dumps(results)
    assert render_text(results)
    for extract in (extract_cover, extract_chapter_images):
        try:
            extract(path)
        except AudioError as error:
            assert str(error)


def _write(work: Path, seed: Seed, data: bytes, suffix: bool = True) -> Path:
    path = work / (seed.name if suffix else "fuzz.bin")
    path.write_bytes(data)
    return path


edits = st.lists(st.tuples(st.integers(0, HEAD - 1), st.integers(0, 255)), min_size=1, max_size=12)


@FUZZ
@given(data=st.data(), edits=edits)
def test_changed_bytes_in_the_header(
    work: Path, seeds: list[Seed], data: st.DataObject, edits: list[tuple[int, int]]
) -> None:
    seed = data.draw(st.sampled_from(seeds))
    mutated = bytearray(seed.data)
    for offset, value in edits:
        mutated[offset % len(mutated)] = value
    assert_probes_or_refuses(_write(work, seed, bytes(mutated), data.draw(st.booleans())))


@FUZZ
@given(data=st.data(), at=st.integers(0, HEAD), junk=st.binary(max_size=64), cut=st.integers(0, HEAD))
def test_spliced_and_cut_files(
    work: Path, seeds: list[Seed], data: st.DataObject, at: int, junk: bytes, cut: int
) -> None:
    seed = data.draw(st.sampled_from(seeds))
    how = data.draw(st.sampled_from(["insert", "overwrite", "delete", "truncate"]))
    raw = seed.data
    at %= len(raw) + 1
    if how == "insert":
        mutated = raw[:at] + junk + raw[at:]
    elif how == "overwrite":
        mutated = raw[:at] + junk + raw[at + len(junk) :]
    elif how == "delete":
        mutated = raw[:at] + raw[at + 1 + cut % 256 :]
    else:
        mutated = raw[: cut % len(raw)]
    assert_probes_or_refuses(_write(work, seed, mutated))


@FUZZ
@given(data=st.data(), value=st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0xFFFFFFFF]))
def test_extreme_header_numbers(work: Path, seeds: list[Seed], data: st.DataObject, value: int) -> None:
    """Sizes, counts and rates set to 0, 1 or their largest value: four bytes (big or little end) at a header offset."""
    seed = data.draw(st.sampled_from(seeds))
    start = data.draw(st.integers(0, len(seed.data) - 4))
    order = data.draw(st.sampled_from(["big", "little"]))
    mutated = bytearray(seed.data)
    mutated[start : start + 4] = value.to_bytes(4, order)
    assert_probes_or_refuses(_write(work, seed, bytes(mutated)))
