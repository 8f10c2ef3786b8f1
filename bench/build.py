"""Benchmark building and rendering a big show against feedgen rendering the same items directly.

    python bench/build.py [--episodes N] [--workdir DIR] [--profile]

Generates a show of N episodes (default 10,000; tiny valid MP3s, distinct bytes), warms the
probe/hash cache with one build, then prints in one run:

* the baseline: feedgen's ``FeedGenerator`` with its podcast extension rendering the same items
  (values taken from apa-feed's model, so no reading or checking at all), best of 3;
* the time of ``apa_feed.project.build_project`` against it, best of 3, in three cases: every
  episode read, checked, built and rendered afresh (only the probe cache warm), feed only and
  with the website; one episode retitled, and one new episode added, the rest kept from the last
  build (the usual re-publishes); the show's description edited; and the unchanged show, read
  back from the snapshot;
* for scale, the time of only reading and parsing every episode.yaml with PyYAML's C loader: the
  floor of any build that reads them all, whatever it then does;
* the ratios (target ≤ 1.5× for a re-publish) and tracemalloc's peak during ``build_project``
  at 2,500, 5,000 and 10,000 episodes (scaled to ``--episodes``), which should grow linearly;
* with ``--profile``, apa-feed's own functions with the most time in one build.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from upload import make_show  # noqa: E402  (the catalogue generator, shared with the upload bench)

from apa_feed.model import Feed  # noqa: E402
from apa_feed.project import Built, Options, build_project  # noqa: E402
from apa_feed.snapshot import RACY_NS  # noqa: E402

TINY_MB = 0.01  # about 1 s of 64 kbit/s audio


def best_of(rounds: int, call: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def feedgen_render(feed: Feed) -> bytes:
    """The baseline: feedgen alone, the same channel and items, podcast extension fields equivalent."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title(feed.title)
    fg.link(href=feed.link, rel="alternate")
    fg.link(href=feed.self_url, rel="self")
    fg.description(feed.description)
    fg.language(feed.language)
    fg.podcast.itunes_author(feed.author)
    fg.podcast.itunes_owner(name=feed.owner_name, email=feed.owner_email)
    fg.podcast.itunes_image(feed.image_url)
    fg.podcast.itunes_explicit("yes" if feed.explicit else "no")
    fg.podcast.itunes_type(feed.type)
    if feed.last_build is not None:
        fg.lastBuildDate(feed.last_build)
    for item in reversed(feed.items):  # feedgen puts each new entry first
        entry = fg.add_entry()
        entry.guid(item.guid, permalink=False)
        entry.title(item.title)
        entry.link(href=item.link)
        entry.description(item.text)
        entry.content(item.html, type="CDATA")
        entry.enclosure(item.enclosure_url, str(item.enclosure_length), item.enclosure_type)
        entry.published(item.published)
        entry.podcast.itunes_title(item.title)
        entry.podcast.itunes_summary(item.text)
        entry.podcast.itunes_duration(item.duration)
        entry.podcast.itunes_explicit("yes" if item.explicit else "no")
        if item.episode is not None:
            entry.podcast.itunes_episode(item.episode)
        entry.podcast.itunes_episode_type(item.episode_type)
        if item.image_url:
            entry.podcast.itunes_image(item.image_url)
    rss: bytes = fg.rss_str(pretty=False)
    return rss


def show(work: Path, episodes: int) -> Path:
    """A generated show of ``episodes`` episodes with a warm cache (made once, kept in ``work``)."""
    root = work / f"show-{episodes}"
    config = root / "feed.yaml"
    if not config.exists():
        make_show(root, episodes, TINY_MB, "public", "https://cdn.bench.example/podcast/")
    build_project(Options(config))  # warms the probe/hash cache
    return config


