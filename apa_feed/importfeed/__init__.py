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
from .client import host_of, is_http_url, parse_size
from .fetch import Client, ImportFailed, read_source
from .mapping import plan_import
from .parse import parse_feed
from .records import ShowPlan
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
    kept_remote: tuple[str, ...] = ()
    """Episodes whose audio could not be downloaded: kept where the old host serves it (``enclosure:``)."""
    dropped_links: tuple[str, ...] = ()
    """The episodes' pages on the old host, left out of episode.yaml: apa-feed makes each episode's page."""


def _trusted(source: str, feed_url: str | None, client: Client | None) -> Client:
    """``client`` trusting the host of the feed's URL the producer named (``--feed-url``, else ``source``)."""
    return replace(client or Client(), feed_host=host_of(feed_url or source))


def read_plan(
    source: str, reference: bool = False, client: Client | None = None, feed_url: str | None = None
) -> ShowPlan:
    """Fetch and parse ``source`` (an http(s) URL or a file) and decide the import, writing nothing.
    ``feed_url`` is the feed's own URL when ``source`` is a saved copy (``--feed-url``)."""
    if feed_url is not None and not is_http_url(feed_url):
        raise ImportFailed(f'--feed-url "{feed_url}" is not an http(s) URL')
    client = _trusted(source, feed_url, client)
    base = feed_url or (source if is_http_url(source) else None)
    return plan_import(parse_feed(read_source(source, client), source, base), source, reference, feed_url)


def import_feed(
    source: str,
    into: Path,
    force: bool = False,
    reference: bool = False,
    client: Client | None = None,
    feed_url: str | None = None,
) -> ImportSummary:
    """Import the feed at ``source`` into the folder ``into`` (refused over an existing feed.yaml unless ``force``).

    ``reference`` keeps each episode's audio where it is served (``enclosure:`` in episode.yaml) instead of
    downloading it; an episode whose download fails is kept that way too, with a warning. ``client`` sets the
    limits of every download and whether private addresses are allowed; the host of ``source`` (or of
    ``feed_url``, the feed's own URL when ``source`` is a saved copy) is always trusted.
    """
    client = _trusted(source, feed_url, client)
    config = into / "feed.yaml"
    if config.exists() and not force:
        raise ImportFailed(f"{display_path(config)} already exists; pass --force to import over it")
    plan = read_plan(source, reference, client, feed_url)
    written = write_project(plan, into, client)
    problems = tuple(Problem(source, message=w, severity="warning") for w in (*plan.warnings, *written.warnings))
    return ImportSummary(
        root=into,
        created=written.created,
        episodes=len(plan.episodes),
        skipped=plan.skipped,
        warnings=problems,
        feed_url=plan.feed_url,
        base_url=str(plan.values["base_url"]),
        podcast_guid=plan.podcast_guid,
        kept_remote=written.remote,
        dropped_links=tuple(e.dropped_link for e in plan.episodes if e.dropped_link),
    )
