"""``extends:`` in feed.yaml (issue 14): a show takes every field it does not set from a shared YAML file in the
tree; the shared file's mistakes are located in it; what leaves the tree, chains, loops and one show's own
fields (podcast_guid, title…) are refused, each with its file, line and column. Through the command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree
from showtree import SHARED, shared_file, show
from typer.testing import CliRunner

from apa_feed.cli import app

runner = CliRunner()
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0"}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder apa-feed runs in: shows/shared.yaml and the show shows/doc."""
    shared_file(tmp_path)
    show(tmp_path, "doc", "owner: {name: Les documentaires}\ncopyright: © Doc\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _feed(tree: Path) -> etree._Element:
    result = runner.invoke(app, ["build", "-f", "shows/doc/feed.yaml", "-o", "feed.xml"])
    assert result.exit_code == 0, result.output
    return etree.parse(str(tree / "feed.xml")).getroot()


def _check(config: str = "shows/doc/feed.yaml") -> str:
    result = runner.invoke(app, ["check", "-f", config, "--loudness", "off"])
    assert result.exit_code == 1, result.output
    return result.output


def test_a_show_takes_every_field_it_does_not_set_and_mappings_merge_key_by_key(tree: Path) -> None:
    channel = _feed(tree).find("channel")
    assert channel is not None
    assert channel.findtext("itunes:author", namespaces=NS) == "Agence Presse Audio"
    assert channel.findtext("language") == "fr"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "Les documentaires"  # the show's own
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "podcast@apa.example"  # the shared one
    assert channel.findtext("copyright") == "© Doc"  # the show's value wins
    assert [c.get("text") for c in channel.findall("itunes:category", namespaces=NS)] == ["News"]
    enclosure = channel.find("item/enclosure")
    assert enclosure is not None
    assert enclosure.get("url", "").startswith("https://apa.example/podcast/doc/episodes/")  # its own folder there


def test_a_list_the_show_sets_replaces_the_shared_one(tree: Path) -> None:
    config = tree / "shows" / "doc" / "feed.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "categories: [Arts]\n", encoding="utf-8")
    channel = _feed(tree).find("channel")
    assert channel is not None
    assert [c.get("text") for c in channel.findall("itunes:category", namespaces=NS)] == ["Arts"]


def test_shared_storage_gives_each_show_its_own_folder(tree: Path) -> None:
    result = runner.invoke(app, ["publish", "-f", "shows/doc/feed.yaml", "--no-verify", "-q"])
    assert result.exit_code == 0, result.output
    assert "feed: https://apa.example/podcast/doc/feed.xml (file: shows/public/doc/feed.xml)" in result.output
    assert (tree / "shows" / "public" / "doc" / "feed.xml").is_file()
    assert (tree / "shows" / "doc" / "apa-feed.lock").is_file()


def test_mistakes_in_the_shared_file_are_located_in_it(tree: Path) -> None:
    shared_file(tree, SHARED.replace("explicit: false", "explicit: yes") + "ownr: {name: x}\n")
    output = _check()
    assert 'error: shows/shared.yaml:9:11: explicit: expected true or false, got "yes"' in output
    assert 'error: shows/shared.yaml:12:1: ownr: unknown field; did you mean "owner"?' in output
    assert "shows/doc/feed.yaml:" not in output


def test_a_syntax_error_in_the_shared_file_is_located_in_it(tree: Path) -> None:
    shared_file(tree, "author: [unclosed\n")
    assert "error: shows/shared.yaml:2:1: invalid YAML" in _check()


@pytest.mark.parametrize(
    ("field", "why"),
    [
        ("podcast_guid: 4d435bfa-2b77-564b-ac1c-5cbb13c29d77", "each show has its own podcast:guid"),
        ("title: Le réseau", "each show has its own title"),
        ("description: Tout.", "each show has its own description"),
        ("image: ../cover.jpg", "each show has its own cover, next to its feed.yaml"),
    ],
)
def test_one_shows_own_fields_are_refused_in_the_shared_file(tree: Path, field: str, why: str) -> None:
    shared_file(tree, SHARED + field + "\n")
    name = field.split(":")[0]
    assert f"error: shows/shared.yaml:12:1: {name}: not allowed in a shared file: {why}" in _check()


def _extends(tree: Path, target: str) -> None:
    config = tree / "shows" / "doc" / "feed.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    config.write_text("\n".join([f"extends: {target}", *lines[1:]]) + "\n", encoding="utf-8")


def test_a_shared_file_outside_the_tree_is_refused(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "shared.yaml"
    outside.write_text(SHARED, encoding="utf-8")
    _extends(tree, os.path.relpath(outside, tree / "shows" / "doc"))
    output = _check()
    assert f"error: shows/doc/feed.yaml:1:10: extends: expected a file inside the folder apa-feed runs in ({tree})" in (
        output
    )
    (tree / "shows" / "link.yaml").symlink_to(outside)
    _extends(tree, "../link.yaml")
    assert "(a link to outside it); run apa-feed from the folder holding the shows" in _check()


def test_a_missing_shared_file_is_located_in_feed_yaml(tree: Path) -> None:
    _extends(tree, "../nothing.yaml")
    assert 'error: shows/doc/feed.yaml:1:10: extends: expected a YAML file, got "../nothing.yaml" (no such file)' in (
        _check()
    )


def test_chains_and_loops_are_refused(tree: Path) -> None:
    (tree / "shows" / "base.yaml").write_text(SHARED, encoding="utf-8")
    shared_file(tree, "extends: base.yaml\nauthor: APA\n")
    assert "error: shows/shared.yaml:1:1: extends: a chain: a shared file may not itself say extends:" in _check()
    shared_file(tree, "extends: doc/feed.yaml\n")
    assert "error: shows/shared.yaml:1:1: extends: a loop: it names shows/doc/feed.yaml back" in _check()
    _extends(tree, "feed.yaml")
    assert "error: shows/doc/feed.yaml:1:10: extends: a loop: extends names this file itself" in _check()


def test_storage_and_base_url_come_together(tree: Path) -> None:
    config = tree / "shows" / "doc" / "feed.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "storage: ../out\n", encoding="utf-8")
    output = _check()
    assert "error: shows/doc/feed.yaml:7:1: storage: set here but base_url comes from shows/shared.yaml" in output
    assert "set both storage and base_url in this feed.yaml, or neither" in output


def test_a_field_from_the_shared_file_is_not_reported_missing(tree: Path) -> None:
    result = runner.invoke(app, ["check", "-f", "shows/doc/feed.yaml", "--loudness", "off"])
    assert result.exit_code == 0, result.output
    assert "explicit: not set" not in result.output  # explicit comes from shared.yaml
