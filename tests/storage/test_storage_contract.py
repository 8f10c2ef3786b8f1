"""One Store contract, run against the local folder store and a real S3 server (SeaweedFS on 127.0.0.1)."""
# ruff: noqa: F811  (the fixtures imported from s3server come back as test parameters of the same name)

from __future__ import annotations

import hashlib
import threading
import traceback
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from s3server import (  # noqa: F401  (fixtures are found by name)
    ACCESS_KEY,
    SECRET_KEY,
    FlakyProxy,
    WeedServer,
    aws_env,
    closed_port,
    s3_auth_server,
    s3_bucket,
    s3_client,
    s3_dedicated_server,
    s3_endpoint,
    s3_server,
)

from apa_feed.errors import StorageError
from apa_feed.publish.progress import UploadProgress
from apa_feed.storage import Store, StoredObject, Upload, open_store
from apa_feed.storage.local import LocalStore
from apa_feed.storage.s3 import MULTIPART_SIZE, S3Store

MIB = 1024 * 1024
SECRET = "SECRET-DO-NOT-PRINT"
PREFIX = "shows/apa/"
AUDIO, CACHE = "audio/mpeg", "public, max-age=31536000, immutable"
FEED, FEED_CACHE = "application/rss+xml; charset=utf-8", "max-age=60"
CAFE = "episodes/café/audio.mp3"


