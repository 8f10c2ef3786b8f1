"""An unquoted colon in a value (``title: Réalisation: Marie``): ``check`` names the file, line, column and
field, and shows the line with its value in quotes; every such line of a file in one run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import SAMPLE_EPISODE
from typer.testing import CliRunner

from apa_feed.cli import app

runner = CliRunner()
EPISODE = f"episodes/{SAMPLE_EPISODE}/episode.yaml"
SAMPLE_TITLE = 'title: "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako"'
HINT = "a colon and a space inside a value start a new field in YAML; put the value in quotes"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check_errors() -> list[str]:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    return result.stderr.splitlines()


def test_an_unquoted_colon_in_a_title_says_to_quote_it(project: Path) -> None:
    with_colon = "title: Réalisation: Marie"
    with pytest.raises(yaml.YAMLError, match="mapping values are not allowed"):  # YAML's words: no hint
        yaml.safe_load(with_colon)
    edit(project / EPISODE, SAMPLE_TITLE, with_colon)
    assert check_errors() == [
        f'error: {EPISODE}:1:19: title: {HINT}: title: "Réalisation: Marie"',
        "1 problem in 1 file.",
    ]
    edit(project / EPISODE, with_colon, 'title: "Réalisation: Marie"')  # as the message says
    assert runner.invoke(app, ["check"]).exit_code == 0


def test_every_such_line_is_named_with_its_field_path(project: Path) -> None:
    edit(project / "feed.yaml", "  name: Agence Presse Audio\n", "  name: Agence: Presse Audio  # the owner\n")
    edit(project / "feed.yaml", "author: Agence Presse Audio\n", "author: Rédaction: APA\n")
    edit(project / EPISODE, SAMPLE_TITLE, "title: Mali: la route")
    edit(project / EPISODE, "keywords: [", "chapters:\n  - start: 0\n    title: Intro: ouverture\nkeywords: [")
    feed = (project / "feed.yaml").read_text(encoding="utf-8").splitlines()
    author, owner = (
        feed.index("author: Rédaction: APA") + 1,
        feed.index("  name: Agence: Presse Audio  # the owner") + 1,
    )
    assert check_errors() == [
        f'error: {EPISODE}:1:12: title: {HINT}: title: "Mali: la route"',
        f'error: {EPISODE}:7:17: chapters[0].title: {HINT}: title: "Intro: ouverture"',
        f'error: feed.yaml:{author}:18: author: {HINT}: author: "Rédaction: APA"',
        f'error: feed.yaml:{owner}:15: owner.name: {HINT}: name: "Agence: Presse Audio"',
        "4 problems in 2 files.",
    ]


def test_other_yaml_errors_keep_yamls_own_words(project: Path) -> None:
    """A colon on a continuation line, or after a quoted value, is not a value to quote as it stands."""
    edit(project / EPISODE, SAMPLE_TITLE, 'title: "Mali": la route')
    errors = check_errors()
    assert errors[0].startswith(f"error: {EPISODE}:1:14: invalid YAML: mapping values are not allowed")
    assert errors[1:] == ["1 problem in 1 file."]
