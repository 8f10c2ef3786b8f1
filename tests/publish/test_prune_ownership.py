"""``publish --prune`` deletes only what apa-feed itself put on the store, and a folder a cloned feed.yaml
names outside the show is not written to unless it is already apa-feed's (or named on the command line)."""
# ruff: noqa: F811

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from s3server import WeedServer, aws_env, point_at, s3_server, show, store_of  # noqa: F401  (fixtures)
from typer.testing import CliRunner

import apa_feed.publish.run as publish_run
from apa_feed.build import Options
from apa_feed.cli import app
from apa_feed.config.show import load_show
from apa_feed.errors import StorageError
from apa_feed.publish.plan import RECORD, make_plan, read_record
from apa_feed.publish.run import publish
from apa_feed.storage import StoredObject

USER_FILES = {
    "notes.txt": b"my own notes\n",
    "photo.jpg": b"\xff\xd8 not really a photo",
    "music/song.mp3": b"ID3 my song",
    "episodes/holiday/audio-0123456789ab.mp3": b"looks like apa-feed's, is not",
}


@pytest.fixture(autouse=True)
def no_prune_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests prune orphans made a moment before: no grace period (test_lease.py tests the grace)."""
    monkeypatch.setattr(publish_run, "PRUNE_GRACE", 0.0)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Someone's own folder outside the show, full of their files."""
    folder = tmp_path_factory.mktemp("home") / "Documents"
    for key, data in USER_FILES.items():
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        (folder / key).write_bytes(data)
    return folder


def name_storage(project: Path, spec: str) -> None:
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(re.sub(r"^storage: .*$", f"storage: {spec}", text, flags=re.M), "utf-8")


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apa_feed", *args], cwd=root, capture_output=True, text=True)


# --- a folder named by feed.yaml outside the show ---------------------------------------------------


def test_a_users_folder_named_by_feed_yaml_is_refused_and_nothing_is_deleted(project: Path, documents: Path) -> None:
    name_storage(project, str(documents))
    done = cli(project, "publish", "--prune")
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f'error: storage "{documents}" (named by feed.yaml) lies outside the show, holds files and no feed or '
        "record of apa-feed's: refusing to publish there; if it is meant to be this show's store, pass it "
        "on the command line: --storage "
        f"{documents}\n"
    )
    assert files(documents) == USER_FILES


@pytest.mark.parametrize("how", ["relative", "link"])
def test_a_folder_reached_by_dotdot_or_a_linked_public_is_refused_too(project: Path, documents: Path, how: str) -> None:
    if how == "relative":
        name_storage(project, f"../{documents.parent.name}/Documents")
    else:
        (project / "public").symlink_to(documents, target_is_directory=True)
    with pytest.raises(StorageError, match="pass it on the command line: --storage"):
        publish(Options(project / "feed.yaml", now=NOW), prune=True)
    with pytest.raises(StorageError, match="refusing to publish there"):
        publish(Options(project / "feed.yaml", now=NOW), dry_run=True, prune=True)
    assert files(documents) == USER_FILES


def test_an_empty_or_missing_folder_outside_the_show_is_fine(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    target = tmp_path_factory.mktemp("site") / "podcast"
    name_storage(project, str(target))
    publish(Options(project / "feed.yaml", now=NOW), prune=True)
    assert (target / "feed.xml").is_file() and (target / RECORD).is_file()


def test_the_command_line_is_trusted_and_prune_still_deletes_none_of_the_users_files(
    project: Path, documents: Path
) -> None:
    report = publish(Options(project / "feed.yaml", storage=str(documents), now=NOW), prune=True)
    assert report.plan.deletes == ()
    assert {(a.key, a.reason) for a in report.plan.actions if a.kind == "orphan"} == {
        (key, "kept: not written by apa-feed (not in its record on the store)") for key in USER_FILES
    }
    assert (documents / "feed.xml").is_file()
    stored = files(documents)
    assert {k: stored[k] for k in USER_FILES} == USER_FILES
    name_storage(project, str(documents))  # now apa-feed's: feed.yaml may name it
    again = publish(Options(project / "feed.yaml", now=NOW), prune=True)
    assert again.plan.deletes == () and {k: files(documents)[k] for k in USER_FILES} == USER_FILES


# --- only apa-feed's own orphans go, on either store -------------------------------------------------


def put_by_someone_else(project: Path, key: str) -> None:
    """An object apa-feed did not write: a plain PUT through the server's own client, or a plain file."""
    spec = load_show(project / "feed.yaml").storage
    if spec.startswith("s3://"):
        bucket, _, prefix = spec[len("s3://") :].partition("/")
        endpoint = load_show(project / "feed.yaml").s3.endpoint_url
        boto3.client("s3", endpoint_url=endpoint).put_object(Bucket=bucket, Key=f"{prefix}/{key}", Body=b"theirs")
    else:
        path = project / "public" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"theirs")


def test_prune_deletes_apa_feeds_own_orphans_and_nothing_someone_else_put(show: Path) -> None:
    add_episode(show, "2025-12-01-two", episode_yaml("Two", "2025-12-01"))
    first = publish(Options(show / "feed.yaml", now=NOW))
    two = {a.key for a in first.plan.uploads if a.key.startswith("episodes/2025-12-01-two/")}
    assert two and two <= set(read_record(store_of(show).read(RECORD)))
    foreign = ["episodes/2025-12-01-two/audio-0123456789ab.mp3", "assets/theirs.css", "theirs.txt"]
    for key in foreign:
        put_by_someone_else(show, key)
    (show / "episodes" / "2025-12-01-two" / "episode.yaml").unlink()  # the episode leaves the show
    publish(Options(show / "feed.yaml", now=NOW), allow=frozenset({"removed"}))
    store = store_of(show)
    store.delete([k for k in store.list() if k.startswith("history/")])  # no rollback that far back
    report = publish(Options(show / "feed.yaml", now=NOW), prune=True, allow=frozenset({"removed"}))
    assert set(report.plan.deletes) == two
    remaining = set(store.list())
    assert not two & remaining and set(foreign) <= remaining
    assert not two & set(read_record(store.read(RECORD))), "what was deleted leaves the record"
    assert f"episodes/{SAMPLE_EPISODE}/index.html" in remaining


def test_plan_deletes_only_recorded_orphans() -> None:
    listing = {k: StoredObject(k, 1) for k in ("feed.xml", "ours.mp3", "theirs.mp3", RECORD)}
    plan = make_plan((), listing, "feed.xml", b"<rss/>", b"<rss/>", prune=True, written=frozenset({"ours.mp3"}))
    assert plan.deletes == ("ours.mp3",)
    assert [(a.kind, a.key) for a in plan.actions if a.kind in ("orphan", "delete")] == [
        ("delete", "ours.mp3"),
        ("orphan", "theirs.mp3"),
    ]


def test_a_folder_of_the_producers_inside_the_show_named_as_storage_is_refused(project: Path) -> None:
    notes = project / "notes"
    notes.mkdir()
    (notes / "ideas.txt").write_text("my own notes\n", encoding="utf-8")
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(re.sub(r"^storage: .*$", "storage: notes", text, flags=re.M), encoding="utf-8")
    result = CliRunner().invoke(app, ["publish", "--prune"])
    assert result.exit_code == 1
    assert "is a folder of the show's, holds files and no feed or record of apa-feed's" in result.stderr
    assert sorted(p.name for p in notes.iterdir()) == ["ideas.txt"]
