"""``podroll:`` (issue 14): a show lists sibling shows of its tree by their folder, and its feed gets
``<podcast:podroll>`` with one ``<podcast:remoteItem feedGuid feedUrl title>`` per sibling, the guid being the
one the sibling's own feed publishes (its feed.yaml's, else its lock's, else computed from its feed URL). A
folder that is missing, not a show, outside the tree or this show itself is a located error in feed.yaml."""

from __future__ import annotations

import os
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from showtree import SHARED, shared_file, show
from typer.testing import CliRunner

from apa_feed.cli import app
from apa_feed.publish.lockfile import podcast_guid

runner = CliRunner()
NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
OWN_GUID = "0b6d7e4e-8d3c-5a41-9e0f-6f5c3b2a1d00"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """shows/doc recommends shows/journal and shows/serie; all three extend shows/shared.yaml."""
    shared_file(tmp_path)
    show(tmp_path, "doc", "podroll: [../journal, ../serie]\n")
    show(tmp_path, "journal")
    show(tmp_path, "serie", "medium: music\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _build(name: str) -> bytes:
    result = runner.invoke(app, ["build", "-f", f"shows/{name}/feed.yaml", "-o", f"{name}.xml"])
    assert result.exit_code == 0, result.output
    return Path(f"{name}.xml").read_bytes()


def _guid(rss: bytes) -> str:
    return etree.fromstring(rss).findtext("channel/podcast:guid", namespaces=NS) or ""


def _roll(rss: bytes) -> list[dict[str, str]]:
    rolls = etree.fromstring(rss).findall("channel/podcast:podroll", namespaces=NS)
    assert len(rolls) == 1  # one podroll per channel, as the namespace says
    return [dict(item.attrib) for item in rolls[0]]


def _set(tree: Path, name: str, extra: str) -> None:
    config = tree / "shows" / name / "feed.yaml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_the_feed_lists_each_sibling_with_the_guid_and_url_its_own_feed_publishes(tree: Path) -> None:
    rss = _build("doc")
    journal, serie = _roll(rss)
    assert journal == {
        "feedGuid": _guid(_build("journal")),
        "feedUrl": "https://apa.example/podcast/journal/feed.xml",
        "title": "Show journal",
    }
    assert journal["feedGuid"] == podcast_guid("https://apa.example/podcast/journal/feed.xml")
    assert serie["medium"] == "music" and serie["feedGuid"] == _guid(_build("serie"))
    assert etree.fromstring(_build("journal")).find("channel/podcast:podroll", namespaces=NS) is None
    parsed = feedparser.parse(rss)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Show doc" and len(parsed.entries) == 1


def test_the_siblings_own_podcast_guid_wins_over_the_computed_one(tree: Path) -> None:
    _set(tree, "journal", f"podcast_guid: {OWN_GUID}\n")
    assert _roll(_build("doc"))[0]["feedGuid"] == OWN_GUID == _guid(_build("journal"))


def test_the_guid_pinned_in_the_siblings_lock_wins_over_the_computed_one(tree: Path) -> None:
    old = ["--base-url", "https://old.example/journal/", "--storage", "old", "--no-verify", "-q"]
    result = runner.invoke(app, ["publish", "-f", "shows/journal/feed.yaml", *old])
    assert result.exit_code == 0, result.output
    pinned = podcast_guid("https://old.example/journal/feed.xml")
    journal = _roll(_build("doc"))[0]
    assert journal["feedGuid"] == pinned == _guid(_build("journal"))
    assert journal["feedUrl"] == "https://apa.example/podcast/journal/feed.xml"


def _check(tree: Path, podroll: str) -> str:
    config = tree / "shows" / "doc" / "feed.yaml"
    kept = [line for line in config.read_text(encoding="utf-8").splitlines() if not line.startswith("podroll:")]
    config.write_text("\n".join([*kept, f"podroll: {podroll}"]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "-f", "shows/doc/feed.yaml", "--loudness", "off"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


def test_a_folder_that_is_not_a_sibling_show_is_a_located_error(tree: Path) -> None:
    line = "error: shows/doc/feed.yaml:5"
    assert f'{line}:23: podroll[1]: expected a show\'s folder, got "../radio" (no such folder)' in _check(
        tree, "[../journal, ../radio]"
    )
    assert f'{line}:11: podroll[0]: expected a show\'s folder, got "../shared.yaml" (a file)' in _check(
        tree, "[../shared.yaml]"
    )
    (tree / "shows" / "empty").mkdir()
    assert 'podroll[0]: expected a show\'s folder, got "../empty" (not a show: no feed.yaml in it)' in _check(
        tree, "../empty"
    )
    assert f'{line}:11: podroll[0]: expected a show\'s folder, got "." (this show itself)' in _check(tree, "[.]")
    assert 'podroll[0]: expected a show\'s folder, got "../doc" (this show itself)' in _check(tree, "[../doc]")
    assert f"{line}:21: podroll[1]: listed twice (first as podroll[0])" in _check(tree, "[../serie, ../serie/]")
    assert f"{line}:10: podroll: expected a list, got a mapping" in _check(tree, "{a: b}")


def test_a_show_outside_the_tree_is_refused_and_never_read(
    tree: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "feed.yaml").write_text("title: [broken\n", encoding="utf-8")
    output = _check(tree, f"[{os.path.relpath(elsewhere, tree / 'shows' / 'doc')}]")
    assert f"(outside it: it must lie inside the folder apa-feed runs in, {tree}); run apa-feed from" in output
    assert "broken" not in output
    (tree / "shows" / "away").symlink_to(elsewhere)
    assert '"../away" (a link to outside it: it must lie inside the folder' in _check(tree, "[../away]")


def test_a_sibling_that_cannot_be_read_is_an_error_at_its_line(tree: Path) -> None:
    _set(tree, "journal", "explicit: yes\n")
    output = _check(tree, "[../serie, ../journal]")
    assert (
        "error: shows/doc/feed.yaml:5:21: podroll[1]: shows/journal cannot be read, so neither can its "
        'podcast:guid: shows/journal/feed.yaml:5:11: explicit: expected true or false, got "yes"; fix that show first'
    ) in output
    (tree / "shows" / "journal" / "feed.yaml").write_text("extends: ../shared.yaml\n", encoding="utf-8")
    (tree / "shows" / "serie" / "apa-feed.lock").write_text("{not json", encoding="utf-8")
    output = _check(tree, "[../serie]")
    assert "error: shows/doc/feed.yaml:5:11: podroll[0]: shows/serie cannot be read" in output


def test_a_shared_file_may_not_set_podroll(tree: Path) -> None:
    shared_file(tree, SHARED + "podroll: [journal]\n")
    result = runner.invoke(app, ["check", "-f", "shows/journal/feed.yaml", "--loudness", "off"])
    assert result.exit_code == 1
    assert (
        "error: shows/shared.yaml:12:1: podroll: not allowed in a shared file: each show lists its own siblings"
    ) in result.output
