"""Several shows in one tree (issue 14): ``publish --all``, ``check --all`` and ``status --all`` find every
feed.yaml under the current folder (never in episodes/, hidden folders, public/ or a show's store), run each show
in turn with a header and end with one summary; one show's failure leaves the others published; each show keeps
its own podcast:guid, lock and history; shows that would write to the same store are refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree
from showtree import shared_file, show
from typer.testing import CliRunner

from apa_feed.cli import app

runner = CliRunner()
NS = {"podcast": "https://podcastindex.org/namespace/1.0", "atom": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two shows sharing shows/shared.yaml (its base_url and storage): shows/doc and shows/journal."""
    shared_file(tmp_path)
    show(tmp_path, "doc")
    show(tmp_path, "journal")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _publish(*extra: str) -> tuple[int, str]:
    """The exit status, and what a terminal would show: stdout (headers, summary), then stderr (the errors)."""
    result = runner.invoke(app, ["publish", "--all", "--no-verify", "-q", *extra])
    return result.exit_code, result.stdout + "\n" + result.stderr


def test_publish_all_publishes_every_show_each_with_its_own_guid_lock_and_history(tree: Path) -> None:
    code, output = _publish()
    assert code == 0, output
    assert "== shows/doc (shows/doc/feed.yaml) ==" in output
    assert "== shows/journal (shows/journal/feed.yaml) ==" in output
    assert "\n2 shows: 2 published, 0 failed\n" in output
    guids, selves = set(), set()
    for name in ("doc", "journal"):
        feed = etree.parse(str(tree / "shows" / "public" / name / "feed.xml")).getroot()
        guids.add(feed.findtext("channel/podcast:guid", namespaces=NS))
        selves.add(feed.find("channel/atom:link[@rel='self']", namespaces=NS).get("href"))  # type: ignore[union-attr]
        lock = json.loads((tree / "shows" / name / "apa-feed.lock").read_text(encoding="utf-8"))
        assert lock["feed_url"] == f"https://apa.example/podcast/{name}/feed.xml"
        assert [e["slug"] for e in lock["episodes"]] == [next((tree / "shows" / name / "episodes").iterdir()).name]
        assert any((tree / "shows" / "public" / name / "history").iterdir())
    assert len(guids) == 2 and None not in guids
    assert selves == {f"https://apa.example/podcast/{n}/feed.xml" for n in ("doc", "journal")}


def test_one_shows_failure_leaves_the_others_published(tree: Path) -> None:
    config = tree / "shows" / "doc" / "feed.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "explicit: yes\n", encoding="utf-8")
    code, output = _publish()
    assert code == 1
    assert 'error: shows/doc/feed.yaml:5:11: explicit: expected true or false, got "yes"' in output
    assert "1 problem in 1 file; nothing was published." in output
    assert "\n2 shows: 1 published, 1 failed (shows/doc)\n" in output
    assert not (tree / "shows" / "public" / "doc").exists()
    assert (tree / "shows" / "public" / "journal" / "feed.xml").is_file()


def test_all_skips_episodes_hidden_folders_public_and_stores(tree: Path) -> None:
    decoy = (tree / "shows" / "doc" / "feed.yaml").read_text(encoding="utf-8")
    for folder in ("shows/doc/episodes/x", ".git/old", "public", "shows/out/inner"):
        (tree / folder).mkdir(parents=True, exist_ok=True)
        (tree / folder / "feed.yaml").write_text(decoy, encoding="utf-8")
    lone = show(tree, "solo", "storage: ../out\nbase_url: https://apa.example/solo/\n")  # its store is shows/out
    result = runner.invoke(app, ["check", "--all", "--loudness", "off"])
    assert result.exit_code == 0, result.output
    headers = [line for line in result.output.splitlines() if line.startswith("== ")]
    assert headers == [
        "== shows/doc (shows/doc/feed.yaml) ==",
        "== shows/journal (shows/journal/feed.yaml) ==",
        f"== shows/solo ({lone.relative_to(tree)}) ==",
    ]
    assert result.stdout.rstrip().endswith("3 shows: 3 ok, 0 failed")


def test_shows_writing_to_one_store_are_refused_before_anything_is_written(tree: Path) -> None:
    for name, feed in (("doc", "doc.xml"), ("journal", "journal.xml")):
        config = tree / "shows" / name / "feed.yaml"
        extra = f"storage: ../public\nbase_url: https://apa.example/podcast/\nfeed_file: {feed}\n"
        config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    code, output = _publish()
    assert code == 1
    assert (
        "error: shows/doc/feed.yaml and shows/journal/feed.yaml publish to the same store (shows/public): one would "
        "write over the other's feed, pages and records; give each show its own storage folder or prefix"
    ) in output
    assert "\n2 shows: 0 published, 2 failed (shows/doc, shows/journal)\n" in output
    assert not (tree / "shows" / "public").exists()


def test_the_same_base_url_with_storage_prefixes_publishes_side_by_side(tree: Path) -> None:
    shutil.rmtree(tree / "shows" / "journal")
    show(tree, "journal", "storage: ../public/daily\nbase_url: https://apa.example/podcast/daily/\nfeed_file: j.xml\n")
    code, output = _publish()
    assert code == 0, output
    store = tree / "shows" / "public"
    assert sorted(p.name for p in store.iterdir()) == ["daily", "doc"]
    assert b"Show doc" in (store / "doc" / "feed.xml").read_bytes()
    assert b"Show journal" in (store / "daily" / "j.xml").read_bytes()


def test_status_all_and_its_summary(tree: Path) -> None:
    assert _publish()[0] == 0
    result = runner.invoke(app, ["status", "--all"])
    assert result.exit_code == 0, result.output
    assert "feed: https://apa.example/podcast/journal/feed.xml" in result.output
    assert result.stdout.rstrip().endswith("2 shows: 2 fine, 0 failed")


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["publish", "--all", "-f", "shows/doc/feed.yaml"], "-f/--config"),
        (["check", "--all", "--config", "x.yaml"], "-f/--config"),
        (["status", "--all", "--storage", "out"], "--storage"),
        (["publish", "--all", "--json"], "--json"),
    ],
)
def test_all_refuses_options_naming_one_show(tree: Path, command: list[str], option: str) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 1
    assert f"error: --all runs every show under this folder with its own feed.yaml; leave out {option}" in (
        result.output
    )
    assert not (tree / "shows" / "public").exists()


def test_all_with_no_show_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "--all"])
    assert result.exit_code == 1
    assert "error: no feed.yaml under this folder" in result.output