def blob(size: int, seed: int = 0) -> bytes:
    """``size`` bytes that differ with ``seed`` (so a wrong or stale object shows)."""
    pattern = bytes((seed * 7 + i) % 251 for i in range(251))
    return (pattern * (size // 251 + 1))[:size]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> LocalStore | S3Store:
    """The store under test: a folder, or a prefix in a fresh bucket on the shared S3 server."""
    if request.param == "local":
        return LocalStore(tmp_path / "public")
    request.getfixturevalue("aws_env")
    bucket = request.getfixturevalue("s3_bucket")
    return S3Store.from_spec(f"s3://{bucket}/{PREFIX}", endpoint_url=request.getfixturevalue("s3_endpoint"))


@pytest.fixture
def s3_store(aws_env: dict[str, str], s3_bucket: str, s3_endpoint: str) -> S3Store:
    return S3Store.from_spec(f"s3://{s3_bucket}/{PREFIX}", endpoint_url=s3_endpoint)


# --- the contract, for every store -------------------------------------------------------------


def test_put_bytes_then_read_gives_the_bytes_back(store: Store) -> None:
    store.put_bytes("feed.xml", b"<rss>one</rss>", FEED, FEED_CACHE)
    assert store.read("feed.xml") == b"<rss>one</rss>"


def test_read_of_a_missing_key_is_none(store: Store) -> None:
    store.put_bytes("feed.xml", b"<rss/>", FEED, FEED_CACHE)
    assert store.read("other.xml") is None
    assert store.read("episodes/other.xml") is None


def test_read_of_a_key_below_an_object_is_none(store: Store) -> None:
    store.put_bytes("feed.xml", b"<rss/>", FEED, FEED_CACHE)
    assert store.read("feed.xml/child") is None


def test_list_of_an_empty_store_is_empty(store: Store) -> None:
    assert store.list() == {}


def test_put_file_then_list_shows_the_exact_size(store: Store, tmp_path: Path) -> None:
    source = write(tmp_path / "src" / "a.mp3", blob(12_345))
    store.put_file("a.mp3", source, AUDIO, CACHE)
    assert store.list() == {"a.mp3": StoredObject("a.mp3", 12_345)}
    assert store.read("a.mp3") == blob(12_345)


def test_keys_with_sub_folders(store: Store, tmp_path: Path) -> None:
    keys = ["cover.jpg", "episodes/2025/one.mp3", "episodes/2025/deep/er/two.mp3", "history/feed-1.xml"]
    for n, key in enumerate(keys):
        store.put_file(key, write(tmp_path / "src" / f"{n}", blob(100 + n, n)), AUDIO, CACHE)
    assert store.list() == {key: StoredObject(key, 100 + n) for n, key in enumerate(keys)}
    assert [store.read(key) for key in keys] == [blob(100 + n, n) for n in range(len(keys))]


def test_overwriting_a_key_replaces_it_whole(store: Store, tmp_path: Path) -> None:
    store.put_file("feed.xml", write(tmp_path / "big", blob(5_000, 1)), FEED, FEED_CACHE)
    store.put_bytes("feed.xml", b"short", FEED, FEED_CACHE)
    assert store.read("feed.xml") == b"short"
    assert store.list() == {"feed.xml": StoredObject("feed.xml", 5)}


def test_a_non_ascii_key_round_trips(store: Store, tmp_path: Path) -> None:
    store.put_file(CAFE, write(tmp_path / "audio.mp3", blob(777)), AUDIO, CACHE)
    assert store.list() == {CAFE: StoredObject(CAFE, 777)}
    assert store.read(CAFE) == blob(777)


def test_a_missing_source_file_is_a_storage_error_and_stores_nothing(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        store.put_file("a.mp3", tmp_path / "missing.mp3", AUDIO, CACHE)
    assert store.list() == {}


@pytest.mark.parametrize("key", ["../outside.xml", "a/../../outside.xml", "/etc/feed.xml"])
def test_a_key_cannot_leave_the_store(store: Store, key: str) -> None:
    with pytest.raises(StorageError, match="^refusing to "):
        store.put_bytes(key, b"<rss/>", FEED, FEED_CACHE)
    with pytest.raises(StorageError, match="^refusing to "):
        store.read(key)
    assert store.list() == {}


def test_put_files_uploads_many(store: LocalStore | S3Store, tmp_path: Path) -> None:
    sizes = {f"episodes/{n}/audio.mp3": 1_000 + n for n in range(6)}
    items = [(key, write(tmp_path / key, blob(size, size)), AUDIO, CACHE) for key, size in sizes.items()]
    store.put_files(items, workers=4)
    assert store.list() == {key: StoredObject(key, size) for key, size in sizes.items()}
    assert all(store.read(key) == blob(size, size) for key, size in sizes.items())


def test_put_files_takes_bytes_and_files_together_and_reports_progress(
    store: LocalStore | S3Store, tmp_path: Path
) -> None:
    items = [
        Upload("episodes/1/audio.mp3", write(tmp_path / "a.mp3", blob(3_000, 1)), AUDIO, CACHE),
        Upload("episodes/1/chapters.json", b'{"version": "1.2.0"}', "application/json+chapters", CACHE),
        ("episodes/1/page.html", b"<p>notes</p>", "text/html; charset=utf-8", CACHE),
    ]
    progress = UploadProgress("quiet")
    store.put_files(items, workers=4, progress=progress)
    assert store.list() == {
        "episodes/1/audio.mp3": StoredObject("episodes/1/audio.mp3", 3_000),
        "episodes/1/chapters.json": StoredObject("episodes/1/chapters.json", 20),
        "episodes/1/page.html": StoredObject("episodes/1/page.html", 12),
    }
    assert store.read("episodes/1/chapters.json") == b'{"version": "1.2.0"}'
    assert (progress.files, progress.sent) == (3, 3_032)


def test_delete_removes_the_keys_and_nothing_else(store: Store, tmp_path: Path) -> None:
    keys = ["feed.xml", "history/000001-feed.xml", "episodes/a/audio.mp3", "episodes/a/cover.jpg", "episodes/b/x.mp3"]
    for n, key in enumerate(keys):
        store.put_bytes(key, blob(10 + n, n), AUDIO, CACHE)
    store.delete(["episodes/a/audio.mp3", "episodes/b/x.mp3", "episodes/never-there.mp3"])
    assert sorted(store.list()) == ["episodes/a/cover.jpg", "feed.xml", "history/000001-feed.xml"]
    store.delete([])
    assert store.read("episodes/a/cover.jpg") == blob(13, 3)


def test_local_delete_removes_the_folders_it_empties_but_not_the_root(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "public")
    store.put_bytes("episodes/a/deep/audio.mp3", b"1", AUDIO, CACHE)
    store.put_bytes("episodes/b/audio.mp3", b"2", AUDIO, CACHE)
    store.delete(["episodes/a/deep/audio.mp3"])
    assert not (tmp_path / "public" / "episodes" / "a").exists()
    assert (tmp_path / "public" / "episodes" / "b" / "audio.mp3").exists()
    store.delete(["episodes/b/audio.mp3"])
    assert (tmp_path / "public").is_dir() and list((tmp_path / "public").iterdir()) == []


def test_delete_refuses_keys_outside_the_store(store: Store) -> None:
    with pytest.raises(StorageError, match="^refusing to "):
        store.delete(["../outside.xml"])


# --- S3 specifics ----------------------------------------------------------------------------


def test_s3_put_files_runs_uploads_at_the_same_time_on_the_shared_client(s3_store: S3Store, tmp_path: Path) -> None:
    """Two small PUTs must be in flight together (a barrier in the client would break if they were not);
    a file of 16 MiB goes through multipart."""
    barrier, seen, lock = threading.Barrier(2, timeout=10), [], threading.Lock()

    def meet(**_: Any) -> None:
        with lock:
            seen.append(threading.get_ident())
            first_two = len(seen) <= 2
        if first_two:
            barrier.wait()

    s3_store.client().meta.events.register("before-send.s3.PutObject", meet)
    items = [(f"small/{n}.mp3", write(tmp_path / f"{n}.mp3", blob(2_000 + n, n)), AUDIO, CACHE) for n in range(5)]
    items.append(("big.mp3", write(tmp_path / "big.mp3", blob(MULTIPART_SIZE, 9)), AUDIO, CACHE))
    s3_store.put_files(items, workers=8)
    assert len(seen) == 5 and len(set(seen)) >= 2
    listing = s3_store.list()
    assert {key: obj.size for key, obj in listing.items()} == {key: path.stat().st_size for key, path, *_ in items}
    head = s3_client(s3_store.endpoint()).head_object(Bucket=s3_store.bucket, Key=PREFIX + "big.mp3")
    assert head["ETag"].strip('"').endswith("-1"), head["ETag"]  # one multipart part
    assert (head["ContentType"], head["CacheControl"]) == (AUDIO, CACHE)


def test_s3_put_files_reports_the_first_failure_after_the_others(s3_store: S3Store, tmp_path: Path) -> None:
    good = [(f"ok/{n}.mp3", write(tmp_path / f"{n}.mp3", blob(10 + n)), AUDIO, CACHE) for n in range(4)]
    bad = [("bad/1.mp3", tmp_path / "gone-1.mp3", AUDIO, CACHE), ("bad/2.mp3", tmp_path / "gone-2.mp3", AUDIO, CACHE)]
    with pytest.raises(StorageError, match="gone-1.mp3"):
        s3_store.put_files([good[0], *bad, *good[1:]])
    assert sorted(s3_store.list()) == [key for key, *_ in good]


def test_s3_objects_get_content_type_and_cache_control(s3_store: S3Store, tmp_path: Path) -> None:
    s3_store.put_file(CAFE, write(tmp_path / "a.mp3", blob(300)), AUDIO, CACHE)
    s3_store.put_bytes("feed.xml", b"<rss/>", FEED, FEED_CACHE)
    client = s3_client(s3_store.endpoint())
    heads = [client.head_object(Bucket=s3_store.bucket, Key=PREFIX + key) for key in (CAFE, "feed.xml")]
    assert [(h["ContentType"], h["CacheControl"], h["ContentLength"]) for h in heads] == [
        (AUDIO, CACHE, 300),
        (FEED, FEED_CACHE, 6),
    ]


def test_s3_anonymous_range_get_returns_206_and_the_first_100_bytes(s3_store: S3Store, tmp_path: Path) -> None:
    """What a podcast app does against a public bucket: a plain HTTP GET with a Range, no signature."""
    s3_store.put_file(CAFE, write(tmp_path / "a.mp3", blob(3_000)), AUDIO, CACHE)
    url = f"{s3_store.endpoint()}/{s3_store.bucket}/{urllib.parse.quote(PREFIX + CAFE)}"
    request = urllib.request.Request(url, headers={"Range": "bytes=0-99"})
    with urllib.request.urlopen(request, timeout=10) as response:
        status, headers, body = response.status, response.headers, response.read()
    assert (status, body) == (206, blob(3_000)[:100])
    assert headers["Content-Range"] == "bytes 0-99/3000"
    assert headers["Content-Type"] == AUDIO


def test_s3_a_20_mib_file_goes_through_multipart(s3_store: S3Store, tmp_path: Path) -> None:
    data = blob(20 * MIB, 3)
    s3_store.put_file("episodes/long.mp3", write(tmp_path / "long.mp3", data), AUDIO, CACHE)
    head = s3_client(s3_store.endpoint()).head_object(Bucket=s3_store.bucket, Key=PREFIX + "episodes/long.mp3")
    assert head["ETag"].strip('"').endswith("-2"), head["ETag"]  # 16 MiB + 4 MiB parts
    assert s3_store.list() == {"episodes/long.mp3": StoredObject("episodes/long.mp3", 20 * MIB)}
    assert s3_store.read("episodes/long.mp3") == data


def test_s3_list_pages_past_1000_keys(s3_store: S3Store, tmp_path: Path) -> None:
    source = write(tmp_path / "tiny", b"x")
    keys = [f"many/{n:04d}.txt" for n in range(1_050)]
    s3_store.put_files([(key, source, "text/plain", "no-cache") for key in keys], workers=16)
    pages = (
        s3_client(s3_store.endpoint()).get_paginator("list_objects_v2").paginate(Bucket=s3_store.bucket, Prefix=PREFIX)
    )
    assert [len(page.get("Contents", [])) for page in pages] == [1_000, 50]  # the server does page
    assert s3_store.list() == {key: StoredObject(key, 1) for key in keys}


def test_s3_list_stays_under_its_prefix(s3_store: S3Store, s3_endpoint: str) -> None:
    client = s3_client(s3_endpoint)
    for key in ("outside.xml", "shows/apa-other/feed.xml", "shows/feed.xml", PREFIX + "inside.xml"):
        client.put_object(Bucket=s3_store.bucket, Key=key, Body=b"12")
    client.put_object(Bucket=s3_store.bucket, Key=PREFIX + "folder/", Body=b"")  # a console's folder marker
    assert s3_store.list() == {"inside.xml": StoredObject("inside.xml", 2)}


def test_s3_store_whole_bucket(aws_env: dict[str, str], s3_bucket: str, s3_endpoint: str) -> None:
    store = S3Store.from_spec(f"s3://{s3_bucket}", endpoint_url=s3_endpoint)
    store.put_bytes("feed.xml", b"<rss/>", FEED, FEED_CACHE)
    assert (store.describe(), store.list()) == (f"s3://{s3_bucket}/", {"feed.xml": StoredObject("feed.xml", 6)})


def test_s3_endpoint_from_the_environment(
    aws_env: dict[str, str], s3_bucket: str, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No endpoint given: boto3's AWS_ENDPOINT_URL_S3 decides, as boto3 documents."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    store = open_store(f"s3://{s3_bucket}/env", Path("."))
    store.put_bytes("feed.xml", b"<rss/>", FEED, FEED_CACHE)
    assert isinstance(store, S3Store) and store.endpoint() == s3_endpoint
    assert s3_client(s3_endpoint).get_object(Bucket=s3_bucket, Key="env/feed.xml")["Body"].read() == b"<rss/>"


def test_s3_one_shared_client_with_the_configured_retries_and_pool(aws_env: dict[str, str]) -> None:
    store = S3Store.from_spec("s3://bucket/p", endpoint_url="http://127.0.0.1:1", addressing_style="path")
    client = store.client()
    assert store.client() is client
    config = vars(client.meta.config)  # botocore sets the options as plain attributes
    assert config["retries"] == {"mode": "standard", "total_max_attempts": 6}  # botocore: 5 retries after the first
    assert (config["max_pool_connections"], config["s3"]) == (16, {"addressing_style": "path"})


@pytest.mark.parametrize(
    ("spec", "bucket", "prefix", "described"),
    [
        ("s3://my-show", "my-show", "", "s3://my-show/"),
        ("s3://my-show/", "my-show", "", "s3://my-show/"),
        ("s3://my-show/feeds/apa", "my-show", "feeds/apa/", "s3://my-show/feeds/apa/"),
        ("s3://my-show//feeds//apa/", "my-show", "feeds/apa/", "s3://my-show/feeds/apa/"),
    ],
)
def test_s3_spec_is_parsed(spec: str, bucket: str, prefix: str, described: str) -> None:
    store = S3Store.from_spec(spec)
    assert (store.bucket, store.prefix, store.describe()) == (bucket, prefix, described)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("s3://", '"s3://" names no bucket; expected s3://BUCKET or s3://BUCKET/PREFIX'),
        ("s3:///feeds", '"s3:///feeds" names no bucket; expected s3://BUCKET or s3://BUCKET/PREFIX'),
        ("gs://bucket", '"gs://bucket" is not an S3 location; expected s3://BUCKET or s3://BUCKET/PREFIX'),
        (
            "s3://my show/x",
            '"my show" is not a valid bucket name in "s3://my show/x"; expected letters, '
            "digits, dots and hyphens, e.g. s3://my-podcast/feed",
        ),
        (
            f"s3://AKIAKEY:{SECRET}@bucket/x",
            "an s3:// location holds no credentials or port; expected "
            "s3://BUCKET/PREFIX (give credentials through the environment, a profile or a role)",
        ),
    ],
)
def test_s3_bad_spec_is_a_storage_error(spec: str, message: str) -> None:
    with pytest.raises(StorageError) as caught:
        S3Store.from_spec(spec)
    assert str(caught.value) == message


# --- S3 errors a producer can act on, with a secret in the environment that must never show ---------

Case = Callable[[pytest.FixtureRequest], tuple[S3Store, str]]
DENIED = "access denied to s3://{}/show/: check your AWS credentials (environment, profile or role)"


def missing_bucket(request: pytest.FixtureRequest) -> tuple[S3Store, str]:
    endpoint = request.getfixturevalue("s3_endpoint")
    store = S3Store.from_spec("s3://apa-no-such-bucket/show", endpoint_url=endpoint)
    return store, f'bucket "apa-no-such-bucket" does not exist at {endpoint}'


def unreachable(request: pytest.FixtureRequest) -> tuple[S3Store, str]:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    store = S3Store("bucket", "show/", endpoint_url=endpoint, max_attempts=0)  # no retry: keep the test quick
    return store, f"cannot reach the S3 endpoint {endpoint}; check the endpoint URL and your network"


def rejected(key_id: str) -> Case:
    def case(request: pytest.FixtureRequest) -> tuple[S3Store, str]:
        server: WeedServer = request.getfixturevalue("s3_auth_server")
        bucket = server.create_bucket()
        request.getfixturevalue("monkeypatch").setenv("AWS_ACCESS_KEY_ID", key_id)
        return S3Store.from_spec(f"s3://{bucket}/show", endpoint_url=server.endpoint), DENIED.format(bucket)

    return case


def no_credentials(request: pytest.FixtureRequest) -> tuple[S3Store, str]:
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = S3Store.from_spec("s3://bucket/show", endpoint_url=request.getfixturevalue("s3_endpoint"))
    return store, (
        "no AWS credentials found for s3://bucket/show/: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
        "name a profile (AWS_PROFILE), or run where an instance or task role is available"
    )


def unknown_profile(request: pytest.FixtureRequest) -> tuple[S3Store, str]:
    store = S3Store.from_spec("s3://bucket/show", endpoint_url=request.getfixturevalue("s3_endpoint"), profile="apa")
    return store, 'AWS profile "apa" is not configured (see ~/.aws/config)'


ERROR_CASES: dict[str, Case] = {
    "missing bucket": missing_bucket,
    "unreachable endpoint": unreachable,
    "wrong secret key": rejected(ACCESS_KEY),  # SignatureDoesNotMatch
    "unknown access key id": rejected("AKIAUNKNOWN"),  # InvalidAccessKeyId
    "no credentials": no_credentials,
    "unknown profile": unknown_profile,
}


@pytest.mark.parametrize("case", ERROR_CASES)
def test_s3_errors_say_what_to_fix_and_never_show_the_secret(
    case: str, request: pytest.FixtureRequest, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    store, expected = ERROR_CASES[case](request)
    source = write(tmp_path / "a.mp3", b"audio")
    operations: dict[str, Callable[[], object]] = {
        "list": store.list,
        "read": lambda: store.read("feed.xml"),
        "put_bytes": lambda: store.put_bytes("feed.xml", b"<rss/>", FEED, FEED_CACHE),
        "put_file": lambda: store.put_file("a.mp3", source, AUDIO, CACHE),
        "put_files": lambda: store.put_files([("a.mp3", source, AUDIO, CACHE)]),
    }
    for name, operation in operations.items():
        with pytest.raises(StorageError) as caught:
            operation()
        assert (name, str(caught.value)) == (name, expected)
        assert SECRET not in "".join(traceback.format_exception(caught.value))


def test_s3_the_right_credentials_pass_the_auth_server(
    s3_auth_server: WeedServer, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the rejected-credentials cases: the same server accepts its identity."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    store = S3Store.from_spec(f"s3://{s3_auth_server.create_bucket()}/show", endpoint_url=s3_auth_server.endpoint)
    store.put_bytes("feed.xml", b"<rss/>", FEED, FEED_CACHE)
    assert store.read("feed.xml") == b"<rss/>"


def test_s3_server_stopped_then_restarted(s3_dedicated_server: WeedServer, aws_env: dict[str, str]) -> None:
    server = s3_dedicated_server
    bucket = server.create_bucket()
    store = S3Store(bucket, "show/", endpoint_url=server.endpoint, max_attempts=0)
    store.put_bytes("feed.xml", b"<rss>1</rss>", FEED, FEED_CACHE)
    server.stop(kill=True)
    with pytest.raises(StorageError, match="^cannot reach the S3 endpoint http://127.0.0.1:"):
        store.put_bytes("feed.xml", b"<rss>2</rss>", FEED, FEED_CACHE)
    server.start()
    assert store.read("feed.xml") == b"<rss>1</rss>"
    store.put_bytes("feed.xml", b"<rss>2</rss>", FEED, FEED_CACHE)
    assert store.read("feed.xml") == b"<rss>2</rss>"


# --- delete, metadata and retries on S3 ----------------------------------------------------------


def test_s3_delete_goes_in_batches_of_1000(s3_store: S3Store) -> None:
    requests: list[int] = []
    s3_store.client().meta.events.register(
        "before-send.s3.DeleteObjects", lambda request, **_: requests.append(request.body.count(b"<Key>"))
    )
    keys = [f"many/{n:04d}.txt" for n in range(1_050)]
    s3_store.put_files([(key, b"x", "text/plain", "no-cache") for key in keys], workers=16)
    s3_store.put_bytes("keep.txt", b"k", "text/plain", "no-cache")
    s3_store.delete(keys)
    assert requests == [1_000, 50]
    assert s3_store.list() == {"keep.txt": StoredObject("keep.txt", 1)}


def test_s3_sha256_metadata_given_or_computed(s3_store: S3Store, tmp_path: Path) -> None:
    """A file's hash comes from the caller (the hash cache: no re-read); bytes are hashed by the store."""
    data = blob(1_000, 5)
    s3_store.put_files(
        [
            Upload("a.mp3", write(tmp_path / "a.mp3", data), AUDIO, CACHE, hashlib.sha256(data).hexdigest()),
            Upload("c.json", b"{}", "application/json+chapters", CACHE),
            Upload("plain.mp3", write(tmp_path / "p.mp3", data), AUDIO, CACHE),
        ]
    )
    client = s3_client(s3_store.endpoint())
    metadata = {
        k: client.head_object(Bucket=s3_store.bucket, Key=PREFIX + k)["Metadata"]
        for k in ("a.mp3", "c.json", "plain.mp3")
    }
    assert metadata == {
        "a.mp3": {"sha256": hashlib.sha256(data).hexdigest()},
        "c.json": {"sha256": hashlib.sha256(b"{}").hexdigest()},
        "plain.mp3": {},
    }


def test_s3_throttled_puts_are_retried_with_back_off(
    s3_server: WeedServer, s3_bucket: str, aws_env: dict[str, str], tmp_path: Path
) -> None:
    """Two 503 SlowDown answers, over real HTTP from a proxy in front of the server, then success."""
    with FlakyProxy(s3_server.endpoint, method="PUT", failures=2) as proxy:
        store = S3Store(s3_bucket, "show/", endpoint_url=proxy.endpoint, max_attempts=2)
        store.put_bytes("feed.xml", b"<rss/>", FEED, FEED_CACHE)
        assert [(m, status) for m, _, status in proxy.seen] == [("PUT", 503), ("PUT", 503), ("PUT", 200)]
        proxy.failures = 1
        store.put_files([("a.mp3", write(tmp_path / "a.mp3", blob(500)), AUDIO, CACHE)])
    assert s3_client(s3_server.endpoint).get_object(Bucket=s3_bucket, Key="show/feed.xml")["Body"].read() == b"<rss/>"
    assert store.list() == {"a.mp3": StoredObject("a.mp3", 500), "feed.xml": StoredObject("feed.xml", 6)}


def test_s3_throttling_past_the_retries_is_a_clear_error(
    s3_server: WeedServer, s3_bucket: str, aws_env: dict[str, str]
) -> None:
    with FlakyProxy(s3_server.endpoint, method="PUT", failures=2) as proxy:
        store = S3Store(s3_bucket, "show/", endpoint_url=proxy.endpoint, max_attempts=1)
        with pytest.raises(StorageError) as caught:
            store.put_bytes("feed.xml", b"<rss/>", FEED, FEED_CACHE)
        assert len(proxy.seen) == 2
    assert str(caught.value) == (
        f"cannot upload s3://{s3_bucket}/show/feed.xml: the S3 service answered SlowDown (Please reduce your request rate)"
    )
