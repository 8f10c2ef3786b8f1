"""The producer's commands on the show folder: init, new, check, build."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ProblemsFound, display_path, plural
from .app import BaseUrl, Config, app
from .boundary import err, warn, write_output


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
    config: Config = Path("feed.yaml"),
) -> None:
    """Create an episode folder from a template: today's date, the next episode number, a new GUID."""
    from ..config.show import load_show
    from ..scaffold import new_episode

    show = load_show(config)
    today = datetime.now(show.timezone).date()
    path = new_episode(config.parent, title, today)
    print(f"created {display_path(path)}")
    print(f"next: put the audio in {display_path(path.parent)}/, write the notes, remove 'draft: true'")


@app.command()
def check(
    config: Config = Path("feed.yaml"),
    base_url: BaseUrl = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every problem and a summary as JSON (also when check fails).")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too (exit 1), as on errors.")] = False,
) -> None:
    """Validate feed.yaml and every episode, probe the audio, guard what subscribers have, and report every problem."""
    from ..build import Options

    options = Options(config, base_url=base_url)
    if as_json:
        from ..checks.report import check_data

        data = check_data(options, strict)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        raise typer.Exit(0 if data["summary"]["ok"] else 1)
    from ..checks.report import check_project

    checked = check_project(options)
    failed = checked.failed(strict)
    if failed == "errors":
        raise ProblemsFound(checked.problems)
    warn(checked.problems)
    if failed:
        err(failed)
        raise typer.Exit(1)
    print(f"ok: {plural(checked.episodes, 'episode')} in the feed, {checked.held_back} held back (draft or scheduled)")


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

    built = build_project(Options(config, base_url=base_url))
    warn(built.warnings)
    if output is None:
        sys.stdout.buffer.write(built.rss)
        return
    write_output(output, built.rss)
    err(f"wrote {display_path(output)} ({plural(len(built.publication.feed.items), 'episode')})")
