"""The producer's commands on the show folder: init, new, check, build."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ..errors import Problem, ProblemsFound, display_path, plural
from ..publish.progress import build_progress
from .app import BaseUrl, Config, app
from .boundary import err, warn, write_output
from .every import AllShows, every_show, refuse_with_all


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Where to create the show.")] = Path("."),
    title: Annotated[str, typer.Option(help="The show's title.")] = "My Podcast",
) -> None:
    """Scaffold a show: feed.yaml, episodes/, a placeholder cover.jpg and a .gitignore."""
    from ..scaffold import init_show

    made = init_show(folder, title)
    for path in made:
        print(f"created {display_path(path)}")
    print('next: edit feed.yaml, then run: apa-feed new "First episode"')


@app.command()
def new(
    title: Annotated[str, typer.Argument(help="The episode's title.")],
    audio: Annotated[
        Path | None, typer.Option("--audio", help="Copy this MP3 or M4A into the episode's folder.")
    ] = None,
    move: Annotated[bool, typer.Option("--move", help="With --audio: move the file instead of copying it.")] = False,
    when: Annotated[
        str | None,
        typer.Option("--date", help="2025-11-12, or 2025-11-12T08:30 in the show's timezone (default: now)."),
    ] = None,
    config: Config = Path("feed.yaml"),
) -> None:
    """Create an episode folder from a template: the date and time (now), the next episode number, a new GUID."""
    from ..config.episodes import aware
    from ..config.show import load_show
    from ..scaffold import ScaffoldError, new_episode, now_in, parse_when

    if move and audio is None:
        raise ScaffoldError("--move moves the file given with --audio; add --audio FILE")
    show = load_show(config)
    now = now_in(show.timezone)
    day = now if when is None else parse_when(when, show.timezone)
    path = new_episode(config.parent, title, day, audio, move)
    print(f"created {display_path(path)}")
    if audio is not None:
        print(f"{'moved' if move else 'copied'} {display_path(audio)} to {display_path(path.parent / audio.name)}")
    todo = "write the notes" if audio is not None else f"put the audio in {display_path(path.parent)}/, write the notes"
    later = f"; it stays out of the feed until {day.isoformat()}" if aware(day, show.timezone) > now else ""
    print(f"next: {todo}, remove 'draft: true'{later}")


@app.command()
def check(
    config: Config = Path("feed.yaml"),
    base_url: BaseUrl = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every problem and a summary as JSON (also when check fails).")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too (exit 1), as on errors.")] = False,
    loudness: Annotated[
        str,
        typer.Option(
            "--loudness",
            help="Measure loudness against Apple's rule for the episodes not yet published (new), all, or off.",
        ),
    ] = "new",
    all_shows: AllShows = False,
    moved_from: Annotated[
        list[str] | None,
        typer.Option("--moved-from", help="Check (over the network) that this old feed URL answers 301 to the feed."),
    ] = None,
) -> None:
    """Validate feed.yaml and every episode, probe the audio, guard what subscribers have, and report every problem.

    With --all: every show under this folder, in turn. With --moved-from: also ask the old feed URL whether it
    redirects here (a warning when it does not, "could not check" when it does not answer).
    """
    from ..build import Options
    from ..checks.loudness import CHOICES

    if loudness not in CHOICES:
        raise typer.BadParameter(f"expected one of {', '.join(CHOICES)}, got {loudness!r}", param_hint="--loudness")

    if all_shows:
        refuse_with_all(
            config=config != Path("feed.yaml"),
            base_url=base_url is not None,
            as_json=as_json,
            **{"--moved-from": bool(moved_from)},
        )

    def one(config: Path) -> None:
        options = Options(config, base_url=base_url)
        moved: tuple[Problem, ...] = ()
        if moved_from:
            from ..publish.move import moved_problems

            moved = moved_problems(config, base_url, moved_from)
        if as_json:
            from ..checks.report import check_data

            data = check_data(options, strict, loudness, moved)
            print(json.dumps(data, indent=2, ensure_ascii=False))
            raise typer.Exit(0 if data["summary"]["ok"] else 1)
        from ..checks.report import check_project

        with build_progress(hidden=False) as progress:
            checked = check_project(replace(options, progress=progress), loudness)
        checked = replace(checked, problems=tuple(sorted(checked.problems + moved)))
        failed = checked.failed(strict)
        if failed == "errors":
            raise ProblemsFound(checked.problems)
        warn(checked.problems)
        if failed:
            err(failed)
            raise typer.Exit(1)
        held = f"{checked.held_back} held back (draft or scheduled)"
        print(f"ok: {plural(checked.episodes, 'episode')} in the feed, {held}")

    if all_shows:
        every_show(one, "ok")
    else:
        one(config)


@app.command()
def build(
    config: Config = Path("feed.yaml"),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the feed here (default: stdout).")] = (
        None
    ),
    base_url: BaseUrl = None,
) -> None:
    """Render the feed only: every check runs as for publish (the theme's templates too); nothing is uploaded."""
    from ..build import Options, build_project

    with build_progress(hidden=False) as progress:
        built = build_project(Options(config, base_url=base_url, progress=progress))
    warn(built.warnings)
    if output is None:
        sys.stdout.buffer.write(built.rss)
        return
    write_output(output, built.rss)
    err(f"wrote {display_path(output)} ({plural(len(built.publication.feed.items), 'episode')})")
