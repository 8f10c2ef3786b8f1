"""An import that lands well (issue 15), through the command: itunes:title, CDATA read once, the old host's
episode links left out, the same-day order kept, a failed download that keeps the episode, feeds as podcast
apps read them (undeclared prefixes, Atom, Media RSS), and a saved feed file with ``--feed-url``."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import audiogen
import podcastparser
import pytest
import yaml
from lxml import etree
from PIL import Image
from typer.testing import CliRunner

from apa_feed.build import Options, build_project
from apa_feed.cli import app
from apa_feed.publish.lockfile import podcast_guid, read_lock
from apa_feed.serve import make_server

FEEDS = Path(__file__).parent / "feeds"
PLACEHOLDER = "http://media.invalid"
NOW = datetime(2030, 1, 1, tzinfo=UTC)
AUDIO = [
    "lands/2.mp3",
    "lands/3.mp3",
    "nons/1.mp3",
    "nons/2.mp3",
    "atom/1.mp3",
    "atom/2.mp3",
    "mrss/1.mp3",
    "mrss/2.mp3",
    "mrss/3.mp3",
    "mrss/zero-hour.mp3",
    "saved/media/a.mp3",
    "saved/media/b side.mp3",
    "garagetalk/ep1.mp3",
    "garagetalk/ep2.mp3",
    "garagetalk/trailer.mp3",
    "sahel/s01e01.mp3",
]
SERVED = {  # fixture → where the old host serves it
    "lands.xml": "lands/feed.xml",
    "no-xmlns.xml": "nons/feed.xml",
    "atom.xml": "atom/feed.atom",
    "mediarss.xml": "mrss/feed.xml",
    "libsyn.xml": "garagetalk/rss",
    "podcasting20.xml": "sahel/feed.xml",
}
runner = CliRunner()


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The old host on 127.0.0.1: the fixture feeds, their audio (real MP3) and artwork; no lands/missing.mp3."""
    root = tmp_path_factory.mktemp("oldhost")
    audiogen.write_mp3(root / "tone.mp3", 1.0)
    for name in AUDIO:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes((root / "tone.mp3").read_bytes())
    for name in ("lands/cover.jpg", "art/show.jpg"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (1400, 1400), (20, 90, 160)).save(root / name, "JPEG")
    server = make_server(root)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for fixture, path in SERVED.items():
        (root / path).write_text(feed_text(fixture, base), encoding="utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def feed_text(name: str, base: str) -> str:
    return (FEEDS / name).read_text(encoding="utf-8").replace(PLACEHOLDER, base)


def episode(root: Path, guid: str) -> tuple[Path, dict[str, object]]:
    """The folder and the values of the imported episode whose GUID is ``guid``."""
    for path in sorted(root.glob("episodes/*/episode.yaml")):
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
        if values["guid"] == guid:
            return path.parent, values
    raise AssertionError(f"no episode {guid}")


def build(root: Path) -> etree._Element:
    built = build_project(Options(config=root / "feed.yaml", now=NOW))
    assert not [w.render() for w in built.warnings if w.severity == "error"]
    return etree.fromstring(built.rss)


@dataclass(frozen=True)
class Landed:
    root: Path
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def landed(host: str, tmp_path_factory: pytest.TempPathFactory) -> Landed:
    """``apa-feed import`` of lands.xml from its URL, once for the tests below."""
    root = tmp_path_factory.mktemp("landed") / "show"
    result = runner.invoke(app, ["import", f"{host}/lands/feed.xml", "--into", str(root)])
    return Landed(root, result.exit_code, result.stdout, result.stderr)


def test_itunes_title_is_the_episodes_title_as_apple_shows_it(landed: Landed, host: str) -> None:
    _, later = episode(landed.root, "lands-3")
    assert later["title"] == "Same day, later"
    assert (
        f'warning: {host}/lands/feed.xml: 1 item has an itunes:title other than its <title> (item 1 ("Ep. 3: Same '
        'day, later"): itunes:title "Same day, later"); kept itunes:title, the title Apple Podcasts shows, as the '
        "episode's title"
    ) in landed.stderr.splitlines()
    item = build(landed.root).find("channel/item[guid='lands-3']")
    assert item is not None and item.findtext("title") == "Same day, later"


def test_cdata_descriptions_are_read_once(landed: Landed) -> None:
    show = yaml.safe_load((landed.root / "feed.yaml").read_text(encoding="utf-8"))
    assert show["description"] == "Tom & Jerry\u2019s show"
    _, earlier = episode(landed.root, "lands-2")
    assert earlier["description"] == "Escaped *twice* & read once."
    rss = build(landed.root)
    assert rss.findtext("channel/description") == "Tom & Jerry\u2019s show"
    notes = rss.findtext("channel/item[guid='lands-2']/{http://purl.org/rss/1.0/modules/content/}encoded")
    assert notes == "<p>Escaped twice &amp; read once.</p>"  # (Apple allows no <em>)


def test_an_episode_link_to_the_old_host_gives_way_to_apa_feeds_page(landed: Landed, host: str) -> None:
    folder, later = episode(landed.root, "lands-3")
    _, earlier = episode(landed.root, "lands-2")
    assert "link" not in later, "the old host's page is left out"
    assert earlier["link"] == "https://lands.example/blog/earlier", "a page of the producer's own site is kept"
    assert (
        f"next: 1 episode link to the old host ({host}/lands/episodes/3) left out: each episode's link is now "
        "the page apa-feed makes; add link: to an episode.yaml to keep one"
    ) in landed.stdout.splitlines()
    link = build(landed.root).findtext("channel/item[guid='lands-3']/link")
    assert link == f"{host}/lands/episodes/{folder.name}/"


def test_episodes_of_the_same_day_keep_the_old_feeds_order(landed: Landed, host: str) -> None:
    _, later = episode(landed.root, "lands-3")
    _, earlier = episode(landed.root, "lands-2")
    assert (earlier["date"], later["date"]) == ("2024-03-04T00:00:00+00:00", "2024-03-04T00:00:01+00:00")
    assert (
        f'warning: {host}/lands/feed.xml: items 2 ("Same day, earlier"), 1 ("Same day, later") share the pubDate '
        "2024-03-04T00:00:00+00:00; dated a second apart to keep the old feed's order"
    ) in landed.stderr.splitlines()
    guids = [g.text for g in build(landed.root).iterfind("channel/item/guid")]
    assert guids == ["lands-3", "lands-2", "lands-1"]
    lock = read_lock(landed.root)
    assert lock is not None
    assert {e.guid: e.pub_date for e in lock.episodes}["lands-3"] == "2024-03-04T00:00:01+00:00"


def test_a_failed_download_keeps_the_episode_where_it_is_served_and_exits_1(landed: Landed, host: str) -> None:
    assert landed.exit_code == 1
    assert (
        "imported 3 episodes, 1 with its audio left on the old host (download failed); podcast:guid "
        f"{podcast_guid(host + '/lands/feed.xml')}"
    ) in landed.stdout.splitlines()
    assert f"cannot fetch {host}/lands/missing.mp3: HTTP 404 Not Found" in landed.stderr
    assert (
        'next: 1 episode left on the old host (enclosure: in episode.yaml, "Gone"): import again with --force to '
        "retry the download, or keep it there while that host serves it"
    ) in landed.stdout.splitlines()
    folder, gone = episode(landed.root, "lands-1")
    assert gone["enclosure"] == {
        "url": f"{host}/lands/missing.mp3",
        "length": 123456,
        "type": "audio/mpeg",
        "duration": 754.0,
    }
    assert "audio" not in gone and not list(folder.glob("*.mp3"))
    assert [p.name for p in episode(landed.root, "lands-2")[0].glob("*.mp3")] == ["2.mp3"]
    enclosure = build(landed.root).find("channel/item[guid='lands-1']/enclosure")
    assert enclosure is not None and enclosure.get("url") == f"{host}/lands/missing.mp3"


@pytest.mark.parametrize("fixture", ["no-xmlns.xml", "atom.xml", "mediarss.xml", "libsyn.xml", "podcasting20.xml"])
def test_import_reads_what_podcastparser_reads(fixture: str, host: str, tmp_path: Path) -> None:
    """gPodder's parser and the import agree on every episode with audio: title, enclosure URL, GUID."""
    url = f"{host}/{SERVED[fixture]}"
    result = runner.invoke(app, ["import", url, "--into", str(tmp_path / "show"), "--allow-private"])
    assert result.exit_code == 0, result.output
    parsed = podcastparser.parse(url, io.BytesIO(feed_text(fixture, host).encode()))
    expected = [(e["title"], e["enclosures"][0]["url"], e["guid"]) for e in parsed["episodes"] if e["enclosures"]]
    lock = read_lock(tmp_path / "show")
    assert lock is not None
    imported = [(e.title, e.enclosure_url, e.guid) for e in lock.episodes]
    assert sorted(imported) == sorted(expected) and len(expected) >= 1
    rss = build(tmp_path / "show")
    assert sorted(g.text or "" for g in rss.iterfind("channel/item/guid")) == sorted(g for _, _, g in expected)


def test_undeclared_prefixes_and_atom_keep_what_they_say(host: str, tmp_path: Path) -> None:
    for fixture in ("no-xmlns.xml", "atom.xml"):
        result = runner.invoke(app, ["import", f"{host}/{SERVED[fixture]}", "--into", str(tmp_path / fixture)])
        assert result.exit_code == 0, result.output
    nons = yaml.safe_load((tmp_path / "no-xmlns.xml/feed.yaml").read_text(encoding="utf-8"))
    assert (nons["author"], nons["type"], nons["locked"]) == ("Atelier Sans Espace", "serial", True)
    assert episode(tmp_path / "no-xmlns.xml", "nons-1")[1]["explicit"] is True
    atom = yaml.safe_load((tmp_path / "atom.xml/feed.yaml").read_text(encoding="utf-8"))
    assert (atom["title"], atom["description"], atom["language"]) == ("Atom Funk", "Radio aus dem Atom-Feed.", "de")
    assert atom["link"] == "https://atomfunk.example/"
    _, wellen = episode(tmp_path / "atom.xml", "urn:uuid:atomfunk-2")
    assert (wellen["date"], wellen["description"]) == ("2024-04-02T09:00:00+02:00", "Über **Wellen** & Töne.")
    _, anfang = episode(tmp_path / "atom.xml", "urn:uuid:atomfunk-1")
    assert (anfang["date"], anfang["description"]) == ("2024-03-26T09:00:00+00:00", "Der Anfang.")


def test_a_saved_feed_file_imports_with_feed_url(host: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("saved.xml").write_text(feed_text("saved.xml", host), encoding="utf-8")
    refused = runner.invoke(app, ["import", "saved.xml", "--into", "show"])
    assert (refused.exit_code, refused.stderr) == (
        1,
        'error: saved.xml: the feed has no podcast:guid and names no URL of its own (atom:link rel="self"); '
        "import it from its URL, or give that URL with --feed-url\n",
    )
    bad = runner.invoke(app, ["import", "saved.xml", "--into", "show", "--feed-url", "saved.example/feed"])
    assert (bad.exit_code, bad.stderr) == (1, 'error: --feed-url "saved.example/feed" is not an http(s) URL\n')
    url = f"{host}/saved/feed.xml"
    result = runner.invoke(app, ["import", "saved.xml", "--into", "show", "--feed-url", url])
    assert result.exit_code == 0, result.output
    lock = read_lock(Path("show"))
    assert lock is not None and (lock.feed_url, lock.podcast_guid) == (url, podcast_guid(url))
    assert {e.guid: e.enclosure_url for e in lock.episodes} == {
        "saved-1": f"{host}/saved/media/a.mp3",
        "saved-2": f"{host}/saved/media/b%20side.mp3",  # the space percent-encoded, the line break dropped
    }
    assert sorted(p.name for p in Path("show/episodes").glob("*/*.mp3")) == ["a.mp3", "b-side.mp3"]
    assert yaml.safe_load(Path("show/feed.yaml").read_text(encoding="utf-8"))["base_url"] == f"{host}/saved/"


def _item(guid: str, date: str | None, number: int | None = None) -> str:
    when = f"<pubDate>{date}</pubDate>" if date else ""
    episode = f"<itunes:episode>{number}</itunes:episode>" if number else ""
    return (
        f"<item><title>{guid}</title><guid isPermaLink='false'>{guid}</guid>{when}{episode}"
        f"<enclosure url='https://old.example/{guid}.mp3' length='9000' type='audio/mpeg'/>"
        "<itunes:duration>1:00</itunes:duration></item>"
    )


def _import_items(tmp_path: Path, items: list[str], channel: str = "") -> tuple[dict[str, str], str]:
    """Import (by reference, from a file) a feed of ``items``: each GUID's date, and what the command printed."""
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>T</title>'
        f"<link>https://t.example/</link><description>D</description>{channel}{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )
    args = ["import", str(feed), "--into", str(tmp_path / "show"), "--reference"]
    result = runner.invoke(app, [*args, "--feed-url", "https://old.example/feed.xml"])
    assert result.exit_code == 0, result.output
    guids = [g.text or "" for g in etree.parse(str(feed)).iterfind("channel/item/guid")]
    return {g: str(episode(tmp_path / "show", g)[1]["date"]) for g in guids}, result.stderr


def test_a_feed_listed_oldest_first_keeps_its_order_and_rising_episode_numbers_are_left_as_they_are(
    tmp_path: Path,
) -> None:
    midnight = "{} Mar 2024 00:00:00 GMT"
    dates, stderr = _import_items(
        tmp_path,
        [
            _item("a", midnight.format("Mon, 04")),
            _item("b", midnight.format("Mon, 04")),
            _item("c", midnight.format("Tue, 05")),
            _item("e", midnight.format("Thu, 07"), number=7),
            _item("f", midnight.format("Thu, 07"), number=8),
        ],
    )
    assert (dates["a"], dates["b"]) == ("2024-03-04T00:00:00+00:00", "2024-03-04T00:00:01+00:00")
    assert dates["e"] == dates["f"] == "2024-03-07T00:00:00+00:00", "their numbers already order them"
    assert "share the pubDate 2024-03-07" not in stderr and 'items 1 ("a"), 2 ("b") share the pubDate' in stderr


def test_an_item_without_a_date_is_imported_with_the_feeds_own_date(tmp_path: Path) -> None:
    dates, stderr = _import_items(
        tmp_path,
        [_item("newest", None), _item("newer", "someday"), _item("old", "Mon, 04 Mar 2024 09:00:00 GMT")],
        channel="<lastBuildDate>Fri, 08 Mar 2024 12:00:00 GMT</lastBuildDate>",
    )
    assert dates == {
        "newest": "2024-03-08T12:00:01+00:00",
        "newer": "2024-03-08T12:00:00+00:00",
        "old": "2024-03-04T09:00:00+00:00",
    }
    assert 'item 1 ("newest"): no pubDate; dated 2024-03-08T12:00:00+00:00, the feed\'s own date: check it' in stderr
    assert 'item 2 ("newer"): pubDate "someday" is not a date; dated 2024-03-08T12:00:00+00:00' in stderr
