"""A build after a few episodes changed redoes only them (apa_feed.patch), with the same result as a
whole build, byte for byte; anything it is not sure of goes to the whole build."""

from __future__ import annotations

import random
import re
import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
from audiogen import write_mp3
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml

from apa_feed import episodes as episodes_module
from apa_feed import patch, snapshot, yamlread
from apa_feed.errors import ProblemsFound
from apa_feed.project import Built, Options, build_project

SLUGS = [f"2025-12-0{n}-story" for n in range(1, 8)]


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by a test are seconds old at most: trust their times anyway (the racy case has its own test)."""
    monkeypatch.setattr(snapshot, "RACY_NS", 0)
    monkeypatch.setattr(snapshot, "FINE_RACY_NS", 0)


@pytest.fixture
def show(project: Path, trusting: None) -> Path:
    """The sample and seven more episodes, numbered, built once (so a snapshot with every part is kept)."""
    for n, slug in enumerate(SLUGS, start=1):
        add_episode(project, slug, episode_yaml(f"Story {n}", slug[:10], guid=f"guid-{n}", episode=str(n)))
    build(project)
    return project


def build(root: Path, **options: object) -> Built:
    return build_project(Options(root / "feed.yaml", now=options.pop("now", NOW), **options))  # type: ignore[arg-type]


def whole(root: Path, **options: object) -> Built:
    """The same show built from nothing kept but the probe cache."""
    for name in ("build.pickle", "episodes.bin", "items.bin", "notes.json"):
        (root / ".apa-feed" / name).unlink(missing_ok=True)
    return build(root, **options)


def watch(monkeypatch: pytest.MonkeyPatch) -> tuple[list[bool], list[str]]:
    """Whether each patch attempt gave a build, and which episode.yaml files were parsed."""
    results: list[bool] = []
    parsed: list[str] = []
    real_rebuild, real_compose = patch.rebuild, yamlread.compose_file

    def rebuild(*args, **kwargs):  # type: ignore[no-untyped-def]
        built = real_rebuild(*args, **kwargs)
        results.append(built is not None)
        return built

    def compose(path: Path, ctx: yamlread.Context):  # type: ignore[no-untyped-def]
        if path.name == "episode.yaml":
            parsed.append(path.parent.name)
        return real_compose(path, ctx)

    monkeypatch.setattr(patch, "rebuild", rebuild)
    monkeypatch.setattr(episodes_module, "compose_file", compose)
    return results, parsed


def edit(root: Path, slug: str, old: str, new: str) -> None:
    path = root / "episodes" / slug / "episode.yaml"
    time.sleep(0.01)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def assert_same(patched: Built, full: Built) -> None:
    assert patched.rss == full.rss
    assert patched.build == full.build
    assert patched.warnings == full.warnings


def test_one_edited_episode_is_read_alone_and_the_build_is_the_whole_builds(
    show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results, parsed = watch(monkeypatch)
    edit(show, SLUGS[2], 'title: "Story 3"', 'title: "Story three, retold"')
    patched = build(show)
    assert results == [True]
    assert parsed == [SLUGS[2]]
    assert b"Story three, retold" in patched.rss
    assert_same(patched, whole(show))


def test_the_next_build_after_a_patched_one_is_read_back_whole(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(show, SLUGS[0], "Notes.", "Other notes.")
    first = build(show)
    results, parsed = watch(monkeypatch)
    again = build(show)
    assert results == [] and parsed == []  # the snapshot kept by the patched build answers
    assert_same(again, first)


@pytest.mark.parametrize(("old", "new", "expect"), [
    ("episode: 4", "episode: 4\ndraft: true", b"Story 4"),  # a draft leaves the feed
    ("date: 2025-12-04", "date: 2026-02-01", b"Story 4"),  # so does an episode scheduled later
    ('title: "Story 4"', 'title: "Agence Presse Audio \u2014 Documentaires, \u00e9pisode 4"', b"Story 4"),  # warnings
])
def test_an_episode_leaving_the_feed_or_gaining_warnings_matches_the_whole_build(
    show: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, expect: bytes
) -> None:
    results, _ = watch(monkeypatch)
    edit(show, SLUGS[3], old, new)
    patched = build(show)
    assert results == [True]
    assert expect not in patched.rss
    assert_same(patched, whole(show))


def test_warnings_go_with_their_episode_when_it_is_mended(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(show, SLUGS[1], 'title: "Story 2"', 'title: "Story 2, \u00e9pisode 2"')
    assert any(SLUGS[1] in w.file and w.field == "title" for w in build(show).warnings)
    results, _ = watch(monkeypatch)
    edit(show, SLUGS[1], 'title: "Story 2, \u00e9pisode 2"', 'title: "Story 2"')
    mended = build(show)
    assert results == [True]
    assert not any(SLUGS[1] in w.file for w in mended.warnings)
    assert_same(mended, whole(show))


def test_a_scheduled_episode_coming_due_builds_it_all(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(show, SLUGS[4], "date: 2025-12-05", "date: 2026-02-01")
    assert b"Story 5" not in build(show).rss
    results, _ = watch(monkeypatch)
    later = build(show, now=NOW + timedelta(days=40))
    assert results == []  # the kept build is no longer valid at all
    assert b"Story 5" in later.rss


def test_new_audio_gives_a_new_key_and_length(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = build(show)
    results, _ = watch(monkeypatch)
    time.sleep(0.01)
    write_mp3(show / "episodes" / SLUGS[5] / "audio.mp3", seconds=3.0)
    patched = build(show)
    assert results == [True]
    assert {a.key for a in patched.build.assets} != {a.key for a in before.build.assets}
    assert_same(patched, whole(show))


@pytest.mark.parametrize(("old", "new", "message"), [
    ("guid: guid-6", "guid: guid-2", "same GUID"),
    ("episode: 6", "episode: 2", "numbered twice"),
    ("date: 2025-12-06", "date: 2025-13-06", "date"),
])
def test_a_mistake_in_a_changed_episode_is_reported_by_the_whole_build(
    show: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, message: str
) -> None:
    results, parsed = watch(monkeypatch)
    edit(show, SLUGS[5], old, new)
    with pytest.raises(ProblemsFound) as found:
        build(show)
    assert results == [False]
    assert len(parsed) > 1  # the whole show was read to report every problem
    assert any(message in p.render() and SLUGS[5] in p.file for p in found.value.problems)


def test_a_new_episode_is_read_alone_and_given_its_guid(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results, parsed = watch(monkeypatch)
    time.sleep(0.01)
    add_episode(show, "2025-12-10-new", episode_yaml("A new story", "2025-12-10", episode="8"))
    patched = build(show)
    assert results == [True]
    assert parsed == ["2025-12-10-new"]
    text = (show / "episodes" / "2025-12-10-new" / "episode.yaml").read_text(encoding="utf-8")
    assert "guid: " in text  # written, as a whole build writes it
    assert b"A new story" in patched.rss
    assert_same(patched, whole(show))


def test_a_new_episode_without_a_guid_in_a_dry_run_builds_it_all(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results, _ = watch(monkeypatch)
    time.sleep(0.01)
    folder = add_episode(show, "2025-12-10-new", episode_yaml("A new story", "2025-12-10"))
    built = build_project(Options(show / "feed.yaml", now=NOW), assign=False)
    assert results == [False]
    assert b"A new story" in built.rss
    assert "guid" not in (folder / "episode.yaml").read_text(encoding="utf-8")


def test_a_removed_episode_leaves_the_feed(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results, parsed = watch(monkeypatch)
    shutil.rmtree(show / "episodes" / SLUGS[3])
    patched = build(show)
    assert results == [True]
    assert parsed == []
    assert b"Story 4" not in patched.rss
    assert not any(SLUGS[3] in a.key for a in patched.build.assets)
    assert_same(patched, whole(show))


def test_an_empty_folder_then_its_episode_yaml(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = show / "episodes" / "2025-12-11-later"
    folder.mkdir()
    before = build(show)
    results, _ = watch(monkeypatch)
    time.sleep(0.01)
    write_mp3(folder / "audio.mp3", seconds=1.0)
    (folder / "episode.yaml").write_text(episode_yaml("Later on", "2025-12-11", guid="later"), encoding="utf-8")
    patched = build(show)
    assert results == [True]
    assert b"Later on" in patched.rss and b"Later on" not in before.rss
    assert_same(patched, whole(show))


def test_a_removed_episode_yaml_builds_it_all(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results, _ = watch(monkeypatch)
    (show / "episodes" / SLUGS[6] / "episode.yaml").unlink()
    built = build(show)
    assert results == [False]
    assert b"Story 7" not in built.rss
    assert_same(built, whole(show))


def test_many_changed_episodes_build_it_all(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results, _ = watch(monkeypatch)
    for slug in SLUGS[:3]:
        edit(show, slug, "Notes.", "New notes.")
    assert b"New notes." in build(show).rss
    assert results == []  # three of eight: more than a quarter


def test_a_folder_without_an_episode_is_watched_too(project: Path, trusting: None) -> None:
    folder = project / "episodes" / "2025-12-09-coming"
    folder.mkdir()
    assert b"Coming soon" not in build(project).rss
    time.sleep(0.01)
    (folder / "episode.yaml").write_text(episode_yaml("Coming soon", "2025-12-09", guid="coming"), encoding="utf-8")
    write_mp3(folder / "audio.mp3", seconds=1.0)
    assert b"Coming soon" in build(project).rss


def test_the_website_reuses_unchanged_pages_and_matches_the_whole_build(
    show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = build(show)  # the sample show has its website on
    results, _ = watch(monkeypatch)
    edit(show, SLUGS[2], 'title: "Story 3"', 'title: "Story three"')
    patched = build(show)
    assert results == [True]
    pages = {a.key: a.data for a in before.build.assets if a.key.endswith(".html")}
    assert len(pages) > len(SLUGS)
    moved = {a.key for a in patched.build.assets if a.key.endswith(".html") and pages.get(a.key) != a.data}
    assert f"episodes/{SLUGS[2]}/index.html" in moved
    assert f"episodes/{SLUGS[1]}/index.html" not in moved
    assert_same(patched, whole(show))


def test_tagged_copies_of_the_audio_match_the_whole_build(project: Path, trusting: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``tags: write`` each episode publishes a tagged copy made under .apa-feed/: a partial
    build makes the edited episode's copy again and keeps the others'."""
    config = project / "feed.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "tags: write\n", encoding="utf-8")
    for n, slug in enumerate(SLUGS, start=1):
        add_episode(project, slug, episode_yaml(f"Story {n}", slug[:10], guid=f"guid-{n}"))
    build(project)
    build(project)  # the tagged copies were new in the first: this one keeps the snapshot
    results, _ = watch(monkeypatch)
    edit(project, SLUGS[4], 'title: "Story 5"', 'title: "Story five"')
    patched = build(project)
    assert results == [True]
    tagged = [a for a in patched.build.assets if SLUGS[4] in a.key and a.key.endswith(".mp3")]
    assert tagged and ".apa-feed" in str(tagged[0].source)
    assert_same(patched, whole(project))


