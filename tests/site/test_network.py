"""The network's index page (issue 14): ``publish --all`` writes one index.html at the root the shows of a shared
file publish under (each in its own folder), listing every show with its cover, title, description, page and
feed as its live feed gives them; escaped, never over a page it did not write, never on a dry run."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree, html
from showtree import shared_file, show
from typer.testing import CliRunner

from apa_feed.cli import app

runner = CliRunner()
ROOT = "shows/public"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """shows/doc and shows/journal, storage and base_url from shows/shared.yaml: a network rooted at
    shows/public/ and https://apa.example/podcast/."""
    shared_file(tmp_path)
    config = show(tmp_path, "doc")
    title = "title: 'Docs <b>&</b> \"récits\"'"  # markup in a title stays text on the page
    config.write_text(config.read_text(encoding="utf-8").replace("title: Show doc", title), encoding="utf-8")
    show(tmp_path, "journal")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _publish(*extra: str) -> str:
    result = runner.invoke(app, ["publish", "--all", "--no-verify", "-q", *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def _feed(tree: Path, name: str) -> etree._Element:
    return etree.parse(str(tree / ROOT / name / "feed.xml")).getroot()


def test_publish_all_writes_one_index_listing_every_show(tree: Path) -> None:
    output = _publish()
    assert "network index: https://apa.example/podcast/ (2 shows)\n2 shows: 2 published, 0 failed\n" in output
    page = html.fromstring((tree / ROOT / "index.html").read_bytes())
    assert page.get("lang") == "fr"
    assert page.findtext("head/title") == "Agence Presse Audio — Nos émissions"
    assert page.find("head/link[@rel='canonical']").get("href") == "https://apa.example/podcast/"  # type: ignore[union-attr]
    shows = page.findall(".//ul[@class='network']/li")
    assert [li.findtext(".//h2/a") for li in shows] == ['Docs <b>&</b> "récits"', "Show journal"]
    for li, name in zip(shows, ("doc", "journal"), strict=True):
        feed = _feed(tree, name)
        links = [a.get("href") for a in li.iter("a")]
        assert links == [f"https://apa.example/podcast/{name}/", f"https://apa.example/podcast/{name}/feed.xml"]
        assert li.find(".//img").get("src") == feed.find("channel/image/url").text  # type: ignore[union-attr]
        assert li.find(".//img").get("alt", "").startswith("Illustration de « ")  # type: ignore[union-attr]
        assert li.findtext(".//p") == f"The {name} show."
    raw = (tree / ROOT / "index.html").read_text(encoding="utf-8")
    assert "Docs &lt;b&gt;&amp;&lt;/b&gt; &#34;récits&#34;" in raw and "<b>&" not in raw  # escaped, not markup
    own = (tree / ROOT / "doc" / "index.html").read_text(encoding="utf-8")
    assert "Nos émissions" not in own  # each show keeps its own page


def test_a_second_publish_rewrites_its_own_index_and_a_dry_run_writes_none(tree: Path) -> None:
    runner.invoke(app, ["publish", "--all", "--dry-run", "-q"])
    assert not (tree / ROOT / "index.html").exists()
    _publish()
    config = tree / "shows" / "journal" / "feed.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("Show journal", "Le journal"), encoding="utf-8")
    assert "network index: https://apa.example/podcast/ (2 shows)" in _publish()
    assert "Le journal" in (tree / ROOT / "index.html").read_text(encoding="utf-8")


def test_an_index_it_did_not_write_is_left_alone(tree: Path) -> None:
    (tree / ROOT).mkdir(parents=True)
    (tree / ROOT / "index.html").write_text("<p>the agency's own home page</p>", encoding="utf-8")
    output = _publish()
    assert "network index: not written in shows/public/: its index.html was not written by apa-feed's" in output
    assert (tree / ROOT / "index.html").read_text(encoding="utf-8") == "<p>the agency's own home page</p>"
    (tree / ROOT / "index.html").unlink()
    (tree / ROOT / "feed.xml").write_text("<rss/>", encoding="utf-8")  # a show publishing at the root itself
    output = _publish()
    assert "network index: not written in shows/public/: a show publishes its feed there itself" in output
    assert not (tree / ROOT / "index.html").exists()


def test_a_show_alone_under_its_root_gets_no_network_index(tree: Path) -> None:
    config = tree / "shows" / "journal" / "feed.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "storage: ../own\nbase_url: https://own.example/journal/\n",
        encoding="utf-8",
    )
    output = _publish()
    assert "network index" not in output
    assert (tree / ROOT / "doc" / "feed.xml").is_file() and not (tree / ROOT / "index.html").exists()
