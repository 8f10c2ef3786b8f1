"""The parts of the S3 store that hold no state: the client's shape, ``s3://`` locations, and
small helpers for uploads (what to send with each, its size, waiting for it)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

import botocore.session
from boto3.s3.transfer import TransferConfig
from botocore.client import ClientMeta
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserFactory
from botocore.utils import parse_timestamp as default_timestamp_parser

from ..errors import StorageError, display_path
from .base import StoreChanged, Upload

SCHEME = "s3://"
NO_BUCKET = frozenset({"NoSuchBucket", "404"})
BUCKET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{1,254}$")
TEMPLATE_NAME = re.compile(r"\{(\w+)")


class S3Client(Protocol):
    """The part of boto3's S3 client this store uses (typed here: the ``mypy-boto3-s3`` stubs are optional)."""

    @property
    def meta(self) -> ClientMeta: ...

    def get_paginator(self, operation_name: str) -> Any: ...

    def list_objects_v2(self, **kwargs: Any) -> dict[str, Any]: ...

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]: ...

    def head_bucket(self, *, Bucket: str) -> dict[str, Any]: ...

    def put_object(
        self,
        *,
        Bucket: str,
        Key: str,
        Body: bytes | IO[bytes],
        ContentType: str,
        CacheControl: str,
        Metadata: dict[str, str] = ...,
        IfMatch: str = ...,
        IfNoneMatch: str = ...,
    ) -> dict[str, Any]: ...

    def delete_objects(self, *, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]: ...

    def upload_file(
        self,
        Filename: str,
        Bucket: str,
        Key: str,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: Any = None,
        Config: TransferConfig | None = None,
    ) -> None: ...


def fast_timestamps() -> botocore.session.Session:
    """A botocore session whose responses read ISO 8601 times with the standard library: a listing of
    thousands of keys otherwise spends most of its time in dateutil parsing LastModified."""
    session = botocore.session.get_session()
    factory = ResponseParserFactory()
    factory.set_parser_defaults(timestamp_parser=_timestamp)
    session.register_component("response_parser_factory", factory)
    return session


def endpoints_per_bucket(client: Any) -> Any:
    """``client``, its endpoint cache answering for every key of a bucket; returned for chaining.

    botocore resolves each request's endpoint through the service's ruleset and caches the answers by
    the ruleset's parameters. S3's declares the object key (``Key``, ``Prefix``, ``CopySource``) though no
    rule reads it, so every new key evaluated the whole ruleset again: a tenth of a small PUT's CPU.
    Parameters no rule names (as a ``ref`` or in a ``{template}``) are left out of the call, which
    cannot change its answer. Where botocore's internals are not the expected ones, nothing changes.
    """
    provider: Any = getattr(getattr(client, "_ruleset_resolver", None), "_provider", None)
    resolve = getattr(provider, "resolve_endpoint", None)
    try:
        ruleset = client._loader.load_service_model("s3", "endpoint-rule-set-1", client.meta.service_model.api_version)
        unused = set(ruleset["parameters"]) - _names(ruleset["rules"])
    except (AttributeError, BotoCoreError, KeyError, TypeError):
        return client
    if resolve is None or not unused:
        return client

    def resolve_endpoint(**params: Any) -> Any:
        return resolve(**{name: value for name, value in params.items() if name not in unused})

    provider.resolve_endpoint = resolve_endpoint
    return client


def _names(rules: object) -> set[str]:
    """Every parameter a ruleset's rules refer to."""
    found: set[str] = set()
    todo = [rules]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if isinstance(node.get("ref"), str):
                found.add(node["ref"])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, str) and "{" in node:
            found.update(TEMPLATE_NAME.findall(node))
    return found


