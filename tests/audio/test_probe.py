"""Tests for apa_feed.audio.probe and apa_feed.cache, on real audio files made at test time by audiogen.

MP3s come from LAME (``lameenc``, with the Xing/Info + LAME tag frame that ``lame`` writes added by
audiogen); M4A/AAC, Ogg Opus, FLAC and WAV come from ffmpeg, which CI installs: without it the
ffmpeg tests fail with a RuntimeError that says so, they are never skipped.
"""

from __future__ import annotations

import array
import functools
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import audiogen
import pytest
from mutagen.apev2 import APEv2
from mutagen.id3 import APIC, ID3, TIT2

from apa_feed.audio.probe import AudioError, Tags, probe

SECONDS = 2.5
RATE = 44100  # of every ffmpeg-made file (audiogen's sine source)


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audio")


@pytest.fixture(scope="session")
def mp3(audio_dir: Path) -> tuple[Path, int]:
    """A LAME-tagged CBR MP3 (44.1 kHz mono 64 kbps) and its sample count."""
    path = audio_dir / "tone.mp3"
    return path, audiogen.write_mp3(path, SECONDS)


@pytest.fixture(scope="session")
def bare_mp3(audio_dir: Path) -> tuple[Path, int]:
    """The same MP3 without the Xing/Info + LAME tag frame, and its sample count."""
    path = audio_dir / "bare.mp3"
    return path, audiogen.write_mp3(path, SECONDS, lame_tag=False)


@pytest.fixture(scope="session")
def wav(audio_dir: Path) -> Path:
    path = audio_dir / "tone.wav"
    audiogen.write_with_ffmpeg(path, SECONDS, audiogen.WAV)
    return path


# --------------------------------------------------------------------------- MP3


@pytest.mark.parametrize(
    ("rate", "channels", "kbps", "vbr"),
    [
        (44100, 1, 64, False),
        (44100, 2, 128, False),
        (22050, 1, 32, False),  # MPEG-2 layer III: 576-sample frames
        (44100, 1, 0, True),
        (48000, 2, 0, True),
    ],
    ids=["cbr-44k-mono-64k", "cbr-44k-stereo-128k", "cbr-22k-mono-32k", "vbr-44k-mono", "vbr-48k-stereo"],
)
def test_mp3_with_lame_tag(audio_dir: Path, rate: int, channels: int, kbps: int, vbr: bool) -> None:
    path = audio_dir / f"tagged-{rate}-{channels}-{kbps}-{vbr}.mp3"
    samples = audiogen.write_mp3(path, SECONDS, sample_rate=rate, channels=channels, bitrate_kbps=kbps, vbr=vbr)

    info = probe(path)

    # The tag holds the frame count, LAME's encoder delay (576) and end padding, and mutagen computes
    # (frames * samples_per_frame - delay - padding) / rate: exactly the samples LAME was given.
    # Measured error: 0.0 s for every case here. 1 ms of slack only absorbs float rounding.
    assert info.duration == pytest.approx(samples / rate, abs=0.001)
    assert info.size == path.stat().st_size
    assert (info.mime_type, info.format) == ("audio/mpeg", "MP3")
    bitrates = {frame.bitrate_kbps for frame in audiogen.mpeg_frames(path.read_bytes())[1:]}
    assert len(bitrates) > 1 if vbr else bitrates == {kbps}  # really VBR / CBR, so the test means something


def test_mp3_without_lame_tag_is_estimated_from_its_size(bare_mp3: tuple[Path, int]) -> None:
    path, samples = bare_mp3

    info = probe(path)

    # No Xing/Info frame: mutagen takes size * 8 / bitrate, which counts everything LAME output: its
    # 576-sample encoder delay plus end padding to whole 1152-sample frames (LAME's flush may add up to
    # two frames). So the estimate is long by between 576 and 576 + 2 * 1152 samples (13 to 65 ms).
    # Measured: +0.0339 s (1494 samples) for 2.5 s.
    excess = info.duration - samples / 44100
    assert 576 / 44100 <= excess <= (576 + 2 * 1152) / 44100
    assert info.size == path.stat().st_size
    assert info.mime_type == "audio/mpeg"


