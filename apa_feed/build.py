"""Read a whole project (feed.yaml, episodes, their files) into a built feed, collecting every problem."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .cache import Cache
from .checks import across_episodes, check_show
from .checks.collected import Collected, has_errors
from .checks.named import name_the_lines
from .config.episodes import EpisodeMeta, assign_guids, read_episodes
from .config.partial import named_cover
from .config.schema import http_url
from .config.show import Show, load_show
from .errors import ApaFeedError, Problem, ProblemsFound, display_path
from .feed.derived import derive
from .feed.model import EpisodeInput, Publication, RemoteItem, build_feed, url
from .feed.notes import xml_safe
from .feed.rss import render
from .gather import UTC_ZONE, gather
from .publish.lockfile import Lock, LockError, podcast_guid, read_lock
from .site import build_site


@dataclass(frozen=True)
class Options:
    """What every command needs: which project, and the command-line overrides."""

    config: Path = Path("feed.yaml")
    base_url: str | None = None
    storage: str | None = None
    now: datetime | None = None
    identity: bool = True
    """Guard and record the published identity (apa-feed.lock); off for previews such as ``serve``."""
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)
    """Told ``(done, total)`` after each episode's files are read (the CLI's progress bar on long builds)."""
    preview: frozenset[str] = frozenset()
    """Episodes held back for these reasons (``draft``, ``scheduled``) are in the feed anyway: ``serve --drafts``
    and ``serve --future`` only, never a publish (ignored unless ``identity`` is off)."""
    analytics: bool = True
    """Enclosures go through feed.yaml's analytics prefixes; off for ``serve``, whose 127.0.0.1 URLs no
    analytics service can reach."""
    leave_out: frozenset[Path] = frozenset()
    """Episode folders the build leaves out, with their problems (``status`` shows them held back with their
    errors, and the rest of the show as it builds)."""


@dataclass(frozen=True)
class BuiltShow:
    """A project read, checked and rendered."""

    show: Show
    publication: Publication
    rss: bytes
    warnings: tuple[Problem, ...] = ()
    lock: Lock | None = None
    """The lock file as it was before this run (None: nothing published from here yet)."""
    inputs: tuple[EpisodeInput, ...] = ()
    """The episodes with their file facts."""


def read_project(options: Options) -> tuple[Show, list[EpisodeMeta]]:
    """Validate feed.yaml and every episode.yaml together; raise with all their problems."""
    show, episodes, problems = _read(options)
    if show is None or has_errors(problems):
        raise ProblemsFound(problems)
    return show, episodes


def _read(options: Options) -> tuple[Show | None, list[EpisodeMeta], list[Problem]]:
    """The show, its valid episodes, and every problem of feed.yaml and the episode.yaml files."""
    problems: list[Problem] = []
    show: Show | None = None
    try:
        show = override(load_show(options.config), options)
    except ProblemsFound as found:
        problems.extend(found.problems)
    episodes, more = read_episodes(options.config.parent, show.timezone if show else UTC_ZONE)
    if options.leave_out:
        episodes = [e for e in episodes if e.folder not in options.leave_out]
        more = [p for p in more if not any(Path(p.file).absolute().is_relative_to(f) for f in options.leave_out)]
    return show, episodes, problems + more


class OptionError(ApaFeedError):
    """A command-line option's value is wrong."""

    def __init__(self, option: str, message: str) -> None:
        self.option, self.message = option, message
        super().__init__(f"{option}: {message}")


def override(show: Show, options: Options) -> Show:
    """Apply the command line's ``--base-url`` and ``--storage`` to the show; a ``--base-url`` that is not
    an absolute http(s) URL is an :class:`ApaFeedError`."""
    if options.base_url:
        try:
            http_url(options.base_url)
        except ValueError:
            like, got = "https://cdn.example.com/podcast/", options.base_url
            raise OptionError("--base-url", f'expected an http(s) URL like "{like}", got "{got}"') from None
        show = replace(show, base_url=options.base_url.rstrip("/") + "/")
    if options.storage:
        show = replace(show, storage=options.storage)
    return show if options.analytics else replace(show, analytics=())


