"""Benchmark apa-feed's probe: duration error against a full ffmpeg decode, and speed against ffprobe.

    python bench/probe.py [--corpus DIR] [--ffmpeg PATH] [--rounds N]

Generates (once; reused from ``--corpus``, default under the temp folder) a corpus of every
format the probe reads, 5 s to 60 min, then prints in one run:

* per file: apa-feed's duration, the decoded duration (samples of a full ffmpeg decode / rate,
  cached in the corpus), the error, and where the duration came from (header or scan);
* files/s of apa-feed's probe with no cache, of ``ffprobe`` run per file, and of a warm
  :class:`~apa_feed.cache.Cache`, with the ratios, on headered files and on scanned ones.

Targets (issue 3): error ≤ 0.05 s everywhere; probe ≥ 20× ffprobe on headered files; the 60-min
VBR MP3 without a header scanned in < 0.5 s; warm cache ≥ 1,000 files/s.

    python bench/probe.py --many N [--rounds N]

instead times (CPU seconds), each in a fresh process (best of ``--rounds``), reading N tiny MP3s whose bytes all
differ (an ID3 tag naming each, as bench/build.py's shows): mutagen's ``MP3(path)`` alone, ``mutagen.File``,
apa-feed's probe, and the probe plus the JSON round trip the probe cache does (issue 12's first build).
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from apa_feed.audio.mpeg import scan_mp3
from apa_feed.audio.probe import AudioInfo, probe
from apa_feed.cache import Cache

BENCH = Path(__file__).resolve().parent

TARGET_ERROR, TARGET_RATIO, TARGET_SCAN, TARGET_WARM = 0.05, 20.0, 0.5, 1000.0
SOURCE = "sine=frequency=440:sample_rate=44100:duration={d},tremolo=f=0.3:d=0.8[t];" \
         "anoisesrc=sample_rate=44100:color=pink:amplitude=0.08:duration={d}:seed=7[n];" \
         "[t][n]amix=inputs=2:duration=first"  # fmt: skip
# name: (ffmpeg output options, extension, durations in seconds)
CORPUS: dict[str, tuple[list[str], str, tuple[int, ...]]] = {
    "mp3-cbr-lame": (["-c:a", "libmp3lame", "-b:a", "128k"], "mp3", (5, 60, 600, 3600)),
    "mp3-vbr-lame": (["-c:a", "libmp3lame", "-q:a", "4"], "mp3", (5, 600)),
    "mp3-vbr-noheader": (["-c:a", "libmp3lame", "-q:a", "4", "-write_xing", "0"], "mp3", (5, 600, 3600)),
    "mp3-cbr-noheader": (["-c:a", "libmp3lame", "-b:a", "64k", "-write_xing", "0"], "mp3", (60,)),
    "m4a-aac": (["-c:a", "aac", "-b:a", "64k"], "m4a", (5, 60, 600, 3600)),
    "opus": (["-c:a", "libopus", "-b:a", "48k"], "opus", (5, 600, 3600)),
    "vorbis": (["-c:a", "libvorbis", "-q:a", "3"], "ogg", (5, 600)),
    "flac": (["-c:a", "flac"], "flac", (5, 600)),
    "wav": (["-c:a", "pcm_s16le"], "wav", (5, 600)),
}
TAGGED = ("mp3-cbr-lame", 60), ("mp3-vbr-noheader", 600)
"""Copies given ID3v2 with a 2.5 MB picture + ID3v1 + APEv2, and copies with 3000 bytes of leading junk."""


def find_ffmpeg(given: str | None) -> str:
    """``--ffmpeg``, else imageio-ffmpeg's current build (a reference decoder that trims MP4 end padding), else PATH."""
    if given:
        return given
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        found = shutil.which("ffmpeg")
        if not found:
            sys.exit("error: no ffmpeg: pip install imageio-ffmpeg or apt-get install ffmpeg")
        return found


def encode(ffmpeg: str, path: Path, seconds: int, options: list[str]) -> None:
    graph = SOURCE.format(d=seconds)
    command = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-filter_complex", graph,
               "-ac", "1", *options, str(path)]  # fmt: skip
    subprocess.run(command, check=True)


def decorate(source: Path, folder: Path) -> list[Path]:
    """The MP3 with every tag kind and a big picture, and the MP3 with leading junk."""
    from mutagen.apev2 import APEv2
    from mutagen.id3 import APIC, ID3, TIT2

    tagged, junk = folder / f"{source.stem}-tags-bigpic.mp3", folder / f"{source.stem}-junk.mp3"
    shutil.copyfile(source, tagged)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Épisode"]))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="", data=_big_jpeg()))
    tags.save(tagged)
    ape = APEv2()
    ape["Title"] = "Episode"
    ape.save(tagged)
    with tagged.open("ab") as handle:
        handle.write(b"TAG" + b"Old".ljust(125, b"\0"))
    junk.write_bytes(bytes(range(1, 200)) * 15 + source.read_bytes())
    return [tagged, junk]


