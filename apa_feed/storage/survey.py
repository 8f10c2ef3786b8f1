"""What the store holds, read in a background thread while the show builds.

A publish needs the store's listing and its live feed before it can plan. Reading them is mostly the
server's time (and, for a big S3 prefix, as long as reading back an unchanged show's build), so a
:class:`Survey` does it beside the build instead of after it. It only reads: a build that fails, or
that ends up naming another store, just leaves it unused.

The listing of a big S3 prefix goes faster in ranges listed at the same time (see :mod:`.s3list`); the
ranges' first keys come from the keys the last publish expected, kept in ``.apa-feed/listing.json``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path

from ..config.show import S3Settings, Show, load_show
from ..errors import ApaFeedError, StorageError
from ..files import keep, show_cache
from . import Store, StoredObject, open_store
from .s3list import split_points

HINT = "listing.json"
"""Where a publish keeps the keys that split its store's listing into ranges, for the next one."""

Holdings = tuple[Store, dict[str, StoredObject], bytes | None]
"""An opened store, its listing and its live feed."""
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
            self._found = (spec, show.root, show.s3), read_store(spec, show, split=load_hint(show.root, spec))
        except BaseException as exc:  # handed to the main thread by result()
            self._error = exc

    def result(self, show: Show, expect: Iterable[str]) -> Holdings:
        """What the survey found, if it read the store ``show`` names; otherwise that store read now, with
        ``expect`` (the keys the build needs) as the listing's hint. A failure to reach the store is
        raised here, after the build's own problems had their turn."""
        self._thread.join()
        error = self._error
        if isinstance(error, StorageError) or (error is not None and not isinstance(error, ApaFeedError)):
            raise error
        if self._found is not None and self._found[0] == where(show):
            return self._found[1]
        return read_store(show.storage, show, expect=expect)  # feed.yaml did not read here, or changed since


def where(show: Show) -> Where:
    """The store ``show`` publishes to (with its folder made absolute, as the survey reads it)."""
    return show.storage, show.root.absolute(), show.s3


def read_store(spec: str, show: Show, expect: Iterable[str] = (), split: list[str] | None = None) -> Holdings:
    """Open the store ``spec`` names for ``show``, list it and read its live feed."""
    store = open_store(spec, show.root, show.s3)
    return store, store.list(expect, split=split), store.read(show.feed_file)


def load_hint(root: Path, spec: str) -> list[str] | None:
    """The split keys the last publish to ``spec`` kept; None when there are none (or they are for another store)."""
    try:
        data = json.loads((show_cache(root) / HINT).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("storage") != spec or not isinstance(data.get("split"), list):
        return None
    return [key for key in data["split"] if isinstance(key, str)]


def save_hint(root: Path, spec: str, expect: Iterable[str]) -> None:
    """Keep the keys that split ``expect`` into listing ranges, for the next publish to ``spec`` (an S3
    store: a folder lists as fast without)."""
    if not spec.startswith("s3://"):
        return
    data = json.dumps({"storage": spec, "split": split_points(expect)}, ensure_ascii=False).encode()
    path = show_cache(root) / HINT
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    keep(path, data)
