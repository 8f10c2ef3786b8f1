"""``apa-feed check``'s pre-flight rules: one real project per rule, with one mistake, and the exact line a
producer sees (severity, file:line:col, field, message, hint, [rule source]). Plus ``check --json``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from audiogen import OPUS_OGG, write_with_ffmpeg
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from lxml import etree
from PIL import Image
from typer.testing import CliRunner

from apa_feed.build import Options, build_project
from apa_feed.cli import app
from apa_feed.errors import Problem, ProblemsFound

EPISODE = f"episodes/{SAMPLE_EPISODE}/episode.yaml"
SECOND = "episodes/2025-11-20-second/episode.yaml"
FOLDER = f"episodes/{SAMPLE_EPISODE}/"
GUID = "5b0f3f9e-6a51-4c57-9a43-2f1d8f0c7e21"
"""The sample episode's GUID."""
LONG = "x" * 256


def problems(root: Path) -> list[str]:
    """Every problem a check of ``root`` reports, rendered."""
    try:
        found: list[Problem] | tuple[Problem, ...] = build_project(
            Options(root / "feed.yaml", now=NOW), assign=False
        ).warnings
    except ProblemsFound as exc:
        found = exc.problems
    return [p.render() for p in sorted(found)]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def feed(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root / "feed.yaml", old, new)


def feed_add(text: str) -> Callable[[Path], None]:
    return lambda root: edit(root / "feed.yaml", "storage: public\n", f"storage: public\n{text}")


def sample(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root / EPISODE, old, new)


SAMPLE_SOUNDBITES = "soundbites:\n  - start: 24.887\n    duration: 29.3\n"


def without_sample_soundbites(root: Path) -> None:
    """The sample's own soundbite (the last lines of its episode.yaml), for cases that bring theirs."""
    text = (root / EPISODE).read_text(encoding="utf-8")
    (root / EPISODE).write_text(text[: text.index(SAMPLE_SOUNDBITES)], encoding="utf-8")


def sample_add(text: str) -> Callable[[Path], None]:
    def add(root: Path) -> None:
        if text.startswith("soundbites:"):
            without_sample_soundbites(root)
        edit(root / EPISODE, "audio: audio.mp3\n", f"audio: audio.mp3\n{text}")

    return add


def episode(title: str = "Second", day: str = "2025-11-20", **extra: str) -> Callable[[Path], None]:
    return lambda root: None if add_episode(root, "2025-11-20-second", episode_yaml(title, day, **extra)) else None


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def run(root: Path) -> None:
        for step in steps:
            step(root)

    return run


def cover(
    fmt: str = "JPEG",
    size: tuple[int, int] = (1400, 1400),
    mode: str = "RGB",
    name: str = "cover.jpg",
    heavy: bool = False,
) -> Callable[[Path], None]:
    """Replace the show's artwork."""

    def run(root: Path) -> None:
        Image.new(mode, size).save(root / name, fmt)
        if heavy:  # JPEG readers stop at the end-of-image marker: pad to exactly 600 KB
            with (root / name).open("ab") as out:
                out.write(bytes(600 * 1024 - (root / name).stat().st_size))
        if name != "cover.jpg":
            edit(root / "feed.yaml", "image: cover.jpg", f"image: {name}")

    return run


def ogg_audio(root: Path) -> None:
    edit(root / "feed.yaml", "storage: public\n", "storage: public\nother_formats: refuse\n")
    write_with_ffmpeg(root / "episodes" / SAMPLE_EPISODE / "audio.ogg", 2.0, OPUS_OGG)
    (root / "episodes" / SAMPLE_EPISODE / "chapters.json").unlink()  # its chapters are past this audio's end
    without_sample_soundbites(root)  # and so is its soundbite
    edit(root / EPISODE, "audio: audio.mp3", "audio: audio.ogg")


def chapters_json(root: Path) -> None:
    edit(root / "episodes" / SAMPLE_EPISODE / "chapters.json", '"startTime": 89.932', '"startTime": 200')


