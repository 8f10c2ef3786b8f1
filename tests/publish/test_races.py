"""Publishes at the same moment (issue 16): the store's lease lets one run at a time, and whatever happens to
a lease the feed is written only over the feed a publish planned against (compare-and-swap); the one that
loses reads the store again and plans anew, so no episode that was live is lost, and the live feed is always
one publish's whole output."""
# ruff: noqa: F811

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import NOW, add_episode, episode_yaml
from s3server import WeedServer, aws_env, point_at, s3_server, show, store_of  # noqa: F401  (fixtures)
from test_publishers import clone, run, shared_store

import apa_feed.publish.run as publish_run
from apa_feed.config.show import load_show
from apa_feed.importfeed.parse import parse_feed
from apa_feed.publish.identity import IdentityChanged
from apa_feed.publish.run import Report
from apa_feed.storage.lease import Lease
from apa_feed.storage.survey import Survey

ROUNDS = 3


def live(root: Path) -> dict[str, str]:
    """The live feed's episodes: title -> enclosure URL."""
    data = store_of(root).read("feed.xml")
    assert data is not None
    return {item.title: item.enclosure_url or "" for item in parse_feed(data, "feed.xml").items}


def missing_enclosures(root: Path, base_url: str) -> list[str]:
    listing = store_of(root).list()
    keys = [unquote(url.removeprefix(base_url)) for url in live(root).values()]
    return [key for key in keys if key not in listing]


def base_url(root: Path) -> str:
    feed = store_of(root).read("feed.xml") or b""
    self_url = parse_feed(feed, "feed.xml").self_url or ""
    return self_url.removesuffix("feed.xml")


@pytest.fixture
def no_leases(monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishes that take no lease (an older apa-feed's, or one whose lease expired): the feed's
    compare-and-swap alone must keep them from undoing each other."""

    @contextmanager
    def none(store: object) -> Iterator[Lease]:
        yield Lease(store, "", None, 0.0)  # type: ignore[arg-type]

    monkeypatch.setattr(publish_run, "leased", none)


@pytest.fixture
def base(show: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared_store(show, tmp_path_factory.mktemp("store"))
    run(show)
    return show


@pytest.mark.usefixtures("no_leases")
def test_a_publish_overtaken_between_plan_and_feed_plans_anew_and_is_refused(
    base: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    a, b = base, clone(base, tmp_path_factory.mktemp("clone") / "b")
    add_episode(a, "2025-12-01-a", episode_yaml("From A", "2025-12-01"))
    add_episode(b, "2025-12-02-b", episode_yaml("From B", "2025-12-02"))
    overtaken: list[Report] = []

    def overtake(report: Report) -> None:  # A publishes after B planned, before B writes anything
        if not overtaken:
            overtaken.append(run(a))

    with pytest.raises(IdentityChanged) as refused:
        run(b, on_plan=overtake)
    assert str(refused.value).startswith(
        "another publish changed the store while this one ran, and this publish would change episodes "
        'subscribers already have:\n  2025-12-01-a: "From A" is live on the store'
    )
    assert "From A" in live(a) and "From B" not in live(a)


@pytest.mark.usefixtures("no_leases")
def test_a_publish_overtaken_by_one_it_includes_goes_through_with_both(
    base: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    a, b = base, clone(base, tmp_path_factory.mktemp("clone") / "b")
    add_episode(a, "2025-12-01-a", episode_yaml("From A", "2025-12-01", guid="0e6b1d2a-from-a"))  # as if pulled
    shutil.copytree(a / "episodes" / "2025-12-01-a", b / "episodes" / "2025-12-01-a")
    add_episode(b, "2025-12-02-b", episode_yaml("From B", "2025-12-02"))
    overtaken: list[Report] = []

    def overtake(report: Report) -> None:
        if not overtaken:
            overtaken.append(run(a))

    report = run(b, on_plan=overtake)
    assert report.notes == ("feed.xml changed on the store while this publish ran (another publish?): read it again",)
    assert {"From A", "From B"} <= set(live(a))


def publish_cli(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "apa_feed", "publish", "--quiet", "--no-verify"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_publishes_started_at_once_lose_no_episode_and_a_full_clone_converges(
    base: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    here = base
    for round_ in range(ROUNDS):
        before = set(live(here))
        x = clone(here, tmp_path_factory.mktemp("x") / "x")
        y = clone(here, tmp_path_factory.mktemp("y") / "y")
        slugs = {x: f"2025-12-{round_ + 10}-x", y: f"2025-12-{round_ + 10}-y"}
        for root, slug in slugs.items():
            add_episode(root, slug, episode_yaml(f"{slug} title", f"2025-12-{round_ + 10}"))
        runs = {root: publish_cli(root) for root in (x, y)}
        done = {root: (p.wait(timeout=120), p.communicate()) for root, p in runs.items()}
        winners = [root for root, (code, _) in done.items() if code == 0]
        assert len(winners) == 1, {str(r): out for r, out in done.items()}
        (winner,) = winners
        (loser,) = {x, y} - {winner}
        stderr = done[loser][1][1]
        leased = "another publish of this show is running: " in stderr and "holds the store's lease until" in stderr
        assert leased or f'"{slugs[winner]} title" is live on the store' in stderr, stderr
        assert set(live(here)) == before | {f"{slugs[winner]} title"}  # the winner's whole output
        assert missing_enclosures(here, base_url(here)) == []
        shutil.copytree(winner / "episodes" / slugs[winner], loser / "episodes" / slugs[winner])  # git pull
        assert run(loser).refused == ()
        assert set(live(here)) == before | {f"{slug} title" for slug in slugs.values()}
        here = loser
    assert len(live(here)) == 1 + 2 * ROUNDS
    assert NOW  # the episodes' dates are before the tests' fixed now


def test_a_publish_that_ended_between_the_reading_and_the_lease_is_planned_against(
    base: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    a, b = base, clone(base, tmp_path_factory.mktemp("clone") / "b")
    reading = Survey.start(b / "feed.yaml")  # B reads the store…
    reading.result(load_show(b / "feed.yaml"))
    add_episode(a, "2025-12-01-a", episode_yaml("From A", "2025-12-01"))
    run(a)  # …A publishes and ends…
    with pytest.raises(IdentityChanged) as refused:
        run(b, survey=reading)  # …then B takes the lease: it reads the store again before planning
    assert str(refused.value).startswith("this publish would change episodes subscribers already have:\n  2025-12-01-a")
    assert "From A" in live(a)