def parse_only(root: Path) -> int:
    """Read and parse every episode.yaml, as fast as PyYAML goes: the floor of any build that reads them all."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parsed = 0
    for folder in sorted(os.scandir(root / "episodes"), key=lambda e: e.name):
        with open(os.path.join(folder.path, "episode.yaml"), encoding="utf-8") as handle:
            parsed += yaml.load(handle.read(), Loader=loader) is not None  # noqa: S506  (CSafeLoader)
    return parsed


def edit_one(root: Path, options: Options, rounds: int = 3) -> float:
    """Best time of a build after retitling one episode (its file older than the racy window, as a
    producer's edit is by the time they publish), the rest of the show kept from the last build."""
    folders = sorted((root / "episodes").iterdir())
    path = folders[len(folders) // 2] / "episode.yaml"  # the middle one: no luck from the order of checks
    build_project(options)
    times = []
    for n in range(rounds):
        text = path.read_text(encoding="utf-8").splitlines(keepends=True)
        text[0] = f'title: "Bench story retitled {"oi"[n % 2]}"\n'
        path.write_text("".join(text), encoding="utf-8")
        time.sleep(RACY_NS / 1e9 + 0.1)
        times.append(best_of(1, lambda: build_project(options)))
    return min(times)


def add_one(root: Path, options: Options, rounds: int = 3) -> float:
    """Best time of a build after a new episode folder arrived (the usual weekly re-publish; its
    GUID already written, as ``apa-feed new`` leaves it), the rest of the show kept from the last
    build. The new folders are removed afterwards."""
    source = sorted((root / "episodes").iterdir())[0]
    build_project(options)
    times = []
    added = []
    for n in range(rounds):
        folder = root / "episodes" / f"new-{n}"
        shutil.copytree(source, folder)
        text = (folder / "episode.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^guid: .*$", f"guid: bench-new-{n}", text)
        text = re.sub(r"(?m)^episode: .*$", f"episode: {900_000 + n}", text)
        (folder / "episode.yaml").write_text(text, encoding="utf-8")
        added.append(folder)
        time.sleep(RACY_NS / 1e9 + 0.1)
        times.append(best_of(1, lambda: build_project(options)))
    for folder in added:
        shutil.rmtree(folder)
    time.sleep(RACY_NS / 1e9 + 0.1)
    build_project(options)
    return min(times)


def edit_show(options: Options, rounds: int = 3) -> float:
    """Best time of a build after the show's description was edited in its config file (every
    episode kept from the last build; with a website, every page shows the new channel)."""
    config = options.config
    original = config.read_text(encoding="utf-8")
    build_project(options)
    times = []
    for n in range(rounds):
        config.write_text(original.replace("description: ", f"description: Edition {n}. ", 1), encoding="utf-8")
        time.sleep(RACY_NS / 1e9 + 0.1)
        times.append(best_of(1, lambda: build_project(options)))
    config.write_text(original, encoding="utf-8")
    time.sleep(RACY_NS / 1e9 + 0.1)
    build_project(options)
    return min(times)


def peak_memory(config: Path) -> int:
    gc.collect()
    tracemalloc.start()
    build_project(Options(config))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def profile(config: Path, lines: int = 18) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    build_project(Options(config))
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\nprofile of one build_project ({config.parent.name}), apa-feed functions by cumulative time:")
    stats.sort_stats("cumulative").print_stats(r"apa_feed/", lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--workdir", help="keep the generated shows here (reused when present)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="apa-bench-build-"))
    n = args.episodes
    started = time.perf_counter()
    config = show(work, n)
    print(f"show: {n} episodes, cache warm (made in {time.perf_counter() - started:.1f} s)")
    feed_only = config.with_name("feed-nosite.yaml")  # the same show without its web pages
    feed_only.write_text(config.read_text(encoding="utf-8") + "\nwebsite: false\n", encoding="utf-8")
    memos = [config.parent / ".apa-feed" / name for name in ("build.pickle", "items.bin", "episodes.bin")]

    def cold(options: Options) -> Built:
        for memo in memos:  # every episode read, checked, built and rendered afresh (the probe cache stays warm)
            memo.unlink(missing_ok=True)
        return build_project(options)

    built: list[Built] = [cold(Options(feed_only))]
    ours = best_of(3, lambda: built.append(cold(Options(feed_only))))
    with_site = best_of(3, lambda: cold(Options(config)))
    edited = {name: edit_one(config.parent, Options(path)) for name, path in (("feed", feed_only), ("site", config))}
    new = {name: add_one(config.parent, Options(path)) for name, path in (("feed", feed_only), ("site", config))}
    described = {"feed": edit_show(Options(feed_only)), "site": edit_show(Options(config), rounds=1)}
    build_project(Options(config))  # keeps a snapshot
    unchanged = best_of(3, lambda: build_project(Options(config)))
    feed = built[-1].build.feed
    baseline = best_of(3, lambda: feedgen_render(feed))
    floor = best_of(3, lambda: parse_only(config.parent))
    items = len(feed.items)
    rows = [
        ("every episode read, checked, built and rendered afresh, feed only", ours),
        (f"the same with the website's {items + 1}+ pages", with_site),
        ("one episode edited, the rest kept, feed only", edited["feed"]),
        ("one episode edited, the rest kept, with the website", edited["site"]),
        ("one new episode, the rest kept, feed only", new["feed"]),
        ("one new episode, the rest kept, with the website", new["site"]),
        ("the show's description edited in feed.yaml, every episode kept, feed only", described["feed"]),
        ("the same with the website (every page shows it: each is made again)", described["site"]),
        ("the unchanged show (snapshot read back, website included)", unchanged),
    ]
    print(f"feedgen rendering the same {items} items (the baseline): {baseline:.2f} s; "
          f"the feed is {len(built[-1].rss) / 1e6:.1f} MB")
    for label, took in rows:
        print(f"apa-feed build_project, {label}: {took:.2f} s = {took / baseline:.2f}× the baseline")
    print(f"for scale: only reading and parsing every episode.yaml with PyYAML's libyaml loader (nothing "
          f"checked, built or rendered): {floor:.2f} s = {floor / baseline:.2f}× the baseline")
    print("target ≤ 1.5× for a re-publish (one episode edited or new, or none)")
    built.clear()
    peaks = []
    for size in (n // 4, n // 2, n):
        peaks.append((size, peak_memory(show(work, size))))
    print("tracemalloc peak during build_project: " + ", ".join(
        f"{size:,} episodes {peak / 1e6:.0f} MB ({peak / size / 1e3:.1f} kB/episode)" for size, peak in peaks))
    if args.profile:
        profile(config)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
