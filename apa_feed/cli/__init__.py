"""The ``apa-feed`` command: parse options, call the library, print. No logic lives here."""

from __future__ import annotations

import json
import sys
import tempfile
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .. import __version__
from ..errors import display_path, plural
from ..publish.progress import progress_for
from .boundary import DEBUG, err, guarded, tolerant_streams, warn, write_output

if TYPE_CHECKING:  # each command imports what it calls: `publish` starts reading the store before the rest loads
    from ..importfeed import ImportSummary
    from ..publish.run import Report

app = typer.Typer(
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Publish a podcast from a folder: feed.yaml + episodes/ → media and an Apple-Podcasts-ready RSS feed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Config = Annotated[Path, typer.Option("--config", "-f", help="The show's feed.yaml.")]
BaseUrl = Annotated[str | None, typer.Option("--base-url", help="Public URL of the storage (overrides feed.yaml).")]
Storage = Annotated[str | None, typer.Option("--storage", help="Folder or s3://BUCKET/PREFIX (overrides feed.yaml).")]


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Where to create the show.")] = Path("."),
    title: Annotated[str, typer.Option(help="The show's title.")] = "My Podcast",
) -> None:
    """Scaffold a show: feed.yaml, episodes/, a placeholder cover.jpg and a .gitignore."""
    from ..scaffold import init_show

    made = init_show(folder, title)
    for path in made:
        print(f"created {display_path(path)}")
    print('next: edit feed.yaml, then run: apa-feed new "First episode"')


@app.command()
def new(
    title: Annotated[str, typer.Argument(help="The episode's title.")],
    config: Config = Path("feed.yaml"),
) -> None:
    """Create an episode folder from a template: today's date, the next episode number, a new GUID."""
    from ..config.show import load_show
    from ..scaffold import new_episode

    show = load_show(config)
    today = datetime.now(show.timezone).date()
    path = new_episode(config.parent, title, today)
    print(f"created {display_path(path)}")
    print(f"next: put the audio in {display_path(path.parent)}/, write the notes, remove 'draft: true'")


@app.command()
def check(
    config: Config = Path("feed.yaml"),
    base_url: BaseUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every problem and a summary as JSON.")] = False,
) -> None:
    """Validate feed.yaml and every episode, probe the audio, and report every problem."""
    from ..build import Options, build_project

    if as_json:
        from ..checks.report import check_data

        data = check_data(Options(config, base_url=base_url))
        print(json.dumps(data, indent=2, ensure_ascii=False))
        raise typer.Exit(0 if data["summary"]["ok"] else 1)
    built = build_project(Options(config, base_url=base_url), assign=False)
    warn(built.warnings)
    feed, held = built.publication.feed, built.publication.skipped
    print(f"ok: {plural(len(feed.items), 'episode')} in the feed, {len(held)} held back (draft or scheduled)")


@app.command()
def build(
    config: Config = Path("feed.yaml"),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the feed here (default: stdout).")] = (
        None
    ),
    base_url: BaseUrl = None,
) -> None:
    """Render the feed only: every check runs as for publish (the theme's templates too); nothing is uploaded."""
    from ..build import Options, build_project

    built = build_project(Options(config, base_url=base_url))
    warn(built.warnings)
    if output is None:
        sys.stdout.buffer.write(built.rss)
        return
    write_output(output, built.rss)
    err(f"wrote {display_path(output)} ({plural(len(built.publication.feed.items), 'episode')})")


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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display while uploading.")] = False,
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
) -> None:
    """Plan, upload media and artwork, then write the feed last (atomically)."""
    from ..publish.runlock import exclusive
    from ..storage.survey import Survey

    flags = {"guid": allow_guid_change, "date": allow_redate, "removed": allow_removal}
    allow = frozenset(kind for kind, on in flags.items() if on)

    def locked_publish() -> Report:
        with nullcontext() if dry_run else exclusive(config.parent):  # before the store is read, not after
            survey = Survey.start(config, storage)  # read while the rest of apa-feed loads and the show builds
            from ..build import Options
            from ..publish.run import publish

            options = Options(config, base_url=base_url, storage=storage)
            return publish(
                options,
                dry_run=dry_run,
                prune=prune,
                progress=progress,
                verify=not no_verify,
                allow=allow,
                survey=survey,
                locked=True,
            )

    with progress_for(quiet or as_json) as progress:
        report = locked_publish()
    warn(report.built.warnings)
    if report.verification is not None:
        for warning in report.verification.warnings:
            err(f"warning: {warning}")
        err(report.verification.summary())
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        print_report(report)