def test_audiogen_lame_tag_agrees_with_ffmpeg(audio_dir: Path) -> None:
    """audiogen's LAME tag (delay 576 + padding) is right: ffmpeg's gapless decoder, which trims by
    it, returns exactly the input samples, in place. The two channels (440 and 660 Hz) only both line
    up for shifts of whole 220 Hz periods (200.45 samples); LAME's 576, the decoder's 529 and their
    sum 1105 are not such shifts."""
    path = audio_dir / "stereo.mp3"
    samples = audiogen.write_mp3(path, 1.0, channels=2, bitrate_kbps=128)
    command = [audiogen.ffmpeg_path(), "-v", "error", "-nostdin", "-i", str(path), "-f", "s16le", "-"]
    decoded = array.array("h", subprocess.run(command, capture_output=True, check=True).stdout)
    source = array.array("h", audiogen.tone_pcm(samples, 44100, 2))
    if sys.byteorder != "little":
        decoded.byteswap()
        source.byteswap()

    assert len(decoded) == len(source)
    for channel in (0, 1):
        a, b = source[channel:8000:2], decoded[channel:8000:2]
        correlation = sum(x * y for x, y in zip(a, b, strict=True))
        correlation /= math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
        assert correlation > 0.95, f"channel {channel} is shifted (correlation {correlation:.2f})"


# --------------------------------------------------------------------------- ffmpeg formats


FFMPEG_FORMATS = [
    # (suffix, encoder options, MIME type, container, codec, decoded sample rate)
    ("m4a", audiogen.AAC_M4A, "audio/x-m4a", "MP4", "aac", RATE),
    ("opus", audiogen.OPUS_OGG, "audio/ogg", "OggOpus", "opus", 48000),  # Opus always decodes at 48 kHz
    ("ogg", audiogen.VORBIS_OGG, "audio/ogg", "OggVorbis", "vorbis", RATE),
    ("flac", audiogen.FLAC, "audio/flac", "FLAC", "flac", RATE),
    ("wav", audiogen.WAV, "audio/wav", "WAVE", "pcm_s16le", RATE),
]


@pytest.mark.parametrize(
    ("suffix", "codec_args", "mime_type", "kind", "codec", "rate"),
    FFMPEG_FORMATS,
    ids=["m4a-aac", "ogg-opus", "ogg-vorbis", "flac", "wav"],
)
def test_ffmpeg_formats(
    audio_dir: Path, suffix: str, codec_args: list[str], mime_type: str, kind: str, codec: str, rate: int
) -> None:
    path = audio_dir / f"tone.{suffix}"
    audiogen.write_with_ffmpeg(path, SECONDS, codec_args)

    info = probe(path)

    # Exactly the 2.5 s of samples ffmpeg was given: for M4A the edit list's priming (1024 samples,
    # +23.2 ms in mutagen's track duration) is left out; Opus pre-skip, Vorbis granule, FLAC and WAV
    # sample counts are exact. Measured error: 0.0 s for all five.
    assert info.duration == pytest.approx(SECONDS, abs=0.001)
    assert abs(info.duration - audiogen.decoded_seconds(path)) <= 0.05  # a full decode agrees
    assert info.duration_source == "header"
    assert (info.mime_type, info.format, info.codec) == (mime_type, kind, codec)
    assert (info.sample_rate, info.channels) == (rate, 1)
    assert info.size == path.stat().st_size
    assert info.bitrate > 0
    if kind == "WAVE":
        assert info.bitrate == 44100 * 16  # PCM: exact
    assert (info.tags, info.cover, info.chapters) == (Tags(), None, ())


def test_m4a_stereo_48k(audio_dir: Path) -> None:
    path = audio_dir / "stereo.m4a"
    audiogen.write_with_ffmpeg(path, 1.0, [*audiogen.AAC_M4A, "-ac", "2"], sample_rate=48000)

    info = probe(path)

    assert (info.sample_rate, info.channels, info.codec) == (48000, 2, "aac")
    assert info.duration == pytest.approx(1.0, abs=0.001)


def test_m4a_named_mp3_is_typed_by_its_content(audio_dir: Path) -> None:
    path = audio_dir / "really-aac.mp3"
    audiogen.write_m4a_as_mp3(path, SECONDS)

    info = probe(path)

    # probe trusts the bytes, not the name: the enclosure type will be audio/x-m4a on a .mp3 URL.
    assert (info.mime_type, info.format) == ("audio/x-m4a", "MP4")
    assert abs(info.duration - SECONDS) <= 0.05


# --------------------------------------------------------------------------- bad inputs

BadInput = Callable[[Path, pytest.FixtureRequest], None]  # writes a bad file; may use session fixtures


def _truncated_mp3(path: Path, request: pytest.FixtureRequest) -> None:
    # 100 bytes: less than the first (tag) frame, and no frame header after it to sync to.
    source, _ = request.getfixturevalue("mp3")
    audiogen.write_truncated_mp3(path, source, 100)