CASES: list[tuple[str, Callable[[Path], None], list[str]]] = [
    (
        "language",
        feed("language: fr", "language: xx-FR"),
        [
            'error: feed.yaml:6:11: language: expected an ISO 639 language code like "fr" or "en-US", got "xx-FR" ("xx" is in neither ISO 639-1 nor ISO 639-2) [PSP-1]',
        ],
    ),
    (
        "title-length",
        feed("title: Agence Presse Audio — Documentaires", f"title: {LONG}"),
        [
            "error: feed.yaml:2:8: title: is 256 characters long; Apple allows at most 255 [Apple]",
        ],
    ),
    (
        "author-length",
        feed("author: Agence Presse Audio", f"author: {LONG}"),
        [
            "error: feed.yaml:9:9: author: is 256 characters long; Apple allows at most 255 [Apple]",
        ],
    ),
    (
        "owner-name-length",
        feed("  name: Agence Presse Audio", f"  name: {LONG}"),
        [
            "error: feed.yaml:11:9: owner.name: is 256 characters long; Apple allows at most 255 [Apple]",
        ],
    ),
    (
        "show-description-bytes",
        feed("  Les documentaires d'Agence", f"  {'é' * 2000} Les documentaires d'Agence"),
        [
            "warning: feed.yaml:3:14: description: is 4161 bytes in UTF-8; Apple allows 4000, so the feed's description is cut there [Apple]",
        ],
    ),
    (
        "explicit-not-set",
        feed("explicit: false\n", ""),
        [
            'warning: feed.yaml:2:1: explicit: not set, so the feed says "false"; say it: add "explicit: false" (or true) to feed.yaml [Apple]',
        ],
    ),
    (
        "owner-email",
        feed("podcast@agencepresseaudio.example", "a..b@agencepresseaudio.example"),
        [
            'error: feed.yaml:12:10: owner.email: expected an email address Apple can write to, got "a..b@agencepresseaudio.example" [Apple]',
        ],
    ),
    (
        "funding-text",
        feed("text: Soutenir Agence Presse Audio", f"text: {'S' * 129}"),
        [
            "warning: feed.yaml:26:11: funding[0].text: is 129 characters long; apps may cut it after 128 [Podcasting 2.0]",
        ],
    ),
    (
        "funding-http",
        feed("url: https://agencepresseaudio.example/soutenir", "url: http://agencepresseaudio.example/soutenir"),
        [
            'warning: feed.yaml:25:10: funding[0].url: "http://agencepresseaudio.example/soutenir" is http while base_url is https; apps may refuse mixed http/https; use its https address [Podcasting 2.0]',
        ],
    ),
    (
        "license-url-http",
        feed_add("license: Maison\nlicense_url: http://example.com/licence\n"),
        [
            'warning: feed.yaml:23:14: license_url: "http://example.com/licence" is http while base_url is https; apps may refuse mixed http/https; use its https address [Podcasting 2.0]',
        ],
    ),
    (
        "txt-value",
        feed_add(f"txt:\n  - value: {'v' * 4001}\n"),
        [
            "error: feed.yaml:23:12: txt[0].value: is 4001 characters long; Podcasting 2.0 allows at most 4000 [Podcasting 2.0]",
        ],
    ),
    (
        "show-person-role",
        feed_add("people:\n  - name: Sam Rivers\n    role: Hots\n"),
        [
            'warning: feed.yaml:24:11: people[0].role: "Hots" is no Podcast Taxonomy role, so it is published in the credits block but not as a podcast:person; did you mean "host"? [Podcasting 2.0]',
        ],
    ),
    (
        "serial-number",
        feed("type: episodic", "type: serial"),
        [
            f'error: {EPISODE}:1:1: episode: missing: a serial show (type: serial) numbers every full episode; add "episode: N" [Apple]',
        ],
    ),
    (
        "duplicate-guid",
        episode(guid=GUID),
        [
            f'error: {EPISODE}:41:7: guid: has the same GUID as {SECOND}; every episode needs its own; remove the "guid:" line of the one never published; apa-feed writes a new one [Apple]',
            f'error: {SECOND}:5:7: guid: has the same GUID as {EPISODE}; every episode needs its own; remove the "guid:" line of the one never published; apa-feed writes a new one [Apple]',
        ],
    ),
    (
        "trailer-guid",
        episode(episode_type="trailer", guid=GUID),
        [
            f'error: {EPISODE}:41:7: guid: has the same GUID as {SECOND}; every episode needs its own; remove the "guid:" line of the one never published; apa-feed writes a new one [Apple]',
            f'error: {SECOND}:6:7: guid: the trailer has the same GUID as {EPISODE}; every episode needs its own; remove the "guid:" line of the one never published; apa-feed writes a new one [Apple]',
        ],
    ),
    (
        "duplicate-number",
        both(sample_add("episode: 3\n"), episode(episode="3")),
        [
            f"error: {SECOND}:5:10: episode: episode 3 is numbered twice (also in {EPISODE}) [Apple]",
        ],
    ),
    (
        "duplicate-number-in-season",
        both(sample_add("season: 1\nepisode: 3\n"), episode(season="1", episode="3")),
        [
            f"error: {SECOND}:6:10: episode: episode 3 of season 1 is numbered twice (also in {EPISODE}) [Apple]",
        ],
    ),
    (
        "title-repeats-show",
        episode("Agence Presse Audio — Documentaires : le salon"),
        [
            f"warning: {SECOND}:1:8: title: repeats the show's name; apps show it beside the title already; keep the show's name out of the episode's title [Apple]",
        ],
    ),
    (
        "title-episode-number",
        episode("Épisode 12 : le salon"),
        [
            f'warning: {SECOND}:1:8: title: contains an episode number ("Épisode 12"); set "episode:" instead; apps show the number from there [Apple]',
        ],
    ),
    (
        "title-ep-number",
        episode("Le salon (Ep. 12)"),
        [
            f'warning: {SECOND}:1:8: title: contains an episode number ("Ep. 12"); set "episode:" instead; apps show the number from there [Apple]',
        ],
    ),
    (
        "title-hash-number",
        episode("#12 Le salon"),
        [
            f'warning: {SECOND}:1:8: title: contains an episode number ("#12"); set "episode:" instead; apps show the number from there [Apple]',
        ],
    ),
    (
        "episode-title-length",
        episode(LONG),
        [
            f"error: {SECOND}:1:8: title: is 256 characters long; Apple allows at most 255 [Apple]",
        ],
    ),
    (
        "episode-description-bytes",
        sample("description: |", f"description: |\n  {'é' * 2001}\n"),
        [
            f"warning: {EPISODE}:6:14: description: is 5847 bytes of plain text in UTF-8 (credits included); Apple allows 4000, so the feed's description is cut there [Apple]",
        ],
    ),
    (
        "enclosure-refused",
        ogg_audio,
        [
            f"warning: {FOLDER}audio.ogg: audio: OggOpus audio does not play in Apple Podcasts (use MP3 or M4A/AAC) (named at {EPISODE}:3:8) [Apple]",
            f'error: {EPISODE}:3:8: audio: audio/ogg does not play in Apple Podcasts, and feed.yaml says "other_formats: refuse"; encode it as MP3 or M4A (AAC) [Apple]',
        ],
    ),
    (
        "notes-html",
        sample("  Les entreprises turques", "  Voir <b>ceci</b> et **cela**. Les entreprises turques"),
        [
            f"warning: {EPISODE}:6:14: description: HTML Apple does not allow is dropped from the show notes: <b>, <strong> (the text inside them is kept); use paragraphs, lists and links only [Apple]",
        ],
    ),
    (
        "scheduled",
        episode(day="2026-06-01"),
        [
            f"info: {SECOND}:2:7: date: scheduled: stays out of the feed until 2026-06-01 00:00 (Europe/Paris); publish again then",
        ],
    ),
    (
        "chapter-past-end",
        sample_add("chapters:\n  - {start: 0, title: Intro}\n  - {start: 200, title: Fin}\n"),
        [
            f"error: {EPISODE}:6:13: chapters[1].start: chapter 2 starts at 200.0 s, past the end of the audio (103.2 s) [Podcasting 2.0]",
        ],
    ),
    (
        "chapters-not-increasing",
        sample_add("chapters:\n  - {start: 30, title: Deux}\n  - {start: 10, title: Un}\n"),
        [
            f"warning: {EPISODE}:6:13: chapters[1].start: chapter 2 starts at 10.0 s, not after chapter 1 (30.0 s); list chapters in order, each starting after the one before [Podcasting 2.0]",
        ],
    ),
    (
        "chapters-file-past-end",
        chapters_json,
        [
            f"error: {FOLDER}chapters.json: chapters: chapter 4 starts at 200.0 s, past the end of the audio (103.2 s) [Podcasting 2.0]",
        ],
    ),
    (
        "credit-role",
        sample("role: Illustration", "role: Bruitage"),
        [
            f'warning: {EPISODE}:35:11: credits[2].role: "Bruitage" is no Podcast Taxonomy role, so it is published in the credits block but not as a podcast:person; use a role like "host", "producer" or "writer" [Podcasting 2.0]',
        ],
    ),
    (
        "credit-href-http",
        sample("    name: Sam Rivers\n", "    name: Sam Rivers\n    href: http://example.com/sam\n"),
        [
            f'warning: {EPISODE}:41:11: credits[4].href: "http://example.com/sam" is http while base_url is https; apps may refuse mixed http/https; use its https address [Podcasting 2.0]',
        ],
    ),
    (
        "soundbite-past-end",
        sample_add("soundbites:\n  - {start: 200, duration: 30}\n"),
        [
            f"error: {EPISODE}:5:13: soundbites[0].start: starts at 200.0 s, past the end of the audio (103.2 s) [Podcasting 2.0]",
        ],
    ),
    (
        "soundbite-ends-late",
        sample_add("soundbites:\n  - {start: 90, duration: 30}\n"),
        [
            f"warning: {EPISODE}:5:27: soundbites[0].duration: ends at 120.0 s, past the end of the audio (103.2 s); make it at most 13.2 s [Podcasting 2.0]",
        ],
    ),
    (
        "transcript-language",
        sample_add("transcript_language: xx\n"),
        [
            f'error: {EPISODE}:4:22: transcript_language: expected an ISO 639 language code like "fr" or "en-US", got "xx" ("xx" is in neither ISO 639-1 nor ISO 639-2) [RSS]',
        ],
    ),
    # PSP-1 and Spotify (apa_feed/pspchecks.py)
    (
        "categories-empty",
        feed("categories:\n  - Society & Culture › Documentary\n  - News › Politics\n", "categories: []\n"),
        [
            'error: feed.yaml:14:13: categories: empty: PSP-1 requires at least one itunes:category; add one from Apple\'s list, like "Society & Culture › Documentary" [PSP-1]',
        ],
    ),
    (
        "podcast-guid-not-uuid",
        feed_add("podcast_guid: apa-documentaires\n"),
        [
            'warning: feed.yaml:22:15: podcast_guid: expected a UUIDv5 like "9b024349-ccf0-5f69-a609-6b82873eab3c", got "apa-documentaires"; keep it if apps already know the show by it; otherwise remove the line and apa-feed computes one [PSP-1]',
        ],
    ),
    (
        "podcast-guid-v4",
        feed_add(f"podcast_guid: {GUID}\n"),
        [
            "warning: feed.yaml:22:15: podcast_guid: is a version 4 UUID; PSP-1 expects version 5, made from the feed URL; keep it if apps already know the show by it; otherwise remove the line and apa-feed computes one [PSP-1]",
        ],
    ),
    (
        "title-season-number",
        episode("Saison 2 : le salon"),
        [
            f'warning: {SECOND}:1:8: title: contains a season number ("Saison 2"); set "season:" instead; apps show the number from there [PSP-1]',
        ],
    ),
    (
        "title-season-and-episode",
        episode("Le salon S02E03"),
        [
            f'warning: {SECOND}:1:8: title: contains a season and episode number ("S02E03"); set "season:" and "episode:" instead; apps show the numbers from there [PSP-1]',
        ],
    ),
    (
        "update-frequency-length",
        feed_add(f"update_frequency: {LONG}\n"),
        [
            "warning: feed.yaml:22:19: update_frequency: is 256 characters long; PSP-1 allows at most 255 [PSP-1]",
        ],
    ),
    (
        "keyword-length",
        sample("keywords: [Mali,", f"keywords: [{LONG},"),
        [
            f"warning: {EPISODE}:5:12: keywords[0]: is 256 characters long; PSP-1 allows at most 255 [PSP-1]",
        ],
    ),
    (
        "owner-email-placeholder",
        feed("podcast@agencepresseaudio.example", "podcast@example.com"),
        [
            'warning: feed.yaml:12:10: owner.email: "podcast@example.com" is an example address: Spotify sends the code that proves the show is yours to the feed\'s owner email; use an address whose inbox you read [Spotify]',
        ],
    ),
    (
        "artwork-not-square",
        cover(size=(1400, 1500)),
        [
            "error: cover.jpg: image: expected a square image, got 1400×1500 px (named at feed.yaml:13:8) [Apple]",
        ],
    ),
    (
        "artwork-too-small",
        cover(size=(1000, 1000)),
        [
            "error: cover.jpg: image: expected 1400–3000 px on a side, got 1000×1000 px (named at feed.yaml:13:8) [Apple]",
        ],
    ),
    (
        "artwork-cmyk",
        cover(mode="CMYK"),
        [
            "error: cover.jpg: image: expected RGB colours, got mode CMYK (named at feed.yaml:13:8) [Apple]",
        ],
    ),
    (
        "artwork-alpha",
        cover("PNG", mode="RGBA", name="cover.png"),
        [
            "error: cover.png: image: expected no transparency, got mode RGBA with an alpha channel (named at feed.yaml:13:8) [Apple]",
        ],
    ),
    (
        "artwork-extension",
        cover("PNG", name="art.jpg"),
        [
            'warning: art.jpg: image: the file is PNG but its name ends in ".jpg" (named at feed.yaml:13:8) [Apple]',
        ],
    ),
    (
        "artwork-heavy",
        cover(heavy=True),
        [
            "warning: cover.jpg: image: the file is 600 KB; apps load artwork under 512 KB faster (named at feed.yaml:13:8); compress it (JPEG quality 80–90) or make it smaller [Apple]",
        ],
    ),
    (
        "artwork-format",
        cover("GIF", mode="P", name="cover.gif"),
        [
            "error: cover.gif: image: expected a JPEG or PNG image, got GIF (named at feed.yaml:13:8) [Apple]",
        ],
    ),
]