def print_report(report: Report) -> None:
    """The human summary of a publish."""
    for action in report.plan.actions:
        if action.kind != "unchanged":
            note = f" ({action.reason})" if action.reason else ""
            print(f"{action.kind:9} {action.key}  {action.size:,} bytes{note}")
    for slug, why in report.built.publication.skipped:
        print(f"held back {slug} ({why})")
    for change in report.changes:
        print(f"changed   {change.episode}: {change.explanation}")
    uploads = report.plan.count("upload")
    verb = "would upload" if report.dry_run else "uploaded"
    if uploads == 0:
        print(f"nothing to upload: {plural(report.plan.count('unchanged'), 'file')} unchanged on {report.store}")
    else:
        print(f"{verb} {plural(uploads, 'file')}, {report.plan.count('unchanged')} unchanged, to {report.store}")
    if report.plan.deletes:
        print(f"{'would delete' if report.dry_run else 'deleted'} {len(report.plan.deletes)} orphans (--prune)")
    local = f" (file: {report.store}{report.plan.feed_key})" if not report.store.startswith("s3://") else ""
    print(f"feed: {report.feed_url}{local}")


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


@app.command()
def serve(
    config: Config = Path("feed.yaml"),
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 8000,
) -> None:
    """Build the show with its URLs pointed at 127.0.0.1 and serve it, so a podcast app here can play it."""
    from ..build import Options
    from ..publish.run import publish
    from ..serve import make_server

    with tempfile.TemporaryDirectory(prefix="apa-feed-serve-") as folder:
        server = make_server(Path(folder), port=port, quiet=False)
        address = f"http://127.0.0.1:{server.server_address[1]}/"
        report = publish(Options(config, base_url=address, storage=folder, identity=False))
        warn(report.built.warnings)
        items = report.built.publication.feed.items
        print(f"serving {plural(len(items), 'episode')}; subscribe to {report.feed_url}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped")
        finally:
            server.server_close()


@app.command(name="inspect")
def inspect_command(
    files: Annotated[list[Path], typer.Argument(help="Audio files (MP3, M4A, Opus, Vorbis, FLAC, WAV).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list, one object per file.")] = False,
) -> None:
    """Show what apa-feed reads from audio files: exact duration, stream, tags, cover and chapters."""
    from ..audio.describe import any_failed, inspect_files, render_text

    results = inspect_files(files)
    if as_json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_text(results))
    if any_failed(results):
        raise typer.Exit(1)


@app.command(name="import")
def import_command(
    feed: Annotated[str, typer.Argument(help="The feed to import: its http(s) URL, or a file.")],
    into: Annotated[Path, typer.Option("--into", help="The show's folder to create.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Import over an existing feed.yaml.")] = False,
    reference: Annotated[
        bool, typer.Option("--reference", help="Keep the audio where it is served (no download).")
    ] = False,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Fetch URLs of the feed on loopback, link-local or private addresses (only the feed's own host is).",
        ),
    ] = False,
    max_size: Annotated[
        str, typer.Option("--max-size", help="The largest file a download may be: bytes, or 500M, 2G…")
    ] = "2G",
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.001, help="Seconds one download may take in all.")
    ] = 600.0,
) -> None:
    """Turn another host's feed into feed.yaml, episodes/ and apa-feed.lock, keeping every GUID and date."""
    from ..importfeed import Client, import_feed, parse_size

    def call() -> ImportSummary:
        client = Client(allow_private=allow_private, max_size=parse_size(max_size), deadline=timeout)
        return import_feed(feed, into, force=force, reference=reference, client=client)

    summary = call()
    warn(summary.warnings)
    for path in summary.created:
        print(f"created {display_path(path)}")
    skipped = f", {summary.skipped} skipped (see warnings)" if summary.skipped else ""
    print(f"imported {plural(summary.episodes, 'episode')}{skipped}; podcast:guid {summary.podcast_guid}")
    print(
        f"next: set base_url in feed.yaml (now {summary.base_url}) to where the new files will be served, "
        f"run apa-feed check, and redirect {summary.feed_url or 'the old feed'} to the new feed"
    )


def version_callback(value: bool) -> None:
    if value:
        print(f"apa-feed {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", envvar="APA_FEED_DEBUG", help="Print the traceback of an internal error.")
    ] = False,
) -> None:
    """apa-feed: publish a podcast from a folder."""
    DEBUG["on"] = debug
    tolerant_streams()


THEN = {"publish": "nothing was published", "rollback": "nothing was changed", "import": "nothing was imported"}
"""What did not happen when a command stops on the user's mistakes (the others were not going to change anything)."""

for _command in app.registered_commands:  # every command, whoever wrote it, behind the one boundary
    if _command.callback is not None:
        _name = _command.name or _command.callback.__name__
        _command.callback = guarded(_command.callback, THEN.get(_name, ""))
