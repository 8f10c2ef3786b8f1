"""What reading episode.yaml files gives, value by value, and what it refuses: the schema (not YAML 1.1's
implicit types) decides what a scalar means, line ends do not move a location, and every file an episode
names or finds lies in the show once its links are followed, however many episodes share a folder."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import REPO, SAMPLE_EPISODE, add_episode, episode_yaml

from apa_feed.config.episodes import EpisodeMeta, read_episodes
from apa_feed.config.show import load_show

PARIS = ZoneInfo("Europe/Paris")
SAMPLE = REPO / "episodes" / SAMPLE_EPISODE


@pytest.fixture
def show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty show folder (the working directory), and someone's files beside it in ``tmp_path/outside``."""
    root = tmp_path / "show"
    (root / "episodes").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SAMPLE / "audio.mp3", outside / "audio.mp3")
    shutil.copy(SAMPLE / "transcript.vtt", outside / "transcript.vtt")
    monkeypatch.chdir(root)
    return root


def read(root: Path) -> tuple[dict[str, EpisodeMeta], list[str]]:
    """The episodes by slug, and every problem rendered."""
    episodes, problems = read_episodes(root, PARIS)
    return {e.slug: e for e in episodes}, [p.render() for p in sorted(problems)]


def one(root: Path, text: str) -> EpisodeMeta:
    """The one episode ``text`` makes, read without a problem."""
    add_episode(root, "a", text)
    episodes, problems = read(root)
    assert problems == []
    return episodes["a"]


def problems_of(root: Path, text: str) -> list[str]:
    add_episode(root, "a", text)
    return read(root)[1]


FILE = "episodes/a/episode.yaml"


# The schema decides what each scalar means.


def test_yes_no_and_numbers_as_titles_stay_the_text_written(show: Path) -> None:
    base = episode_yaml("x", "2025-11-12").replace('title: "x"\n', "title: yes\n")
    text = (
        base
        + "season_name: no\nauthor: 007\ntranscript_language: no\nguid: 2025-11-12\nkeywords: [on, 1.5, 2025-11-12]\n"
    )
    ep = one(show, text)
    assert (ep.title, ep.season_name, ep.author) == ("yes", "no", "007")
    assert ep.transcript_language == "no"
    assert ep.guid == "2025-11-12"
    assert ep.keywords == ("on", "1.5", "2025-11-12")


def test_explicit_and_draft_take_true_or_false_only(show: Path) -> None:
    assert one(show, episode_yaml("x", "2025-11-12", explicit="True", draft="false")).explicit is True
    shutil.rmtree(show / "episodes" / "a")
    assert problems_of(show, episode_yaml("x", "2025-11-12", explicit="yes", draft="off")) == [
        f'error: {FILE}:5:11: explicit: expected true or false, got "yes"',
        f'error: {FILE}:6:8: draft: expected true or false, got "off"',
    ]


def test_episode_numbers_with_leading_zeros_are_whole_numbers_and_hex_is_refused(show: Path) -> None:
    ep = one(show, episode_yaml("x", "2025-11-12", episode="007", season="01"))
    assert (ep.episode, ep.season) == (7, 1)
    shutil.rmtree(show / "episodes" / "a")
    assert problems_of(show, episode_yaml("x", "2025-11-12", episode="0x1F", season="1_000")) == [
        f'error: {FILE}:5:10: episode: expected a whole number of 1 or more, got "0x1F"',
        f'error: {FILE}:6:9: season: expected a whole number of 1 or more, got "1_000"',
    ]


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("2025-11-12", datetime(2025, 11, 12, tzinfo=PARIS)),
        ("2025-11-12T08:30:00+01:00", datetime.fromisoformat("2025-11-12T08:30:00+01:00")),
        ('"2025-11-12 08:30:00"', datetime(2025, 11, 12, 8, 30, tzinfo=PARIS)),
    ],
)
def test_dates_are_read_in_the_show_time_zone(show: Path, written: str, published: datetime) -> None:
    ep = one(show, episode_yaml("x", written))
    assert ep.published == published
    assert ep.published.utcoffset() == published.utcoffset()


