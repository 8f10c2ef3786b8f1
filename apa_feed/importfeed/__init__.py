"""``apa-feed import FEED``: turn another host's podcast feed into a show folder, keeping every GUID.

The stages read like the pipeline: :mod:`.fetch` reads the feed (URL or file), :mod:`.parse`
turns its XML into plain records, :mod:`.mapping` decides every value and file (pure),
:mod:`.write` downloads the media and writes episode.yaml files, feed.yaml and the lock file.
Subscribers keep every episode: GUIDs are copied exactly, dates keep their instant and offset,
and the lock file records the podcast:guid and the old enclosure URLs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import Problem, display_path
from .client import host_of, parse_size
from .fetch import Client, ImportFailed, read_source
from .mapping import ShowPlan, plan_import
from .parse import parse_feed
from .write import write_project

__all__ = ["Client", "ImportFailed", "parse_size", "ImportSummary", "import_feed", "read_plan"]


@dataclass(frozen=True)
class ImportSummary:
    """What an import created, and what the producer should look at."""

    root: Path
    created: tuple[Path, ...]
    """feed.yaml, the cover, each episode folder, the lock file."""
    episodes: int
    skipped: int
    warnings: tuple[Problem, ...]
    feed_url: str
    base_url: str
    podcast_guid: str


def read_plan(source: str, reference: bool = False, client: Client | None = None) -> ShowPlan:
    """Fetch and parse ``source`` (an http(s) URL or a file) and decide the import, writing nothing."""
    client = replace(client or Client(), feed_host=host_of(source))
    return plan_import(parse_feed(read_source(source, client), source), source, reference)


def import_feed(
    source: str, into: Path, force: bool = False, reference: bool = False, client: Client | None = None
) -> ImportSummary:
    """Import the feed at ``source`` into the folder ``into`` (refused over an existing feed.yaml unless ``force``).

    ``reference`` keeps each episode's audio where it is served (``enclosure:`` in episode.yaml) instead of
    downloading it; an episode whose download fails is kept that way too, with a warning. ``client`` sets the
    limits of every download and whether private addresses are allowed; the host of ``source`` is always trusted.
    """
    client = replace(client or Client(), feed_host=host_of(source))
    config = into / "feed.yaml"
    if config.exists() and not force:
        raise ImportFailed(f"{display_path(config)} already exists; pass --force to import over it")
    plan = read_plan(source, reference, client)
    created, warnings = write_project(plan, into, client)
    problems = tuple(Problem(source, message=w, severity="warning") for w in (*plan.warnings, *warnings))
    return ImportSummary(
        root=into,
        created=tuple(created),
        episodes=len(plan.episodes),
        skipped=plan.skipped,
        warnings=problems,
        feed_url=plan.feed_url,
        base_url=str(plan.values["base_url"]),
        podcast_guid=plan.podcast_guid,
    )
