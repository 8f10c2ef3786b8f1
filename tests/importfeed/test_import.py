"""``apa-feed import``: feeds written by other hosts become a show that republishes every GUID and date."""

from __future__ import annotations

import email.utils
import json
import shutil
import socket
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import audiogen
import pytest
import yaml
from lxml import etree
from PIL import Image
from typer.testing import CliRunner

from apa_feed.build import Options, build_project
from apa_feed.cli import app
from apa_feed.importfeed import Client, ImportFailed, import_feed
from apa_feed.publish.lockfile import podcast_guid, read_lock
from apa_feed.publish.run import publish
from apa_feed.serve import make_server

FEEDS = Path(__file__).parent / "feeds"
PLACEHOLDER = "http://media.invalid"
NOW = datetime(2030, 1, 1, tzinfo=UTC)
LOCAL = Client(allow_private=True)
"""Fixture feeds given as files name the old host on 127.0.0.1: a private address the producer allows."""
PODCAST = "{https://podcastindex.org/namespace/1.0}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
MEDIA = {
    "garagetalk/ep1.mp3": "mp3",
    "garagetalk/ep2.mp3": "mp3",
    "garagetalk/trailer.mp3": "mp3",
    "cafe/wp-content/uploads/2024/01/ciel bleu.mp3": "mp3",
    "cafe/wp-content/uploads/2024/01/sel.mp3": "mp3",
    "sahel/s01e01.mp3": "mp3",
    "twice/a.mp3": "mp3",
    "twice/b.mp3": "mp3",
    "art/show.jpg": "jpg",
    "art/ciel.png": "png",
}


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The old host: a real HTTP server on 127.0.0.1 serving the fixture feeds' media, artwork and feeds."""
    root = tmp_path_factory.mktemp("oldhost")
    audiogen.write_mp3(root / "tone.mp3", 1.0)
    for name, kind in MEDIA.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        if kind == "mp3":
            shutil.copy(root / "tone.mp3", root / name)
        else:
            Image.new("RGB", (1400, 1400), (200, 80, 30)).save(root / name, "JPEG" if kind == "jpg" else "PNG")
    (root / "sahel/s01e01.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nLe départ.\n", encoding="utf-8")
    (root / "sahel/s01e01.txt").write_text("Le départ.\n", encoding="utf-8")
    chapters = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Bamako"}]}
    (root / "sahel/s01e01.chapters.json").write_text(json.dumps(chapters), encoding="utf-8")
    server = make_server(root)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (root / "garagetalk/rss").write_text(fixture_text("libsyn.xml", base), encoding="utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def fixture_text(name: str, base: str) -> str:
    return (FEEDS / name).read_text(encoding="utf-8").replace(PLACEHOLDER, base)


def fixture(name: str, base: str, folder: Path) -> Path:
    """A fixture feed with its URLs pointed at the local server, written into ``folder``."""
    path = folder / name
    path.write_text(fixture_text(name, base), encoding="utf-8")
    return path


def items(rss: bytes) -> dict[str, tuple[datetime, str, str | None, str | None]]:
    """GUID → (pubDate instant, title, season, episode) of every item with an enclosure, as an app sees them."""
    found = {}
    for item in etree.fromstring(rss).iter("item"):
        enclosure = item.find("enclosure")
        if enclosure is None:
            continue
        guid = (item.findtext("guid") or enclosure.get("url") or "").strip()
        when = email.utils.parsedate_to_datetime(item.findtext("pubDate") or "").astimezone(UTC)
        found[guid] = (
            when,
            item.findtext("title") or "",
            item.findtext(f"{ITUNES}season"),
            item.findtext(f"{ITUNES}episode"),
        )
    return found


def republish(root: Path) -> bytes:
    built = build_project(Options(config=root / "feed.yaml", now=NOW))
    assert not [w for w in built.warnings if w.severity == "error"]
    return built.rss


def test_libsyn_style_feed_from_its_url_republishes_with_the_same_guids_and_dates(host: str, tmp_path: Path) -> None:
    url = f"{host}/garagetalk/rss"
    summary = import_feed(url, tmp_path / "show")
    root = tmp_path / "show"
    assert (summary.episodes, summary.skipped) == (3, 0)
    assert [w.message for w in summary.warnings] == [
        'category "Technology › Podcasting" is now "Technology" in Apple\'s list',
    ]
    old = items(fixture_text("libsyn.xml", host).encode())
    new = items(republish(root))
    assert set(new) == {"8e6c1f0a-libsyn-000001", "8e6c1f0a-libsyn-000002", "8e6c1f0a-libsyn-trailer"}
    assert new == old
    show = yaml.safe_load((root / "feed.yaml").read_text(encoding="utf-8"))
    assert show["explicit"] is True and show["categories"] == ["Technology", "Leisure › Automotive"]
    assert show["base_url"] == f"{host}/garagetalk/" and show["image"] == "cover.jpg"
    ep2 = root / "episodes/2024-03-05-ep-2-carburettors-you"
    meta = (ep2 / "episode.yaml").read_text(encoding="utf-8")
    assert "date: '2024-03-05T08:30:00-05:00'\n" in meta and "explicit: false\n" in meta
    assert meta.endswith("guid: 8e6c1f0a-libsyn-000002  # kept from the old feed: never change it\n")
    assert yaml.safe_load(meta)["description"] == (
        "We open a [carburettor](https://example.com/carb).\n\n- jets\n- floats\n\nCall us: 555\\*1234\\\nThanks!"
    )
    with urllib.request.urlopen(f"{host}/garagetalk/ep2.mp3", timeout=10) as served:
        assert (ep2 / "ep2.mp3").read_bytes() == served.read()
    lock = read_lock(root)
    assert lock is not None and lock.feed_url == url and lock.podcast_guid == podcast_guid(url)
    assert {e.guid: (e.pub_date, e.enclosure_url) for e in lock.episodes}["8e6c1f0a-libsyn-000002"] == (
        "2024-03-05T08:30:00-05:00",
        f"{host}/garagetalk/ep2.mp3?dest-id=991",
    )


def test_podbean_style_feed_escaped_html_url_guids_and_missing_parts(
    host: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fixture("podbean.xml", host, tmp_path)
    summary = import_feed("podbean.xml", Path("show"), client=LOCAL)
    assert (summary.episodes, summary.skipped) == (2, 1)
    sel = f"{host}/cafe/wp-content/uploads/2024/01/sel.mp3"
    assert [w.render() for w in summary.warnings] == [
        'warning: podbean.xml: category "Games & Hobbies" is now "Leisure" in Apple\'s list',
        'warning: podbean.xml: category "Knitting" is not in Apple\'s list; left out',
        'warning: podbean.xml: item 2 ("Le sel de mer"): no <guid>; its enclosure URL is kept as its GUID, '
        "as podcast apps used it",
        'warning: podbean.xml: item 3 ("Annonce : pause de Noël"): no <enclosure>; skipped',
    ]
    rss = republish(tmp_path / "show")
    assert set(items(rss)) == {"https://cafe.example/?p=123", sel}
    assert items(rss) == items(fixture_text("podbean.xml", host).encode())
    show = yaml.safe_load(Path("show/feed.yaml").read_text(encoding="utf-8"))
    assert show["owner"] == {"name": "Rédaction du Café", "email": "redaction@cafe.example"}
    assert (show["language"], show["explicit"], show["categories"]) == ("fr", False, ["Science", "Leisure"])
    ciel = Path("show/episodes/2024-01-10-pourquoi-le-ciel-est-bleu")
    assert sorted(p.name for p in ciel.iterdir()) == ["ciel-bleu.mp3", "cover.png", "episode.yaml"]
    meta = yaml.safe_load((ciel / "episode.yaml").read_text(encoding="utf-8"))
    assert meta["keywords"] == ["physique", "optique"] and meta["explicit"] is False
    assert meta["description"] == (
        "La diffusion de *Rayleigh*, expliquée & illustrée.\n\n1. la lumière\n2. l'air\n\n"
        "[Wikipédia](https://fr.wikipedia.org/wiki/Diffusion_Rayleigh)"
    )
    assert b'<a href="https://fr.wikipedia.org/wiki/Diffusion_Rayleigh">Wikip\xc3\xa9dia</a>' in rss
    assert b"<li>la lumi\xc3\xa8re</li>" in rss


def test_podcasting20_feed_keeps_its_podcast_guid_transcript_chapters_and_people(host: str, tmp_path: Path) -> None:
    root = tmp_path / "show"
    summary = import_feed(str(fixture("podcasting20.xml", host, tmp_path)), root, client=LOCAL)
    assert summary.podcast_guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    lock = read_lock(root)
    assert lock is not None and lock.podcast_guid == summary.podcast_guid
    assert lock.feed_url == f"{host}/sahel/feed.xml"
    assert [(e.guid, e.pub_date, e.enclosure_url) for e in lock.episodes] == [
        ("sahel-s01e01", "2025-11-13T06:00:00+00:00", f"{host}/sahel/s01e01.mp3")
    ]
    folder = root / "episodes/2025-11-13-chapitre-1-bamako"
    assert sorted(p.name for p in folder.iterdir()) == ["chapters.json", "episode.yaml", "s01e01.mp3", "transcript.vtt"]
    rss = republish(root)
    channel = etree.fromstring(rss).find("channel")
    assert channel is not None
    assert channel.findtext(f"{PODCAST}guid") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert channel.findtext(f"{ITUNES}type") == "serial"
    assert items(rss) == items(fixture_text("podcasting20.xml", host).encode())
    show = yaml.safe_load((root / "feed.yaml").read_text(encoding="utf-8"))
    assert show["locked"] is True and show["funding"] == [{"url": "https://sahel.example/support", "text": "Soutenir"}]
    meta = yaml.safe_load((folder / "episode.yaml").read_text(encoding="utf-8"))
    assert meta["credits"] == [{"name": "Moussa Diallo", "role": "guest"}]
    item = channel.find("item")
    assert item is not None and item.find(f"{PODCAST}transcript") is not None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


GONE_AUDIO = """<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Gone</title>
<atom:link rel="self" href="{host}/gone.xml"/><link>https://gone.example/</link>
<description>d</description><item><title>A</title><guid>g-1</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>
<enclosure url="{host}/gone.mp3" length="1" type="audio/mpeg"/></item></channel></rss>"""

ERRORS = [
    ("missing.xml", "missing.xml: file not found"),
    ("not-xml.xml", "not-xml.xml: not XML (syntax error at line 3, column 44)"),
    ("html-page.xml", "html-page.xml: not an RSS feed (the document is <html>, expected <rss> or Atom's <feed>)"),
    (
        "duplicate-guids.xml",
        'duplicate-guids.xml: items share a GUID: "same-1" (items 1, 2); each episode needs '
        "its own, so nothing was imported",
    ),
    ("{host}/nothing/here.xml", "cannot fetch {host}/nothing/here.xml: HTTP 404 Not Found"),
    ("http://127.0.0.1:{closed}/feed.xml", "cannot fetch http://127.0.0.1:{closed}/feed.xml: connection refused"),
    ("ftp://example.com/feed.xml", 'expected an http(s) URL or a file, got "ftp://example.com/feed.xml"'),
    (
        "noself.xml",
        'noself.xml: the feed has no podcast:guid and names no URL of its own (atom:link rel="self"); '
        "import it from its URL, or give that URL with --feed-url",
    ),
]


@pytest.mark.parametrize(("source", "message"), ERRORS, ids=[e[0].split("/")[-1] for e in ERRORS])
def test_import_errors_are_one_clear_line(
    source: str, message: str, host: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("not-xml.xml", "html-page.xml", "duplicate-guids.xml"):
        fixture(name, host, tmp_path)
    Path("gone.xml").write_text(GONE_AUDIO.format(host=host), encoding="utf-8")
    Path("noself.xml").write_text(
        GONE_AUDIO.format(host=host).replace('rel="self"', 'rel="alternate"'), encoding="utf-8"
    )
    closed = _closed_port()
    with pytest.raises(ImportFailed) as failed:
        import_feed(source.format(host=host, closed=closed), Path("show"), client=LOCAL)
    assert str(failed.value) == message.format(host=host, closed=closed)
    assert not Path("show/feed.yaml").exists()


def test_entities_are_never_expanded_nor_files_read(host: str, tmp_path: Path) -> None:
    import_feed(str(fixture("entity.xml", host, tmp_path)), tmp_path / "show")
    title = yaml.safe_load((tmp_path / "show/feed.yaml").read_text(encoding="utf-8"))["title"]
    assert title == "Entities &secret;&lol;"


runner = CliRunner()


def test_cli_import_prints_what_it_created_and_refuses_to_overwrite(
    host: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["import", f"{host}/garagetalk/rss", "--into", "show"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "created show/feed.yaml",
        "created show/cover.jpg",
        "created show/episodes/2024-03-05-ep-2-carburettors-you",
    ]
    assert "created show/apa-feed.lock" in result.stdout
    assert f"imported 3 episodes; podcast:guid {podcast_guid(host + '/garagetalk/rss')}" in result.stdout
    assert result.stderr.splitlines() == [
        f'warning: {host}/garagetalk/rss: category "Technology › Podcasting" is now "Technology" in Apple\'s list'
    ]
    again = runner.invoke(app, ["import", f"{host}/garagetalk/rss", "--into", "show"])
    assert (again.exit_code, again.stderr) == (
        1,
        "error: show/feed.yaml already exists; pass --force to import over it\n",
    )
    assert runner.invoke(app, ["import", f"{host}/garagetalk/rss", "--into", "show", "--force"]).exit_code == 0
    assert "Traceback" not in again.output


def test_reference_keeps_the_audio_where_it_is_and_republishes_the_same_enclosures(host: str, tmp_path: Path) -> None:
    url = f"{host}/garagetalk/rss"
    root = tmp_path / "show"
    import_feed(url, root, reference=True)
    assert not list(root.glob("episodes/*/*.mp3")), "nothing downloaded"
    ep2 = yaml.safe_load((root / "episodes/2024-03-05-ep-2-carburettors-you/episode.yaml").read_text(encoding="utf-8"))
    assert "audio" not in ep2
    assert ep2["enclosure"]["url"] == f"{host}/garagetalk/ep2.mp3?dest-id=991"
    rss = republish(root)
    old = etree.fromstring(fixture_text("libsyn.xml", host).encode())
    new = etree.fromstring(rss)

    def enclosures(doc: etree._Element) -> dict[str, tuple[str, str, str]]:
        return {
            (i.findtext("guid") or "").strip(): (
                i.find("enclosure").get("url"),
                i.find("enclosure").get("length"),
                i.find("enclosure").get("type"),
            )
            for i in doc.iter("item")
        }

    assert enclosures(new) == enclosures(old)
    assert items(rss) == items(fixture_text("libsyn.xml", host).encode())
    report = publish(Options(config=root / "feed.yaml", now=NOW, storage=str(tmp_path / "public")))
    # the enclosures are the ones subscribers have; only the feed's own URL moves (rss → feed.xml)
    assert [c.kind for c in report.changes] == ["feed_url"]
    assert not [a for a in report.plan.uploads if a.key.endswith(".mp3")]


def test_reference_without_a_length_or_duration_is_refused(tmp_path: Path) -> None:
    feed = tmp_path / "bare.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>T</title><link>https://a.example/</link><description>D</description>'
        '<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="https://a.example/rss"/>'
        "<item><title>One</title><guid>g1</guid><pubDate>Tue, 05 Mar 2024 08:30:00 -0500</pubDate>"
        '<enclosure url="https://a.example/1.mp3" type="audio/mpeg"/></item></channel></rss>',
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as refused:
        import_feed(str(feed), tmp_path / "show", reference=True)
    assert str(refused.value) == (
        'item 1 ("One"): --reference needs the enclosure\'s length and itunes:duration from the old feed; '
        "import without --reference to download the audio and read them from it"
    )


def test_apa_feeds_own_feed_round_trips_with_its_credits_in_the_producers_words(project: Path, tmp_path: Path) -> None:
    """Leave apa-feed for apa-feed: the credits block becomes credits again (not doubled in the notes)."""
    from conftest import REPO  # noqa: F401  (the sample is the project fixture)

    site = tmp_path / "site"
    site.mkdir()
    server = make_server(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        first = publish(Options(project / "feed.yaml", now=NOW, base_url=base, storage=str(site), identity=False))
        import_feed(base + "feed.xml", tmp_path / "moved")
    finally:
        server.shutdown()
        server.server_close()
    meta = yaml.safe_load(next((tmp_path / "moved" / "episodes").glob("*/episode.yaml")).read_text(encoding="utf-8"))
    assert meta["credits"] == [
        {"role": "Réalisation", "name": "Agence Presse Audio"},
        {"role": "Mise en onde & mix", "name": "Agence Presse Audio"},
        {"role": "Illustration", "name": "Agence Presse Audio"},
        {"role": "Production", "name": "Agence Presse Audio"},
        {"role": "Texte et récit", "name": "Sam Rivers"},
    ]
    assert "Crédits" not in meta["description"]
    old, new = etree.fromstring(first.built.rss), etree.fromstring(republish(tmp_path / "moved"))
    pc = "{https://podcastindex.org/namespace/1.0}"

    def people(doc: etree._Element) -> list[tuple[str, str]]:
        return [(p.text, p.get("role")) for p in doc.find("channel/item").findall(f"{pc}person")]

    def notes(doc: etree._Element) -> str:
        return " ".join(doc.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded").split())

    assert people(new) == people(old)  # narrator included: the transcript came along with its voices
    assert notes(new) == notes(old)
    assert new.findtext("channel/item/guid") == old.findtext("channel/item/guid")
