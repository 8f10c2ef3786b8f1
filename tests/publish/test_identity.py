"""The identity guard: published GUIDs, dates and episodes do not change by accident."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from typer.testing import CliRunner

from apa_feed.build import Options
from apa_feed.cli import app
from apa_feed.publish.identity import IdentityChanged
from apa_feed.publish.lockfile import LOCK_FILE, read_lock
from apa_feed.publish.run import publish

GUID = "5b0f3f9e-6a51-4c57-9a43-2f1d8f0c7e21"
EPISODE = f"episodes/{SAMPLE_EPISODE}/episode.yaml"


def run(root: Path, allow: frozenset[str] = frozenset(), **options: object):  # type: ignore[no-untyped-def]
    return publish(Options(root / "feed.yaml", now=NOW, **options), allow=allow)  # type: ignore[arg-type]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_publish_records_what_subscribers_have(project: Path) -> None:
    report = run(project)
    lock = read_lock(project)
    assert lock is not None
    assert lock.feed_url == "https://agencepresseaudio.example/podcast/feed.xml"
    (entry,) = lock.episodes
    assert (entry.guid, entry.pub_date, entry.slug) == (GUID, "2025-11-12T00:00:00+01:00", SAMPLE_EPISODE)
    assert entry.enclosure_url == report.built.publication.feed.items[0].enclosure_url
    assert report.changes == ()


def test_a_changed_guid_is_refused_with_what_subscribers_would_see(project: Path) -> None:
    run(project)
    edit(project / EPISODE, GUID, "new-guid-1")
    with pytest.raises(IdentityChanged) as refused:
        run(project)
    assert str(refused.value) == (
        "this publish would change episodes subscribers already have:\n"
        f'  {SAMPLE_EPISODE}: GUID changes from "{GUID}" to "new-guid-1": every subscriber\'s app would '
        "download the episode again and list it twice\n"
        "nothing was published; if this is intended, publish again with --allow-guid-change"
    )
    assert GUID.encode() in (project / "public" / "feed.xml").read_bytes()  # the live feed is untouched
    run(project, allow=frozenset({"guid"}))
    assert [e.guid for e in read_lock(project).episodes] == ["new-guid-1"]  # type: ignore[union-attr]


def test_a_moved_date_is_refused_unless_allowed(project: Path) -> None:
    run(project)
    edit(project / EPISODE, "date: 2025-11-12", "date: 2025-11-10")
    with pytest.raises(
        IdentityChanged,
        match="pubDate moves from 2025-11-12T00:00:00\\+01:00 to "
        "2025-11-10T00:00:00\\+01:00: the episode would jump in every list(.|\\n)*--allow-redate",
    ):
        run(project)
    run(project, allow=frozenset({"date"}))
    assert read_lock(project).episodes[0].pub_date == "2025-11-10T00:00:00+01:00"  # type: ignore[union-attr]


def test_the_same_instant_written_differently_is_not_a_change(project: Path) -> None:
    run(project)
    edit(project / EPISODE, "date: 2025-11-12", "date: 2025-11-11T23:00:00+00:00")
    assert run(project).changes == ()


def test_a_published_episode_turned_draft_is_refused(project: Path) -> None:
    run(project)
    (project / EPISODE).write_text((project / EPISODE).read_text(encoding="utf-8") + "draft: true\n")
    with pytest.raises(
        IdentityChanged,
        match=re.escape(
            '"Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako" (published 2025-11-12) '
            "would vanish from subscribers' apps: it is a draft (draft: true)"
        ),
    ):
        run(project)


def test_a_deleted_episode_folder_is_refused_then_allowed(project: Path) -> None:
    add_episode(project, "2025-12-01-suite", episode_yaml("Suite", "2025-12-01"))
    run(project)
    shutil.rmtree(project / "episodes" / "2025-12-01-suite")
    with pytest.raises(IdentityChanged, match="--allow-removal"):
        run(project)
    run(project, allow=frozenset({"removed"}))
    assert [e.slug for e in read_lock(project).episodes] == [SAMPLE_EPISODE]  # type: ignore[union-attr]


def test_reencoded_audio_keeps_its_guid_and_says_why_the_url_changed(project: Path) -> None:
    run(project)
    audio = project / "episodes" / SAMPLE_EPISODE / "audio.mp3"
    audio.write_bytes(audio.read_bytes() + b"\0" * 417)  # new bytes, still the same audio
    report = run(project)
    (change,) = report.changes
    assert (change.kind, change.episode) == ("enclosure", SAMPLE_EPISODE)
    assert change.explanation == "new audio bytes under a new key (the old file stays on the store until --prune)"
    assert report.built.publication.feed.items[0].guid == GUID
    assert read_lock(project).episodes[0].enclosure_url == change.new  # type: ignore[union-attr]


def test_a_base_url_move_is_explained(project: Path) -> None:
    run(project)
    report = run(project, base_url="https://cdn.example.org/apa/")
    kinds = {c.kind: c.explanation for c in report.changes}
    assert kinds["feed_url"].startswith(
        "the feed moves from https://agencepresseaudio.example/podcast/feed.xml to "
        "https://cdn.example.org/apa/feed.xml: keep the old URL answering"
    )
    assert kinds["enclosure"].startswith(
        "base URL moved (was https://agencepresseaudio.example/podcast/…): the old URLs must keep working"
    )


def test_previews_neither_guard_nor_record(project: Path) -> None:
    run(project)
    edit(project / EPISODE, "date: 2025-11-12", "date: 2025-11-10")
    publish(Options(project / "feed.yaml", now=NOW, identity=False, storage=str(project / "preview")))
    assert read_lock(project).episodes[0].pub_date == "2025-11-12T00:00:00+01:00"  # type: ignore[union-attr]


def test_cli_refuses_with_exit_1_and_the_flag_to_use(project: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["publish", "--quiet", "--no-verify"]).exit_code == 0
    edit(project / EPISODE, GUID, "other")
    result = runner.invoke(app, ["publish", "--quiet", "--no-verify"])
    assert result.exit_code == 1
    assert "publish again with --allow-guid-change" in result.output
    assert "Traceback" not in result.output
    ok = runner.invoke(app, ["publish", "--quiet", "--no-verify", "--allow-guid-change", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout[ok.stdout.index("{") :])["episodes"] == 1


def test_a_damaged_lock_is_a_clear_error(project: Path) -> None:
    (project / LOCK_FILE).write_text("{not json")
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 1
    assert "apa-feed.lock is damaged" in result.output
    assert "restore it from version control" in result.output
