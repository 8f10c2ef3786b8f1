"""A tree of shows for ``extends:`` and ``--all``: ``shows/shared.yaml`` and shows under ``shows/``, each with
the sample's cover and one episode of generated audio."""

from __future__ import annotations

import shutil
from pathlib import Path

import audiogen
from conftest import REPO, add_episode, episode_yaml

SHARED = """\
language: fr
link: https://apa.example/
base_url: https://apa.example/podcast/
author: Agence Presse Audio
owner:
  name: Agence Presse Audio
  email: podcast@apa.example
categories: [News]
explicit: false
copyright: © 2026 Agence Presse Audio
storage: public
"""


def shared_file(tree: Path, text: str = SHARED) -> Path:
    """Write ``shows/shared.yaml``."""
    path = tree / "shows" / "shared.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def show(tree: Path, name: str, extra: str = "", extends: str = "../shared.yaml") -> Path:
    """``shows/NAME/feed.yaml`` extending ``extends``, with a cover and one episode of 2 s of generated tone."""
    root = tree / "shows" / name
    root.mkdir(parents=True)
    shutil.copy(REPO / "cover.jpg", root / "cover.jpg")
    head = f"extends: {extends}\n" if extends else ""
    text = f"{head}title: Show {name}\ndescription: The {name} show.\nimage: cover.jpg\n{extra}"
    (root / "feed.yaml").write_text(text, encoding="utf-8")
    audio = tree / f"{name}.mp3"
    audiogen.write_mp3(audio, 2.0)
    add_episode(root, f"2026-01-0{len(name) % 9 + 1}-{name}", episode_yaml(f"Episode of {name}", "2025-12-01"), audio)
    return root / "feed.yaml"
