"""An S3-compatible bucket as a store; boto3 is imported here and in s3parts.py only.

Credentials come only from boto3's standard chain (environment, profile, instance role) and
never appear in a message. ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3`` work as boto3
documents them unless an explicit endpoint is given.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import ProgressCallbackInvoker, TransferConfig, create_transfer_manager
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

from ..errors import StorageError, redact
from .base import Progress, StoredObject, Upload
from .s3parts import (
    NO_BUCKET,
    SCHEME,
    S3Client,
    bucket_missing,
    endpoints_per_bucket,
    error_code,
    failure,
    fast_timestamps,
    lost_race,
    parse_spec,
    precondition,
    reading,
    replace_concurrency,
    result_of,
    stamp,
    upload_extra,
    upload_size,
)

if TYPE_CHECKING:
    from s3transfer.manager import TransferManager

MIB = 1024 * 1024
MULTIPART_SIZE = 16 * MIB
TRANSFER = TransferConfig(multipart_threshold=MULTIPART_SIZE, multipart_chunksize=MULTIPART_SIZE)
MAX_ATTEMPTS = 5
WORKERS = 16
"""Requests in flight at once: small PUTs from a thread pool (sharing with the transfer manager's parts
of big files when a batch has some), or listing pages. On a 2-core machine 16 keeps a local S3 server
busier, for less CPU per request on both sides, than 8."""
POOL_SIZE = WORKERS
"""HTTP connections kept by the one client: one per request in flight."""
DELETE_BATCH = 1000
CONNECT_TIMEOUT = 10
DENIED = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "403"}
)
CREDENTIAL_ERRORS = (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError)
NETWORK_ERRORS = (BotoConnectionError, HTTPClientError)


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
        acl: str | None = None,
        storage_class: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.region = region
        self.profile = profile
        self.addressing_style = addressing_style
        self.max_attempts = max_attempts
        self.acl = acl
        """The canned ACL of every object (None: no ACL header, the bucket's policy decides)."""
        self.storage_class = storage_class
        """The storage class of immutable uploads (None: the bucket's default)."""
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
        acl: str | None = None,
        storage_class: str | None = None,
    ) -> S3Store:
        """Open ``s3://BUCKET/PREFIX``; nothing is contacted until the first request."""
        bucket, prefix = parse_spec(spec)
        return cls(
            bucket,
            prefix,
            endpoint_url=endpoint_url,
            region=region,
            profile=profile,
            addressing_style=addressing_style,
            acl=acl,
            storage_class=storage_class,
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
            raise _failure(f"refusing to use a key outside {self.describe()}: {key}")
        return self.prefix + key

    def list(self) -> dict[str, StoredObject]:
        """Every object under the prefix: ListObjectsV2 pages, one after the other, each asked for with the
        token the last one gave. Nothing here relies on the order of the keys: S3 lists in UTF-8 byte
        order, but SeaweedFS folder by folder (``ep1/a`` before ``ep1-b/a``), and listing ranges of the
        key space cut at chosen keys (``StartAfter``) lost objects there (issue 12)."""
        found: dict[str, StoredObject] = {}
        args: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix}
        while True:
            with self._errors("list"):
                page = self.client().list_objects_v2(**args)
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix) :]
                if key and not key.endswith("/"):
                    etag, modified = str(item.get("ETag", "")).strip('"') or None, stamp(item.get("LastModified"))
                    found[key] = StoredObject(key, item["Size"], etag, modified)
            if not page.get("IsTruncated"):
                return found
            if not page.get("NextContinuationToken"):  # a partial listing would have the plan upload again
                raise _failure(f"the S3 service cut its listing of {self.describe()} short, with no way to go on")
            args["ContinuationToken"] = page["NextContinuationToken"]

    def read(self, key: str) -> bytes | None:
        return self.read_tagged(key)[0]

    def read_tagged(self, key: str) -> tuple[bytes | None, str | None]:
        """The object's bytes and its ETag (unquoted), or ``(None, None)``."""
        name = self.object_key(key)
        with self._errors("read", key):
            try:
                response = self.client().get_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if error_code(exc) == "NoSuchKey":
                    return None, None
                raise
            data: bytes = response["Body"].read()
            return data, str(response.get("ETag", "")).strip('"') or None

    def put_if(self, key: str, data: bytes, content_type: str, cache_control: str, expected: str | None) -> str | None:
        """One PutObject with ``If-Match: "expected"`` (``If-None-Match: *`` when None): the service refuses it
        (412) when the object moved on, which is :class:`StoreChanged`."""
        extra = self._extra(Upload(key, data, content_type, cache_control)) | precondition(expected)
        with self._errors("write", key), lost_race(self.describe(), key):
            response = self.client().put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data, **extra)
        return str(response.get("ETag", "")).strip('"') or None

    def put_file(self, key: str, source: Path, content_type: str, cache_control: str) -> None:
        self._put_one(Upload(key, source, content_type, cache_control))

    def put_bytes(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        self._put_one(Upload(key, data, content_type, cache_control))

    def put_files(
        self,
        items: Sequence[Upload | tuple[str, Path | bytes, str, str]],
        workers: int = WORKERS,
        progress: Progress | None = None,
    ) -> None:
        """Upload many objects concurrently on the one client: small ones (bytes, or files under
        ``MULTIPART_SIZE``) in a single PUT each from a thread pool; big files through one transfer manager
        shared by the whole call (multipart, parts in parallel).

        Every upload runs to its end; then the first failure (in ``items`` order) is raised.
        """
        uploads = [Upload(*item) for item in items]
        if not uploads:
            return
        self.client()
        sizes = [upload_size(upload) for upload in uploads]
        failures: dict[int, BaseException] = {n: size for n, size in enumerate(sizes) if isinstance(size, StorageError)}
        big = [n for n, size in enumerate(sizes) if isinstance(size, int) and size >= MULTIPART_SIZE]
        small = [(n, uploads[n]) for n, size in enumerate(sizes) if isinstance(size, int) and size < MULTIPART_SIZE]
        small_workers = max(1, min(workers // 2 if big else workers, len(small)))
        if progress is not None:
            progress.start(len(uploads), sum(size for size in sizes if isinstance(size, int)))
        waits: dict[int, Callable[[], None]] = {}
        with ExitStack() as stack:
            if big:
                config = replace_concurrency(TRANSFER, workers - small_workers if small else workers)
                manager = stack.enter_context(create_transfer_manager(cast(Any, self.client()), config))
                waits.update((n, self._submit_big(manager, uploads[n], cast(int, sizes[n]), progress)) for n in big)
            if small:
                pool = stack.enter_context(ThreadPoolExecutor(max_workers=small_workers, thread_name_prefix="s3-put"))
                waits.update((n, result_of(pool.submit(self._put_small, upload, progress))) for n, upload in small)
            failures.update((n, error) for n, wait in waits.items() if (error := failure(wait)) is not None)
        if failures:
            raise failures[min(failures)]

    def delete(self, keys: Iterable[str]) -> None:
        """DeleteObjects in batches of 1,000 (the S3 limit); a key that is already gone is not an error."""
        names = [self.object_key(key) for key in keys]
        for start in range(0, len(names), DELETE_BATCH):
            batch = names[start : start + DELETE_BATCH]
            with self._errors("delete"):
                response = self.client().delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": name} for name in batch], "Quiet": True}
                )
            errors = [e for e in response.get("Errors", []) if e.get("Code") != "NoSuchKey"]
            if errors:
                first = errors[0]
                key = str(first.get("Key", ""))[len(self.prefix) :]
                raise _failure(
                    f"cannot delete {self.describe()}{key}: the S3 service answered {first.get('Code', '')}"
                    + (f" ({str(first['Message']).rstrip('.')})" if first.get("Message") else "")
                    + (f", and {len(errors) - 1} more" if len(errors) > 1 else "")
                )

    def _put_one(self, upload: Upload, progress: Progress | None = None) -> None:
        """One object: a single PUT, or multipart through boto3's transfer manager for a big file."""
        size = upload_size(upload)
        if isinstance(size, StorageError):
            raise size
        if size < MULTIPART_SIZE:
            self._put_small(upload, progress)
            return
        assert isinstance(upload.source, Path)
        name = self.object_key(upload.key)
        callback = progress.advance if progress is not None else None
        with self._errors("upload", upload.key), reading(upload.source):
            self.client().upload_file(
                str(upload.source),
                self.bucket,
                name,
                ExtraArgs=self._extra(upload),
                Callback=callback,
                Config=TRANSFER,
            )
        if progress is not None:
            progress.finished(upload.key, size)

    def _extra(self, upload: Upload) -> dict[str, Any]:
        return upload_extra(upload, self.acl, self.storage_class)

    def _put_small(self, upload: Upload, progress: Progress | None) -> int:
        """One PUT: the bytes, or an open file handle (no thread pool, no multipart); the size sent."""
        name, extra = self.object_key(upload.key), self._extra(upload)
        with ExitStack() as stack:
            stack.enter_context(self._errors("upload", upload.key))
            if isinstance(upload.source, bytes):
                body: bytes | IO[bytes] = upload.source
                size = len(upload.source)
            else:
                stack.enter_context(reading(upload.source))
                body = stack.enter_context(upload.source.open("rb"))
                size = os.fstat(body.fileno()).st_size
            self.client().put_object(Bucket=self.bucket, Key=name, Body=body, **extra)
        if progress is not None:
            progress.advance(size)
            progress.finished(upload.key, size)
        return size

    def _submit_big(
        self, manager: TransferManager, upload: Upload, size: int, progress: Progress | None
    ) -> Callable[[], None]:
        """Queue a big file on the shared transfer manager; the returned call waits for it."""
        assert isinstance(upload.source, Path)
        subscribers = [ProgressCallbackInvoker(progress.advance)] if progress is not None else None
        future = manager.upload(
            str(upload.source), self.bucket, self.object_key(upload.key), self._extra(upload), subscribers
        )

        def wait() -> None:
            with self._errors("upload", upload.key), reading(cast(Path, upload.source)):
                future.result()
            if progress is not None:
                progress.finished(upload.key, size)

        return wait

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
            # Content-MD5/CRC trailers only where S3 requires them: every object already carries its SHA-256,
            # and a whole-body checksum per PUT is CPU the 2-core uploads need (aws-chunked bodies, too).
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        try:
            session = boto3.Session(
                botocore_session=fast_timestamps(), profile_name=self.profile, region_name=self.region
            )
            client = session.client("s3", endpoint_url=self.endpoint_url or None, config=config)
            return cast(S3Client, endpoints_per_bucket(client))
        except ProfileNotFound:
            raise _failure(f'AWS profile "{self.profile}" is not configured (see ~/.aws/config)') from None
        except (BotoCoreError, ValueError) as exc:
            raise _failure(f"cannot set up an S3 client for {self.describe()}: {exc}") from None

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
            return _failure(
                f"no AWS credentials found for {self.describe()}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "name a profile (AWS_PROFILE), or run where an instance or task role is available"
            )
        if isinstance(exc, ProfileNotFound):
            return _failure(f'AWS profile "{self.profile}" is not configured (see ~/.aws/config)')
        if isinstance(exc, SSLError):
            return _failure(f"TLS handshake with the S3 endpoint {self.endpoint()} failed")
        if isinstance(exc, NETWORK_ERRORS):
            return _failure(f"cannot reach the S3 endpoint {self.endpoint()}; check the endpoint URL and your network")
        return _failure(f"cannot {action} {self.describe()}{key}: {exc}")

    def _refused(self, exc: ClientError, action: str, key: str) -> StorageError:
        code = error_code(exc)
        if code in NO_BUCKET or (code in DENIED and bucket_missing(self.client(), self.bucket)):
            return _failure(f'bucket "{self.bucket}" does not exist at {self.endpoint()}')
        if code in DENIED:
            return _failure(
                f"access denied to {self.describe()}: check your AWS credentials (environment, profile or role)"
            )
        message = str(exc.response.get("Error", {}).get("Message", "")).rstrip(".")
        return _failure(
            f"cannot {action} {self.describe()}{key}: the S3 service answered {code}"
            + (f" ({message})" if message else "")
        )


def _failure(message: str) -> StorageError:
    """A :class:`StorageError` whose message shows no ``user:password@`` of an endpoint URL."""
    return StorageError(redact(message))
