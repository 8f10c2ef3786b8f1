"""Every config field and every command is documented, and the docs match the code."""

from __future__ import annotations

from conftest import REPO

from apa_feed.config.doc import render_doc
from apa_feed.config.episodes import EPISODE_FIELDS
from apa_feed.config.show import SHOW_FIELDS


def test_config_doc_is_current() -> None:
    committed = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    assert committed == render_doc(), "regenerate: python -m apa_feed.config.doc > docs/config.md"


def test_every_field_has_a_doc_and_a_row() -> None:
    doc = render_doc()
    for field in (*SHOW_FIELDS, *EPISODE_FIELDS):
        assert field.doc.endswith("."), field.name
        assert f"| `{field.name}` |" in doc


def test_readme_shows_every_command() -> None:
    from apa_feed.cli import app

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert {"init", "new", "check", "inspect", "build", "publish", "rollback", "serve", "import"} <= set(commands)
    for command in commands:
        assert f"apa-feed {command}" in readme, command
