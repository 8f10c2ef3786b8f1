"""An S3-compatible bucket as a store; boto3 is imported in this module only.

Credentials come only from boto3's standard chain (environment, profile, instance role) and
never appear in a message. ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3`` work as boto3
documents them unless an explicit endpoint is given.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol, cast

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.client import ClientMeta
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    SSLError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from ..errors import StorageError, display_path
from . import StoredObject

SCHEME = "s3://"
MIB = 1024 * 1024
MULTIPART_SIZE = 16 * MIB
TRANSFER = TransferConfig(multipart_threshold=MULTIPART_SIZE, multipart_chunksize=MULTIPART_SIZE)
MAX_ATTEMPTS = 5
POOL_SIZE = 16
CONNECT_TIMEOUT = 10
BUCKET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{1,254}$")
DENIED = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "403"}
)
NO_BUCKET = frozenset({"NoSuchBucket", "404"})
CREDENTIAL_ERRORS = (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError)
NETWORK_ERRORS = (BotoConnectionError, HTTPClientError)


class S3Client(Protocol):
    """The part of boto3's S3 client this store uses (typed here: the ``mypy-boto3-s3`` stubs are optional)."""

    @property
    def meta(self) -> ClientMeta: ...

    def get_paginator(self, operation_name: str) -> Any: ...

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]: ...

    def head_bucket(self, *, Bucket: str) -> dict[str, Any]: ...

    def put_object(
        self, *, Bucket: str, Key: str, Body: bytes | IO[bytes], ContentType: str, CacheControl: str
    ) -> dict[str, Any]: ...

    def upload_file(
        self,
        Filename: str,
        Bucket: str,
        Key: str,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: Any = None,
        Config: TransferConfig | None = None,
    ) -> None: ...


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


