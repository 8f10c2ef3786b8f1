"""``analytics:`` in feed.yaml: each prefix wraps the enclosure URL (without its scheme) in the order given; nothing
else goes through them, GUIDs stay; mistakes are located errors (through ``apa-feed check``)."""

from __future__ import annotations

from pathlib import Path

import feedparser
import podcastparser
import pytest
from conftest import NOW
from lxml import etree
from typer.testing import CliRunner

from apa_feed.build import Options, build_project
from apa_feed.cli import app
from apa_feed.config.analytics import OP3, PODTRAC, Prefix, peel, through
from apa_feed.config.show import load_show

PODCAST = "{https://podcastindex.org/namespace/1.0}"


def _analytics(root: Path, yaml: str) -> None:
    with (root / "feed.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"analytics:\n{yaml}")


def _items(rss: bytes) -> list[etree._Element]:
    return etree.fromstring(rss).findall("channel/item")


def test_each_kind_of_entry_is_read_in_order(project: Path) -> None:
    _analytics(project, "  - op3\n  - podtrac\n  - blubrry: apa-docs\n  - https://track.example/p/\n")
    show = load_show(project / "feed.yaml")
    assert [p.name for p in show.analytics] == ["op3", "podtrac", "blubrry: apa-docs", "https://track.example/p/"]
    assert [p.before("G") for p in show.analytics] == [
        "https://op3.dev/e,pg=G/",
        "https://dts.podtrac.com/redirect.mp3/",
        "https://media.blubrry.com/apa-docs/",
        "https://track.example/p/",
    ]
    assert not load_show(Path(__file__).parents[2] / "feed.yaml").analytics, "the sample show has none"


def test_the_chain_wraps_each_enclosure_and_nothing_else(project: Path) -> None:
    before = build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    _analytics(project, "  - op3\n  - podtrac\n  - {blubrry: apa-docs}\n")
    after = build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    guid = after.publication.feed.podcast_guid
    assert guid and guid == before.publication.feed.podcast_guid
    (old,) = _items(before.rss)
    (new,) = _items(after.rss)
    plain = old.find("enclosure").get("url")
    assert plain.startswith("https://agencepresseaudio.example/podcast/episodes/")
    bare = plain.removeprefix("https://")
    wrapped = f"https://media.blubrry.com/apa-docs/dts.podtrac.com/redirect.mp3/op3.dev/e,pg={guid}/{bare}"
    assert new.find("enclosure").get("url") == wrapped
    assert new.findtext("guid") == old.findtext("guid"), "a GUID never depends on a URL"
    assert new.find("enclosure").get("length") == old.find("enclosure").get("length")
    for tag in ("{http://www.itunes.com/dtds/podcast-1.0.dtd}image", f"{PODCAST}chapters", f"{PODCAST}transcript"):
        found = [e.get("href") or e.get("url") for e in new.iter(tag)]
        assert found and all(u.startswith("https://agencepresseaudio.example/podcast/") for u in found), tag
    assert after.rss.count(b"op3.dev") == 1, "only the enclosure goes through the prefixes"

    parsed = feedparser.parse(after.rss)
    assert not parsed.bozo and parsed.entries[0].enclosures[0].href == wrapped
    episodes = podcastparser.parse("https://agencepresseaudio.example/podcast/feed.xml", _stream(after.rss))
    assert episodes["episodes"][0]["enclosures"][0]["url"] == wrapped
    assert peel(wrapped) == (bare, ("op3", "podtrac", "blubrry: apa-docs"))


def _stream(data: bytes) -> object:
    import io

    return io.BytesIO(data)


def test_a_verbatim_prefix_and_the_first_wraps_the_plain_url() -> None:
    track = Prefix("https://track.example/p/", "https://track.example/p/")
    podtrac = Prefix("podtrac", PODTRAC)
    plain = "https://cdn.example.com/a.mp3"
    assert through(plain, (track,), "G") == "https://track.example/p/cdn.example.com/a.mp3"
    assert (
        through(plain, (track, podtrac), "G")
        == "https://dts.podtrac.com/redirect.mp3/track.example/p/cdn.example.com/a.mp3"
    )
    assert (
        through(plain, (podtrac, track), "G")
        == "https://track.example/p/dts.podtrac.com/redirect.mp3/cdn.example.com/a.mp3"
    )
    assert (
        through("http://cdn.example.com/a.mp3", (Prefix("op3", OP3),), "") == "https://op3.dev/e/cdn.example.com/a.mp3"
    )
    assert peel(through(plain, (podtrac, track), "G"), (track,)) == ("cdn.example.com/a.mp3", ("podtrac", track.name))


def test_serve_leaves_the_prefixes_out(project: Path) -> None:
    _analytics(project, "  - op3\n")
    built = build_project(Options(project / "feed.yaml", now=NOW, analytics=False), assign=False)
    assert b"op3.dev" not in built.rss


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("  - op4\n", 'analytics[0]: expected op3, podtrac, {blubrry: NAME} or a prefix URL like "https://'),
        ("  - podtrack\n", 'got "podtrack"; did you mean "podtrac"?'),
        ("  - op3\n  - op4\n", "analytics[1]: expected op3, podtrac, {blubrry: NAME} or a prefix URL"),
        ("  - ftp://track.example/p/\n", 'analytics[0]: expected a prefix URL starting "https://", got "ftp://'),
        ("  - https://track.example/p\n", 'analytics[0]: expected a prefix URL ending in "/" (the enclosure URL'),
        ("  - https://track.example/p/?a=1/\n", 'expected a prefix URL ending in "/"'),
        ("  - blubrry: ../../etc\n", "analytics[0].blubrry: expected the show's name at Blubrry (letters, digits"),
        ("  - blubrry\n", 'analytics[0]: blubrry needs the show\'s name there; write it as "{blubrry: NAME}"'),
        ("  - blubery: apa\n", 'expected {blubrry: NAME} as a mapping, got blubery; did you mean "blubrry"?'),
    ],
)
def test_mistakes_are_located_errors(project: Path, yaml: str, message: str) -> None:
    _analytics(project, yaml)
    result = CliRunner().invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and message in errors[0], result.output
    last = len((project / "feed.yaml").read_text(encoding="utf-8").splitlines())  # the wrong entry is the last line
    assert errors[0].startswith(f"error: feed.yaml:{last}:"), errors[0]
    assert "Traceback" not in result.output


def test_a_plain_http_prefix_is_read_with_a_warning(project: Path) -> None:
    _analytics(project, "  - op3\n  - http://127.0.0.1:9/count/\n")
    result = CliRunner().invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "analytics[1]" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: feed.yaml:"), result.output
    assert '"http://127.0.0.1:9/count/" is plain http' in warned[0] and "apps may refuse plain http" in warned[0]


def test_a_prefix_listed_twice_is_a_warning(project: Path) -> None:
    _analytics(project, "  - op3\n  - podtrac\n  - op3\n")
    result = CliRunner().invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "analytics[" in line]
    assert len(warned) == 1 and "analytics[2]" in warned[0] and "count every download twice" in warned[0]