def test_an_impossible_date_is_located(show: Path) -> None:
    assert problems_of(show, episode_yaml("x", "2025-13-45")) == [
        f'error: {FILE}:2:7: date: expected an ISO 8601 date like "2025-11-12" or "2025-11-12T08:30:00+01:00", '
        'got "2025-13-45"'
    ]


@pytest.mark.parametrize("empty", ["", "~", "null", "Null", "NULL"])
def test_a_null_value_leaves_a_field_unset(show: Path, empty: str) -> None:
    ep = one(show, episode_yaml("x", "2025-11-12", image=empty, explicit=empty, keywords=empty))
    assert (ep.image, ep.explicit, ep.keywords) == (None, None, ())


@pytest.mark.parametrize("quoted", ['"~"', "'null'", "nul"])
def test_a_quoted_null_is_text(show: Path, quoted: str) -> None:
    shown = quoted.strip("'\"")
    assert problems_of(show, episode_yaml("x", "2025-11-12", explicit=quoted)) == [
        f'error: {FILE}:5:11: explicit: expected true or false, got "{shown}"'
    ]


def test_an_explicit_tag_is_read_as_written(show: Path) -> None:
    ep = one(show, episode_yaml("x", "2025-11-12", image="!!null ''", season="!!str 3", author="!!int 7"))
    assert (ep.image, ep.season, ep.author) == (None, 3, "7")


# Line ends and encodings.


def write_with_line_ends(root: Path, text: str) -> None:
    """``text`` as episodes unix, windows and mac, each with its system's line ends."""
    for slug, newline in (("unix", "\n"), ("windows", "\r\n"), ("mac", "\r")):
        folder = root / "episodes" / slug
        if not folder.exists():
            add_episode(root, slug, "")
        (folder / "episode.yaml").write_bytes(text.replace("\n", newline).encode("utf-8"))


def test_windows_and_old_mac_line_ends_read_like_unix_ones(show: Path) -> None:
    text = episode_yaml("x", "2025-11-12").replace("description: Notes.\n", "description: |\n  a\n\n  b\n")
    write_with_line_ends(show, text + "explicit: maybe\n")
    assert read(show)[1] == [
        f'error: episodes/{slug}/episode.yaml:8:11: explicit: expected true or false, got "maybe"'
        for slug in ("mac", "unix", "windows")
    ]
    write_with_line_ends(show, text)
    episodes, problems = read(show)
    assert problems == []
    assert {e.description for e in episodes.values()} == {"a\n\nb"}
    marks = [sorted(e.where.marks.items()) for e in episodes.values() if e.where is not None]
    assert len(marks) == 3
    assert marks[0] == marks[1] == marks[2]
    assert dict(marks[0])["description"] == (4, 14)


def test_a_file_that_is_not_utf8_is_named(show: Path) -> None:
    folder = add_episode(show, "a", "")
    (folder / "episode.yaml").write_bytes(b"title: caf\xe9\n")
    assert read(show)[1] == [f"error: {FILE}: not UTF-8 text (invalid continuation byte)"]


def test_a_long_file_with_a_bad_byte_at_its_end_is_named(show: Path) -> None:
    folder = add_episode(show, "a", "")
    (folder / "episode.yaml").write_bytes(("description: " + "é" * 70_000).encode("utf-8")[:-1])
    assert read(show)[1] == [f"error: {FILE}: not UTF-8 text (unexpected end of data)"]


# Confinement, with many episodes read in one go.


