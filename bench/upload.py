"""Benchmark ``apa-feed publish`` to S3 against ``aws s3 sync`` and ``rclone sync`` on the same files and server.

    python bench/upload.py [--episodes N] [--mb M] [--workdir DIR] [--noop-runs N]

Generates a show of N episodes (default 2,000), each an ``episode.yaml`` and a valid MP3 of about
M MB (default 0.2; every file's bytes differ), starts SeaweedFS on 127.0.0.1 (the launcher of
``tests/s3server.py``), and prints in one run, for a first publish and a no-op re-run:

* wall time of ``apa-feed publish --quiet --no-verify`` (a fresh process, cold probe cache on the
  first run: it reads, hashes and probes every file and renders the feed in that time), of
  ``aws s3 sync`` and ``rclone sync`` of the same media (hard links, same keys' bytes) to their
  own buckets, and the throughput in MB/s; the no-op is run ``--noop-runs`` times per tool, in
  turn, and the median shown;
* ratios (other tool's time / apa-feed's: above 1 means apa-feed is faster);
* the HTTP requests apa-feed sent, by S3 operation (a botocore ``before-send`` hook in the child).

Targets (issue 4): first publish throughput ≥ 1.0× ``aws s3 sync``; no-op republish with 0 uploads,
≤ 1 LIST per 1,000 keys + the feed read, and no slower than ``aws s3 sync``'s no-op.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
KEY, SECRET, REGION = "bench-key", "bench-secret", "us-east-1"
BITRATE = 64  # kbit/s: 0.2 MB is 25 s of audio
LETTERS = str.maketrans("0123456789abcdef", "opqrstuvwxyzghij")  # titles without digits: no "number in title" warning


# --- the catalogue ---------------------------------------------------------------------------------


def base_mp3(mb: float, folder: Path) -> bytes:
    """A valid MP3 (LAME, with a Xing/LAME tag frame) of about ``mb`` MB."""
    from audiogen import write_mp3

    path = folder / "base.mp3"
    write_mp3(path, seconds=max(1.0, mb * 1_000_000 * 8 / (BITRATE * 1000)), bitrate_kbps=BITRATE)
    return path.read_bytes()


def id3_tag(n: int) -> bytes:
    """An ID3v2.3 tag with one TXXX frame naming episode ``n`` (so every file's bytes, and key, differ)."""
    body = b"\x00apa-bench\x00" + f"episode {n} {os.urandom(8).hex()}".encode()
    frame = b"TXXX" + struct.pack(">I", len(body)) + b"\x00\x00" + body
    size = len(frame)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x03\x00\x00" + syncsafe + frame


FEED_YAML = """title: Bench show
description: A generated show for benchmarks.
language: en
link: https://bench.example/
base_url: {base_url}
author: Bench
owner:
  name: Bench
  email: bench@bench.example
image: cover.jpg
categories:
  - News
explicit: false
type: episodic
timezone: UTC
storage: {storage}
{extra}"""

EPISODE_YAML = """title: "Bench story {word}"
date: {date}
audio: audio.mp3
episode: {number}
guid: bench-{n:06d}
description: |
  Notes for this story, with a [link](https://bench.example/{n}) and some Markdown:

  - a list item
  - another one

  A second paragraph, so the notes look like real ones.
"""

FULL_NOTES = """  In this episode ({word}, number {number}), our reporter follows the story from the capital's
  markets to the ministries, where a **new budget** is being debated behind closed doors. Traders,
  officials and economists explain what the vote could change for prices, wages and the
  [public debt](https://bench.example/{n}/debt) over the coming year.

  The government argues that the plan is *the only way* to keep inflation in check; the opposition
  answers that it shifts the burden onto households already hit by two difficult harvests. Between
  the two, the figures tell a more nuanced story, which we take apart one line at a time.

  In this episode:

  - 00:00 the market at dawn, and the price of a sack of rice
  - 04:30 inside the finance committee, with [the full report](https://bench.example/{n}/report)
  - 11:15 three economists, three readings of the same numbers
  - 18:40 what happens next: the vote, the donors and the street

  We also hear from farmers in the north, whose cooperatives have started selling directly to the
  city's wholesalers, cutting out the middlemen and, they say, *doubling* their margins. Whether
  that model can grow beyond a few villages is the open question of the season.

  Further reading: [our earlier report](https://bench.example/{n}/earlier), the committee's
  [published minutes](https://bench.example/{n}/minutes) and the central bank's quarterly note.

  Reporting, production and mix by the Bench newsroom. Music under licence. Write to us at
  bench@bench.example with your questions; we answer a selection in the next episode.
"""


def make_show(
    root: Path, episodes: int, mb: float, storage: str, base_url: str, extra: str = "", full_notes: bool = False
) -> Path:
    """Write feed.yaml, cover.jpg and ``episodes`` episode folders under ``root``; return feed.yaml.

    ``full_notes`` gives every episode show notes of a real length (about 2 kB of Markdown: paragraphs,
    emphasis, links, a list) instead of the short ones."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "cover.jpg", root / "cover.jpg")
    (root / "feed.yaml").write_text(FEED_YAML.format(base_url=base_url, storage=storage, extra=extra), "utf-8")
    audio = base_mp3(mb, root)
    (root / "base.mp3").unlink()
    for n in range(episodes):
        folder = root / "episodes" / f"ep-{n:06d}"
        folder.mkdir(parents=True, exist_ok=True)
        day = f"2020-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}T{n // 336 % 24:02d}:{n % 60:02d}:00Z"
        word = f"{n:x}".translate(LETTERS)
        text = EPISODE_YAML.format(n=n, number=n + 1, word=word, date=day)
        if full_notes:
            head = text[: text.index("description: |\n")] + "description: |\n"
            text = head + FULL_NOTES.format(n=n, number=n + 1, word=word)
        (folder / "episode.yaml").write_text(text, "utf-8")
        (folder / "audio.mp3").write_bytes(id3_tag(n) + audio)
    return root / "feed.yaml"


def mirror(config: Path, target: Path) -> int:
    """The exact objects apa-feed publishes (media, generated pages, feed), as files under ``target`` for the
    sync tools: a local publish, then the probe/hash cache it warmed is removed. Returns their bytes."""
    command = [
        sys.executable,
        "-m",
        "apa_feed",
        "publish",
        "-f",
        str(config),
        "--storage",
        str(target),
        "--quiet",
        "--no-verify",
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(config.parent / ".apa-feed", ignore_errors=True)
    return sum(f.stat().st_size for f in target.rglob("*") if f.is_file())


# --- the runs --------------------------------------------------------------------------------------


def child(config: Path, counts_file: Path) -> None:
    """In a fresh process: ``apa-feed publish --quiet --no-verify``, counting the S3 requests it sends."""
    from apa_feed.cli import app
    from apa_feed.storage.s3 import S3Store

    counts: collections.Counter[str] = collections.Counter()
    connect = S3Store._connect

    def counting(self: S3Store) -> object:
        client = connect(self)
        client.meta.events.register(
            "before-send.s3", lambda event_name, **_: counts.update([event_name.split(".")[-1]])
        )
        return client

    S3Store._connect = counting  # type: ignore[method-assign]
    try:
        app(["publish", "-f", str(config), "--quiet", "--no-verify"], standalone_mode=False)
    finally:
        counts_file.write_text(json.dumps(counts), "utf-8")


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{command[0]} failed ({done.returncode}):\n{done.stdout.decode(errors='replace')[-3000:]}")
    return elapsed


def tool_env(endpoint: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RCLONE_"))}
    empty = home / "none"
    env.update(
        AWS_ACCESS_KEY_ID=KEY,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
        RCLONE_CONFIG=str(empty),
        RCLONE_CONFIG_BENCH_TYPE="s3",
        RCLONE_CONFIG_BENCH_PROVIDER="Other",
        RCLONE_CONFIG_BENCH_ENDPOINT=endpoint,
        RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=KEY,
        RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=SECRET,
        RCLONE_CONFIG_BENCH_REGION=REGION,
        RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE="true",
    )
    return env


@contextmanager
def weed(folder: Path) -> Iterator[object]:
    from s3server import running_server

    yield from running_server(folder, kill_at_end=True)


@dataclass(frozen=True)
class Measured:
    """What one run of the benchmark measured: median seconds by phase and tool, apa-feed's requests by phase."""

    rows: dict[str, dict[str, float]]
    requests: dict[str, dict[str, int]]
    total: int
    objects: int
    with_rclone: bool


def run_bench(args: argparse.Namespace) -> None:
    work = Path(args.workdir or tempfile.mkdtemp(prefix="apa-bench-upload-"))
    found = measure(work, args.episodes, args.mb, args.noop_runs)
    report(found.rows, found.requests, found.total, found.objects, found.with_rclone)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


def measure(work: Path, episodes: int, mb: float, noop_runs: int) -> Measured:
    """A first publish and ``noop_runs`` no-op republishes by each tool, in turn, to SeaweedFS in ``work``."""
    with weed(work / "weed") as server:
        endpoint = server.endpoint  # type: ignore[attr-defined]
        client = server.client()  # type: ignore[attr-defined]
        for bucket in ("apa", "aws", "rclone"):
            client.create_bucket(Bucket=bucket)
        extra = f"s3:\n  endpoint_url: {endpoint}\n  addressing_style: path\n"
        started = time.perf_counter()
        config = make_show(work / "show", episodes, mb, "s3://apa/show", f"{endpoint}/apa/show/", extra)
        total = mirror(config, work / "media")
        files = sum(1 for f in (work / "media").rglob("*") if f.is_file())
        print(
            f"catalogue: {episodes} episodes, {total / 1e6:.1f} MB in {files} objects "
            f"(made in {time.perf_counter() - started:.1f} s); SeaweedFS at {endpoint}; {os.cpu_count()} CPUs"
        )
        env = tool_env(endpoint, work)
        aws = [
            "aws",
            "s3",
            "sync",
            str(work / "media"),
            "s3://aws/show",
            "--endpoint-url",
            endpoint,
            "--only-show-errors",
        ]
        rclone_bin = shutil.which("rclone")
        rclone = [rclone_bin, "sync", str(work / "media"), "bench:rclone/show"] if rclone_bin else None
        for bucket in ("apa", "aws", "rclone"):  # SeaweedFS grows volumes for a bucket on its first writes
            for n in range(32):
                client.put_object(Bucket=bucket, Key=f"warm-up/{n}", Body=os.urandom(200_000))
        # As installed (`pip install .` compiles every module), not compiled from source on each run (this
        # machine's PYTHONDONTWRITEBYTECODE=1 would have an editable install do that; aws-cli's come compiled).
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "apa_feed")], check=True)
        apa = [sys.executable, __file__, "--child", str(config), "--counts", str(work / "counts.json")]
        rows: dict[str, dict[str, float]] = {}
        requests: dict[str, dict[str, int]] = {}
        tools = {"apa-feed": apa, "aws s3 sync": aws, **({"rclone sync": rclone} if rclone else {})}
        for phase, runs in (("first publish", 1), ("no-op republish", noop_runs)):
            times: dict[str, list[float]] = {tool: [] for tool in tools}
            for run in range(runs):  # round-robin, so a slow moment of the machine hits every tool alike
                for tool, command in tools.items():
                    times[tool].append(timed(command, env, work))  # type: ignore[arg-type]
                    if tool == "apa-feed" and run == 0:
                        requests[phase] = json.loads((work / "counts.json").read_text("utf-8"))
            rows[phase] = {tool: statistics.median(values) for tool, values in times.items()}
    return Measured(rows, requests, total, files, rclone_bin is not None)


