"""A show folder may be someone else's clone: nothing in it may make apa-feed read outside the show, and no
value in it may end in a traceback (each is a located problem instead)."""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import REPO, SAMPLE_EPISODE, add_episode, copy_sample, episode_yaml
from typer.testing import CliRunner

from apa_feed.build import Options, override, read_project
from apa_feed.cli import app
from apa_feed.config.episodes import read_episodes
from apa_feed.config.show import load_show
from apa_feed.errors import ApaFeedError, ProblemsFound
from apa_feed.feed.chapters import ChaptersError, from_json_chapters, to_json_chapters

runner = CliRunner()
SLUG = "2025-12-01-x"
EPISODE = f"episodes/{SLUG}/episode.yaml"
SAMPLE = REPO / "episodes" / SAMPLE_EPISODE
UTC = ZoneInfo("UTC")


@pytest.fixture
def show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample show in ``tmp_path/show`` (the working directory), and someone's files beside it in
    ``tmp_path/outside``."""
    root = tmp_path / "show"
    root.mkdir()
    copy_sample(root)
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("audio.mp3", "cover.jpg", "transcript.vtt", "chapters.json"):
        shutil.copy(SAMPLE / name, outside / name)
    monkeypatch.chdir(root)
    return root


def problems_of(root: Path) -> list[str]:
    """Every problem of the show's episode.yaml files, rendered."""
    _, problems = read_episodes(root, UTC)
    return [p.render() for p in sorted(problems)]


def no_traceback(args: list[str]) -> str:
    """Run the CLI; it must exit 1 through its error boundary. Its stderr."""
    result = runner.invoke(app, args)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    return result.stderr


# Confinement: every path a config file names, and every default found beside it, lies in the show.

OUTSIDE_CASES = [
    ("transcript", "/etc/passwd", '"/etc/passwd"'),
    ("audio", "../../../outside/audio.mp3", '"../../../outside/audio.mp3"'),
    ("image", "{outside}/cover.jpg", '"{outside}/cover.jpg"'),
    ("chapters", "../../../outside/chapters.json", '"../../../outside/chapters.json"'),
]


@pytest.mark.parametrize(("field", "value", "shown"), OUTSIDE_CASES)
def test_a_path_naming_a_file_outside_the_show_is_refused(show: Path, field: str, value: str, shown: str) -> None:
    outside = show.parent / "outside"
    value, shown = value.format(outside=outside), shown.format(outside=outside)
    text = episode_yaml("X", "2025-12-01")
    text = text.replace("audio: audio.mp3\n", "") + f"audio: {value}\n" if field == "audio" else text
    text += f"{field}: {value}\n" if field != "audio" else ""
    add_episode(show, SLUG, text)
    line = 4 if field == "audio" else 5
    assert problems_of(show) == [
        f"error: {EPISODE}:{line}:{len(field) + 3}: {field}: expected a file inside the show folder, got {shown}"
    ]


