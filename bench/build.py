"""Benchmark apa-feed's build of a big show against a naive script and against the floor of any build.

    python bench/build.py [--episodes N] [--rounds R] [--workdir DIR] [--profile {first,retitled,unchanged}]

Generates a show of N episodes (default 5,000) with full show notes and tiny MP3s whose bytes all
differ (bench/upload.py's catalogue), feed only (``website: false``), and prints in one run, each
time the best of R rounds (default 3), the baselines measured in the same run:

a. apa-feed's first build from nothing (a fresh process, an empty ``$XDG_CACHE_HOME`` and no
   ``<show>/.apa-feed``: every file read, hashed and probed) against bench/naive.py doing the same
   in a fresh process with only PyYAML, mutagen, SHA-256 and feedgen: target ≤ 1.0×;
b. a re-build after one episode is retitled against the floor (PyYAML parsing every episode.yaml and
   feedgen rendering every item, no audio read; in this process): target ≤ 1.5×;
c. a re-build of the unchanged show against the floor: target ≤ 0.5×;
d. a no-op republish of ``--upload-episodes`` episodes (default 2,000) to SeaweedFS against ``aws s3 sync``'s
   no-op of the same files (bench/upload.py's measurement, median of 3 runs each): target ≤ 1.0×
   (``--no-upload`` leaves it out).

Every file of the show is dated back before the timings, and an edit is followed by a pause, so no
file is within the racy window (modified < 2 s before a build) that a cache may distrust. With
``--profile CASE``, apa-feed's own functions with the most time in one build of that case.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import naive  # noqa: E402  (the baseline script, next to this one)
from upload import make_show, measure  # noqa: E402  (the catalogue and the S3 runs, shared with the upload bench)

from apa_feed.build import Options, build_project  # noqa: E402

TINY_MB = 0.01  # about 1 s of 64 kbit/s audio
NOW = datetime(2025, 1, 1, tzinfo=UTC)  # after every generated episode's date: all of them in the feed
RACY_S = 2.0  # a file modified less than this before a build may be distrusted by a cache
TARGETS = {"a": 1.0, "b": 1.5, "c": 0.5, "d": 1.0}
UPLOAD_MB = 0.01  # each episode's audio in the no-op republish: what it measures is listing, not bytes


# --- the show ---------------------------------------------------------------------------------------


def generate(work: Path, episodes: int) -> Path:
    """The show's feed.yaml (made once, kept in ``work``), every file of it dated an hour back."""
    root = work / f"show-{episodes}"
    if not (root / "feed.yaml").exists():
        make_show(
            root,
            episodes,
            TINY_MB,
            "public",
            "https://cdn.bench.example/podcast/",
            extra="website: false\n",
            full_notes=True,
        )
    backdate(root)
    return root / "feed.yaml"


def backdate(root: Path, seconds: float = 3600) -> None:
    """Set every file of the show (not its caches) ``seconds`` back: none is in the racy window."""
    then = time.time() - seconds
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".apa-feed"]
        for name in files:
            os.utime(os.path.join(folder, name), (then, then))


def forget_caches(config: Path) -> None:
    """No cache at all: an empty ``$XDG_CACHE_HOME`` (this process's, inherited by children) and no
    ``<show>/.apa-feed`` (where the build cache was kept before it moved to ``$XDG_CACHE_HOME/apa-feed``)."""
    shutil.rmtree(config.parent / ".apa-feed", ignore_errors=True)
    home = Path(os.environ["XDG_CACHE_HOME"])
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)


def options(config: Path) -> Options:
    return Options(config=config, now=NOW)


# --- timings ----------------------------------------------------------------------------------------