def _big_jpeg() -> bytes:
    """A 1400×1400 JPEG of random pixels at quality 95: about 2.5 MB."""
    import random
    from io import BytesIO

    from PIL import Image

    image = Image.frombytes("RGB", (1400, 1400), random.Random(7).randbytes(1400 * 1400 * 3))
    out = BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def make_corpus(folder: Path, ffmpeg: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    started = time.perf_counter()
    for name, (options, ext, durations) in CORPUS.items():
        for seconds in durations:
            path = folder / f"{name}-{seconds}s.{ext}"
            if not path.exists():
                encode(ffmpeg, path, seconds, options)
            files.append(path)
    for name, seconds in TAGGED:
        files += decorate(folder / f"{name}-{seconds}s.mp3", folder)
    print(f"corpus: {len(files)} files in {folder} (ready in {time.perf_counter() - started:.1f} s)")
    return files


def decoded_seconds(ffmpeg: str, path: Path) -> float:
    """Samples of a full decode (mono, native rate) / sample rate."""
    command = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), "-map", "0:a:0",
               "-ac", "1", "-c:a", "pcm_s16le", "-bitexact", "-f", "wav", "-"]  # fmt: skip
    wav = subprocess.run(command, capture_output=True, check=True).stdout
    pos, rate = 12, 0
    while pos + 8 <= len(wav):
        kind, size = wav[pos : pos + 4], struct.unpack_from("<I", wav, pos + 4)[0]
        if kind == b"fmt ":
            rate = struct.unpack_from("<I", wav, pos + 12)[0]
        elif kind == b"data":
            return (len(wav) - pos - 8) // 2 / rate
        pos += 8 + size + (size & 1)
    raise RuntimeError(f"no audio decoded from {path}")


def references(folder: Path, files: list[Path], ffmpeg: str) -> dict[str, float]:
    store = folder / "decoded.json"
    known: dict[str, float] = json.loads(store.read_text()) if store.exists() else {}
    for path in files:
        stamp = f"{path.name}:{path.stat().st_size}"
        if stamp not in known:
            known[stamp] = decoded_seconds(ffmpeg, path)
    store.write_text(json.dumps(known, indent=1))
    return {path.name: known[f"{path.name}:{path.stat().st_size}"] for path in files}


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def time_probe(files: list[Path], rounds: int) -> float:
    """Best-of-``rounds`` seconds to probe every file once (no cache)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for path in files:
            probe(path)
        best = min(best, time.perf_counter() - started)
    return best


def time_ffprobe(files: list[Path]) -> float | None:
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return None
    started = time.perf_counter()
    for path in files:
        subprocess.run([ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
                       capture_output=True, check=True)  # fmt: skip
    return time.perf_counter() - started


def time_warm_cache(files: list[Path], rounds: int) -> tuple[int, float]:
    """(lookups, seconds) of a warm Cache: loaded from disk, then every file looked up, ``rounds`` times."""
    with tempfile.TemporaryDirectory() as root:
        cold = Cache(Path(root))
        for path in files:
            cold.audio(path)
        cold.close(complete=True)
        started = time.perf_counter()
        for _ in range(rounds):
            warm = Cache(Path(root))
            for path in files:
                warm.audio(path)
        return rounds * len(files), time.perf_counter() - started


def report_errors(files: list[Path], decoded: dict[str, float]) -> float:
    print(f"\n{'file':<40} {'apa-feed s':>12} {'decoded s':>12} {'error s':>9}  source  probe ms")
    worst = 0.0
    for path in files:
        started = time.perf_counter()
        info = probe(path)
        elapsed = time.perf_counter() - started
        error = info.duration - decoded[path.name]
        worst = max(worst, abs(error))
        print(f"{path.name:<40} {info.duration:12.4f} {decoded[path.name]:12.4f} {error:+9.4f}  "
              f"{info.duration_source:<6} {elapsed * 1000:8.2f}")  # fmt: skip
    return worst


MANY_READERS = ("mutagen.mp3.MP3", "mutagen.File", "apa-feed probe", "probe + JSON round trip")


def make_many(folder: Path, ffmpeg: str, count: int) -> Path:
    """``count`` copies of one 1-s 64 kbit/s MP3, each behind its own ID3 tag (made once, kept in ``folder``)."""
    sys.path.insert(0, str(BENCH))
    from upload import id3_tag  # the catalogue's tag (bench/upload.py)

    many = folder / f"many-{count}"
    if not (many / f"{count - 1:06d}.mp3").exists():
        many.mkdir(parents=True, exist_ok=True)
        base = folder / "many-base.mp3"
        encode(ffmpeg, base, 1, ["-c:a", "libmp3lame", "-b:a", "64k"])
        audio = base.read_bytes()
        for n in range(count):
            (many / f"{n:06d}.mp3").write_bytes(id3_tag(n) + audio)
    return many


def many_child(reader: str, folder: Path) -> None:
    """In the fresh process: every module imported, then one reader timed over the folder's MP3s."""
    import mutagen
    from mutagen.mp3 import MP3

    calls: dict[str, Callable[[Path], object]] = {
        "mutagen.mp3.MP3": MP3,
        "mutagen.File": mutagen.File,
        "apa-feed probe": probe,
        "probe + JSON round trip": lambda path: AudioInfo.from_json(json.loads(json.dumps(probe(path).to_json()))),
    }
    files = sorted(folder.glob("*.mp3"))
    call = calls[reader]
    gc.collect()
    started = time.process_time()  # CPU time: steadier than the wall clock on a shared machine
    for path in files:
        call(path)
    print(json.dumps(time.process_time() - started))


