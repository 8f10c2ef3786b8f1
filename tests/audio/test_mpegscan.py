"""apa_feed.audio.mpeg: exact MP3 duration by walking frame headers, checked against ffmpeg's decoder."""

from __future__ import annotations

import dataclasses
import random
import subprocess
from pathlib import Path

import audiogen
import pytest
from mutagen.apev2 import APEv2
from mutagen.id3 import APIC, ID3, TIT2

from apa_feed.audio.mpeg import ScanResult, scan_mp3

SECONDS = 3.0
# (sample rate, channels, CBR bitrate): MPEG-1 stereo and MPEG-2 mono
FORMATS = [(44100, 2, 128), (22050, 1, 32)]
_cache: dict[tuple[int, int, bool, bool], tuple[Path, int]] = {}


@pytest.fixture(scope="module")
def make_mp3(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """make_mp3(sample_rate, channels, vbr, lame_tag) -> (path, PCM samples); each file is encoded once."""
    folder = tmp_path_factory.mktemp("mpegscan")

    def make(sample_rate: int, channels: int, vbr: bool, lame_tag: bool) -> tuple[Path, int]:
        key = (sample_rate, channels, vbr, lame_tag)
        if key not in _cache:
            path = folder / f"{sample_rate}-{channels}-{'vbr' if vbr else 'cbr'}-{'tag' if lame_tag else 'bare'}.mp3"
            bitrate = dict((rate, kbps) for rate, _, kbps in FORMATS)[sample_rate]
            samples = audiogen.write_mp3(
                path,
                SECONDS,
                sample_rate=sample_rate,
                channels=channels,
                bitrate_kbps=bitrate,
                vbr=vbr,
                lame_tag=lame_tag,
            )
            _cache[key] = (path, samples)
        return _cache[key]

    return make


def ffmpeg_samples(path: Path, *, gapless: bool) -> int:
    """Samples per channel that ffmpeg decodes. ``gapless=False`` (``-flags2 +skip_manual``) keeps the
    encoder delay and padding that a LAME tag asks to trim: every audio frame's samples, as a plain player."""
    flags = [] if gapless else ["-flags2", "+skip_manual"]
    command = [audiogen.ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", *flags, "-i", str(path)]
    result = subprocess.run([*command, "-ac", "1", "-f", "s16le", "-"], capture_output=True, check=True)
    return len(result.stdout) // 2


def audio_frames(path: Path, lame_tag: bool) -> list[audiogen.MpegFrame]:
    """The audio frames of a file written by ``write_mp3`` (its LAME tag frame, if any, left out)."""
    data = path.read_bytes()
    return audiogen.mpeg_frames(data[audiogen.parse_frame(data, 0).length :] if lame_tag else data)


def scan(path: Path) -> ScanResult:
    result = scan_mp3(path)
    assert result is not None, f"no MPEG frames found in {path}"
    return result


@pytest.mark.parametrize("lame_tag", [False, True], ids=["bare", "lame-tag"])
@pytest.mark.parametrize("vbr", [False, True], ids=["cbr", "vbr"])
@pytest.mark.parametrize(("sample_rate", "channels"), [(44100, 2), (22050, 1)], ids=["44k-stereo", "22k-mono"])
def test_duration_matches_ffmpeg_decode(make_mp3, sample_rate: int, channels: int, vbr: bool, lame_tag: bool) -> None:  # type: ignore[no-untyped-def]
    path, pcm_samples = make_mp3(sample_rate, channels, vbr, lame_tag)
    result = scan(path)
    frames = audio_frames(path, lame_tag)
    spf = 1152 if sample_rate == 44100 else 576  # layer III: MPEG-1 1152, MPEG-2 576 samples per frame

    assert result.sample_rate == sample_rate
    assert result.frames == len(frames)  # with a LAME tag, its frame is not counted
    assert result.samples == len(frames) * spf
    assert result.audio_bytes == sum(frame.length for frame in frames)
    assert result.duration == result.samples / sample_rate
    # ffmpeg without gapless trimming decodes exactly the audio frames' samples (the tag frame is skipped).
    raw = ffmpeg_samples(path, gapless=False)
    assert result.samples == raw
    assert abs(result.duration - raw / sample_rate) < 0.05
    # The raw count is the PCM count plus LAME's 576-sample encoder delay and its end padding: flushing
    # fills the last frame and may add one more (LAME's MDCT needs a granule past the input), so < 2 frames.
    # A gapless decode (ffmpeg trims by the LAME tag) gives the PCM count back.
    assert 576 <= result.samples - pcm_samples < 576 + 2 * spf
    if lame_tag:
        assert ffmpeg_samples(path, gapless=True) == pcm_samples


def test_bare_vbr_is_exact(make_mp3) -> None:  # type: ignore[no-untyped-def]
    """The case the module exists for: no Xing header, so only counting frames gives the duration."""
    path, _ = make_mp3(44100, 2, True, False)
    assert abs(scan(path).duration - SECONDS) < 0.05


def _with_id3v2(source: Path, target: Path) -> None:
    target.write_bytes(source.read_bytes())
    tag = ID3()
    tag.add(TIT2(encoding=3, text="Episode 1"))
    picture = random.Random(7).randbytes(200 * 1024)  # fake JPEG: random bytes, full of 0xFF
    tag.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=b"\xff\xd8\xff\xe0" + picture))
    tag.save(target, v2_version=4)


