"""Real audio files for tests, made at test time (no binary fixtures in the repo).

* :func:`write_mp3` encodes a tone with ``lameenc`` (LAME, from PyPI; no system package) and,
  by default, puts a Xing/Info + LAME tag frame in front of it, as the ``lame`` command line
  tool and ffmpeg's libmp3lame do. ``lameenc`` itself never writes that frame (it streams
  frames and does not expose ``lame_get_lametag_frame``), and without it a reader can only
  guess an MP3's duration from its size and first frame's bitrate: close for CBR, far off for
  VBR. The tag records the frame count and LAME's encoder delay and end padding, so a reader
  (mutagen, ffmpeg) gets the exact, gapless sample count back.
* :func:`write_with_ffmpeg` makes M4A/AAC, Ogg Opus, FLAC and WAV with ffmpeg's ``sine`` source.
* ``write_*`` helpers below make bad inputs: empty, truncated, random bytes, text, wrong extension.

Everything is deterministic: the same arguments give the same bytes (ffmpeg output is
bit-exact for a given ffmpeg build).
"""

from __future__ import annotations

import array
import math
import random
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import lameenc

TONE_HZ = 440.0
LAME_ENCODER_DELAY = 576
"""Samples LAME puts before the first input sample (``ENCDELAY`` in LAME 3.100's ``encoder.h``).

Written into the LAME tag, as ``lame`` does; ``test_probe.py`` checks it against ffmpeg's decoder."""

AAC_M4A = ["-c:a", "aac", "-b:a", "64k"]
OPUS_OGG = ["-c:a", "libopus", "-b:a", "48k"]
FLAC = ["-c:a", "flac"]
WAV = ["-c:a", "pcm_s16le"]
VORBIS_OGG = ["-c:a", "libvorbis", "-q:a", "3"]
MP3_LAME = ["-c:a", "libmp3lame", "-b:a", "64k"]
"""ffmpeg's own MP3 encoder: writes a Xing/Info + LAME tag frame (``-write_xing 0`` leaves it out)."""


# --------------------------------------------------------------------------- MP3 (lameenc)


def tone_pcm(samples: int, sample_rate: int, channels: int, noise: float = 0.02, seed: int = 440) -> bytes:
    """``samples`` frames of 16-bit little-endian interleaved PCM: a 440 Hz tone (660 Hz on the
    second channel) at about -10 dBFS plus a little noise from a fixed-seed generator."""
    rng = random.Random(seed)
    step = [2 * math.pi * TONE_HZ * (1 + c / 2) / sample_rate for c in range(channels)]
    pcm = array.array("h")
    for i in range(samples):
        for c in range(channels):
            value = 0.3 * math.sin(step[c] * i) + noise * (2 * rng.random() - 1)
            pcm.append(int(value * 32767))
    if sys.byteorder != "little":
        pcm.byteswap()
    return pcm.tobytes()


def write_mp3(
    path: Path,
    seconds: float,
    sample_rate: int = 44100,
    channels: int = 1,
    bitrate_kbps: int = 64,
    vbr: bool = False,
    *,
    lame_tag: bool = True,
) -> int:
    """Encode ``seconds`` of tone to ``path``; return the PCM samples per channel given to LAME.

    CBR at ``bitrate_kbps`` by default. ``vbr=True`` uses LAME's VBR mode (``-V 4``, the "new"
    mtrh algorithm), with ``bitrate_kbps`` ignored. The output sample rate is pinned to
    ``sample_rate`` (LAME would otherwise resample low bitrates, e.g. 44.1 kHz stereo 64 kbps
    becomes 24 kHz MPEG-2), so the returned count is in the file's own sample rate.
    ``lame_tag=False`` leaves out the Xing/Info + LAME frame: a bare frame stream, as some
    streaming tools write.
    """
    samples = round(seconds * sample_rate)
    encoder = lameenc.Encoder()
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_out_sample_rate(sample_rate)
    encoder.set_channels(channels)
    encoder.set_quality(5)
    if vbr:
        encoder.set_vbr(4)  # vbr_mtrh, LAME's default VBR mode
        encoder.set_vbr_quality(4)
    else:
        encoder.set_bit_rate(bitrate_kbps)
    encoder.silence()
    stream = bytes(encoder.encode(tone_pcm(samples, sample_rate, channels))) + bytes(encoder.flush())
    if lame_tag:
        stream = lame_tag_frame(stream, samples, vbr) + stream
    Path(path).write_bytes(stream)
    return samples