def report(
    rows: dict[str, dict[str, float]], requests: dict[str, dict[str, int]], total: int, objects: int, with_rclone: bool
) -> None:
    print()
    print(f"{'':18}{'apa-feed':>12}{'aws s3 sync':>14}{'rclone sync':>14}")
    for phase, times in rows.items():
        cells = "".join(
            f"{times[t]:>12.2f} s" if t in times else f"{'n/a':>14}" for t in ("apa-feed", "aws s3 sync", "rclone sync")
        )
        print(f"{phase:18}{cells}")
        if phase == "first publish":
            rates = "".join(
                f"{total / 1e6 / times[t]:>9.1f} MB/s" if t in times else f"{'n/a':>14}"
                for t in ("apa-feed", "aws s3 sync", "rclone sync")
            )
            print(f"{'  throughput':18}{rates}")
    print()
    for phase, times in rows.items():
        ratios = [f"{times[t] / times['apa-feed']:.2f}× vs {t}" for t in ("aws s3 sync", "rclone sync") if t in times]
        print(f"{phase}: apa-feed speed = " + ", ".join(ratios) + "  (other's time / apa-feed's; ≥ 1.0 is the target)")
    if not with_rclone:
        print("rclone: not installed (apt-get install -y rclone); only aws ratios shown")
    print()
    for phase, counts in requests.items():
        listed = ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
        print(f"apa-feed requests, {phase}: {sum(counts.values())} ({listed})")
    noop = requests["no-op republish"]
    keys = objects
    uploads = sum(n for op, n in noop.items() if op in ("PutObject", "UploadPart", "CreateMultipartUpload"))
    budget = -(-keys // 1000) + 1
    verdict = "met" if uploads == 0 and noop.get("ListObjectsV2", 0) + noop.get("GetObject", 0) <= budget else "MISSED"
    print(f"no-op target (0 uploads, ≤ {budget - 1} LIST for {keys} keys + 1 feed read): {verdict}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=2_000)
    parser.add_argument("--mb", type=float, default=0.2, help="size of each episode's audio, in MB")
    parser.add_argument("--workdir", help="keep the catalogue and the server's data here")
    parser.add_argument(
        "--noop-runs",
        type=int,
        default=3,
        help="no-op republishes per tool (the median is shown; a single run of about 1 s is noisy)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--counts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.counts)
        return
    run_bench(args)


if __name__ == "__main__":
    main()