def build_project(options: Options, assign: bool = True) -> BuiltShow:
    """Read, check, probe and render the whole show, reporting every problem of every file at once.

    ``assign`` writes a new GUID into each valid episode that has none (never on a failed run).
    """
    found, built = collect_and_build(options, assign)
    if built is None:
        raise ProblemsFound(found.problems)
    return built


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Hold CPython's cycle collector while a build makes its many long-lived objects.

    A build of a big catalogue allocates hundreds of thousands of objects that all live until it
    ends (episodes, items, pages) and almost no cycles; each full collection walks them all
    again (about a fifth of a 10,000-episode re-build). The collector runs as usual afterwards.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def collect_and_build(options: Options, assign: bool = False) -> tuple[Collected, BuiltShow | None]:
    """Every problem each stage of a build finds, and the built show when none is an error (``check``)."""
    with paused_gc():
        options = replace(options, config=options.config.absolute())
        cache = Cache(options.config.parent)
        try:
            found = collect(options, options.now or datetime.now(UTC), cache, assign)
            built = _finish(found, cache) if found.ok else None
        except BaseException:
            cache.close(complete=False)  # keep what was probed and rendered: the re-run after a fix is quick
            raise
        cache.close(complete=True)
        return found, built


def collect(options: Options, now: datetime, cache: Cache, assign: bool = False) -> Collected:
    """Read, probe and check the show, collecting every problem; ``assign`` writes GUIDs when none is an error."""
    show, episodes, problems = _read(options)
    problems += across_episodes(episodes)
    cover, where = (show.image, show.where) if show else named_cover(options.config)
    lock = _lock(options.config.parent, problems)
    found = gather(cover, episodes, cache, show.timezone if show else UTC_ZONE, lock, now, options.progress)
    problems += found.problems
    if show is None:
        named = name_the_lines(problems, (where, cover), episodes)
        return Collected(None, tuple(episodes), tuple(found.episodes), None, None, named, now)
    inputs = found.episodes
    if not has_errors(problems):
        inputs = _with_guids(inputs, episodes) if assign else inputs
        inputs, derived = derive(show, inputs, cache)
        problems += derived
    preview = frozenset() if options.identity else options.preview  # a build that may be published previews nothing
    guid, podroll = show_guid(show, lock), _podroll(show, problems)
    publication = build_feed(show, cache.facts(show.image), inputs, now, guid, preview, podroll)
    problems += check_show(show, inputs, publication)
    named = name_the_lines(problems, (where, cover), episodes)
    return Collected(show, tuple(episodes), tuple(inputs), publication, lock, named, now)


def _with_guids(inputs: list[EpisodeInput], episodes: list[EpisodeMeta]) -> list[EpisodeInput]:
    """``inputs`` with a new GUID for each episode that has none, written into its episode.yaml."""
    assigned = {ep.folder: ep.guid for ep in assign_guids([ep for ep in episodes if ep.guid is None])}
    return [
        replace(i, meta=replace(i.meta, guid=assigned[i.meta.folder])) if i.meta.folder in assigned else i
        for i in inputs
    ]


def _finish(found: Collected, cache: Cache) -> BuiltShow:
    """The website and the feed's bytes of a show collected without errors."""
    show, publication = found.show, found.publication
    assert show is not None and publication is not None
    if show.website:
        site = tuple(build_site(publication.feed, show, cache))
        publication = replace(publication, assets=publication.assets + site, site=len(site))
    rss, items = render(publication.feed, cache.items())
    cache.keep_items(items)
    return BuiltShow(show, publication, rss, found.problems, found.lock, found.inputs)


def show_guid(show: Show, lock: Lock | None) -> str:
    """The show's ``podcast:guid``: feed.yaml's, else the one published first (the lock's), else one
    made from the feed's URL."""
    return show.p20.guid or (lock.podcast_guid if lock else podcast_guid(url(show, show.feed_file)))


def _podroll(show: Show, problems: list[Problem]) -> tuple[RemoteItem, ...]:
    """Each sibling show ``podroll:`` names, with the ``podcast:guid`` and feed URL its own feed publishes; one
    whose feed.yaml or lock cannot be read is a problem at its line of feed.yaml."""
    rolled = []
    for index, config in enumerate(show.podroll):
        try:
            other = load_show(config)
            guid = show_guid(other, read_lock(other.root))
        except (ProblemsFound, LockError) as exc:
            first = exc.problems[0].render().split(": ", 1)[1] if isinstance(exc, ProblemsFound) else str(exc)
            name = f"podroll[{index}]"
            line, column = show.where.at(name) if show.where else (0, 0)
            message = f"{display_path(config.parent)} cannot be read, so neither can its podcast:guid: {first}"
            problems.append(Problem(display_path(show.source), line, column, name, message, "fix that show first"))
            continue
        rolled.append(RemoteItem(guid, url(other, other.feed_file), xml_safe(other.title), other.p20.medium))
    return tuple(rolled)


def _lock(root: Path, problems: list[Problem]) -> Lock | None:
    """The lock file (None: none yet); a damaged one is a problem added to ``problems``."""
    try:
        return read_lock(root)
    except LockError as exc:
        problems.append(Problem(display_path(root / "apa-feed.lock"), message=str(exc)))
        return None
