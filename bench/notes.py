"""Time apa_feed.feed.notes.render_notes over the benchmark show's full show notes, in fresh processes.

    python bench/notes.py [--episodes N] [--runs R]

Renders the notes of N episodes (default 2,000; bench/upload.py's FULL_NOTES, as their episode.yaml
gives them) once in each of R fresh processes (default 7), with no profiler, and prints the best and
the median of the elapsed time and of the process's CPU time (steadier on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from upload import FULL_NOTES, LETTERS  # noqa: E402


def notes(episodes: int) -> list[str]:
    """The episodes' notes as PyYAML reads them from the generated episode.yaml files."""
    texts = []
    for n in range(episodes):
        text = "description: |\n" + FULL_NOTES.format(n=n, number=n + 1, word=f"{n:x}".translate(LETTERS))
        texts.append(yaml.safe_load(text)["description"])
    return texts


def child() -> None:
    """Read the notes from standard input, render each once, print the seconds taken and the CPU seconds."""
    texts = json.loads(sys.stdin.read())
    from apa_feed.feed.notes import render_notes

    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        render_notes(text)
    print(time.perf_counter() - start, time.process_time() - cpu)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child()
        return
    texts = json.dumps(notes(args.episodes))
    command = [sys.executable, __file__, "--child"]
    runs = [subprocess.run(command, input=texts, capture_output=True, text=True, check=True) for _ in range(args.runs)]
    elapsed, cpu = zip(*(map(float, run.stdout.split()) for run in runs), strict=True)
    print(f"render_notes, {args.episodes} notes, {args.runs} fresh processes:")
    for name, times in (("elapsed", elapsed), ("CPU", cpu)):
        print(f"  {name:8} best {min(times):.3f} s, median {statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()