@dataclass(frozen=True)
class MpegFrame:
    """One MPEG audio layer III frame header, as found in a LAME stream."""

    offset: int
    length: int
    header: int  # the 4 header bytes as a big-endian int
    version: float  # 1, 2 or 2.5
    sample_rate: int
    samples: int  # per channel: 1152 (MPEG-1) or 576 (MPEG-2/2.5)
    mono: bool
    bitrate_kbps: int


_BITRATES = {
    1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
_RATES = {1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000]}
_VERSIONS = {0: 2.5, 2: 2, 3: 1}


def parse_frame(data: bytes, offset: int) -> MpegFrame:
    """Decode the layer III frame header at ``offset`` (ValueError if there is none)."""
    (header,) = struct.unpack_from(">I", data, offset)
    version_bits, layer_bits = (header >> 19) & 3, (header >> 17) & 3
    bitrate_index, rate_index = (header >> 12) & 15, (header >> 10) & 3
    if header >> 21 != 0x7FF or version_bits not in _VERSIONS or layer_bits != 1 or rate_index == 3:
        raise ValueError(f"no MPEG layer III frame header at byte {offset}")
    if bitrate_index in (0, 15):
        raise ValueError(f"free-format or bad bitrate index at byte {offset}")
    version = _VERSIONS[version_bits]
    sample_rate = _RATES[version][rate_index]
    samples = 1152 if version == 1 else 576
    kbps = _BITRATES[1 if version == 1 else 2][bitrate_index]
    length = samples // 8 * kbps * 1000 // sample_rate + ((header >> 9) & 1)
    mono = (header >> 6) & 3 == 3
    return MpegFrame(offset, length, header, version, sample_rate, samples, mono, kbps)


def mpeg_frames(stream: bytes) -> list[MpegFrame]:
    """All frames of a gap-free MPEG layer III stream (what LAME emits)."""
    frames: list[MpegFrame] = []
    offset = 0
    while offset < len(stream):
        frame = parse_frame(stream, offset)
        frames.append(frame)
        offset += frame.length
    if offset != len(stream):
        raise ValueError("the last MPEG frame is cut short")
    return frames


