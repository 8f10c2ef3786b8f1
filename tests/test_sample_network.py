"""The sample project's two shows (issue 14): the documentaries at the root and the agency's daily bulletin in
shows/journal/, which takes the agency's settings from shared.yaml (``extends:``). ``publish --all`` and
``check --all`` from a copy of the repository's tree run both; each show keeps its own podcast:guid; the
bulletin's podroll names the documentaries; the documentaries built alone still give the golden feed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import NOW, REPO, SAMPLE_EPISODE
from lxml import etree
from typer.testing import CliRunner

from apa_feed.build import Options, build_project
from apa_feed.cli import app

runner = CliRunner()
NS = {"podcast": "https://podcastindex.org/namespace/1.0", "atom": "http://www.w3.org/2005/Atom"}
GOLDEN = REPO / "tests" / "golden" / "sample-feed.xml"
JOURNAL = REPO / "shows" / "journal"
BULLETIN = JOURNAL / "episodes" / "2025-11-13-journal"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's sample tree (both shows, their locks, shared.yaml), as the working directory."""
    for name in ("feed.yaml", "cover.jpg", "apa-feed.lock", "shared.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "episodes" / SAMPLE_EPISODE, tmp_path / "episodes" / SAMPLE_EPISODE)
    skipped = shutil.ignore_patterns(".apa-feed", "public", "__pycache__", "*.py")
    shutil.copytree(JOURNAL, tmp_path / "shows" / "journal", ignore=skipped)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_bulletin_is_short_real_speech_committed_small() -> None:
    audio = BULLETIN / "audio.mp3"
    assert audio.stat().st_size < 300_000
    assert (JOURNAL / "cover.jpg").stat().st_size < 300_000
    result = runner.invoke(app, ["inspect", str(audio), "--json"])
    assert result.exit_code == 0, result.output
    assert '"duration": 33.' in result.output  # 20 to 40 s: about 33.6 s
    cues = (BULLETIN / "transcript.vtt").read_text(encoding="utf-8")
    assert cues.startswith("WEBVTT") and "Le journal d'Agence Presse Audio" in cues


def test_check_all_passes_both_shows_loudness_included(tree: Path) -> None:
    result = runner.invoke(app, ["check", "--all"])
    assert result.exit_code == 0, result.output
    assert "== . (feed.yaml) ==" in result.output
    assert "== shows/journal (shows/journal/feed.yaml) ==" in result.output
    assert "warning" not in result.stdout + result.stderr  # -19 LUFS mono, as Apple asks
    assert "2 shows: 2 ok, 0 failed" in result.output


def test_publish_all_publishes_both_shows_each_with_its_own_guid(tree: Path) -> None:
    result = runner.invoke(app, ["publish", "--all", "--no-verify", "-q"])
    assert result.exit_code == 0, result.output
    assert "2 shows: 2 published, 0 failed" in result.stdout
    docs = etree.parse(str(tree / "public" / "feed.xml")).getroot()
    journal = etree.parse(str(tree / "shows" / "public" / "journal" / "feed.xml")).getroot()
    docs_guid = docs.findtext("channel/podcast:guid", namespaces=NS)
    journal_guid = journal.findtext("channel/podcast:guid", namespaces=NS)
    assert docs_guid == "4d435bfa-2b77-564b-ac1c-5cbb13c29d77"  # pinned in apa-feed.lock
    assert journal_guid and journal_guid != docs_guid
    self_link = journal.find("channel/atom:link[@rel='self']", namespaces=NS)
    assert self_link is not None
    assert self_link.get("href") == "https://agencepresseaudio.example/emissions/journal/feed.xml"
    assert journal.findtext("channel/title") == "Le journal d'Agence Presse Audio"
    assert journal.findtext("channel/copyright") == "© 2025 Agence Presse Audio"  # from shared.yaml
    roll = journal.findall("channel/podcast:podroll/podcast:remoteItem", namespaces=NS)
    assert [(r.get("feedGuid"), r.get("feedUrl")) for r in roll] == [
        (docs_guid, "https://agencepresseaudio.example/podcast/feed.xml")
    ]
    enclosure = journal.find("channel/item/enclosure")
    assert enclosure is not None
    assert enclosure.get("url", "").startswith("https://agencepresseaudio.example/emissions/journal/episodes/")
    assert (tree / "shows" / "journal" / "apa-feed.lock").is_file()


def test_the_documentaries_built_alone_still_give_the_golden_feed(tree: Path) -> None:
    assert build_project(Options(tree / "feed.yaml", now=NOW)).rss == GOLDEN.read_bytes()