def test_a_link_to_outside_is_refused_in_every_episode_that_has_one(show: Path) -> None:
    outside = show.parent / "outside"
    for slug in ("a", "b", "c"):
        folder = add_episode(show, slug, episode_yaml("x", "2025-11-12", transcript="notes/t.vtt"))
        (folder / "notes").mkdir()
        shutil.copy(outside / "transcript.vtt", folder / "notes" / "t.vtt")
    (show / "episodes" / "b" / "audio.mp3").unlink()
    (show / "episodes" / "b" / "audio.mp3").symlink_to(outside / "audio.mp3")
    shutil.rmtree(show / "episodes" / "c" / "notes")
    (show / "episodes" / "c" / "notes").symlink_to(outside)
    (outside / "t.vtt").write_text("WEBVTT\n", encoding="utf-8")
    episodes, problems = read(show)
    assert problems == [
        'error: episodes/b/episode.yaml:3:8: audio: expected a file inside the show folder, got "audio.mp3" '
        "(a link to outside it)",
        'error: episodes/c/episode.yaml:5:13: transcript: expected a file inside the show folder, got "notes/t.vtt" '
        "(a link to outside it)",
    ]
    assert list(episodes) == ["a"]


def test_a_link_beside_a_plain_file_in_the_same_folder_is_refused(show: Path) -> None:
    folder = add_episode(show, "a", episode_yaml("x", "2025-11-12", transcript="notes/mine.vtt", image="notes/x.jpg"))
    (folder / "notes").mkdir()
    shutil.copy(SAMPLE / "transcript.vtt", folder / "notes" / "mine.vtt")
    (folder / "notes" / "x.jpg").symlink_to(show.parent / "outside" / "transcript.vtt")
    assert read(show)[1] == [
        f'error: {FILE}:6:8: image: expected a file inside the show folder, got "notes/x.jpg" (a link to outside it)'
    ]


def test_a_show_folder_whose_episodes_folder_links_outside_reads_nothing_of_it(show: Path) -> None:
    outside = show.parent / "outside"
    (outside / "a").mkdir()
    (outside / "a" / "episode.yaml").write_text(episode_yaml("x", "2025-11-12"), encoding="utf-8")
    (show / "episodes").rmdir()
    (show / "episodes").symlink_to(outside)
    assert read(show) == (
        {},
        [
            'error: episodes/a/episode.yaml: expected a file inside the show folder, got "a/episode.yaml" '
            "(a link to outside it)"
        ],
    )


def test_an_episode_folder_linking_to_another_inside_the_show_reads_its_files(show: Path) -> None:
    add_episode(show, "a", episode_yaml("x", "2025-11-12"))
    (show / "episodes" / "b").symlink_to(show / "episodes" / "a")
    episodes, problems = read(show)
    assert problems == []
    assert episodes["b"].audio == show / "episodes" / "b" / "audio.mp3"
    assert episodes["b"].audio.is_file()  # type: ignore[union-attr]


def test_an_absolute_path_through_a_linked_folder_of_the_show_is_refused(show: Path) -> None:
    (show / "media").symlink_to(show.parent / "outside")
    for slug in ("a", "b"):
        add_episode(show, slug, episode_yaml("x", "2025-11-12", image=str(show / "media" / "audio.mp3")))
    assert len(read(show)[1]) == 2
    assert all("(a link to outside it)" in p for p in read(show)[1])


def test_a_show_read_through_a_link_to_it_reads_the_same(show: Path, tmp_path: Path) -> None:
    add_episode(show, "a", episode_yaml("x", "2025-11-12", transcript="t.vtt"))
    shutil.copy(SAMPLE / "transcript.vtt", show / "episodes" / "a" / "t.vtt")
    (tmp_path / "via").symlink_to(show)
    episodes, problems = read_episodes(tmp_path / "via", PARIS)
    assert problems == []
    assert episodes[0].transcript == tmp_path / "via" / "episodes" / "a" / "t.vtt"


# The show's own file.


