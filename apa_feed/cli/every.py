"""``--all``: run a command for every show under the current folder, one after the other, each behind its own
error boundary (one show's failure leaves the others done), with a header per show and one summary."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ApaFeedError, display_path, plural
from .boundary import err, guarded

AllShows = Annotated[
    bool,
    typer.Option(
        "--all",
        help="Every show under this folder (each feed.yaml, not in episodes/, hidden folders or stores), in turn.",
    ),
]


def refuse_with_all(**given: bool) -> None:
    """Refuse ``--all`` with an option that names one show's file or place (``-f``, ``--storage``…): ``given``
    maps each option's name (``config`` for ``-f``/``--config``, ``as_json`` for ``--json``) to whether it was given."""
    names = {"config": "-f/--config", "base_url": "--base-url", "storage": "--storage", "as_json": "--json"}
    for name, on in given.items():
        if on:
            option = names.get(name, name)
            raise ApaFeedError(f"--all runs every show under this folder with its own feed.yaml; leave out {option}")


def every_show(one: Callable[[Path], None], done: str, then: str = "", network: bool = False) -> None:
    """Run ``one`` for every show under the current folder; ``done`` says what a show that ran did
    ("published"); ``network``: then write the index page of each network of shows (``publish --all``);
    exit 1 when any show failed."""
    from ..config.shows import find_shows

    shows = find_shows(Path("."))
    if not shows.configs:
        raise ApaFeedError("no feed.yaml under this folder (episodes/, hidden folders and stores are not searched)")
    failed: list[Path] = []
    for config in shows.configs:
        print(f"== {display_path(config.parent)} ({display_path(config)}) ==")
        sys.stdout.flush()
        if config in shows.refused:
            err(f"error: {shows.refused[config]}")
            failed.append(config)
            continue
        try:
            guarded(one, then)(config)
        except typer.Exit as exc:
            if exc.exit_code:
                failed.append(config)
    if network:
        from ..site.network import write_network_indexes

        for line in write_network_indexes(c for c in shows.configs if c not in shows.refused):
            print(line)
    total = len(shows.configs)
    names = f" ({', '.join(display_path(c.parent) for c in failed)})" if failed else ""
    print(f"{plural(total, 'show')}: {total - len(failed)} {done}, {len(failed)} failed{names}")
    if failed:
        raise typer.Exit(1)
