"""``apa-feed status`` through the CLI: every episode's state, what the store lacks, the last publish, the feed
URL; on the local folder store and a real S3 server; and nothing written, ever."""
# ruff: noqa: F811

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import audiogen
from conftest import SAMPLE_EPISODE, add_episode, episode_yaml
from s3server import WeedServer, aws_env, closed_port, point_at, s3_server, show, store_of  # noqa: F401  (fixtures)
from typer.testing import CliRunner

from apa_feed.cli import app

runner = CliRunner()
TITLE = "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako"
FEED_URL = "https://agencepresseaudio.example/podcast/feed.xml"


def status_json(*args: str, code: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, ["status", "--json", *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def by_folder(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["folder"].removeprefix("episodes/"): e for e in data["episodes"]}


def every_state(root: Path) -> None:
    """Next to the live sample: a draft, a scheduled episode, one with broken audio, one with a YAML error,
    and a new one without a GUID yet (all with real audio but the broken one)."""
    for slug, text in [
        ("2025-12-02-brouillon", episode_yaml("Brouillon", "2025-12-02", draft="true", episode="3")),
        ("2099-01-01-futur", episode_yaml("Épisode du futur", "2099-01-01", episode="4")),
        ("2025-12-03-nouveau", episode_yaml("Nouveau", "2025-12-03", episode="2")),
        ("2025-12-04-date", episode_yaml("Mauvaise date", "le quatre")),
    ]:
        audiogen.write_mp3(add_episode(root, slug, text) / "audio.mp3", 1.0)
    broken = add_episode(root, "2025-12-01-casse", episode_yaml("Cassé", "2025-12-01"))
    audiogen.write_empty(broken / "audio.mp3")


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` (the show and its public/ store), with its bytes and modification time."""
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_status_shows_each_episode_and_writes_nothing(project: Path) -> None:
    every_state(project)
    before = snapshot(project)
    data = status_json()
    assert snapshot(project) == before, "status wrote something"
    assert not (project / "apa-feed.lock").exists()
    assert "guid" not in (project / "episodes" / "2025-12-03-nouveau" / "episode.yaml").read_text(encoding="utf-8")
    rows = by_folder(data)
    assert {slug: row["state"] for slug, row in rows.items()} == {
        SAMPLE_EPISODE: "live",
        "2025-12-03-nouveau": "live",
        "2025-12-02-brouillon": "draft",
        "2099-01-01-futur": "scheduled",
        "2025-12-01-casse": "held back",
        "2025-12-04-date": "held back",
    }
    assert rows["2025-12-01-casse"]["errors"] == [
        "error: episodes/2025-12-01-casse/audio.mp3: audio: empty file (0 bytes) "
        "(named at episodes/2025-12-01-casse/episode.yaml:3:8)"
    ]
    assert re.match(r"error: episodes/2025-12-04-date/episode.yaml:2:7: date: ", rows["2025-12-04-date"]["errors"][0])
    assert rows["2099-01-01-futur"]["date"] == "2099-01-01T00:00:00+01:00"
    assert (rows["2099-01-01-futur"]["number"], rows["2099-01-01-futur"]["title"]) == (4, "Épisode du futur")
    order = [row["folder"].removeprefix("episodes/") for row in data["episodes"]]
    assert order == [  # newest first; an episode whose date cannot be read last
        "2099-01-01-futur",
        "2025-12-03-nouveau",
        "2025-12-02-brouillon",
        "2025-12-01-casse",
        SAMPLE_EPISODE,
        "2025-12-04-date",
    ]
    assert data["store"] == {
        "store": "public/",
        "reachable": True,
        "error": "",
        "present": 0,
        "missing": data["store"]["missing"],
        "feed": "none",
    }
    assert any(k.startswith("episodes/2025-12-03-nouveau/audio-") for k in data["store"]["missing"])
    assert not any("casse" in k or "brouillon" in k for k in data["store"]["missing"])
    assert (data["last_publish"], data["feed_url"], data["problems"], data["warnings"]) == (None, FEED_URL, [], 0)


def test_status_in_words(project: Path) -> None:
    every_state(project)
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "6 episodes:"
    assert re.fullmatch(
        r"  scheduled  2099-01-01    #4  episodes/2099-01-01-futur\s+Épisode du futur  \(goes live 2099-01-01 00:00\+01:00\)",
        lines[1],
    )
    assert "  held back  " in result.stdout
    assert (
        "    error: episodes/2025-12-01-casse/audio.mp3: audio: empty file (0 bytes) "
        "(named at episodes/2025-12-01-casse/episode.yaml:3:8)"
    ) in lines
    assert re.search(
        r"  live       2025-12-03    #2  episodes/2025-12-03-nouveau\s+Nouveau  \(not on the store yet", result.stdout
    )
    assert re.search(
        r"^store: public/ has no feed yet: publish uploads the \d+ files the feed needs$", result.stdout, re.M
    )
    assert lines[-2:] == ["last publish: none yet", f"feed: {FEED_URL}"]


def test_after_publishes_status_tells_what_changed_and_what_the_store_lacks(show: Path) -> None:
    assert runner.invoke(app, ["publish", "--no-verify"]).exit_code == 0
    first = status_json()
    assert first["store"]["missing"] == [] and first["store"]["feed"] == "current"
    assert first["store"]["present"] > 0
    assert by_folder(first)[SAMPLE_EPISODE]["on_store"] is True
    last = first["last_publish"]
    assert (last["number"], [(c["kind"], c["title"]) for c in last["changes"]]) == (1, [("added", TITLE)])
    assert (last["when"] is not None) == (not show.joinpath("feed.yaml").read_text().count("s3://"))
    episode = show / "episodes" / SAMPLE_EPISODE / "episode.yaml"
    episode.write_text(episode.read_text(encoding="utf-8").replace(TITLE, "Nouveau titre"), encoding="utf-8")
    assert status_json()["store"]["feed"] == "outdated"
    assert runner.invoke(app, ["publish", "--no-verify"]).exit_code == 0
    audiogen.write_mp3(add_episode(show, "2025-12-03-suite", episode_yaml("La suite", "2025-12-03")) / "audio.mp3", 1.0)
    second = status_json()
    changes = second["last_publish"]["changes"]
    assert second["last_publish"]["number"] == 2
    assert [(c["kind"], c["title"], c["detail"]) for c in changes] == [
        ("changed", "Nouveau titre", f'title was "{TITLE}"')
    ]
    audio, page = second["store"]["missing"]  # the new episode's files; the index page is there, if outdated
    assert audio.startswith("episodes/2025-12-03-suite/audio-") and page == "episodes/2025-12-03-suite/index.html"
    assert by_folder(second)["2025-12-03-suite"]["on_store"] is False
    words = runner.invoke(app, ["status"]).stdout
    assert "last publish: #2" in words and f'changed "Nouveau titre" (title was "{TITLE}")' in words
    assert re.search(r"lacks 2 of \d+ files the feed needs \(episodes/2025-12-03-suite/audio-", words)


def test_an_analytics_prefix_is_not_called_new_audio(project: Path) -> None:
    assert runner.invoke(app, ["publish", "--no-verify"]).exit_code == 0
    with (project / "feed.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write("analytics: [op3]\n")
    assert runner.invoke(app, ["publish", "--no-verify"]).exit_code == 0
    (change,) = status_json()["last_publish"]["changes"]
    assert (change["kind"], change["detail"]) == ("changed", "analytics prefixes op3 (were: none)")


def test_episodes_published_from_another_clone_are_named(project: Path) -> None:
    assert runner.invoke(app, ["publish", "--no-verify"]).exit_code == 0
    (project / "apa-feed.lock").unlink()  # this clone never published: its lock does not know the episode
    os.rename(project / "episodes" / SAMPLE_EPISODE, project / "elsewhere")  # nor has it the folder
    audiogen.write_mp3(add_episode(project, "2025-12-03-local", episode_yaml("Local", "2025-12-03")) / "audio.mp3", 1.0)
    data = status_json()
    assert [(e["title"], e["guid"]) for e in data["elsewhere"]] == [(TITLE, "5b0f3f9e-6a51-4c57-9a43-2f1d8f0c7e21")]
    assert data["last_publish"]["not_in_lock"] == [TITLE]
    words = runner.invoke(app, ["status"]).stdout
    assert "on the store, not in this clone (1 episode):" in words
    assert "apa-feed.lock does not record 1 live episode: pull the show" in words


def test_a_rollback_shows_in_the_last_publish(project: Path) -> None:
    assert runner.invoke(app, ["publish", "--no-verify"]).exit_code == 0
    audiogen.write_mp3(
        add_episode(project, "2025-12-03-suite", episode_yaml("La suite", "2025-12-03")) / "audio.mp3", 1.0
    )
    assert runner.invoke(app, ["publish", "--no-verify"]).exit_code == 0
    assert [c["kind"] for c in status_json()["last_publish"]["changes"]] == ["added"]
    draft = project / "episodes" / "2025-12-03-suite" / "episode.yaml"
    draft.write_text(draft.read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
    held = [line for line in runner.invoke(app, ["status"]).stdout.splitlines() if "2025-12-03-suite" in line]
    assert held[0].startswith("  draft ") and held[0].endswith(
        "La suite  (still in the live feed: subscribers have it)"
    )
    assert runner.invoke(app, ["rollback"]).exit_code == 0
    last = status_json()["last_publish"]
    assert (last["number"], last["rolled_back_to"]) == (1, 1)
    assert "(rollback to history entry 1)" in runner.invoke(app, ["status"]).stdout


def test_an_unreachable_store_is_said_and_the_episodes_still_shown(project: Path, aws_env: dict[str, str]) -> None:
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^storage: .*$", "storage: s3://show-bucket/show", text, flags=re.M)
    endpoint = f"http://127.0.0.1:{closed_port()}"
    (project / "feed.yaml").write_text(text + f"s3:\n  endpoint_url: {endpoint}\n", encoding="utf-8")
    data = status_json()
    assert data["store"]["reachable"] is False
    assert endpoint in data["store"]["error"]
    assert by_folder(data)[SAMPLE_EPISODE]["state"] == "live"
    assert by_folder(data)[SAMPLE_EPISODE]["on_store"] is None
    words = runner.invoke(app, ["status"])
    assert words.exit_code == 0 and "Traceback" not in words.output
    assert f"store: s3://show-bucket/show cannot be read: cannot reach the S3 endpoint {endpoint}" in words.stdout


def test_warnings_are_counted(project: Path) -> None:
    flac = add_episode(project, "2025-12-01-flac", episode_yaml("Flac", "2025-12-01").replace("audio.mp3", "a.flac"))
    audiogen.write_with_ffmpeg(flac / "a.flac", 1.0, ["-c:a", "flac"])
    assert status_json()["warnings"] == 1
    assert "1 warning: apa-feed check shows them" in runner.invoke(app, ["status"]).stdout


def test_a_broken_feed_yaml_is_reported_and_the_episodes_listed(project: Path) -> None:
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(text.replace("explicit: false", "explicit: perhaps"), encoding="utf-8")
    broken = add_episode(project, "2025-12-01-casse", episode_yaml("Cassé", "2025-12-01"))
    audiogen.write_empty(broken / "audio.mp3")
    data = status_json(code=1)
    assert len(data["problems"]) == 1 and data["problems"][0].startswith("error: feed.yaml:")
    assert data["store"] is None and by_folder(data)[SAMPLE_EPISODE]["state"] == "live"
    assert by_folder(data)["2025-12-01-casse"]["state"] == "held back"
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: feed.yaml:") and "Traceback" not in result.output
    assert "store: not checked: the show does not build (1 problem)" in result.stdout


def test_status_is_listed_in_help_after_check() -> None:
    names = re.findall(r"^│ (\w+)", runner.invoke(app, ["--help"]).stdout, re.M)
    assert names.index("status") == names.index("check") + 1
    usage = runner.invoke(app, ["status", "-h"])
    assert usage.exit_code == 0 and all(flag in usage.stdout for flag in ("--json", "--storage", "--config"))