def time_many(folder: Path, rounds: int) -> None:
    count = len(list(folder.glob("*.mp3")))
    best: dict[str, float] = {}
    for reader in MANY_READERS:
        command = [sys.executable, __file__, "--child-many", reader, str(folder)]
        runs = [subprocess.run(command, capture_output=True, text=True, check=True) for _ in range(rounds)]
        best[reader] = min(float(run.stdout.strip().splitlines()[-1]) for run in runs)
        ratio = best[reader] / best[MANY_READERS[0]]
        print(f"{reader:<26} {best[reader]:6.3f} s CPU for {count:,} tiny MP3s (fresh process)  {ratio:4.2f}× MP3()")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "apa-feed-bench-corpus")
    parser.add_argument("--ffmpeg", help="ffmpeg used to make the corpus and as the reference decoder")
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds (best is kept)")
    parser.add_argument("--many", type=int, metavar="N", help="instead: time reading N tiny MP3s (see above)")
    parser.add_argument("--child-many", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_many:
        return many_child(args.child_many[0], Path(args.child_many[1]))
    ffmpeg = find_ffmpeg(args.ffmpeg)
    if args.many:
        return time_many(make_many(args.corpus, ffmpeg, args.many), args.rounds)
    files = make_corpus(args.corpus, ffmpeg)
    decoded = references(args.corpus, files, ffmpeg)
    print(f"reference decoder: {ffmpeg}")
    worst = report_errors(files, decoded)
    verdict = "ok" if worst <= TARGET_ERROR else "MISSED"
    print(f"\nworst duration error: {worst:.4f} s (target ≤ {TARGET_ERROR} s: {verdict})")
    speeds(files, args.rounds)


def speeds(files: list[Path], rounds: int) -> None:
    infos = {path: probe(path) for path in files}
    headered = [p for p in files if infos[p].duration_source == "header"]
    scanned = [p for p in files if infos[p].duration_source == "scan"]
    print()
    ours = time_probe(headered, rounds)
    theirs = time_ffprobe(headered)
    line = f"headered files ({len(headered)}): apa-feed probe {per_second(len(headered), ours):,.0f} files/s"
    if theirs is None:
        print(line + "; ffprobe not installed: no ratio")
    else:
        ratio = theirs / ours
        print(line + f", ffprobe per file {per_second(len(headered), theirs):,.1f} files/s: "
              f"{ratio:.0f}× (target ≥ {TARGET_RATIO:.0f}×: {_verdict(ratio >= TARGET_RATIO)})")  # fmt: skip
    if scanned:
        ours_scan, theirs_scan = time_probe(scanned, rounds), time_ffprobe(scanned)
        extra = "" if theirs_scan is None else f", ffprobe {per_second(len(scanned), theirs_scan):,.1f} files/s " \
                                               f"({theirs_scan / ours_scan:.1f}×)"  # fmt: skip
        rate = per_second(len(scanned), ours_scan)
        print(f"scanned files ({len(scanned)}): apa-feed probe {rate:,.1f} files/s{extra}")
    longest = max(scanned, key=lambda p: infos[p].duration, default=None)
    if longest is not None:
        scan = min(_timed(lambda: scan_mp3(longest)) for _ in range(rounds))
        whole = min(_timed(lambda: probe(longest)) for _ in range(rounds))
        print(
            f"longest scanned MP3 {longest.name} ({infos[longest].duration / 60:.0f} min): frame scan {scan:.3f} s, "
            f"whole probe {whole:.3f} s (target < {TARGET_SCAN} s: {'ok' if whole < TARGET_SCAN else 'MISSED'})"
        )
    count, warm = time_warm_cache(files, rounds * 20)
    cold_all = time_probe(files, 1)
    rate = per_second(count, warm)
    print(
        f"warm cache: {rate:,.0f} files/s ({count} lookups incl. loading the cache each round), "
        f"{rate / per_second(len(files), cold_all):.0f}× a cold probe of the same files "
        f"(target ≥ {TARGET_WARM:,.0f} files/s: {'ok' if rate >= TARGET_WARM else 'MISSED'})"
    )


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