def _wav_without_data(path: Path, request: pytest.FixtureRequest) -> None:
    # RIFF header and fmt chunk (36 bytes) only: a WAV with no data chunk.
    wav: Path = request.getfixturevalue("wav")
    path.write_bytes(wav.read_bytes()[:36])


BAD_INPUTS: list[tuple[str, str, BadInput | None, str]] = [
    ("missing", "gone.mp3", None, "file not found"),
    ("zero-bytes", "empty.mp3", lambda p, r: audiogen.write_empty(p), "empty file (0 bytes)"),
    (
        "random-bytes-mp3",
        "noise.mp3",
        lambda p, r: audiogen.write_random_bytes(p),
        "not a readable audio file (no MPEG audio frames found)",
    ),
    (
        "text-m4a",
        "notes.m4a",
        lambda p, r: audiogen.write_text_file(p),
        "not an audio format apa-feed knows (expected MP3 or M4A/AAC)",
    ),
    ("truncated-mp3", "cut.mp3", _truncated_mp3, "not a readable audio file (no MPEG audio frames found)"),
    ("wav-without-data", "nodata.wav", _wav_without_data, "no audio found in the file (duration 0)"),
]


@pytest.mark.parametrize(
    ("name", "make", "message"), [row[1:] for row in BAD_INPUTS], ids=[row[0] for row in BAD_INPUTS]
)
def test_bad_input_message(
    tmp_path: Path, request: pytest.FixtureRequest, name: str, make: BadInput | None, message: str
) -> None:
    path = tmp_path / name
    if make is not None:
        make(path, request)

    with pytest.raises(AudioError) as raised:
        probe(path)

    assert str(raised.value) == message


def test_truncated_bare_mp3_is_shorter(tmp_path: Path, bare_mp3: tuple[Path, int]) -> None:
    """Without a Xing/Info frame mutagen accepts a cut MP3 and estimates from what is left."""
    source, _ = bare_mp3
    full = probe(source).duration
    cut = tmp_path / "half.mp3"
    audiogen.write_truncated_mp3(cut, source, source.stat().st_size // 2)

    info = probe(cut)

    assert info.duration < full
    assert info.duration == pytest.approx(full / 2, abs=0.05)
    assert info.size == cut.stat().st_size


@pytest.mark.parametrize("which", ["lame-tagged-mp3", "wav"])
def test_cut_file_whose_header_claims_more(tmp_path: Path, request: pytest.FixtureRequest, which: str) -> None:
    """A download cut in half must not be published with the full duration."""
    source: Path = request.getfixturevalue("wav") if which == "wav" else request.getfixturevalue("mp3")[0]
    cut = tmp_path / f"half{source.suffix}"
    audiogen.write_truncated_mp3(cut, source, source.stat().st_size // 2)

    with pytest.raises(AudioError, match=r"^the file is cut short: its header promises 2\.5 s of audio but it holds"):
        probe(cut)


def test_vbr_mp3_without_header_gets_its_duration_from_a_frame_scan(tmp_path: Path) -> None:
    """mutagen extrapolates a header-less VBR MP3 from its first frame (1.4 s for 3 s); the scan counts frames."""
    path = tmp_path / "vbr-bare.mp3"
    samples = audiogen.write_mp3(path, 3.0, vbr=True, lame_tag=False)
    info = probe(path)
    assert info.duration_source == "scan"
    decoded = audiogen.decoded_samples(path) / 44100
    assert abs(info.duration - decoded) <= 0.05
    assert abs(info.duration - samples / 44100) <= 0.1  # encoder delay and padding, under 0.1 s


def test_mp3_with_lame_header_keeps_the_header_duration(mp3: tuple[Path, int]) -> None:
    path, samples = mp3
    info = probe(path)
    assert info.duration_source == "header"
    assert info.duration == pytest.approx(samples / 44100, abs=0.001)


# --------------------------------------------------------------------------- MP3 with tags, pictures, junk

BIG_PICTURE = (1400, 1400)  # random pixels: a JPEG of about 1.2 MB in the ID3v2 tag


@functools.cache
def big_picture() -> bytes:
    return audiogen.cover_image("JPEG", BIG_PICTURE, noise=True)


def _decorate(path: Path, extras: tuple[str, ...]) -> None:
    """Add leading junk, an ID3v2 tag with a big front cover, an ID3v1 tag and/or an APEv2 tag."""
    if "junk" in extras:
        audiogen.prepend_junk(path, 3000)
    if "id3v2" in extras:
        tags = ID3()
        tags.add(TIT2(encoding=3, text=["Grand reportage"]))
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="", data=big_picture()))
        tags.save(path)
    if "apev2" in extras:
        ape = APEv2()
        ape["Title"] = "APE title"
        ape.save(path)
    if "id3v1" in extras:
        audiogen.append_id3v1(path)


