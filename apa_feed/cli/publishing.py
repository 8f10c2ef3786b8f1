"""Publishing commands: publish (and its printed report) and rollback."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..checks import as_data
from ..errors import ApaFeedError, Problem, ProblemsFound, plural, redact, summary
from ..publish.progress import build_progress, progress_for
from .app import BaseUrl, Config, Storage, app
from .boundary import err, warn
from .every import AllShows, every_show, refuse_with_all

if TYPE_CHECKING:  # each command imports what it calls: `publish` starts reading the store before the rest loads
    from ..publish.run import Report


@app.command(name="publish")
def publish_command(
    config: Config = Path("feed.yaml"),
    base_url: BaseUrl = None,
    storage: Storage = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete orphans neither the new nor the live feed references.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors, warnings and the feed URL.")] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Skip the HEAD checks through base_url after publishing.")
    ] = False,
    allow_guid_change: Annotated[
        bool, typer.Option("--allow-guid-change", help="Accept a new GUID for a published episode.")
    ] = False,
    allow_redate: Annotated[
        bool, typer.Option("--allow-redate", help="Accept a new date for a published episode.")
    ] = False,
    allow_removal: Annotated[
        bool, typer.Option("--allow-removal", help="Accept that a published episode leaves the feed.")
    ] = False,
    allow_move_back: Annotated[
        bool, typer.Option("--allow-move-back", help="Publish at an address the feed moved away from.")
    ] = False,
    no_notify: Annotated[
        bool, typer.Option("--no-notify", help="Send none of the pings feed.yaml's notify: asks for.")
    ] = False,
    allow_private: Annotated[
        bool,
        typer.Option("--allow-private", help="Send notify: pings to loopback, link-local or private addresses too."),
    ] = False,
    all_shows: AllShows = False,
) -> None:
    """Plan, upload media and artwork, then write the feed last (atomically), then tell the hubs feed.yaml names.

    With --all: every show under this folder, in turn; one show's failure leaves the others published.
    """
    from ..publish.runlock import exclusive
    from ..storage.survey import Survey

    flags = {"guid": allow_guid_change, "date": allow_redate, "removed": allow_removal, "moved": allow_move_back}
    allow = frozenset(kind for kind, on in flags.items() if on)

    if all_shows:
        refuse_with_all(
            config=config != Path("feed.yaml"),
            base_url=base_url is not None,
            storage=storage is not None,
            as_json=as_json,
        )

    def one(config: Path) -> None:
        def locked_publish() -> Report:
            with nullcontext() if dry_run else exclusive(config.parent):  # before the store is read, not after
                survey = Survey.start(config, storage)  # read while the rest of apa-feed loads and the show builds
                from ..build import Options
                from ..publish.run import publish

                options = Options(config, base_url=base_url, storage=storage, progress=reading)
                return publish(
                    options,
                    dry_run=dry_run,
                    prune=prune,
                    progress=progress,
                    verify=not no_verify,
                    allow=allow,
                    survey=survey,
                    locked=True,
                    on_plan=None if as_json or quiet else print_plan,  # shown before the uploads start
                    notify=not no_notify,
                    allow_private=allow_private,
                )

        hidden = quiet or as_json
        with json_always(as_json), build_progress(hidden) as reading, progress_for(hidden) as progress:
            report = locked_publish()
        print_aftermath(report, quiet or as_json)
        if as_json:
            print(json.dumps(publish_data(report), indent=2, ensure_ascii=False))
        elif quiet:
            print(feed_line(report))
        else:
            print_summary(report)
        if report.refused:  # a dry run shows its plan, then says what the publish would refuse
            from ..publish.identity import IdentityChanged

            raise IdentityChanged(list(report.refused))

    if all_shows:
        every_show(one, "checked (dry run)" if dry_run else "published", "nothing was published", network=not dry_run)
    else:
        one(config)


@contextmanager
def json_always(as_json: bool) -> Iterator[None]:
    """With ``--json``, a publish that stops on a mistake still prints JSON: its problems, and ``ok: false``
    (the error lines and the exit status stay as without ``--json``)."""
    try:
        yield
    except ApaFeedError as exc:
        if as_json:
            found = exc.problems if isinstance(exc, ProblemsFound) else [Problem("", message=redact(str(exc)))]
            data = {"published": False, **as_data(found, failed=summary(found))}
            print(json.dumps(data, indent=2, ensure_ascii=False))
        raise


def publish_data(report: Report) -> dict[str, object]:
    """``publish --json``: what the publish did, its warnings (and the check's) as problems, and a summary."""
    held = len(report.built.publication.skipped)
    refused = f"the identity guard refuses {plural(len(report.refused), 'change')}" if report.refused else ""
    checked = report.verification.warnings if report.verification else ()
    warned = [*report.built.warnings, *(Problem(report.feed_url, message=w, severity="warning") for w in checked)]
    data = as_data(warned, len(report.built.publication.feed.items), held, refused)
    return {"published": not report.dry_run and not report.refused, **report.as_dict(), **data}


def print_aftermath(report: Report, quiet: bool) -> None:
    """What a publish met, on stderr (and the pings' answers on stdout unless ``quiet``): warnings, notes,
    each ping (a failed one is a warning: the feed is out already), the check through base_url."""
    warn(report.built.warnings)
    for note in () if quiet else report.notes:
        err(f"note: {note}")
    for ping in report.pings:
        if not ping.ok:
            err(f"warning: notify: {ping.describe()}")
        elif not quiet:
            print(f"notified  {ping.describe()}")
    if report.verification is not None:
        for warning in report.verification.warnings:
            err(f"warning: {warning}")
        if not quiet:
            err(report.verification.summary())


def print_plan(report: Report) -> None:
    """The plan of a publish, before anything is written: what is uploaded, held back, changed or refused."""
    for action in report.plan.actions:
        if action.kind != "unchanged":
            note = f" ({action.reason})" if action.reason else ""
            print(f"{action.kind:9} {action.key}  {action.size:,} bytes{note}")
    for slug, why in report.built.publication.skipped:
        print(f"held back {slug} ({why})")
    refused = set(report.refused)
    for change in report.changes:
        print(f"{'refused' if change in refused else 'changed':9} {change.episode}: {change.explanation}")
    sys.stdout.flush()


def print_summary(report: Report) -> None:
    """The human summary of a publish, once done (or, for a dry run, planned)."""
    uploads = report.plan.count("upload")
    verb = "would upload" if report.dry_run else "uploaded"
    if uploads == 0:
        print(f"nothing to upload: {plural(report.plan.count('unchanged'), 'file')} unchanged on {report.store}")
    else:
        print(f"{verb} {plural(uploads, 'file')}, {report.plan.count('unchanged')} unchanged, to {report.store}")
    if report.plan.deletes:
        print(f"{'would delete' if report.dry_run else 'deleted'} {len(report.plan.deletes)} orphans (--prune)")
    print(feed_line(report))


def feed_line(report: Report) -> str:
    """``feed: URL``, with the file it is in on a local store: the last line of every publish, the one
    line of ``--quiet``'s (with the warnings and errors)."""
    local = f" (file: {report.store}{report.plan.feed_key})" if not report.store.startswith("s3://") else ""
    return f"feed: {report.feed_url}{local}"


@app.command(name="rollback")
def rollback_command(
    config: Config = Path("feed.yaml"),
    storage: Storage = None,
    list_kept: Annotated[
        bool, typer.Option("--list", help="List the feeds kept under history/ (number, date, episodes, size).")
    ] = False,
    to: Annotated[int | None, typer.Option("--to", help="Put back kept feed number N (see --list).")] = None,
) -> None:
    """Put back the previous feed (each rollback steps one further back); the current one is kept too.

    A feed is put back only when every file it references is on the store; apa-feed.lock follows it.
    """
    from ..build import Options
    from ..publish.history import history_list, rollback

    options = Options(config, storage=storage)
    if list_kept:
        rows = history_list(options)
        if not rows:
            print("no feed kept under history/: nothing to roll back to")
        for row in rows:
            live = "  <- live" if row.live else ""
            lacks = f"  ({plural(len(row.missing), 'file')} missing: cannot be put back)" if row.missing else ""
            size, episodes = f"{row.entry.size:,} bytes", plural(row.episodes, "episode")
            print(f"{row.entry.number:6d}  {row.date or '-':31}  {episodes:>13}  {size}{live}{lacks}")
        return
    restored = rollback(options, to)
    print(f"restored the feed from {restored.key} on {restored.store} ({plural(restored.episodes, 'episode')})")
    if restored.lock_updated:
        print("apa-feed.lock now records the restored feed's episodes (commit it)")
    print(f"note: {restored.pages}")
