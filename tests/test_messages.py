"""Every bad input is a message: one ``error: …`` line, exit 1 (2 for a bug), never a traceback or a secret."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import add_episode, episode_yaml
from typer.testing import CliRunner

from apa_feed.cli import app

runner = CliRunner()
BUG = "error: internal error (RuntimeError: boom); please report it — run again with --debug for the traceback"


def one_error(stderr: str) -> str:
    """The last line of stderr, after checking that no traceback came before it."""
    assert "Traceback" not in stderr, stderr
    return stderr.strip().splitlines()[-1]


def explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_a_bug_is_one_line_with_exit_2_and_its_traceback_only_under_debug(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apa_feed.checks.report.check_project", explode)
    result = runner.invoke(app, ["check"])
    assert (result.exit_code, one_error(result.stderr)) == (2, BUG)
    debug = runner.invoke(app, ["--debug", "check"])
    assert debug.exit_code == 2
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1] == BUG
    from_env = runner.invoke(app, ["check"], env={"APA_FEED_DEBUG": "1"})
    assert "Traceback (most recent call last)" in from_env.stderr


def test_a_bug_never_echoes_a_password_in_a_url(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def leak(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no answer from https://user:secret@example.com/x")

    monkeypatch.setattr("apa_feed.build.build_project", leak)
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 2
    assert "https://***@example.com/x" in one_error(result.stderr)
    assert "secret" not in result.output


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing/folder/feed.xml", "cannot write missing/folder/feed.xml: the folder missing/folder does not exist"),
        ("episodes", "cannot write episodes: it is a folder; name a file"),
        ("feed.yaml/feed.xml", "cannot write feed.yaml/feed.xml: Not a directory"),
    ],
)
def test_build_to_a_place_it_cannot_write_says_why(project: Path, target: str, message: str) -> None:
    result = runner.invoke(app, ["build", "-o", target])
    assert (result.exit_code, one_error(result.stderr)) == (1, f"error: {message}")


def test_build_in_a_show_it_cannot_write_says_where(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_episode(project, "2025-12-01-new", episode_yaml("New", "2025-12-01"))  # no GUID: build writes one

    def refuse(path: Path, data: bytes) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr("apa_feed.config.episodes.write_atomic", refuse)
    result = runner.invoke(app, ["build", "-o", "feed.xml"])
    assert result.exit_code == 1
    assert one_error(result.stderr) == (
        "error: episodes/2025-12-01-new/episode.yaml: Permission denied; check the permissions"
    )


def test_serve_on_a_taken_port_suggests_another(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert one_error(result.stderr) == (
        f"error: port {port} on 127.0.0.1 is already in use; pick another port, e.g. --port {port + 1} "
        "(or --port 0 for any free one)"
    )


@pytest.mark.parametrize("port", ["70000", "65536", "-1"])
def test_serve_on_a_port_out_of_range_says_which_are_ports(project: Path, port: str) -> None:
    result = runner.invoke(app, ["serve", "--port", port])
    assert result.exit_code == 1
    assert one_error(result.stderr) == f"error: --port {port}: expected a port from 1 to 65535 (or 0 for any free port)"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", [["publish", "--dry-run"], ["rollback"]])
def test_an_s3_endpoint_password_is_never_in_a_message(
    project: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setattr("apa_feed.storage.s3.MAX_ATTEMPTS", 0)  # no back-off against a closed port
    for name, value in {"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "key", "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    text = (project / "feed.yaml").read_text(encoding="utf-8").replace("storage: public\n", "")
    endpoint = f"http://apa:s3cr3t-word@127.0.0.1:{closed_port()}/"
    text += f"storage: s3://bucket/show\ns3:\n  endpoint_url: {endpoint}\n"
    (project / "feed.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, command)
    assert result.exit_code == 1
    assert "s3cr3t" not in result.output
    assert "apa:" not in result.output
    assert one_error(result.stderr).startswith("error: cannot reach the S3 endpoint http://***@127.0.0.1:")


def strict_utf8_run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    return subprocess.run([sys.executable, "-m", "apa_feed", *args], cwd=cwd, env=env, capture_output=True, timeout=120)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_a_folder_name_that_is_not_utf8_is_printed_escaped(project: Path) -> None:
    bad = os.path.join(os.fsencode(project / "episodes"), b"\xff-bad")
    os.mkdir(bad)
    with open(os.path.join(bad, b"episode.yaml"), "wb") as file:
        file.write(b"titel: x\n")
    result = strict_utf8_run(["check", "--json"], project)
    assert (result.returncode, result.stderr) == (1, b"")
    assert b'"file": "episodes/\\udcff-bad/episode.yaml"' in result.stdout  # a JSON escape, so the JSON reads
    assert b"unknown field" in result.stdout


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_init_in_a_folder_whose_name_is_not_utf8_prints_what_it_made(tmp_path: Path) -> None:
    result = strict_utf8_run(["init", os.fsdecode(b"\xff-show")], tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert b"created \\udcff-show/feed.yaml\n" in result.stdout
