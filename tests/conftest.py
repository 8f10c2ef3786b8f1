"""Shared fixtures: a copy of the repo's sample show in a temporary folder, and helpers to edit it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_EPISODE = "2025-11-12-mali-turquie"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True, scope="session")
def machine_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keys and caches apa-feed keeps outside projects go to a temporary folder, not the tester's home."""
    import os

    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


def copy_sample(target: Path) -> Path:
    """Copy feed.yaml, the show cover and the sample episode into ``target``."""
    shutil.copy(REPO / "feed.yaml", target / "feed.yaml")
    shutil.copy(REPO / "cover.jpg", target / "cover.jpg")
    shutil.copytree(REPO / "episodes" / SAMPLE_EPISODE, target / "episodes" / SAMPLE_EPISODE)
    return target


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working copy of the sample show; the working directory is its root."""
    copy_sample(tmp_path)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def add_episode(root: Path, slug: str, text: str, audio_from: Path | None = None) -> Path:
    """Add ``episodes/slug/episode.yaml`` with ``text``, and an audio.mp3 (the sample's by default)."""
    folder = root / "episodes" / slug
    folder.mkdir(parents=True)
    (folder / "episode.yaml").write_text(text, encoding="utf-8")
    shutil.copy(audio_from or REPO / "episodes" / SAMPLE_EPISODE / "audio.mp3", folder / "audio.mp3")
    return folder


def episode_yaml(title: str, day: str, **extra: str) -> str:
    """A minimal valid episode.yaml."""
    lines = [f'title: "{title}"', f"date: {day}", "audio: audio.mp3", "description: Notes."]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"
