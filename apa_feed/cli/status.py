"""``apa-feed status``: where the show stands (each episode's state, the store, the last publish, the feed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import plural
from .app import Config, Storage, app
from .boundary import err
from .every import AllShows, every_show, refuse_with_all

if TYPE_CHECKING:
    from ..publish.status import EpisodeState, LastPublish, Status, StoreState

SHOWN_MISSING = 5


@app.command(name="status")
def status_command(
    config: Config = Path("feed.yaml"),
    storage: Storage = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable status.")] = False,
    all_shows: AllShows = False,
) -> None:
    """Where the show stands: each episode (live, scheduled, draft, held back and why), what the store lacks,
    the last publish and the feed URL. Reads only: nothing is written or uploaded. --all: every show here."""
    from ..build import Options
    from ..publish.status import status

    if all_shows:
        refuse_with_all(config=config != Path("feed.yaml"), storage=storage is not None, as_json=as_json)

    def one(config: Path) -> None:
        found = status(Options(config, storage=storage))
        if as_json:
            print(json.dumps(found.as_dict(), indent=2, ensure_ascii=False))
        else:
            print_status(found)
        if found.problems:
            raise typer.Exit(1)

    if all_shows:
        every_show(one, "fine")
    else:
        one(config)


def print_status(found: Status) -> None:
    """The human status: episodes newest first, then the store, the last publish and the feed."""
    print_episodes(found.episodes)
    for problem in found.problems:
        err(problem.render())
    if found.store is not None:
        print(store_line(found.store))
    elif found.problems:
        print(f"store: not checked: the show does not build ({plural(len(found.problems), 'problem')})")
    if found.last_publish is not None:
        print(last_line(found.last_publish))
    elif found.store is not None and found.store.reachable and found.store.feed == "none":
        print("last publish: none yet")
    if found.elsewhere:
        print(f"on the store, not in this clone ({plural(len(found.elsewhere), 'episode')}):")
        for other in found.elsewhere:
            print(f"  {other.date or '-':31}  {other.title}  (guid {other.guid})")
    if found.warnings:
        print(f"{plural(found.warnings, 'warning')}: apa-feed check shows them")
    print(f"feed: {found.feed_url}")


def print_episodes(episodes: tuple[EpisodeState, ...]) -> None:
    print(f"{plural(len(episodes), 'episode')}:")
    width = max((len(e.folder) for e in episodes), default=0)
    for row in episodes:
        print("  " + episode_line(row, width))
        for error in row.errors:
            print(f"    {error}")


def episode_line(row: EpisodeState, width: int) -> str:
    day = row.date.strftime("%Y-%m-%d") if row.date else "-"
    number = f"#{row.number}" if row.number is not None else "-"
    note = ""
    if row.state == "scheduled" and row.date:
        note = f"  (goes live {row.date.isoformat(' ', 'minutes')})"
    elif row.state == "live" and row.on_store is False:
        note = "  (not on the store yet: publish)"
    elif row.state != "live" and row.on_store:
        note = "  (still in the live feed: subscribers have it)"
    title = row.title or "(no title)"
    return f"{row.state:9}  {day:10}  {number:>4}  {row.folder:{width}}  {title}{note}"


def store_line(store: StoreState) -> str:
    if not store.reachable:
        return f"store: {store.store} cannot be read: {store.error}"
    feed = {
        "none": "no feed published yet",
        "current": "the live feed is this build's",
        "outdated": "the live feed differs from this build (publish to update it)",
    }[store.feed]
    total = store.present + len(store.missing)
    if store.feed == "none":
        return f"store: {store.store} has no feed yet: publish uploads the {plural(total, 'file')} the feed needs"
    if not store.missing:
        return f"store: {store.store} has every file the feed needs ({store.present}); {feed}"
    shown = ", ".join(store.missing[:SHOWN_MISSING])
    more = f" and {len(store.missing) - SHOWN_MISSING} more" if len(store.missing) > SHOWN_MISSING else ""
    return f"store: {store.store} lacks {len(store.missing)} of {total} files the feed needs ({shown}{more}); {feed}"


def last_line(last: LastPublish) -> str:
    when = f", {last.when.strftime('%Y-%m-%d %H:%M')} UTC" if last.when else ""
    when += f" by {last.by}" if last.by else ""
    back = f" (rollback to history entry {last.rolled_back_to})" if last.rolled_back_to else ""
    said = [f'{c.kind} "{c.title}"' + (f" ({c.detail})" if c.detail else "") for c in last.changes]
    text = f"last publish: #{last.number}{when}{back}: " + ("; ".join(said) if said else "no episode changed")
    if last.not_in_lock:
        text += f"\n  apa-feed.lock does not record {plural(len(last.not_in_lock), 'live episode')}: pull the show"
    return text