def _timestamp(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return default_timestamp_parser(value)  # RFC 1123 dates, epoch seconds…


def parse_spec(spec: str) -> tuple[str, str]:
    """``s3://bucket/some//prefix`` → ``("bucket", "some/prefix/")``; the prefix may be empty."""
    if not spec.startswith(SCHEME):
        raise StorageError(f'"{spec}" is not an S3 location; expected s3://BUCKET or s3://BUCKET/PREFIX')
    bucket, _, rest = spec[len(SCHEME) :].partition("/")
    if not bucket:
        raise StorageError(f'"{spec}" names no bucket; expected s3://BUCKET or s3://BUCKET/PREFIX')
    if "@" in bucket or ":" in bucket:
        raise StorageError(
            "an s3:// location holds no credentials or port; expected s3://BUCKET/PREFIX "
            "(give credentials through the environment, a profile or a role)"
        )
    if not BUCKET_NAME.match(bucket):
        raise StorageError(
            f'"{bucket}" is not a valid bucket name in "{spec}"; '
            "expected letters, digits, dots and hyphens, e.g. s3://my-podcast/feed"
        )
    parts = [part for part in rest.split("/") if part]
    return bucket, "".join(part + "/" for part in parts)


def error_code(exc: ClientError) -> str:
    """The S3 error code of a refused request (``NoSuchKey``, ``AccessDenied``, ``404`` …)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def reading(source: Path) -> Iterator[None]:
    """Report a local file that cannot be read as a :class:`StorageError`."""
    try:
        yield
    except BotoCoreError:
        raise  # some network errors are OSErrors too
    except OSError as exc:
        raise StorageError(f"cannot read {display_path(source)}: {exc.strerror or exc}") from None


def upload_extra(upload: Upload, acl: str | None = None, storage_class: str | None = None) -> dict[str, Any]:
    """Content-Type, Cache-Control and the ``sha256`` metadata of one upload; the store's ACL, and its
    storage class when the upload is immutable."""
    extra: dict[str, Any] = {"ContentType": upload.content_type, "CacheControl": upload.cache_control}
    if acl:
        extra["ACL"] = acl
    if storage_class and upload.immutable:
        extra["StorageClass"] = storage_class
    digest = upload.sha256
    if not digest and isinstance(upload.source, bytes):
        digest = hashlib.sha256(upload.source).hexdigest()
    if digest:
        extra["Metadata"] = {"sha256": digest}
    return extra


def upload_size(upload: Upload) -> int | StorageError:
    """The size of an upload, or the error that reading its file gives."""
    if isinstance(upload.source, bytes):
        return len(upload.source)
    try:
        with reading(upload.source):
            return upload.source.stat().st_size
    except StorageError as exc:
        return exc


def replace_concurrency(config: TransferConfig, workers: int) -> TransferConfig:
    """``config`` with ``workers`` parts in flight (the rest of the tuning kept)."""
    return TransferConfig(
        multipart_threshold=config.multipart_threshold,
        multipart_chunksize=config.multipart_chunksize,
        max_concurrency=max(1, workers),
    )


def result_of(future: Future[Any]) -> Callable[[], None]:
    """A wait for ``future`` that drops its result."""

    def wait() -> None:
        future.result()

    return wait


def failure(wait: Callable[[], None]) -> StorageError | None:
    """Wait for one upload; its :class:`StorageError`, if it failed."""
    try:
        wait()
    except StorageError as exc:
        return exc
    return None


LOST_RACE = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict", "409"})
"""What S3 answers a conditional write whose object moved on (409: another conditional write was under way)."""


def precondition(expected: str | None) -> dict[str, str]:
    """The header that makes a PUT conditional: ``If-Match`` on an ETag, ``If-None-Match: *`` for none."""
    return {"IfNoneMatch": "*"} if expected is None else {"IfMatch": f'"{expected}"'}


@contextmanager
def lost_race(store: str, key: str) -> Iterator[None]:
    """Turn S3's refusal of a conditional write into :class:`StoreChanged`."""
    try:
        yield
    except ClientError as exc:
        if error_code(exc) in LOST_RACE:
            raise StoreChanged(store, key) from None
        raise


def stamp(value: object) -> float | None:
    """A listing's LastModified as POSIX seconds (None when the service gave none)."""
    return value.timestamp() if isinstance(value, datetime) else None


def bucket_missing(client: S3Client, bucket: str) -> bool:
    """Whether the bucket is known not to exist (some services answer AccessDenied for that)."""
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        return error_code(exc) in NO_BUCKET
    except BotoCoreError:
        return False
    return False
