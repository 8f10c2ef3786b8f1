"""The store's lease: one publish of a show at a time, whichever machine it runs on.

A publish holds ``apa-feed-lease.json`` on the store while it runs: who holds it (user, host, process) and
until when. It is created only where there is none (S3: ``If-None-Match: *``; a folder: the same check
under the folder's lock), renewed while the publish runs, and deleted at its end. A lease whose time is
past was left by a publish that stopped without ending (killed, lost its network): the next publish takes
it over (a conditional write over the version it read, so two cannot both take it) and says so. The
feed's own compare-and-swap still guards the feed if a lease is ever lost; the lease keeps two publishes
from uploading pages and pruning at the same time, and ``--prune`` from running beside a publish.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..errors import StorageError
from .base import Store, StoreChanged

LEASE = "apa-feed-lease.json"
TTL = 600.0
"""Seconds a lease lasts unless renewed; a running publish renews it every third of that."""
Clock = Callable[[], float]
ABANDONED: set[str] = set()
"""Leases this process held and could not give back (the store was unreachable): its next publish takes
them back at once instead of waiting for them to expire."""


class LeaseHeld(StorageError):
    """Another publish holds the store's lease."""


@dataclass
class Lease:
    """A lease this process holds on ``store`` (renewed in a daemon thread until :meth:`release`)."""

    store: Store
    token: str
    tag: str | None
    ttl: float
    note: str = ""
    """Set when an expired lease was taken over: whose, and since when it had expired."""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def keep(self) -> None:
        """Renew the lease every third of its time until :meth:`release` (a lost one is left lost)."""
        self._thread = threading.Thread(target=self._renew, name="apa-feed-lease", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self.tag = _write(self.store, self.token, self.ttl, self.tag, time.time)
            except StorageError:
                return  # taken over (ours had expired) or unreachable: the feed's compare-and-swap still holds

    def release(self) -> None:
        """Stop renewing and delete the lease if it is still this one."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        data, _ = self.store.read_tagged(LEASE)
        if data is not None and _doc(data).get("token") == self.token:
            self.store.delete([LEASE])


def acquire(store: Store, ttl: float = TTL, now: Clock | None = None) -> Lease:
    """Take the store's lease: create it, or take over one that expired; :class:`LeaseHeld` when another
    publish holds it."""
    clock = now or time.time
    token = uuid.uuid4().hex
    for attempt in range(2):  # a lease given back between the read and the write: read it again, once
        data, tag = store.read_tagged(LEASE)
        note = ""
        if data is not None:
            doc = _doc(data)
            expires = _float(doc.get("expires_at"))
            if str(doc.get("token")) in ABANDONED:
                note = "took back the store's lease an earlier publish of this process could not give back"
            elif expires > clock():
                raise LeaseHeld(_held(doc))
            else:
                note = f"took over the store's lease of {_owner(doc)}, expired since {_stamp(expires)}"
                note += " (a publish that stopped before it ended)"
        try:
            return Lease(store, token, _write(store, token, ttl, tag, clock), ttl, note)
        except StoreChanged:
            if attempt:
                raise LeaseHeld(_held(_doc(store.read_tagged(LEASE)[0] or b"{}"))) from None
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def leased(store: Store, ttl: float = TTL) -> Iterator[Lease]:
    """Hold the store's lease for the block (renewed meanwhile), then give it back."""
    lease = acquire(store, ttl)
    lease.keep()
    try:
        yield lease
    finally:
        try:
            lease.release()
        except StorageError:  # the store is unreachable: the lease expires, or this process takes it back
            ABANDONED.add(lease.token)


def holder(store: Store, now: Clock | None = None) -> str:
    """Who holds a live lease on ``store`` (``""`` when nobody does)."""
    data, _ = store.read_tagged(LEASE)
    if data is None:
        return ""
    doc = _doc(data)
    return _owner(doc) if _float(doc.get("expires_at")) > (now or time.time)() else ""


def _write(store: Store, token: str, ttl: float, expected: str | None, clock: Clock) -> str | None:
    """Write this process's lease over version ``expected``; the new version's tag."""
    start = clock()
    doc = {
        "owner": f"{_user()}@{socket.gethostname()}",
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "token": token,
        "renewed": _stamp(start),
        "expires": _stamp(start + ttl),
        "expires_at": start + ttl,
    }
    return store.put_if(LEASE, (json.dumps(doc, indent=2) + "\n").encode(), "application/json", "no-store", expected)


def _held(doc: dict[str, object]) -> str:
    until = _stamp(_float(doc.get("expires_at"))) if doc else "soon"
    return (
        f"another publish of this show is running: {_owner(doc)} holds the store's lease until {until}; "
        "wait for it to finish (or for its lease to expire), then publish again"
    )


def _owner(doc: dict[str, object]) -> str:
    who = str(doc.get("owner") or "someone")
    return f"{who} (process {doc['pid']})" if doc.get("pid") else who


def _doc(data: bytes) -> dict[str, object]:
    """A lease's fields; a damaged one has none (and so has expired)."""
    try:
        parsed = json.loads(data)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _float(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=0).isoformat()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "someone")