class S3Store:
    """Objects under ``prefix`` in one bucket of any S3-compatible service.

    ``max_attempts`` has botocore's meaning: retries after the first try (standard mode, with back-off);
    by default ``MAX_ATTEMPTS``, read when the client is made.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        profile: str | None = None,
        addressing_style: str | None = None,
        max_attempts: int | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.region = region
        self.profile = profile
        self.addressing_style = addressing_style
        self.max_attempts = max_attempts
        self._lock = threading.Lock()
        self._client: S3Client | None = None

    @classmethod
    def from_spec(
        cls,
        spec: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        profile: str | None = None,
        addressing_style: str | None = None,
    ) -> S3Store:
        """Open ``s3://BUCKET/PREFIX``; nothing is contacted until the first request."""
        bucket, prefix = parse_spec(spec)
        return cls(
            bucket, prefix, endpoint_url=endpoint_url, region=region, profile=profile, addressing_style=addressing_style
        )

    def describe(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.prefix}"

    def client(self) -> S3Client:
        """The one boto3 client of this store, shared by every thread (created on first use)."""
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def endpoint(self) -> str:
        """The endpoint requests go to, for messages."""
        return self.client().meta.endpoint_url

    def object_key(self, key: str) -> str:
        """The bucket key behind ``key``; refuses keys that would leave the prefix (as the local store does)."""
        if not key or any(part in ("", ".", "..") for part in key.split("/")):
            raise StorageError(f"refusing to use a key outside {self.describe()}: {key}")
        return self.prefix + key

    def list(self) -> dict[str, StoredObject]:
        found: dict[str, StoredObject] = {}
        with self._errors("list"):
            pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix) :]
                    if key and not key.endswith("/"):
                        found[key] = StoredObject(key, item["Size"])
        return found

    def read(self, key: str) -> bytes | None:
        name = self.object_key(key)
        with self._errors("read", key):
            try:
                response = self.client().get_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if error_code(exc) == "NoSuchKey":
                    return None
                raise
            data: bytes = response["Body"].read()
            return data

    def put_file(self, key: str, source: Path, content_type: str, cache_control: str) -> None:
        name, extra = self.object_key(key), {"ContentType": content_type, "CacheControl": cache_control}
        with self._errors("upload", key), _reading(source):
            self.client().upload_file(str(source), self.bucket, name, ExtraArgs=extra, Config=TRANSFER)

    def put_bytes(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        name = self.object_key(key)
        with self._errors("upload", key):
            self.client().put_object(
                Bucket=self.bucket, Key=name, Body=data, ContentType=content_type, CacheControl=cache_control
            )

    def put_files(self, items: Sequence[tuple[str, Path, str, str]], workers: int = 8) -> None:
        """Upload ``(key, source, content_type, cache_control)`` items concurrently.

        Every upload runs to its end; then the first failure (in ``items`` order) is raised.
        """
        if not items:
            return
        self.client()
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items))), thread_name_prefix="s3-put") as pool:
            futures = [pool.submit(self._put_one, *item) for item in items]
        for future in futures:
            future.result()

    def _put_one(self, key: str, source: Path, content_type: str, cache_control: str) -> None:
        """A small file in one PUT (file handle, no thread pool); a big one through multipart."""
        with _reading(source):
            size = source.stat().st_size
        if size >= MULTIPART_SIZE:
            self.put_file(key, source, content_type, cache_control)
            return
        name = self.object_key(key)
        with self._errors("upload", key), _reading(source), source.open("rb") as handle:
            self.client().put_object(
                Bucket=self.bucket, Key=name, Body=handle, ContentType=content_type, CacheControl=cache_control
            )

    def _connect(self) -> S3Client:
        s3_options: Any = {"addressing_style": self.addressing_style} if self.addressing_style else None
        config = Config(
            retries={
                "mode": "standard",
                "max_attempts": MAX_ATTEMPTS if self.max_attempts is None else self.max_attempts,
            },
            max_pool_connections=POOL_SIZE,
            connect_timeout=CONNECT_TIMEOUT,
            s3=s3_options,
        )
        try:
            session = boto3.Session(profile_name=self.profile, region_name=self.region)
            if self.endpoint_url:
                return cast(S3Client, session.client("s3", endpoint_url=self.endpoint_url, config=config))
            return cast(S3Client, session.client("s3", config=config))
        except ProfileNotFound:
            raise StorageError(f'AWS profile "{self.profile}" is not configured (see ~/.aws/config)') from None
        except (BotoCoreError, ValueError) as exc:
            raise StorageError(f"cannot set up an S3 client for {self.describe()}: {exc}") from None

    @contextmanager
    def _errors(self, action: str, key: str = "") -> Iterator[None]:
        """Turn what boto3 raises into a :class:`StorageError` a producer can act on."""
        try:
            yield
        except S3UploadFailedError as exc:
            cause = exc.__cause__ or exc.__context__
            raise self._explain(cause if isinstance(cause, Exception) else exc, action, key) from None
        except (ClientError, BotoCoreError) as exc:
            raise self._explain(exc, action, key) from None

    def _explain(self, exc: Exception, action: str, key: str) -> StorageError:
        if isinstance(exc, ClientError):
            return self._refused(exc, action, key)
        if isinstance(exc, CREDENTIAL_ERRORS):
            return StorageError(
                f"no AWS credentials found for {self.describe()}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "name a profile (AWS_PROFILE), or run where an instance or task role is available"
            )
        if isinstance(exc, ProfileNotFound):
            return StorageError(f'AWS profile "{self.profile}" is not configured (see ~/.aws/config)')
        if isinstance(exc, SSLError):
            return StorageError(f"TLS handshake with the S3 endpoint {self.endpoint()} failed")
        if isinstance(exc, NETWORK_ERRORS):
            return StorageError(
                f"cannot reach the S3 endpoint {self.endpoint()}; check the endpoint URL and your network"
            )
        return StorageError(f"cannot {action} {self.describe()}{key}: {exc}")

    def _refused(self, exc: ClientError, action: str, key: str) -> StorageError:
        code = error_code(exc)
        if code in NO_BUCKET or (code in DENIED and self._bucket_missing()):
            return StorageError(f'bucket "{self.bucket}" does not exist at {self.endpoint()}')
        if code in DENIED:
            return StorageError(
                f"access denied to {self.describe()}: check your AWS credentials (environment, profile or role)"
            )
        message = str(exc.response.get("Error", {}).get("Message", "")).rstrip(".")
        return StorageError(
            f"cannot {action} {self.describe()}{key}: the S3 service answered {code}"
            + (f" ({message})" if message else "")
        )

    def _bucket_missing(self) -> bool:
        """Whether the bucket is known not to exist (some services answer AccessDenied for that)."""
        try:
            self.client().head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            return error_code(exc) in NO_BUCKET
        except BotoCoreError:
            return False
        return False


@contextmanager
def _reading(source: Path) -> Iterator[None]:
    """Report a local file that cannot be read as a :class:`StorageError`."""
    try:
        yield
    except BotoCoreError:
        raise  # some network errors are OSErrors too
    except OSError as exc:
        raise StorageError(f"cannot read {display_path(source)}: {exc.strerror or exc}") from None