def edit_show(root: Path, old: str, new: str) -> None:
    path = root / "feed.yaml"
    time.sleep(0.01)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("old", "new"), [
    ("réalisés et mixés par notre rédaction.", "réalisés, mixés et publiés par notre rédaction."),
    ("  - News › Politics\n", ""),
    ("email: podcast@agencepresseaudio.example", "email: radio@agencepresseaudio.example"),
    ("copyright: © 2025 Agence Presse Audio", "copyright: © 2026 Agence Presse Audio"),
    ("    text: Soutenir Agence Presse Audio", "    text: Soutenez-nous"),
])
def test_a_channel_only_edit_of_feed_yaml_keeps_every_episode(
    show: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    results, parsed = watch(monkeypatch)
    edit_show(show, old, new)
    edit(show, SLUGS[0], 'title: "Story 1"', 'title: "Story one"')  # an episode edited at the same time
    patched = build(show)
    assert results == [True]
    assert parsed == [SLUGS[0]]
    assert_same(patched, whole(show))


@pytest.mark.parametrize(("old", "new", "expect"), [
    ("title: Agence Presse Audio", "title: APA", b"<title>APA"),  # also in every episode's checks
    ("base_url: https://agencepresseaudio.example/podcast/", "base_url: https://cdn.example.org/apa/",
     b"https://cdn.example.org/apa/episodes/"),  # in every enclosure
    ("explicit: false", "explicit: true", b"<itunes:explicit>true</itunes:explicit>\n      <itunes:episode"),
])
def test_an_edit_of_feed_yaml_that_episodes_show_builds_it_all(
    show: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, expect: bytes
) -> None:
    results, _ = watch(monkeypatch)
    edit_show(show, old, new)
    built = build(show)
    assert results == [False]
    assert expect in built.rss
    assert_same(built, whole(show))


def test_a_broken_feed_yaml_is_reported_by_the_whole_build(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results, _ = watch(monkeypatch)
    edit_show(show, "explicit: false", "explicit: maybe")
    with pytest.raises(ProblemsFound) as found:
        build(show)
    assert results == [False]
    assert any(p.file == "feed.yaml" and p.field == "explicit" for p in found.value.problems)


EDITS = {
    "title": lambda text, rng: re.sub(r"(?m)^title: .*$", f'title: "Retold {rng.randint(0, 99)}"', text),
    "notes": lambda text, rng: re.sub(r"(?m)^description: .*$", f"description: More notes {rng.randint(0, 99)}.", text),
    "draft": lambda text, rng: text if "draft:" in text else text + "draft: true\n",
    "later": lambda text, rng: re.sub(r"(?m)^date: .*$", f"date: 2026-0{rng.randint(2, 9)}-01", text),
}


def generated(show: Path) -> list[Path]:
    """The generated episodes, whose episode.yaml the random edits keep valid."""
    return sorted(p for p in (show / "episodes").iterdir() if (p / "episode.yaml").is_file() and p.name != SAMPLE_EPISODE)


def random_change(show: Path, rng: random.Random, made: list[str]) -> None:
    """One of: an edit of episode.yaml, new audio, a new episode (no GUID yet), a removed episode."""
    folder = rng.choice(generated(show))
    action = rng.choice([*EDITS, "audio", "new", "remove"])
    if action in EDITS:
        path = folder / "episode.yaml"
        path.write_text(EDITS[action](path.read_text(encoding="utf-8"), rng), encoding="utf-8")
    elif action == "audio":
        write_mp3(folder / "audio.mp3", seconds=rng.choice([1.0, 2.0, 3.0]))
    elif action == "new":
        made.append(f"2026-01-0{len(made) % 10}-new-{len(made)}")
        add_episode(show, made[-1], episode_yaml(f"New {len(made)}", "2025-12-20"))
    elif len(generated(show)) > 4:
        shutil.rmtree(folder)


def test_a_run_of_random_changes_always_matches_the_whole_build(show: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty rounds of edits, new episodes, removals, drafts and audio swaps, one to three at a
    time: after each, the build (partial where it can be) equals a whole build of the same files."""
    rng = random.Random(20261129)
    results, _ = watch(monkeypatch)
    made: list[str] = []
    for _ in range(20):
        time.sleep(0.01)
        for _ in range(rng.randint(1, 3)):
            random_change(show, rng, made)
        built = build(show)
        kept = {p: p.read_bytes() for p in (show / ".apa-feed").glob("*.bin")}
        assert_same(built, whole(show))
        for path, data in kept.items():  # the caches go on as the partial builds left them
            path.write_bytes(data)
        build(show)  # keeps a whole snapshot again, to start the next round from
    assert results.count(True) >= 5  # partial builds did happen
