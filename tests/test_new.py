"""``apa-feed new`` through the command line: --audio (copy or --move), --date, the time of day it records,
and the order of episodes of the same day in the feed."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import audiogen
import pytest
from lxml import etree
from typer.testing import CliRunner

from apa_feed.cli import app

runner = CliRunner()
PARIS = ZoneInfo("Europe/Paris")
"""The sample show's timezone."""


@pytest.fixture(scope="module")
def take(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real MP3 with a space in its name, as a producer's recorder names it."""
    path = tmp_path_factory.mktemp("takes") / "take 1.mp3"
    audiogen.write_mp3(path, 1.0)
    return path


def copy_of(take: Path, folder: Path) -> Path:
    target = folder / take.name
    target.write_bytes(take.read_bytes())
    return target


def new(*args: str) -> Path:
    """Run ``apa-feed new``; the folder it made."""
    result = runner.invoke(app, ["new", *args])
    assert result.exit_code == 0, result.output
    created = re.search(r"^created (.+)/episode\.yaml$", result.stdout, re.M)
    assert created is not None, result.stdout
    return Path(created.group(1))


def ready(folder: Path, guid: str = "", drop_number: bool = False) -> None:
    """Take the episode out of draft, as the producer does; optionally set its GUID or remove its number."""
    path = folder / "episode.yaml"
    text = path.read_text(encoding="utf-8").replace("draft: true  # remove when the episode is ready\n", "")
    if guid:
        text = re.sub(r"^guid: .*$", f"guid: {guid}", text, flags=re.M)
    if drop_number:
        text = re.sub(r"^episode: .*\n", "", text, flags=re.M)
    path.write_text(text, encoding="utf-8")


def feed_titles() -> list[str]:
    result = runner.invoke(app, ["build", "-o", "out.xml"])
    assert result.exit_code == 0, result.output
    return [str(t) for t in etree.parse("out.xml").xpath("/rss/channel/item/title/text()")]


def date_line(folder: Path) -> str:
    found = re.search(r"^date: (.+)$", (folder / "episode.yaml").read_text(encoding="utf-8"), re.M)
    assert found is not None
    return found.group(1)


SAMPLE_TITLE = "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako"


def test_audio_is_copied_in_and_named_by_the_audio_line(project: Path, take: Path) -> None:
    source = copy_of(take, project)
    result = runner.invoke(app, ["new", "Réalisation: Marie", "--audio", "take 1.mp3", "--date", "2025-12-01"])
    assert result.exit_code == 0, result.output
    folder = project / "episodes" / "2025-12-01-realisation-marie"
    assert result.stdout.splitlines() == [
        "created episodes/2025-12-01-realisation-marie/episode.yaml",
        "copied take 1.mp3 to episodes/2025-12-01-realisation-marie/take 1.mp3",
        "next: write the notes, remove 'draft: true'",
    ]
    assert (folder / "take 1.mp3").read_bytes() == take.read_bytes() == source.read_bytes(), "copied, kept"
    assert '\naudio: "take 1.mp3"\n' in (folder / "episode.yaml").read_text(encoding="utf-8")
    assert runner.invoke(app, ["check"]).stdout.startswith("ok: 1 episode in the feed, 1 held back")
    ready(folder)
    assert feed_titles() == ["Réalisation: Marie", SAMPLE_TITLE]


def test_move_moves_the_audio_in(project: Path, take: Path) -> None:
    copy_of(take, project)
    result = runner.invoke(app, ["new", "Moved", "--audio", "take 1.mp3", "--move", "--date", "2025-12-01"])
    assert result.exit_code == 0, result.output
    assert "moved take 1.mp3 to episodes/2025-12-01-moved/take 1.mp3" in result.stdout
    assert not (project / "take 1.mp3").exists()
    assert (project / "episodes" / "2025-12-01-moved" / "take 1.mp3").read_bytes() == take.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("gone.mp3", None, "gone.mp3: file not found"),
        ("empty.mp3", b"", "empty.mp3: empty file (0 bytes)"),
        ("notes.mp3", b"Show notes, not audio.\n" * 200, "notes.mp3: not a readable audio file"),
    ],
    ids=["missing", "empty", "text"],
)
@pytest.mark.parametrize("move", [False, True])
def test_an_unusable_audio_file_creates_nothing(
    project: Path, name: str, content: bytes | None, message: str, move: bool
) -> None:
    if content is not None:
        (project / name).write_bytes(content)
    before = sorted(p.name for p in (project / "episodes").iterdir())
    result = runner.invoke(app, ["new", "Nope", "--audio", name, *(["--move"] if move else [])])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {message}")
    assert result.stderr.rstrip().endswith("; nothing was created")
    assert sorted(p.name for p in (project / "episodes").iterdir()) == before
    assert (project / name).exists() == (content is not None), "the file is left where it was"


