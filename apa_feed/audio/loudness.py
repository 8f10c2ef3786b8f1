"""Loudness per ITU-R BS.1770-4 / EBU R128, measured by ffmpeg's ``ebur128`` filter (a maintained
implementation: apa-feed has no filter code of its own).

ffmpeg is the one on PATH, else the binary of PyPI's ``imageio-ffmpeg`` when it is installed
(``pip install 'apa-feed[loudness]'``). Where there is neither, loudness is simply not measured,
and ``check`` says so once.

ffmpeg reads only the file it is given: its protocols are limited to ``file``, and the container
is named (from what the probe found in the file's bytes), so a file in a show that is really a
playlist or a concat script cannot make it open anything else.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .probe import AudioError

DEMUXER = {"MP3": "mp3", "MP4": "mov", "OggVorbis": "ogg", "OggOpus": "ogg", "FLAC": "flac", "WAVE": "wav"}
"""ffmpeg's demuxer for each format the probe knows (its ``AudioInfo.format``)."""

TIMEOUT_S = 3600.0
"""The longest one measurement may take (some 40 hours of audio at bench/loudness.py's rate of 90 s an hour)."""

_SUMMARY = re.compile(
    r"Summary:.*?I:\s+(?P<i>-?[\d.]+|-inf)\s+LUFS.*?LRA:\s+(?P<lra>-?[\d.]+|-inf)\s+LU\b"
    r".*?Peak:\s+(?P<peak>-?[\d.]+|-inf)\s+dBFS",
    re.DOTALL,
)


@dataclass(frozen=True)
class Loudness:
    """What BS.1770-4 says of a file's programme: integrated loudness, loudness range, true peak."""

    integrated_lufs: float
    true_peak_dbtp: float
    range_lu: float

    def to_json(self) -> dict[str, float | None]:
        """JSON-ready (silence measures -inf, which JSON cannot hold: it becomes null)."""
        return {name: _finite(value) for name, value in vars(self).items()}

    @classmethod
    def from_json(cls, data: object) -> Loudness:
        """What :meth:`to_json` gave; ValueError if ``data`` is not that."""
        if not isinstance(data, dict):
            raise ValueError("not a loudness entry")
        try:
            return cls(*(_number(data[name]) for name in ("integrated_lufs", "true_peak_dbtp", "range_lu")))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a loudness entry ({exc})") from None


def ffmpeg() -> str | None:
    """The ffmpeg to measure with (``$APA_FEED_FFMPEG``, PATH, then imageio-ffmpeg's), or None."""
    given = os.environ.get("APA_FEED_FFMPEG")
    if given:
        return given
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg  # type: ignore[import-untyped]

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        return None


def measure(path: Path, audio_format: str, binary: str) -> Loudness:
    """Measure ``path`` (holding ``audio_format``, as the probe named it) with the ffmpeg at ``binary``;
    :class:`AudioError` if ffmpeg cannot decode it."""
    demuxer = DEMUXER.get(audio_format)
    if demuxer is None:
        raise AudioError(f"loudness: {audio_format} audio is not measured")
    command = [binary, "-nostdin", "-hide_banner", "-nostats", "-protocol_whitelist", "file", "-f", demuxer,
               "-i", f"file:{path.absolute()}", "-map", "0:a:0", "-filter:a", "ebur128=peak=true:framelog=verbose",
               "-f", "null", "-"]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AudioError(f"loudness: ffmpeg could not run ({exc})") from None
    log = done.stderr.decode("utf-8", "replace")
    found = _SUMMARY.search(log)
    if done.returncode != 0 or found is None:
        last = log.strip().splitlines()[-1:] or ["no output"]
        raise AudioError(f"loudness: ffmpeg could not decode the file ({last[0][:200]})")
    return Loudness(_number(found["i"]), _number(found["peak"]), _number(found["lra"]))


def _number(value: object) -> float:
    if value is None or value == "-inf":
        return -math.inf
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def measure_all(files: list[tuple[Path, str]], binary: str) -> list[Loudness | AudioError]:
    """:func:`measure` each (path, format), several ffmpeg processes at once (one per core)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(job: tuple[Path, str]) -> Loudness | AudioError:
        try:
            return measure(job[0], job[1], binary)
        except AudioError as exc:
            return exc

    with ThreadPoolExecutor(max(1, os.cpu_count() or 1)) as pool:  # threads wait; the ffmpeg processes work
        return list(pool.map(one, files))
