"""Every config field and every command is documented, and the docs match the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from typer.testing import CliRunner

from apa_feed.cli import app
from apa_feed.config.doc import render_doc
from apa_feed.config.episodes import EPISODE_FIELDS
from apa_feed.config.show import SHOW_FIELDS

runner = CliRunner()


def test_config_doc_is_current() -> None:
    committed = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    assert committed == render_doc(), "regenerate: python -m apa_feed.config.doc > docs/config.md"


def test_every_field_has_a_doc_and_a_row() -> None:
    doc = render_doc()
    for field in (*SHOW_FIELDS, *EPISODE_FIELDS):
        assert field.doc.endswith("."), field.name
        assert f"| `{field.name}` |" in doc


def test_readme_shows_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert {"init", "new", "check", "inspect", "build", "publish", "rollback", "serve", "import"} <= set(commands)
    for command in commands:
        assert f"apa-feed {command}" in readme, command


def test_apa_feed_docs_prints_the_reference_anywhere(tmp_path: Path) -> None:
    """What `apa-feed docs` prints is docs/config.md, from the installed code: no file of the repo is read."""
    result = subprocess.run(
        [sys.executable, "-m", "apa_feed", "docs"], cwd=tmp_path, capture_output=True, timeout=60, check=True
    )
    assert result.stdout.decode("utf-8") == (REPO / "docs" / "config.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("query", "first_lines"),
    [
        ("base_url", ["base_url (feed.yaml)", "  type:     URL", "  default:  required"]),
        ("episode.audio", ["episode.audio (episode.yaml)", "  type:     file path", "  default:  —"]),
        ("audio", ["episode.audio (episode.yaml)"]),  # a last part that names one field
        ("owner.email", ["owner.email (feed.yaml)", "  type:     email"]),
        ("feed.title", ["title (feed.yaml)", "  type:     text"]),
        ("episode.draft", ["episode.draft (episode.yaml)", "  type:     true/false", "  default:  false"]),
    ],
)
def test_apa_feed_docs_field_prints_its_entry(query: str, first_lines: list[str]) -> None:
    result = runner.invoke(app, ["docs", query])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[: len(first_lines)] == first_lines


def test_a_field_in_both_files_points_at_the_other() -> None:
    result = runner.invoke(app, ["docs", "link"])
    assert result.stdout.startswith("link (feed.yaml)\n")
    assert result.stdout.endswith("\nsee also: episode.link\n")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "bse_url",
            'error: no field "bse_url" in feed.yaml or episode.yaml; did you mean "base_url"?',
        ),
        (
            "episode.titel",
            'error: no field "episode.titel" in feed.yaml or episode.yaml; did you mean "episode.title"?',
        ),
        ("xyzzy", 'error: no field "xyzzy" in feed.yaml or episode.yaml; `apa-feed docs` lists them all'),
    ],
)
def test_an_unknown_field_suggests_close_names(query: str, message: str) -> None:
    result = runner.invoke(app, ["docs", query])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == message + "\n"


@pytest.mark.parametrize(
    ("website", "link"),
    [(True, "https://agencepresseaudio.example/podcast/episodes/{}/"), (False, "https://agencepresseaudio.example/")],
)
def test_an_episode_link_defaults_to_its_page_as_documented(project: Path, website: bool, link: str) -> None:
    """docs/config.md: `link` defaults to the episode's page on the show's website, else the show's link."""
    import xml.etree.ElementTree as ET

    from conftest import SAMPLE_EPISODE

    if not website:
        with (project / "feed.yaml").open("a", encoding="utf-8") as config:
            config.write("website: false\n")
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    item = ET.fromstring(result.stdout_bytes).find("channel/item")
    assert item is not None and item.findtext("link") == link.format(SAMPLE_EPISODE)
    entry = " ".join(runner.invoke(app, ["docs", "episode.link"]).stdout.split())
    assert "Default: its page on the show's website, or the show's `link` with `website: false`." in entry
