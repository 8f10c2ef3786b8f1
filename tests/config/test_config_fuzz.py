"""Property-based fuzzing of what a show folder may hold: any YAML value in any episode.yaml field, any
chapters JSON. Reading gives a value or located problems, never an unexpected exception."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import REPO, SAMPLE_EPISODE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apa_feed.config.episodes import EPISODE_FIELDS, read_episode
from apa_feed.feed.chapters import ChaptersError, from_json_chapters, to_json_chapters

FIELDS = [f.name for f in EPISODE_FIELDS]
FUZZ = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**1200), max_value=10**1200),
    st.floats(),  # NaN and infinities included
    st.text(max_size=40),
    st.sampled_from(["..", "/", "/etc/passwd", "../../../x", ".nan", "-.inf", "1e400", "0", "\x00", "~", "audio.mp3"]),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=offsets),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def as_yaml(value: Any) -> str:
    """``value`` as a YAML flow value (datetimes as their ISO text, huge integers as digits)."""
    return yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True).removesuffix("\n...\n")


@pytest.fixture(scope="module")
def episode_folder() -> Iterator[Path]:
    """A show whose one episode folder every example rewrites (a module fixture: hypothesis runs each
    example in the same one)."""
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        folder = root / "episodes" / "2025-12-01-fuzz"
        folder.mkdir(parents=True)
        for file in ("audio.mp3", "cover.jpg", "transcript.vtt", "chapters.json"):
            shutil.copy(REPO / "episodes" / SAMPLE_EPISODE / file, folder / file)
        (root / "secret.txt").write_text("not the show's\n", encoding="utf-8")
        yield folder


def assert_loads_or_locates(folder: Path, text: str) -> None:
    (folder / "episode.yaml").write_text(text, encoding="utf-8")
    meta, problems = read_episode(str(folder), ZoneInfo("Europe/Paris"), folder.parent.parent)
    if meta is None:
        assert problems
        assert all(p.file.endswith("episode.yaml") and p.message for p in problems)
        return
    assert not problems
    root = folder.parent.parent.resolve()
    for path in (meta.audio, meta.image, meta.transcript, meta.chapters):
        if isinstance(path, Path):
            assert path.resolve().is_relative_to(root)
    meta.published.astimezone(UTC)
    meta.published.astimezone(ZoneInfo("Pacific/Kiritimati"))
    times = [] if isinstance(meta.chapters, Path) else [c.start for c in meta.chapters or ()]
    times += [t for b in meta.soundbites for t in (b.start, b.duration)]
    assert all(math.isfinite(t) and 0 <= t <= 3_600_000 for t in times)


BASE = 'title: "T"\ndate: 2025-11-12\naudio: audio.mp3\ndescription: Notes.\n'


@FUZZ
@given(field=st.sampled_from(FIELDS), value=values)
def test_any_yaml_value_in_any_episode_field(episode_folder: Path, field: str, value: Any) -> None:
    lines = [line for line in BASE.splitlines() if not line.startswith(f"{field}:")]
    assert_loads_or_locates(episode_folder, "\n".join(lines) + f"\n{field}: {as_yaml(value)}\n")


@FUZZ
@given(field=st.sampled_from(FIELDS), raw=st.text(max_size=60))
def test_any_text_after_an_episode_field(episode_folder: Path, field: str, raw: str) -> None:
    lines = [line for line in BASE.splitlines() if not line.startswith(f"{field}:")]
    assert_loads_or_locates(episode_folder, "\n".join(lines) + f"\n{field}: {raw}\n")


@FUZZ
@given(
    field=st.sampled_from(["chapters", "soundbites"]),
    entries=st.lists(
        st.dictionaries(st.sampled_from(["start", "duration", "title", "url", "image"]), values, max_size=5),
        max_size=3,
    ),
)
def test_any_chapters_and_soundbites_in_episode_yaml(episode_folder: Path, field: str, entries: Any) -> None:
    assert_loads_or_locates(episode_folder, BASE + f"{field}: {as_yaml(entries)}\n")


json_numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0, True, False]),
)
json_values = st.recursive(
    st.none() | st.booleans() | json_numbers | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
chapter = st.fixed_dictionaries(
    {"startTime": json_numbers, "title": st.text(min_size=1, max_size=10)},
    optional={"endTime": json_numbers | json_values, "url": json_values, "img": json_values},
) | st.dictionaries(st.sampled_from(["startTime", "endTime", "title", "url", "img", "toc"]), json_values, max_size=6)
documents = st.one_of(
    st.fixed_dictionaries({"version": st.just("1.2.0"), "chapters": st.lists(chapter | json_values, max_size=4)}),
    json_values,
)


def assert_reads_or_refuses(data: bytes) -> None:
    try:
        chapters = from_json_chapters(data)
    except ChaptersError as error:
        assert str(error)
        return
    for c in chapters:
        assert 0 <= c.start <= 3_600_000 and (c.end is None or 0 <= c.end <= 3_600_000)
    json.loads(to_json_chapters(chapters))  # what is published is JSON (no NaN, no Infinity)


@FUZZ
@given(doc=documents)
def test_any_chapters_json_document(doc: Any) -> None:
    assert_reads_or_refuses(json.dumps(doc).encode())


@FUZZ
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_as_a_chapters_file(data: bytes) -> None:
    assert_reads_or_refuses(data)


def test_datetimes_strategy_covers_the_calendar_ends() -> None:
    assert as_yaml(date(1, 1, 1)) == "0001-01-01"
    assert as_yaml(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))) == "0001-01-01 00:00:00+05:00"