def test_a_file_outside_the_show_is_not_even_looked_at(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_episode(show, SLUG, episode_yaml("X", "2025-12-01", transcript="../../../outside/transcript.vtt"))
    looked: list[Path] = []
    real_is_file = Path.is_file

    def is_file(self: Path) -> bool:
        looked.append(self)
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    assert len(problems_of(show)) == 1
    assert not [p for p in looked if "outside" in p.parts]


def test_the_cli_refuses_etc_passwd_with_a_located_error(show: Path) -> None:
    add_episode(show, SLUG, episode_yaml("X", "2025-12-01", transcript="/etc/passwd"))
    err = no_traceback(["check"])
    assert f'{EPISODE}:5:13: transcript: expected a file inside the show folder, got "/etc/passwd"' in err
    assert "root:" not in err


def test_a_link_inside_the_show_to_a_file_outside_is_refused(show: Path) -> None:
    folder = add_episode(show, SLUG, episode_yaml("X", "2025-12-01", image="art.jpg"))
    (folder / "art.jpg").symlink_to(show.parent / "outside" / "cover.jpg")
    assert problems_of(show) == [
        f'error: {EPISODE}:5:8: image: expected a file inside the show folder, got "art.jpg" (a link to outside it)'
    ]


def test_default_files_linking_outside_are_refused(show: Path) -> None:
    folder = add_episode(show, SLUG, episode_yaml("X", "2025-12-01"))
    (folder / "transcript.vtt").symlink_to(show.parent / "outside" / "transcript.vtt")
    (folder / "chapters.json").symlink_to(show.parent / "outside" / "chapters.json")
    assert problems_of(show) == [
        f'error: {EPISODE}:1:1: chapters: expected a file inside the show folder, got "chapters.json" (a link to outside it)',
        f'error: {EPISODE}:1:1: transcript: expected a file inside the show folder, got "transcript.vtt" (a link to outside it)',
    ]


def test_an_episode_folder_linking_outside_is_not_read(show: Path) -> None:
    elsewhere = show.parent / "outside" / "ep"
    elsewhere.mkdir()
    (elsewhere / "episode.yaml").write_text(episode_yaml("X", "2025-12-01"), encoding="utf-8")
    shutil.copy(SAMPLE / "audio.mp3", elsewhere / "audio.mp3")
    (show / "episodes" / SLUG).symlink_to(elsewhere)
    assert problems_of(show) == [
        f'error: {EPISODE}: expected a file inside the show folder, got "{SLUG}/episode.yaml" (a link to outside it)'
    ]


def test_links_and_paths_that_stay_inside_the_show_keep_working(show: Path) -> None:
    folder = add_episode(show, SLUG, episode_yaml("X", "2025-12-01", image="art.jpg", chapters="../../ch.json"))
    (folder / "art.jpg").symlink_to(Path("..") / ".." / "cover.jpg")  # relative, to the show's cover
    shutil.copy(SAMPLE / "chapters.json", show / "ch.json")
    (folder / "transcript.vtt").symlink_to(show / "episodes" / SAMPLE_EPISODE / "transcript.vtt")
    _, episodes = read_project(Options(show / "feed.yaml"))
    (ep,) = [e for e in episodes if e.slug == SLUG]
    assert ep.image == folder / "art.jpg"
    assert ep.chapters == folder / "../../ch.json"
    assert ep.transcript == folder / "transcript.vtt"


@pytest.mark.parametrize("link", [False, True])
def test_the_show_image_outside_the_show_is_refused(show: Path, link: bool) -> None:
    feed = (show / "feed.yaml").read_text(encoding="utf-8")
    target = show.parent / "outside" / "cover.jpg"
    if link:
        (show / "cover.jpg").unlink()
        (show / "cover.jpg").symlink_to(target)
    else:
        (show / "feed.yaml").write_text(feed.replace("image: cover.jpg", f"image: {target}"), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_show(show / "feed.yaml")
    (problem,) = found.value.problems
    line = 1 + feed.splitlines().index("image: cover.jpg")
    shown = '"cover.jpg" (a link to outside it)' if link else f'"{target}"'
    assert problem.render() == f"error: feed.yaml:{line}:8: image: expected a file inside the show folder, got {shown}"


# Values that used to end in a traceback are located problems.


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+05:00", "0001-01-01T23:00:00-05:00", "9999-12-31T23:00:00-05:00", "0001-01-01"]
)
def test_a_date_at_the_ends_of_the_calendar_is_a_located_problem(show: Path, value: str) -> None:
    add_episode(show, SLUG, episode_yaml("X", value))
    assert problems_of(show) == [
        f'error: {EPISODE}:2:7: date: expected a date from 0001-01-02 to 9999-12-30, got "{value}"'
    ]


def test_the_cli_reports_a_year_one_date_without_a_traceback(show: Path) -> None:
    add_episode(show, SLUG, episode_yaml("X", "0001-01-01T00:00:00+05:00"))
    assert f"{EPISODE}:2:7: date: expected a date from 0001-01-02" in no_traceback(["check"])


HUGE = "9" * 400
TIME_CASES = [
    (f"chapters: [{{start: {HUGE}, title: a}}]", "chapters[0].start", "a time of at most 1000 hours"),
    (f"chapters: [{{start: '{HUGE}:00', title: a}}]", "chapters[0].start", "a time of at most 1000 hours"),
    (f"soundbites: [{{start: 1, duration: {HUGE}}}]", "soundbites[0].duration", "a time of at most 1000 hours"),
    ("soundbites: [{start: 3600001, duration: 5}]", "soundbites[0].start", "a time of at most 1000 hours"),
    ("chapters: [{start: 1e400, title: a}]", "chapters[0].start", 'a time like "89.9", "1:29.9" or "01:01:29"'),
    ("chapters: [{start: .nan, title: a}]", "chapters[0].start", 'a time like "89.9", "1:29.9" or "01:01:29"'),
    ("soundbites: [{start: NaN, duration: 5}]", "soundbites[0].start", 'a time like "89.9", "1:29.9" or "01:01:29"'),
    ("soundbites: [{start: 1, duration: inf}]", "soundbites[0].duration", 'a time like "89.9", "1:29.9" or "01:01:29"'),
]


@pytest.mark.parametrize(("line", "field", "expected"), TIME_CASES)
def test_times_out_of_range_are_located_problems(show: Path, line: str, field: str, expected: str) -> None:
    add_episode(show, SLUG, episode_yaml("X", "2025-12-01") + line + "\n")
    (problem,) = problems_of(show)
    assert problem.startswith(f"error: {EPISODE}:5:")
    assert f"{field}: expected {expected}, got " in problem
    assert len(problem) < 300  # a long value is cut short


def test_the_cli_reports_a_huge_chapter_time_without_a_traceback(show: Path) -> None:
    add_episode(show, SLUG, episode_yaml("X", "2025-12-01") + f"chapters: [{{start: {HUGE}, title: a}}]\n")
    assert "chapters[0].start: expected a time of at most 1000 hours" in no_traceback(["check"])


@pytest.mark.parametrize("field", ["season", "episode"])
@pytest.mark.parametrize("value", ["9" * 1000, "1000000", "0001000000"])
def test_huge_season_and_episode_numbers_are_refused(show: Path, field: str, value: str) -> None:
    add_episode(show, SLUG, episode_yaml("X", "2025-12-01", **{field: value}))
    (problem,) = problems_of(show)
    shown = f'"{value}"' if len(value) < 80 else f'"{value[:79]}…" (1000 characters)'
    col = len(field) + 3
    assert problem == f"error: {EPISODE}:5:{col}: {field}: expected a whole number from 1 to 999999, got {shown}"


def test_the_largest_season_and_episode_numbers_are_accepted(show: Path) -> None:
    add_episode(show, SLUG, episode_yaml("X", "2025-12-01", season="999999", episode="0999999"))
    episodes, problems = read_episodes(show, UTC)
    assert problems == []
    assert [(e.season, e.episode) for e in episodes if e.slug == SLUG] == [(999999, 999999)]


JSON_CASES = [
    ('{"startTime": 1e400, "title": "a"}', 'expected "startTime" in seconds from 0 to 3600000, got inf'),
    ('{"startTime": NaN, "title": "a"}', 'expected "startTime" in seconds from 0 to 3600000, got nan'),
    ('{"startTime": -Infinity, "title": "a"}', 'expected "startTime" in seconds from 0 to 3600000, got -inf'),
    (f'{{"startTime": {HUGE}, "title": "a"}}', 'expected "startTime" in seconds from 0 to 3600000, got a huge number'),
    ('{"startTime": 1, "endTime": NaN, "title": "a"}', 'expected "endTime" in seconds from 0 to 3600000, got nan'),
    ('{"startTime": true, "title": "a"}', 'expected an object with a numeric "startTime"'),
]


@pytest.mark.parametrize(("chapter", "message"), JSON_CASES)
def test_a_chapters_file_with_times_out_of_range_is_refused(chapter: str, message: str) -> None:
    with pytest.raises(ChaptersError) as error:
        from_json_chapters(f'{{"chapters": [{chapter}]}}'.encode())
    assert str(error.value) == f"chapter 1: {message}"


def test_a_chapters_file_nested_too_deep_is_refused() -> None:
    with pytest.raises(ChaptersError, match="nested too deep"):
        from_json_chapters(b"[" * 100_000)


def test_the_cli_reports_a_nan_chapters_file_without_a_traceback(show: Path) -> None:
    folder = add_episode(show, SLUG, episode_yaml("X", "2025-12-01"))
    (folder / "chapters.json").write_text('{"chapters": [{"startTime": NaN, "title": "a"}]}', encoding="utf-8")
    err = no_traceback(["check"])
    assert f"episodes/{SLUG}/chapters.json: chapters: chapter 1: expected" in err


def test_chapters_read_back_write_out() -> None:
    chapters = from_json_chapters(b'{"chapters": [{"startTime": 3600000, "title": "end"}]}')
    assert b'"startTime": 3600000' in to_json_chapters(chapters)


@pytest.mark.parametrize("value", ["http://[::1", "not a url", "ftp://x", "https://", "//cdn.example.com/p"])
def test_a_base_url_option_that_is_not_an_http_url_is_a_user_error(show: Path, value: str) -> None:
    loaded = load_show(show / "feed.yaml")
    with pytest.raises(ApaFeedError) as error:
        override(loaded, Options(base_url=value))
    assert not isinstance(error.value, ProblemsFound)
    assert (
        str(error.value)
        == f'--base-url: expected an http(s) URL like "https://cdn.example.com/podcast/", got "{value}"'
    )


def test_the_cli_reports_a_bad_base_url_option(show: Path) -> None:
    err = no_traceback(["check", "--base-url", "http://[::1"])
    assert (
        err == 'error: --base-url: expected an http(s) URL like "https://cdn.example.com/podcast/", got "http://[::1"\n'
    )
    good = runner.invoke(app, ["check", "--base-url", "https://cdn.example.org/p"])
    assert good.exit_code == 0, good.stderr


@pytest.mark.parametrize(("value", "what"), [("x" * 5000, "File name too long"), ('"a\\0b"', "not a file name")])
def test_a_path_no_system_can_open_is_a_located_problem(show: Path, value: str, what: str) -> None:
    add_episode(show, SLUG, episode_yaml("X", "2025-12-01", image=value))
    (problem,) = problems_of(show)
    assert problem.startswith(f"error: {EPISODE}:5:8: image: expected a file, got ")
    assert problem.endswith(f"({what})")