MP3_VARIANTS = [
    # (id, vbr, LAME tag frame, extras, expected duration source)
    ("cbr-tag-id3v2-bigpic", False, True, ("id3v2",), "header"),
    ("cbr-tag-id3v1", False, True, ("id3v1",), "header"),
    ("cbr-tag-apev2", False, True, ("apev2",), "header"),
    ("cbr-tag-junk", False, True, ("junk",), "scan"),  # past junk, decoders do not read the LAME tag
    ("vbr-tag-all-tags", True, True, ("id3v2", "apev2", "id3v1"), "header"),
    ("vbr-tag-id3v2-junk", True, True, ("junk", "id3v2"), "scan"),
    ("vbr-bare-all-tags", True, False, ("id3v2", "apev2", "id3v1"), "scan"),
    ("vbr-bare-id3v2-junk", True, False, ("junk", "id3v2"), "scan"),
    ("cbr-bare-id3v1", False, False, ("id3v1",), "scan"),
]


@pytest.mark.parametrize(
    ("vbr", "lame_tag", "extras", "source"), [v[1:] for v in MP3_VARIANTS], ids=[v[0] for v in MP3_VARIANTS]
)
def test_mp3_duration_is_exact_whatever_surrounds_the_audio(
    tmp_path: Path, vbr: bool, lame_tag: bool, extras: tuple[str, ...], source: str
) -> None:
    path = tmp_path / "episode.mp3"
    samples = audiogen.write_mp3(path, SECONDS, vbr=vbr, lame_tag=lame_tag)
    frames = audiogen.mpeg_frames(path.read_bytes())[1 if lame_tag else 0 :]
    _decorate(path, extras)

    info = probe(path)

    assert info.duration_source == source
    if source == "header":  # the LAME tag's frame count, delay and padding give back exactly the samples encoded
        assert info.duration == pytest.approx(samples / 44100, abs=0.001)
    else:  # every audio frame counted (the LAME tag frame not), none of the tags' bytes taken for audio
        assert info.duration == len(frames) * 1152 / 44100
    # Past junk ffmpeg ignores the LAME tag, so it trims nothing, and here it also plays the tag frame as
    # 1152 samples of silence: decoded 2.56 s, probe 2.5339 s, 26 ms apart (its own libmp3lame files: 0 ms).
    assert abs(info.duration - audiogen.decoded_seconds(path)) <= 0.05
    assert (info.codec, info.sample_rate, info.channels) == ("mp3", 44100, 1)
    if "id3v2" in extras:
        assert info.tags.title == "Grand reportage"
        assert (info.cover.format, info.cover.width, info.cover.height) == ("jpeg", *BIG_PICTURE)  # type: ignore[union-attr]
        assert path.stat().st_size > 1_000_000


@pytest.mark.parametrize(("xing", "source"), [(True, "header"), (False, "scan")], ids=["lavc-lame-tag", "no-header"])
def test_mp3_from_ffmpeg_libmp3lame(tmp_path: Path, xing: bool, source: str) -> None:
    """ffmpeg writes the LAME tag with encoder "Lavc…", which mutagen ignores (it reported +41.6 ms on 5 s)."""
    path = tmp_path / "lavc.mp3"
    audiogen.write_with_ffmpeg(path, SECONDS, [*audiogen.MP3_LAME, *([] if xing else ["-write_xing", "0"])])

    info = probe(path)

    assert info.duration_source == source
    decoded = audiogen.decoded_seconds(path)
    if xing:  # frame count less delay and padding: exactly the 2.5 s given, as ffmpeg decodes it
        assert info.duration == pytest.approx(SECONDS, abs=0.0001)
        assert decoded == pytest.approx(SECONDS, abs=0.0001)
    assert abs(info.duration - decoded) <= 0.05


def test_extension_disagreeing_with_content_keeps_the_right_mime_type(audio_dir: Path) -> None:
    path = audio_dir / "flac-named.mp3"
    audiogen.write_with_ffmpeg(path, 1.0, [*audiogen.FLAC, "-f", "flac"])

    info = probe(path)

    assert (info.format, info.mime_type, info.codec) == ("FLAC", "audio/flac", "flac")
    assert not info.extension_matches(path)
    assert info.extension_matches(path.with_suffix(".flac"))
