"""What `check`'s loudness measure costs per hour of audio, against a plain decode in the same run.

    python bench/loudness.py [--minutes M] [--rounds R]

Makes M minutes (default 10) of stereo pink noise as MP3 (128 kbit/s) and M4A/AAC (128 kbit/s) and
prints, for each, the best of R rounds (default 2) of:

- apa-feed's measure (ffmpeg's ebur128 with true peak, as ``check`` runs it), scaled to seconds
  per audio hour;
- ffmpeg decoding the same file to nothing (the floor any BS.1770 measure pays), and the ratio.

The measure runs once per file: ``check`` keeps it in the cache until the file changes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from apa_feed.audio.loudness import ffmpeg, measure
from apa_feed.audio.probe import probe

CODECS = {"mp3": ["-c:a", "libmp3lame", "-b:a", "128k"], "m4a": ["-c:a", "aac", "-b:a", "128k"]}


def make(binary: str, path: Path, minutes: float) -> None:
    noise = f"anoisesrc=d={minutes * 60:g}:c=pink:a=0.2:r=44100"
    command = [binary, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", noise,
               "-ac", "2", *CODECS[path.suffix[1:]], str(path)]  # fmt: skip
    subprocess.run(command, check=True)


def best(rounds: int, run: object) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    binary = ffmpeg()
    if binary is None:
        sys.exit("error: no ffmpeg: apt-get install ffmpeg or pip install imageio-ffmpeg")
    print(f"ffmpeg: {binary}; {args.minutes:g} min of stereo pink noise per format, best of {args.rounds}")
    with tempfile.TemporaryDirectory() as work:
        for extension in CODECS:
            path = Path(work) / f"noise.{extension}"
            make(binary, path, args.minutes)
            info = probe(path)
            decode = [binary, "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"]
            floor = best(args.rounds, lambda: subprocess.run(decode, check=True))  # noqa: B023
            cost = best(args.rounds, lambda: measure(path, info.format, binary))  # noqa: B023
            per_hour = 3600 / info.duration
            print(
                f"{extension}: measure {cost * per_hour:6.1f} s per audio hour, decode only {floor * per_hour:6.1f} s"
                f" -> {cost / floor:.2f}x the decode"
            )


if __name__ == "__main__":
    main()