def best_of(rounds: int, call: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def fresh_process(which: str, config: Path) -> dict[str, float]:
    """One build in a new Python process (modules imported before the clock starts, nothing else warm)."""
    command = [sys.executable, __file__, "--child", which, str(config)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{which} build failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def child(which: str, config: Path) -> None:
    """Run in the fresh process: time one build, then count the items of its feed (untimed)."""
    os.chdir(config.parent)
    gc.collect()
    start = time.perf_counter()
    rss = build_project(options(config)).rss if which == "apa-feed" else naive.naive_build(config.parent)
    took = time.perf_counter() - start
    print(json.dumps({"seconds": took, "items": naive.count_items(rss)}))


def first_builds(config: Path, rounds: int, episodes: int) -> tuple[float, float]:
    """Best of ``rounds`` first builds from nothing, apa-feed's and the naive script's, taken in turn."""
    ours, theirs = [], []
    for _ in range(rounds):
        forget_caches(config)
        for which, times in (("apa-feed", ours), ("naive", theirs)):
            result = fresh_process(which, config)
            if result["items"] != episodes:
                sys.exit(f"{which}: {result['items']:.0f} items in the feed, not {episodes}")
            times.append(result["seconds"])
    return min(ours), min(theirs)


def retitle(path: Path) -> str:
    """Give the episode a new title (one never used before); return it."""
    title = f"Bench story retitled {time.time_ns():x}".translate(str.maketrans("0123456789", "opqrstuvwx"))
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", f'title: "{title}"', text, count=1), encoding="utf-8")
    return title


def retitled_builds(config: Path, rounds: int) -> float:
    """Best of ``rounds`` builds, each after retitling the middle episode (no luck from the order of
    checks) and waiting out the racy window, as a producer's edit is old by the time they publish."""
    folders = sorted((config.parent / "episodes").iterdir())
    path = folders[len(folders) // 2] / "episode.yaml"
    build_project(options(config))
    times = []
    for _ in range(rounds):
        title = retitle(path)
        time.sleep(RACY_S + 0.2)
        gc.collect()
        start = time.perf_counter()
        built = build_project(options(config))
        times.append(time.perf_counter() - start)
        if f"<title>{title}</title>".encode() not in built.rss:
            sys.exit(f"the re-build missed the edit of {path}: {title!r} is not in the feed")
    return min(times)


def unchanged_builds(config: Path, rounds: int, episodes: int) -> float:
    built = build_project(options(config))
    if len(built.publication.feed.items) != episodes:
        sys.exit(f"apa-feed: {len(built.publication.feed.items)} items in the feed, not {episodes}")
    return best_of(rounds, lambda: build_project(options(config)))


def floor(config: Path, rounds: int, episodes: int) -> float:
    items = naive.count_items(naive.floor_build(config.parent))
    if items != episodes:
        sys.exit(f"the floor: {items} items in the feed, not {episodes}")
    return best_of(rounds, lambda: naive.floor_build(config.parent))


def profile(config: Path, case: str, lines: int = 25) -> None:
    """cProfile of one build of ``case`` in this process, apa-feed's functions by cumulative time."""
    if case == "first":
        forget_caches(config)
    elif case == "retitled":
        build_project(options(config))
        retitle(sorted((config.parent / "episodes").iterdir())[0] / "episode.yaml")
        time.sleep(RACY_S + 0.2)
    else:
        build_project(options(config))
    profiler = cProfile.Profile()
    profiler.enable()
    build_project(options(config))
    profiler.disable()
    print(f"\nprofile of one build_project, case {case!r} (in this process), apa-feed functions by cumulative time:")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"apa_feed/", lines)


def noop_republish(work: Path, episodes: int) -> float:
    """apa-feed's no-op republish of ``episodes`` episodes to SeaweedFS over ``aws s3 sync``'s (medians of 3)."""
    print(f"\nd. no-op republish of {episodes:,} episodes to SeaweedFS (bench/upload.py's runs):")
    shutil.rmtree(work / "upload", ignore_errors=True)  # a fresh catalogue and store: nothing left from a run before
    found = measure(work / "upload", episodes, UPLOAD_MB, noop_runs=3)
    noop = found.rows["no-op republish"]
    print(f"   apa-feed {noop['apa-feed']:.2f} s, aws s3 sync {noop['aws s3 sync']:.2f} s")
    return noop["apa-feed"] / noop["aws s3 sync"]


# --- the report -------------------------------------------------------------------------------------


def verdict(case: str, ratio: float) -> str:
    target = TARGETS[case]
    return f"{ratio:5.2f}×   target ≤ {target}×   {'PASS' if ratio <= target else 'over'}"


def run(args: argparse.Namespace) -> None:
    work = Path(args.workdir or tempfile.mkdtemp(prefix="apa-bench-build-")).absolute()
    work.mkdir(parents=True, exist_ok=True)
    os.environ["XDG_CACHE_HOME"] = str(work / "xdg-cache")  # never the user's own cache
    n, rounds = args.episodes, args.rounds
    started = time.perf_counter()
    config = generate(work, n)
    os.chdir(config.parent)  # as a producer runs apa-feed: from the show's folder (paths in messages are relative)
    notes = os.path.getsize(config.parent / "episodes" / f"ep-{0:06d}" / "episode.yaml")
    print(
        f"show: {n:,} episodes (episode.yaml ~{notes / 1000:.1f} kB with full show notes, distinct "
        f"{TINY_MB * 1000:.0f} kB MP3s), feed only; ready in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; naive script and floor parse "
        f"YAML with {naive.LOADER_NAME}; best of {rounds} rounds each"
    )
    first, naive_first = first_builds(config, rounds, n)
    unchanged = unchanged_builds(config, rounds, n)
    retitled = retitled_builds(config, rounds)
    floor_time = floor(config, rounds, n)
    noop = noop_republish(work, args.upload_episodes) if args.upload_episodes else None
    print()
    print(f"naive script (bench/naive.py: PyYAML + mutagen + SHA-256 + feedgen), fresh process: {naive_first:6.2f} s")
    print(f"the floor (PyYAML every episode.yaml + feedgen every item, no audio read):       {floor_time:6.2f} s")
    print(f"apa-feed, first build from nothing (fresh process, no cache at all):            {first:6.2f} s")
    print(f"apa-feed, re-build after one episode retitled:                                  {retitled:6.2f} s")
    print(f"apa-feed, re-build of the unchanged show:                                       {unchanged:6.2f} s")
    print()
    print(f"a. first build       / naive script  {verdict('a', first / naive_first)}")
    print(f"b. one retitled      / the floor     {verdict('b', retitled / floor_time)}")
    print(f"c. unchanged re-build / the floor    {verdict('c', unchanged / floor_time)}")
    if noop is not None:
        print(f"d. no-op republish   / aws s3 sync   {verdict('d', noop)}")
    if args.profile:
        profile(config, args.profile)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3, help="each time is the best of this many runs")
    parser.add_argument("--workdir", help="keep the generated show and its caches here (the show is reused)")
    parser.add_argument(
        "--profile",
        choices=("first", "retitled", "unchanged"),
        help="also print a cProfile of apa-feed's functions in one build of this case",
    )
    parser.add_argument(
        "--upload-episodes",
        type=int,
        default=2_000,
        help="episodes of the no-op republish to SeaweedFS (ratio d; 0 leaves it out)",
    )
    parser.add_argument("--no-upload", dest="upload_episodes", action="store_const", const=0, help="no ratio d")
    parser.add_argument("--child", nargs=2, metavar=("WHICH", "CONFIG"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    run(args)


if __name__ == "__main__":
    main()
