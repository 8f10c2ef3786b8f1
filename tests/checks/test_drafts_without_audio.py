"""A draft or a scheduled episode whose audio (or artwork) is not there yet is information, not an error:
the show checks, builds and publishes without it; the file is required once the episode would go live
(issue 15)."""

from __future__ import annotations

from pathlib import Path

import audiogen
import pytest
from conftest import NOW, SAMPLE_EPISODE
from lxml import etree
from typer.testing import CliRunner

from apa_feed.build import Options, build_project
from apa_feed.cli import app
from apa_feed.errors import ProblemsFound

runner = CliRunner()


def _episode(root: Path, slug: str, text: str) -> Path:
    folder = root / "episodes" / slug
    folder.mkdir(parents=True)
    (folder / "episode.yaml").write_text(text, encoding="utf-8")
    return folder


def _titles(feed: Path) -> list[str]:
    return [item.findtext("title") or "" for item in etree.parse(str(feed)).getroot().iter("item")]


def test_a_new_draft_without_audio_checks_and_publishes(project: Path) -> None:
    made = runner.invoke(app, ["new", "Bientôt"])
    assert made.exit_code == 0, made.output
    (folder,) = [p for p in (project / "episodes").iterdir() if p.name != SAMPLE_EPISODE]
    checked = runner.invoke(app, ["check", "--loudness", "off"])
    assert checked.exit_code == 0, checked.output
    assert [line for line in checked.stderr.splitlines() if line.startswith("info:")] == [
        f'info: episodes/{folder.name}/episode.yaml:3:8: audio: no audio yet: "audio.mp3" is not there; '
        "the episode (a draft) stays out of the feed"
    ]
    assert checked.stdout == "ok: 1 episode in the feed, 1 held back (draft or scheduled)\n"
    published = runner.invoke(app, ["publish"])
    assert published.exit_code == 0, published.output
    assert "Bientôt" not in _titles(project / "public" / "feed.xml")
    assert len(_titles(project / "public" / "feed.xml")) == 1
    built = runner.invoke(app, ["build"])
    assert built.exit_code == 0, built.output


def test_a_scheduled_episode_without_audio_is_information(project: Path) -> None:
    _episode(project, "2026-03-01-later", 'title: "Later"\ndate: 2026-03-01\naudio: later.mp3\ndescription: Soon.\n')
    built = build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    assert [p.render() for p in built.warnings if p.severity == "info" and p.field == "audio"] == [
        'info: episodes/2026-03-01-later/episode.yaml:3:8: audio: no audio yet: "later.mp3" is not there; '
        "the episode (scheduled for 2026-03-01) stays out of the feed"
    ]
    assert [i.slug for i in built.publication.feed.items] == [SAMPLE_EPISODE]


def test_audio_is_required_once_the_episode_would_go_live(project: Path) -> None:
    text = 'title: "Now"\ndate: 2025-12-01\naudio: now.mp3\ndescription: Live.\n'
    _episode(project, "2025-12-01-now", text)
    with pytest.raises(ProblemsFound) as found:
        build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    assert [p.render() for p in found.value.problems if p.severity == "error"] == [
        'error: episodes/2025-12-01-now/episode.yaml:3:8: audio: expected a file, got "now.mp3" (no such file); '
        'put the file there, or set "draft: true" until it is ready'
    ]
    checked = runner.invoke(app, ["check", "--loudness", "off"])
    assert checked.exit_code == 1 and 'expected a file, got "now.mp3"' in checked.stderr


def test_the_date_passing_makes_the_scheduled_episode_an_error(project: Path) -> None:
    _episode(project, "2026-03-01-later", 'title: "Later"\ndate: 2026-03-01\naudio: later.mp3\ndescription: Soon.\n')
    later = NOW.replace(year=2027)
    with pytest.raises(ProblemsFound) as found:
        build_project(Options(project / "feed.yaml", now=later), assign=False)
    assert [(p.file, p.line, p.field, p.severity) for p in found.value.problems if p.severity == "error"] == [
        ("episodes/2026-03-01-later/episode.yaml", 3, "audio", "error")
    ]


def test_a_draft_whose_artwork_is_still_to_come_is_information(project: Path) -> None:
    folder = _episode(
        project,
        "2025-12-05-art",
        'title: "Art"\ndate: 2025-12-05\naudio: audio.mp3\nimage: art.jpg\ndescription: x\ndraft: true\n',
    )
    audiogen.write_mp3(folder / "audio.mp3", 2.0)
    built = build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    assert [p.render() for p in built.warnings if p.field == "image" and "2025-12-05" in p.file] == [
        'info: episodes/2025-12-05-art/episode.yaml:4:8: image: no artwork yet: "art.jpg" is not there; '
        "the episode (a draft) stays out of the feed"
    ]
    (folder / "episode.yaml").write_text(
        (folder / "episode.yaml").read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8"
    )
    with pytest.raises(ProblemsFound) as found:
        build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    assert [p.render() for p in found.value.problems if p.severity == "error"] == [
        'error: episodes/2025-12-05-art/episode.yaml:4:8: image: expected a file, got "art.jpg" (no such file)'
    ]


def test_a_draft_with_its_audio_is_still_probed(project: Path) -> None:
    """Only an absent file is let through: a draft's broken audio is reported as before."""
    folder = _episode(project, "2025-12-06-bad", 'title: "Bad"\ndate: 2025-12-06\naudio: audio.mp3\ndraft: true\n')
    (folder / "audio.mp3").write_bytes(b"")
    with pytest.raises(ProblemsFound) as found:
        build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    assert [p.render() for p in found.value.problems] == [
        "error: episodes/2025-12-06-bad/audio.mp3: audio: empty file (0 bytes) (named at episodes/2025-12-06-bad/episode.yaml:3:8)"
    ]


def test_a_draft_may_not_name_audio_outside_the_show_even_before_it_is_there(project: Path) -> None:
    _episode(project, "2025-12-07-out", 'title: "Out"\ndate: 2025-12-07\naudio: ../../../elsewhere.mp3\ndraft: true\n')
    with pytest.raises(ProblemsFound) as found:
        build_project(Options(project / "feed.yaml", now=NOW), assign=False)
    (problem,) = found.value.problems
    assert (problem.file, problem.line, problem.field, problem.severity) == (
        "episodes/2025-12-07-out/episode.yaml",
        3,
        "audio",
        "error",
    )
    assert problem.message == 'expected a file inside the show folder, got "../../../elsewhere.mp3"'
