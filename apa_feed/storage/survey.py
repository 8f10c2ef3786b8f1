"""What the store holds, read in a background thread while the show builds.

A publish needs the store's listing, its live feed and the record of what is published (each read
with the tag of its version, for the compare-and-swap that writes them) before it can plan. Reading them is mostly the
server's time (and, for a big S3 prefix, as long as reading back an unchanged show's build), so a
:class:`Survey` does it beside the build instead of after it. It only reads: a build that fails, or
that ends up naming another store, just leaves it unused. The plan is made from this reading; what
the publish then uploads is confirmed by a listing of its own (see :func:`~apa_feed.publish.apply`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from ..config.s3 import S3Settings
from ..config.show import Show, load_show
from ..errors import ApaFeedError, StorageError
from . import Store, StoredObject, open_store

PUBLISHED = "apa-feed-published.json"
"""The store's publish record, next to the feed: what ``apa-feed.lock`` holds, as the last publish left it."""


@dataclass(frozen=True)
class Holdings:
    """An opened store, its listing, its live feed and its publish record, with the tag of each version read."""

    store: Store
    listing: dict[str, StoredObject]
    feed: bytes | None
    feed_tag: str | None = None
    record: bytes | None = None
    record_tag: str | None = None


Where = tuple[str, Path, S3Settings | None]
"""What decides which store a show publishes to: the ``storage:`` value, the project's folder, the S3 settings."""


class Survey:
    """Opens the store a project publishes to, lists it and reads its live feed, in a daemon thread."""

    def __init__(self, config: Path, storage: str | None = None) -> None:
        self.config = config.absolute()
        self.storage = storage
        """``--storage``, which replaces feed.yaml's."""
        self._found: tuple[Where, Holdings] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="apa-feed-survey", daemon=True)

    @classmethod
    def start(cls, config: Path, storage: str | None = None) -> Survey:
        survey = cls(config, storage)
        survey._thread.start()
        return survey

    def _run(self) -> None:
        try:
            show = load_show(self.config)
            spec = self.storage or show.storage
            self._found = (spec, show.root, show.s3), read_store(spec, show)
        except BaseException as exc:  # handed to the main thread by result()
            self._error = exc

    def result(self, show: Show) -> Holdings:
        """What the survey found, if it read the store ``show`` names; otherwise that store read now. A
        failure to reach the store is raised here, after the build's own problems had their turn."""
        self._thread.join()
        error = self._error
        if isinstance(error, StorageError) or (error is not None and not isinstance(error, ApaFeedError)):
            raise error
        if self._found is not None and self._found[0] == where(show):
            return self._found[1]
        return read_store(show.storage, show)  # feed.yaml did not read here, or changed since


def where(show: Show) -> Where:
    """The store ``show`` publishes to (with its folder made absolute, as the survey reads it)."""
    return show.storage, show.root.absolute(), show.s3


def read_store(spec: str, show: Show) -> Holdings:
    """Open the store ``spec`` names for ``show``, list it, read its live feed and its publish record."""
    return read_holdings(open_store(spec, show.root, show.s3), show.feed_file)


def read_holdings(store: Store, feed_key: str) -> Holdings:
    """``store``'s listing, live feed and publish record (each read once, with its tag), as found now."""
    listing = store.list()
    record, record_tag = store.read_tagged(PUBLISHED)
    feed, feed_tag = store.read_tagged(feed_key)
    return Holdings(store, listing, feed, feed_tag, record, record_tag)