def lame_tag_frame(stream: bytes, samples: int, vbr: bool) -> bytes:
    """The Xing/Info + LAME tag frame that ``lame`` would put before ``stream``.

    Layout: http://gabriel.mp3-tech.org/mp3infotag.html (and LAME's ``VbrTag.c``).
    """
    frames = mpeg_frames(stream)
    first = frames[0]
    side_info = (17 if first.mono else 32) if first.version == 1 else (9 if first.mono else 17)
    tag_size = 4 + side_info + 120 + 36  # header, side info, Xing part, LAME part
    table = _BITRATES[1 if first.version == 1 else 2]
    wanted = first.bitrate_kbps if not vbr else (128 if first.version == 1 else 64)
    index = table.index(wanted)
    while first.samples // 8 * table[index] * 1000 // first.sample_rate < tag_size:
        index += 1  # frame too small for the tag at this bitrate: take the next one, as LAME does
    header = (first.header & ~(0xF << 12) & ~(1 << 9)) | (index << 12)  # no padding slot
    length = first.samples // 8 * table[index] * 1000 // first.sample_rate
    total_bytes = length + len(stream)

    # Table of contents: byte position (in 1/256 of the file) at each percent of the duration.
    starts = [frame.offset + length for frame in frames]
    toc = bytes(min(255, 256 * starts[min(len(frames) - 1, len(frames) * i // 100)] // total_bytes) for i in range(100))
    quality = 100 - (4 * 10 + 5) if vbr else 100 - 5  # LAME: 100 - (10 * VBR quality + quality)
    # flags (frames, bytes, TOC and quality present), frame count (the tag frame not included), bytes, TOC, quality
    xing = (b"Xing" if vbr else b"Info") + struct.pack(">III", 0xF, len(frames), total_bytes) + toc
    xing += struct.pack(">I", quality)

    padding = len(frames) * first.samples - samples - LAME_ENCODER_DELAY
    if not 0 <= padding < 1 << 12:
        raise ValueError(f"unexpected LAME padding {padding} for {samples} samples in {len(frames)} frames")
    lame = b"LAME3.100" + bytes([(0 << 4) | (4 if vbr else 1), 0])  # revision 0, VBR method; no lowpass
    lame += bytes(4) + bytes(2) + bytes(2)  # peak, track gain, album gain: not computed
    lame += bytes([0, min(255, first.bitrate_kbps if not vbr else 0)])  # flags + ATH type, bitrate
    lame += (LAME_ENCODER_DELAY << 12 | padding).to_bytes(3, "big")
    lame += bytes([0, 0]) + bytes(2)  # misc, MP3 gain, preset/surround
    lame += struct.pack(">IH", total_bytes, crc16(stream))  # music length and CRC

    body = struct.pack(">I", header) + bytes(side_info) + xing + lame
    body += struct.pack(">H", crc16(body))  # tag CRC: everything before it in the frame (190 bytes)
    return body + bytes(length - len(body))


def _crc16_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC16 = _crc16_table()


def crc16(data: bytes) -> int:
    """CRC-16/ARC (polynomial 0x8005, reflected), the CRC of LAME's tag."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _CRC16[(crc ^ byte) & 0xFF]
    return crc


# --------------------------------------------------------------------------- other formats (ffmpeg)


def ffmpeg_path() -> str:
    """Where ffmpeg is: on PATH, else the binary PyPI's imageio-ffmpeg ships; RuntimeError if neither."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise RuntimeError(
            "ffmpeg is not installed: the audio tests need it to make M4A, Opus, FLAC and WAV files; "
            "pip install imageio-ffmpeg (in the [test] extra) or apt-get install ffmpeg"
        ) from exc


def write_with_ffmpeg(
    path: Path,
    seconds: float,
    codec_args: list[str],
    *,
    metadata: dict[str, str] | None = None,
    chapters: list[tuple[float, float, str]] | None = None,
    sample_rate: int = 44100,
) -> None:
    """Encode ``seconds`` of a 440 Hz tone at ``sample_rate`` mono with ffmpeg to ``path``.

    ``codec_args`` are output options, e.g. :data:`AAC_M4A`, :data:`OPUS_OGG`, :data:`FLAC` or
    :data:`WAV`; the container follows ``path``'s extension unless they include ``-f``.
    ``metadata`` (global tags) and ``chapters`` (start s, end s, title) go in through an
    ffmetadata file (M4A gets a Nero ``chpl`` chapter list and a QuickTime chapter track).
    """
    extra: list[str] = []
    if metadata or chapters:
        meta = Path(f"{path}.ffmeta")
        meta.write_text(_ffmetadata(metadata or {}, chapters or []), encoding="utf-8")
        extra = ["-f", "ffmetadata", "-i", str(meta), "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"]
    else:
        extra = ["-map_metadata", "-1"]
    command = [
        ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"sine=frequency={TONE_HZ:g}:sample_rate={sample_rate}:duration={seconds:g}",
        *extra, "-fflags", "+bitexact", "-flags:a", "+bitexact",
        *codec_args, str(path),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({result.returncode}) making {path}: {result.stderr.strip()}")


def _ffmetadata(metadata: dict[str, str], chapters: list[tuple[float, float, str]]) -> str:
    def escape(text: str) -> str:
        return "".join("\\" + c if c in "=;#\\\n" else c for c in text)

    lines = [";FFMETADATA1"] + [f"{key}={escape(value)}" for key, value in metadata.items()]
    for start, end, title in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(start * 1000)}",
            f"END={round(end * 1000)}",
            f"title={escape(title)}",
        ]
    return "\n".join(lines) + "\n"


def decoded_seconds(path: Path) -> float:
    """Seconds of audio a full ffmpeg decode of ``path`` gives (any format; gapless where the file says so):
    the sample count of the decoded WAV divided by its sample rate."""
    command = [ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
               "-map", "0:a:0", "-ac", "1", "-c:a", "pcm_s16le", "-bitexact", "-f", "wav", "-"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg could not decode {path}: {result.stderr.decode(errors='replace').strip()}")
    wav, pos, rate = result.stdout, 12, 0
    while pos + 8 <= len(wav):
        kind, size = wav[pos : pos + 4], struct.unpack_from("<I", wav, pos + 4)[0]
        if kind == b"fmt ":
            rate = struct.unpack_from("<I", wav, pos + 12)[0]
        elif kind == b"data":
            return (len(wav) - pos - 8) // 2 / rate  # a piped WAV's data size field is not filled in
        pos += 8 + size + (size & 1)
    raise RuntimeError(f"ffmpeg gave no audio for {path}")


def cover_image(fmt: str = "JPEG", size: tuple[int, int] = (300, 300), noise: bool = False) -> bytes:
    """A JPEG or PNG image of ``size`` px (``noise=True``: random pixels, so it compresses badly: a big file)."""
    from io import BytesIO

    from PIL import Image

    width, height = size
    if noise:
        image = Image.frombytes("RGB", size, random.Random(7).randbytes(width * height * 3))
    else:
        image = Image.new("RGB", size, (200, 40, 90))
    out = BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def decoded_samples(path: Path) -> int:
    """Samples per channel that ffmpeg decodes from ``path`` (gapless: it honours the LAME tag)."""
    command = [ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), "-f", "s16le", "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg could not decode {path}: {result.stderr.decode(errors='replace').strip()}")
    channels = 1 if parse_frame(Path(path).read_bytes(), 0).mono else 2
    return len(result.stdout) // (2 * channels)


# --------------------------------------------------------------------------- bad inputs


def write_truncated_mp3(path: Path, source: Path, keep_bytes: int) -> None:
    """The first ``keep_bytes`` bytes of the valid file ``source``: a download cut short."""
    data = Path(source).read_bytes()
    if not 0 < keep_bytes < len(data):
        raise ValueError(f"keep_bytes must be between 1 and {len(data) - 1}")
    Path(path).write_bytes(data[:keep_bytes])


def write_random_bytes(path: Path, size: int = 64 * 1024, seed: int = 1234) -> None:
    """``size`` pseudo-random bytes from a fixed seed (name it ``.mp3`` to fake an MP3)."""
    Path(path).write_bytes(random.Random(seed).randbytes(size))


def write_text_file(path: Path, text: str = "This is not audio: just some show notes.\n" * 20) -> None:
    """A UTF-8 text file (name it ``.m4a`` to fake an M4A)."""
    Path(path).write_text(text, encoding="utf-8")


def write_empty(path: Path) -> None:
    """A zero-byte file."""
    Path(path).write_bytes(b"")


def append_id3v1(path: Path, title: str = "Old tag") -> None:
    """Append a 128-byte ID3v1 tag (title field only) to ``path``."""
    tag = b"TAG" + title.encode("latin-1")[:30].ljust(30, b"\0") + bytes(30 + 30 + 4 + 30) + b"\xff"
    with Path(path).open("ab") as handle:
        handle.write(tag)


def prepend_junk(path: Path, size: int = 1000, seed: int = 5) -> None:
    """Put ``size`` bytes of junk (no 0xFF byte, so no false frame sync) before the file's content."""
    junk = bytes(b % 255 for b in random.Random(seed).randbytes(size))
    Path(path).write_bytes(junk + Path(path).read_bytes())


def write_m4a_as_mp3(path: Path, seconds: float) -> None:
    """A real M4A/AAC file under ``path`` (typically ``*.mp3``): the extension disagrees with the content."""
    write_with_ffmpeg(path, seconds, [*AAC_M4A, "-f", "ipod"])
