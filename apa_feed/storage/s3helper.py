"""A second process for a big batch of small uploads.

A small PUT costs the client more Python than the network: botocore builds, signs and parses each
request under the one interpreter lock, so threads alone keep one core busy at most. For a batch of
hundreds of small objects (episode pages and short audio), :func:`put_small_shared` shares the work
with one helper process (its own boto3 client, the same store settings and credential chain): the
store's threads and the helper take chunks from one queue, so the client's work spreads over two
cores while the S3 service uses what they leave. Nothing else changes: the same requests, the same
metadata, every failure reported for its object, and the caller still confirms every object by
listing before the feed is written. A helper that cannot start or dies hands its work back.

Protocol (pickle over the helper's stdin and stdout; the parent started it): the store's settings,
then chunks ``[(index, Upload), ...]``, each answered once done with ``[(index, size, failure), ...]``;
an empty chunk ends the run and is answered with the requests the helper sent, by operation.
"""

from __future__ import annotations

import collections
import pickle
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import StorageError
from . import Progress, Upload

if TYPE_CHECKING:
    from .s3 import S3Store

CHUNK = 16
"""Uploads handed to the helper at a time; ``IN_FLIGHT`` chunks are queued there so it never waits."""
IN_FLIGHT = 3
HELPER_WORKERS = 8
PACKAGE_ROOT = Path(__file__).resolve().parents[2]

Failure = tuple[str, str] | None
"""``("storage", message)`` for a :class:`StorageError`, ``("bug", traceback)`` for anything else."""


def put_small_shared(
    store: S3Store, uploads: list[tuple[int, Upload]], workers: int, progress: Progress | None
) -> dict[int, BaseException]:
    """Upload ``uploads`` (index, upload) with ``workers`` threads and a helper process sharing one queue;
    the failures by index. Every upload runs to its end, here if not in the helper."""
    shared = Shared(store, uploads, progress)
    with ThreadPoolExecutor(max_workers=max(2, workers), thread_name_prefix="s3-put") as pool:
        fed = pool.submit(_feed_helper, store, shared)
        for _ in range(max(1, workers - 1)):
            pool.submit(shared.run_here)
    fed.result()
    shared.run_here()  # what a failed helper handed back after the threads had finished
    return shared.failures


class Shared:
    """The queue of small uploads that the store's threads and the helper both take from."""

    def __init__(self, store: S3Store, uploads: list[tuple[int, Upload]], progress: Progress | None) -> None:
        self.store = store
        self.queue = collections.deque(uploads)
        self.progress = progress
        self.failures: dict[int, BaseException] = {}
        self._lock = threading.Lock()

    def take(self, count: int) -> list[tuple[int, Upload]]:
        with self._lock:
            return [self.queue.popleft() for _ in range(min(count, len(self.queue)))]

    def give_back(self, items: Iterable[tuple[int, Upload]]) -> None:
        with self._lock:
            self.queue.extendleft(reversed(list(items)))

    def run_here(self) -> None:
        """Upload from the queue in this thread until it is empty."""
        while batch := self.take(1):
            index, upload = batch[0]
            try:
                self.store._put_small(upload, self.progress)
            except StorageError as exc:
                self.failures[index] = exc

    def record(self, index: int, key: str, size: int, failure: Failure) -> None:
        """What the helper did with one upload."""
        if failure is None:
            if self.progress is not None:
                self.progress.advance(size)
                self.progress.finished(key, size)
        elif failure[0] == "storage":
            self.failures[index] = StorageError(failure[1])
        else:
            self.failures[index] = RuntimeError(f"the upload helper failed on {key}:\n{failure[1]}")


def _feed_helper(store: S3Store, shared: Shared) -> None:
    """Keep the helper ``IN_FLIGHT`` chunks ahead until the queue is empty; on any trouble with it, hand
    its unfinished uploads back to the queue."""
    pending: dict[int, Upload] = {}
    helper: subprocess.Popen[bytes] | None = None
    try:
        helper = _start(store)
        assert helper.stdin is not None and helper.stdout is not None
        chunks = 0
        while True:
            while chunks < IN_FLIGHT and (chunk := shared.take(CHUNK)):
                pending.update(chunk)
                _send(helper.stdin, chunk)
                chunks += 1
            if not chunks:
                break
            for index, size, failure in pickle.load(helper.stdout):
                shared.record(index, pending.pop(index).key, size, failure)
            chunks -= 1
        _send(helper.stdin, [])
        store.helper_requests.update(pickle.load(helper.stdout))
        helper.wait(timeout=30)
    except (OSError, EOFError, ValueError, pickle.PickleError, subprocess.TimeoutExpired):
        shared.give_back(sorted(pending.items()))
        if helper is not None:
            helper.kill()
            helper.wait()


BOOT = f"import sys; sys.path.append(sys.argv[1]); from {__name__} import main; main()"
"""The helper's program: this interpreter, environment and folder find apa-feed as the parent did; a
parent that found it on a path of its own making passes that path along, last."""


def _start(store: S3Store) -> subprocess.Popen[bytes]:
    """The helper process, started with the store's settings."""
    helper = subprocess.Popen(
        [sys.executable, "-c", BOOT, str(PACKAGE_ROOT)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # its failures reach the parent as answers; a helper that cannot run just hands its work back
    assert helper.stdin is not None
    _send(helper.stdin, store.settings())
    return helper


def _send(pipe: IO[bytes], message: object) -> None:
    pickle.dump(message, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.flush()


# --- in the helper process ------------------------------------------------------------------------


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Run chunks of uploads as the parent sends them, answering each chunk when all of it is done."""
    from .s3 import S3Store

    store = S3Store(**pickle.load(requests))
    sent: collections.Counter[str] = collections.Counter()
    store.client().meta.events.register(
        "before-send.s3", lambda event_name, **_: sent.update([event_name.rsplit(".", 1)[-1]])
    )
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=HELPER_WORKERS, thread_name_prefix="s3-helper") as pool:
        while chunk := pickle.load(requests):
            futures = [(index, pool.submit(_put, store, upload)) for index, upload in chunk]
            _answer_when_done(futures, answers, lock)
    with lock:
        _send(answers, dict(sent))


def _put(store: S3Store, upload: Upload) -> tuple[int, Failure]:
    try:
        return store._put_small(upload, None), None
    except StorageError as exc:
        return 0, ("storage", str(exc))
    except Exception:  # a bug: its traceback goes to the parent, which raises it
        return 0, ("bug", traceback.format_exc())


def _answer_when_done(futures: list[tuple[int, Future[tuple[int, Failure]]]], answers: IO[bytes],
                      lock: threading.Lock) -> None:
    left = [len(futures)]

    def one_done(_: Future[Any]) -> None:
        with lock:
            left[0] -= 1
            if left[0] == 0:
                _send(answers, [(index, *future.result()) for index, future in futures])

    for _, future in futures:
        future.add_done_callback(one_done)


def main() -> None:
    """The helper process: answers go to the real stdout, anything else printed to stderr."""
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