@pytest.mark.parametrize(("mistake", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_reports_its_exact_message(
    project: Path, mistake: Callable[[Path], None], expected: list[str]
) -> None:
    mistake(project)
    assert problems(project) == expected


def test_the_sample_show_passes_every_rule(project: Path) -> None:
    assert problems(project) == []


PSP1_NAMESPACES = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
PSP1_TYPES = {"audio/mpeg", "audio/m4a", "audio/x-m4a", "audio/mp4", "video/m4v", "video/x-m4v", "video/mp4"}


def one(parent: etree._Element, path: str) -> etree._Element:
    """The single element at ``path`` (prefixes as in PSP-1)."""
    (found,) = parent.findall(path, PSP1_NAMESPACES)
    return found


def test_the_sample_feed_has_every_element_psp1_requires_and_recommends(project: Path) -> None:
    """PSP-1 (github.com/Podcast-Standards-Project/PSP-1-Podcast-RSS-Specification): the namespaces, the required
    and recommended channel and item elements. apa-feed always writes these, so no check rule covers them."""
    rss = etree.fromstring(build_project(Options(project / "feed.yaml", now=NOW), assign=False).rss)
    assert rss.get("version") == "2.0"
    assert {k: v for k, v in rss.nsmap.items() if k in PSP1_NAMESPACES} == PSP1_NAMESPACES
    (channel,) = rss.findall("channel")
    # required <channel> elements
    self_link = one(channel, "atom:link[@rel='self']")
    assert self_link.get("href") == "https://agencepresseaudio.example/podcast/feed.xml"
    assert self_link.get("type") == "application/rss+xml"
    assert 0 < len(one(channel, "title").text or "") <= 255
    assert 0 < len((one(channel, "description").text or "").encode("utf-8")) <= 4000
    assert (one(channel, "link").text or "").startswith("https://")
    assert one(channel, "language").text == "fr"
    assert [c.get("text") for c in channel.findall("itunes:category", PSP1_NAMESPACES)] == ["Society & Culture", "News"]
    assert one(channel, "itunes:explicit").text in ("true", "false")
    assert (one(channel, "itunes:image").get("href") or "").endswith(".jpg")
    # recommended <channel> elements
    assert one(channel, "podcast:locked").text == "yes"
    assert one(channel, "podcast:locked").get("owner") == "podcast@agencepresseaudio.example"
    assert uuid.UUID(one(channel, "podcast:guid").text).version == 5
    assert one(channel, "itunes:author").text == "Agence Presse Audio"
    # optional ones the sample sets
    assert one(channel, "itunes:type").text == "episodic"
    assert one(channel, "podcast:funding").get("url") == "https://agencepresseaudio.example/soutenir"

    (item,) = channel.findall("item")
    # required <item> elements
    assert one(item, "title").text
    enclosure = one(item, "enclosure")
    assert (enclosure.get("url") or "").startswith("https://") and (enclosure.get("url") or "").endswith(".mp3")
    assert int(enclosure.get("length") or 0) > 0
    assert enclosure.get("type") in PSP1_TYPES
    assert one(item, "guid").text == GUID
    # recommended <item> elements
    assert (one(item, "link").text or "").startswith("https://")
    assert parsedate_to_datetime(one(item, "pubDate").text).date().isoformat() == "2025-11-12"
    assert 0 < len((one(item, "description").text or "").encode("utf-8")) <= 4000
    assert int(one(item, "itunes:duration").text or "") == 103
    assert (one(item, "itunes:image").get("href") or "").endswith(".jpg")
    assert one(item, "itunes:explicit").text in ("true", "false")
    transcript = one(item, "podcast:transcript")
    assert transcript.get("type") == "text/vtt" and (transcript.get("url") or "").startswith("https://")


def test_rule_is_rendered_last_and_problems_stay_sortable() -> None:
    old = Problem("feed.yaml", 3, 10, "owner.email", "expected an email address")
    new = Problem("feed.yaml", 2, 8, "title", "is 256 characters long", severity="warning", rule="Apple")
    assert old.render() == "error: feed.yaml:3:10: owner.email: expected an email address"
    assert new.render() == "warning: feed.yaml:2:8: title: is 256 characters long [Apple]"
    assert sorted([old, new]) == [new, old]


runner = CliRunner()


def test_check_json_lists_every_problem_and_exits_1_on_an_error(project: Path) -> None:
    edit(project / "feed.yaml", "language: fr", "language: xx")
    edit(project / "feed.yaml", "explicit: false\n", "")
    result = runner.invoke(app, ["check", "--loudness", "off", "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["problems"] == [
        {
            "file": "feed.yaml",
            "line": 2,
            "column": 1,
            "field": "explicit",
            "message": 'not set, so the feed says "false"',
            "hint": 'say it: add "explicit: false" (or true) to feed.yaml',
            "severity": "warning",
            "rule": "Apple",
        },
        {
            "file": "feed.yaml",
            "line": 6,
            "column": 11,
            "field": "language",
            "message": 'expected an ISO 639 language code like "fr" or "en-US", got "xx" ("xx" is in neither ISO 639-1 '
            "nor ISO 639-2)",
            "hint": "",
            "severity": "error",
            "rule": "PSP-1",
        },
    ]
    assert data["summary"] == {
        "ok": False,
        "errors": 1,
        "warnings": 1,
        "info": 0,
        "files": 1,
        "episodes": 0,
        "held_back": 0,
        "text": "1 problem in 1 file.",
    }


def test_check_json_with_a_schema_error_gives_it_as_data(project: Path) -> None:
    edit(project / "feed.yaml", "explicit: false", "explicit: yes")
    result = runner.invoke(app, ["check", "--loudness", "off", "--json"])
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["field"], problem["message"], problem["rule"]) == (
        "explicit",
        'expected true or false, got "yes"',
        "",
    )


def test_check_json_of_a_clean_show_exits_0(project: Path) -> None:
    result = runner.invoke(app, ["check", "--loudness", "off", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"] == {
        "ok": True,
        "errors": 0,
        "warnings": 0,
        "info": 0,
        "files": 0,
        "episodes": 1,
        "held_back": 0,
        "text": "ok: 1 episode in the feed, 0 held back (draft or scheduled)",
    }


def test_check_prints_warnings_with_their_source(project: Path) -> None:
    edit(project / "feed.yaml", "explicit: false\n", "")
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        'warning: feed.yaml:2:1: explicit: not set, so the feed says "false"; say it: add "explicit: false" (or true) '
        "to feed.yaml [Apple]"
    ]


def test_publish_refuses_a_rule_error(project: Path) -> None:
    edit(project / "feed.yaml", "type: episodic", "type: serial")
    result = runner.invoke(app, ["publish"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "1 problem in 1 file; nothing was published."
    assert not (project / "public" / "feed.xml").exists()