def test_move_needs_audio(project: Path) -> None:
    result = runner.invoke(app, ["new", "Nope", "--move"])
    assert result.exit_code == 1
    assert result.stderr == "error: --move moves the file given with --audio; add --audio FILE\n"
    assert [p.name for p in (project / "episodes").iterdir()] == ["2025-11-12-mali-turquie"]


def test_date_and_date_time_are_written_in_the_shows_timezone(project: Path) -> None:
    assert date_line(new("Day", "--date", "2025-12-01")) == "2025-12-01"
    assert date_line(new("Morning", "--date", "2025-12-01T08:30")) == "2025-12-01T08:30:00+01:00"
    assert date_line(new("Summer", "--date", "2025-07-01T08:30")) == "2025-07-01T08:30:00+02:00"
    assert date_line(new("Given", "--date", "2025-12-02T08:30:00-05:00")) == "2025-12-02T08:30:00-05:00"
    bad = runner.invoke(app, ["new", "Bad", "--date", "2025-13-01"])
    assert bad.exit_code == 1
    assert bad.stderr.startswith('error: --date: expected an ISO 8601 date like "2025-11-12"')
    assert bad.stderr.rstrip().endswith('got "2025-13-01"; nothing was created')
    assert not list((project / "episodes").glob("*-bad"))


def test_new_records_the_time_of_day(project: Path) -> None:
    before = datetime.now(PARIS).replace(microsecond=0)
    folder = new("Now")
    written = datetime.fromisoformat(date_line(folder))
    assert before <= written <= datetime.now(PARIS)
    assert written.utcoffset() == before.utcoffset(), "in the show's timezone"
    assert folder.name == f"{written.date().isoformat()}-now"


def test_a_future_date_schedules_the_episode(project: Path, take: Path) -> None:
    copy_of(take, project)
    result = runner.invoke(app, ["new", "Later", "--audio", "take 1.mp3", "--date", "2099-01-05T06:00"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "next: write the notes, remove 'draft: true'; it stays out of the feed until 2099-01-05T06:00:00+01:00"
    )
    ready(project / "episodes" / "2099-01-05-later")
    assert runner.invoke(app, ["check"]).stdout.startswith("ok: 1 episode in the feed, 1 held back")
    assert feed_titles() == [SAMPLE_TITLE]


def test_two_episodes_made_today_come_newest_first(project: Path, take: Path) -> None:
    first, second = new("Premier"), new("Second")
    for folder, guid in ((first, "ffffffff-aaaa"), (second, "00000000-aaaa")):
        copy_of(take, folder).rename(folder / "audio.mp3")
        ready(folder, guid)
    assert feed_titles() == ["Second", "Premier", SAMPLE_TITLE]


def test_same_day_order_is_time_then_number_then_folder_never_guid(project: Path, take: Path) -> None:
    """GUIDs are chosen so that sorting by them would give the opposite order each time."""
    made = [
        ("Soir", "2025-12-01T18:00", "00000001", False),
        ("Matin", "2025-12-01T08:00", "00000002", False),
        ("Minuit", "2025-12-01", "00000003", False),
        ("Dix heures A", "2025-12-02T10:00", "00000005", False),
        ("Dix heures B", "2025-12-02T10:00", "00000004", False),  # the higher number: first
        ("Dix heures C", "2025-12-02T10:00", "00000006", True),  # no number: after the numbered ones
        ("Sans numéro Z", "2025-12-03T10:00", "00000007", True),
        ("Sans numéro Y", "2025-12-03T10:00", "00000008", True),  # same instant, no number: the folders decide
    ]
    for title, when, guid, no_number in made:
        folder = new(title, "--audio", str(copy_of(take, project)), "--move", "--date", when)
        ready(folder, guid, no_number)
    assert feed_titles() == [
        "Sans numéro Z",
        "Sans numéro Y",
        "Dix heures B",
        "Dix heures A",
        "Dix heures C",
        "Soir",
        "Matin",
        "Minuit",
        SAMPLE_TITLE,
    ]