def test_the_show_file_reads_its_language_no_as_text(project: Path) -> None:
    feed = (project / "feed.yaml").read_text(encoding="utf-8")
    lines = [line for line in feed.splitlines() if not line.startswith(("language:", "explicit:"))]
    (project / "feed.yaml").write_bytes(("\r\n".join([*lines, "language: no", "explicit: false"]) + "\r\n").encode())
    show = load_show(project / "feed.yaml")
    assert (show.language, show.explicit) == ("no", False)


# What one listing of an episode folder answers.


def test_an_episode_file_that_links_inside_the_show_is_read_and_one_that_links_outside_is_not(show: Path) -> None:
    add_episode(show, "a", episode_yaml("kept", "2025-11-12"))
    (show / "drafts").mkdir()
    (show / "drafts" / "b.yaml").write_text(episode_yaml("linked", "2025-11-13"), encoding="utf-8")
    folder = add_episode(show, "b", "")
    (folder / "episode.yaml").unlink()
    (folder / "episode.yaml").symlink_to(show / "drafts" / "b.yaml")
    (show.parent / "outside" / "c.yaml").write_text(episode_yaml("theirs", "2025-11-14"), encoding="utf-8")
    folder = add_episode(show, "c", "")
    (folder / "episode.yaml").unlink()
    (folder / "episode.yaml").symlink_to(show.parent / "outside" / "c.yaml")
    episodes, problems = read(show)
    assert {slug: e.title for slug, e in episodes.items()} == {"a": "kept", "b": "linked"}
    assert problems == [
        'error: episodes/c/episode.yaml: expected a file inside the show folder, got "c/episode.yaml" '
        "(a link to outside it)"
    ]


def test_a_broken_or_misspelt_episode_file_leaves_the_folder_unread(show: Path) -> None:
    folder = add_episode(show, "broken", "")
    (folder / "episode.yaml").unlink()
    (folder / "episode.yaml").symlink_to(folder / "nowhere.yaml")
    folder = add_episode(show, "misspelt", "")
    (folder / "episode.yaml").rename(folder / "Episode.yml")
    (show / "episodes" / "a-file").write_text("not a folder", encoding="utf-8")
    episodes, problems = read(show)
    assert episodes == {}
    assert problems == [
        "warning: episodes/broken/: holds audio (audio.mp3) but no episode.yaml, so it is not in the feed; create "
        'its episode.yaml (title, date, audio, description); apa-feed new "TITLE" writes one to start from',
        "error: episodes/misspelt/Episode.yml: not read: apa-feed reads only episode.yaml, so this episode is not in "
        "the feed; rename it to episode.yaml",
    ]


def test_transcript_and_chapters_are_found_beside_the_episode_file(show: Path) -> None:
    folder = add_episode(show, "a", episode_yaml("x", "2025-11-12"))
    shutil.copy(SAMPLE / "transcript.vtt", folder / "transcript.srt")
    shutil.copy(SAMPLE / "chapters.json", folder / "chapters.json")
    (folder / "transcript.vtt").mkdir()  # a folder of that name is no transcript
    ep = read(show)[0]["a"]
    assert (ep.transcript, ep.chapters) == (folder / "transcript.srt", folder / "chapters.json")


@pytest.mark.parametrize("before", ["plain", "Réalisation, mise en onde & mix — été"])
def test_a_control_character_is_located_at_its_character_after_accents(show: Path, before: str) -> None:
    """libyaml says where the fault is in bytes of UTF-8; the problem names the line and column a producer's
    editor shows (an accent before it must not push the column right)."""
    folder = show / "episodes" / "one"
    folder.mkdir()
    (folder / "episode.yaml").write_text(f'title: "{before}"\ndescription: "a {before}\x07 b"\n', encoding="utf-8")
    _, problems = read(show)
    located = [p for p in problems if "control character" in p]
    column = len('description: "a ') + len(before) + 1
    assert located and located[0].startswith(f"error: episodes/one/episode.yaml:2:{column}:"), problems