def _with_id3v1(source: Path, target: Path) -> None:
    tag_v1 = b"TAG" + b"Episode 1".ljust(30, b"\0") + bytes(30 + 30 + 4 + 30) + b"\xff"
    target.write_bytes(source.read_bytes() + tag_v1)


def _with_junk(source: Path, target: Path) -> None:
    target.write_bytes(random.Random(99).randbytes(1024) + source.read_bytes())


def _with_everything(source: Path, target: Path) -> None:
    """ID3v2 (mutagen, with the picture), then junk, the audio, an APEv2 tag and an ID3v1 tag."""
    _with_id3v2(source, target)
    data = target.read_bytes()
    tag_end = len(data) - len(source.read_bytes())
    target.write_bytes(data[:tag_end] + random.Random(5).randbytes(1024) + data[tag_end:])
    ape = APEv2()
    ape["Title"] = "Episode 1"
    ape.save(target)
    ID3(target).save(target, v1=2)


@pytest.mark.parametrize("lame_tag", [False, True], ids=["bare", "lame-tag"])
@pytest.mark.parametrize("wrap", [_with_id3v2, _with_id3v1, _with_junk, _with_everything], ids=lambda f: f.__name__)
def test_tags_and_junk_do_not_change_the_count(make_mp3, tmp_path: Path, wrap, lame_tag: bool) -> None:  # type: ignore[no-untyped-def]
    source, _ = make_mp3(22050, 1, True, lame_tag)
    target = tmp_path / "wrapped.mp3"
    wrap(source, target)
    assert target.stat().st_size > source.stat().st_size
    found = scan(target)
    assert found.junk == (1024 if "junk" in wrap.__name__ or "everything" in wrap.__name__ else 0)
    assert dataclasses.replace(found, junk=0) == scan(source)


def test_vbri_frame_is_not_counted(make_mp3, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source, _ = make_mp3(44100, 2, True, False)
    data = source.read_bytes()
    first = audiogen.parse_frame(data, 0)
    vbri = bytearray(data[: first.length])
    vbri[4:] = bytes(first.length - 4)
    vbri[36:40] = b"VBRI"
    target = tmp_path / "vbri.mp3"
    target.write_bytes(bytes(vbri) + data)
    found = scan(target)
    assert found.info_frame and not scan(source).info_frame
    assert dataclasses.replace(found, info_frame=False) == scan(source)


def test_mp2_layer_ii(tmp_path: Path) -> None:
    path = tmp_path / "tone.mp2"
    audiogen.write_with_ffmpeg(path, 2.0, ["-c:a", "mp2", "-b:a", "128k", "-f", "mp2"])
    result = scan(path)
    assert result.samples == ffmpeg_samples(path, gapless=False)
    assert result.samples == result.frames * 1152
    assert abs(result.duration - 2.0) < 1152 * 2 / 44100


def test_truncated_file_drops_the_partial_frame(make_mp3, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source, _ = make_mp3(44100, 2, True, False)
    frames = audio_frames(source, False)
    target = tmp_path / "cut.mp3"
    for keep, expected in [
        (frames[50].offset + frames[50].length // 2, 50),  # mid-frame
        (frames[50].offset + 3, 50),  # mid-header
        (frames[50].offset, 50),  # on a frame boundary
        (frames[50].offset + frames[50].length - 1, 50),  # one byte short
    ]:
        audiogen.write_truncated_mp3(target, source, keep)
        result = scan(target)
        assert result.frames == expected, keep
        assert result.audio_bytes == frames[50].offset


@pytest.mark.parametrize(
    "write",
    [
        lambda p: audiogen.write_random_bytes(p, 256 * 1024, seed=1234),
        lambda p: audiogen.write_random_bytes(p, 64 * 1024, seed=42),
        audiogen.write_text_file,
        audiogen.write_empty,
        lambda p: p.write_bytes(b"\xff\xfb"),
        lambda p: audiogen.write_m4a_as_mp3(p, 1.0),
    ],
    ids=["random-256k", "random-64k", "text", "empty", "two-bytes", "m4a"],
)
def test_not_mpeg_audio_gives_none(tmp_path: Path, write) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "fake.mp3"
    write(path)
    assert scan_mp3(path) is None


def test_id3v2_with_footer_hiding_frames_is_skipped(make_mp3, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A hand-made ID3v2.4 tag with the footer flag, whose body holds real MPEG-1 frames: skipped by its size."""
    source, _ = make_mp3(22050, 1, False, False)
    other, _ = make_mp3(44100, 2, False, False)
    body = other.read_bytes()[:4000]
    size = bytes((len(body) >> shift) & 0x7F for shift in (21, 14, 7, 0))  # synchsafe
    tag = b"ID3\x04\x00\x10" + size + body + b"3DI\x04\x00\x10" + size
    target = tmp_path / "footer.mp3"
    target.write_bytes(tag + source.read_bytes())
    assert scan(target) == scan(source)
