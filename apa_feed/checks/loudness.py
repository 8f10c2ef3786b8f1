"""Apple's loudness rule, checked by ``apa-feed check``: about −16 LUFS (−19 for mono), true peak at
most −1 dBTP.

Measuring decodes the whole audio (bench/loudness.py: about 90 s of ffmpeg per hour of audio), so it is done by
``check`` only, never by ``build`` or ``publish``, and kept in the cache while a file is unchanged.
By default ``check`` measures the episodes not published yet (their audio can still be fixed);
``--loudness all`` measures every episode, ``--loudness off`` none.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..audio.loudness import Loudness, ffmpeg
from ..cache import Cache
from ..errors import Problem, display_path
from ..feed.model import EpisodeInput
from ..publish.lockfile import Lock

TARGET_LUFS = -16.0
TARGET_MONO_LUFS = -19.0
TOLERANCE_LU = 1.0
MAX_TRUE_PEAK_DBTP = -1.0
CHOICES = ("new", "all", "off")


def loudness_problems(root: Path, inputs: Sequence[EpisodeInput], lock: Lock | None, which: str) -> list[Problem]:
    """Warnings for the episodes' audio outside Apple's loudness rule (``which``: one of :data:`CHOICES`)."""
    published = {e.guid for e in lock.episodes} if lock else set()
    chosen = [i for i in inputs if i.meta.audio is not None and (which == "all" or i.meta.guid not in published)]
    if which == "off" or not chosen:
        return []
    binary = ffmpeg()
    if binary is None:
        return [_no_ffmpeg(root)]
    cache = Cache(root)
    try:
        measured = cache.loudness([(i.audio_file.path, i.audio.format) for i in chosen], binary)
    finally:
        cache.close(complete=False)  # keep every other row: this is not a whole build
    found = []
    for episode in chosen:
        result = measured[episode.audio_file.path]
        where = display_path(episode.audio_file.path)
        if isinstance(result, Loudness):
            found += judge(where, result, episode.audio.channels)
        else:
            found.append(Problem(where, field="audio", severity="warning", message=str(result)))
    return found


def judge(where: str, loudness: Loudness, channels: int) -> list[Problem]:
    """What Apple's rule says of one measured file."""
    target = TARGET_MONO_LUFS if channels == 1 else TARGET_LUFS
    found = []
    level = loudness.integrated_lufs
    if not target - TOLERANCE_LU <= level <= target + TOLERANCE_LU:
        heard = "silent" if level == float("-inf") else f"{level:.1f} LUFS"
        found.append(
            _warning(
                where,
                f"integrated loudness is {heard}; Apple Podcasts asks for {target:.0f} LUFS ± 1 dB"
                f"{' (mono)' if channels == 1 else ''}",
                "normalise the audio (e.g. ffmpeg's loudnorm filter) before publishing",
            )
        )
    if loudness.true_peak_dbtp > MAX_TRUE_PEAK_DBTP:
        found.append(
            _warning(
                where,
                f"true peak is {loudness.true_peak_dbtp:.1f} dBTP; Apple Podcasts asks for at most −1 dBTP",
                "lower the level or use a true-peak limiter",
            )
        )
    return found


def _warning(where: str, message: str, hint: str) -> Problem:
    return Problem(where, field="audio", severity="warning", rule="Apple", message=message, hint=hint)


def _no_ffmpeg(root: Path) -> Problem:
    return Problem(
        display_path(root / "feed.yaml"),
        severity="info",
        message="loudness not measured: no ffmpeg found",
        hint="install ffmpeg, or pip install 'apa-feed[loudness]'",
    )
