"""Tools around the show: serve (a local preview), inspect (audio files), import (another host's feed)."""

from __future__ import annotations

import json
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import display_path, plural, summary
from .app import Config, app
from .boundary import err, warn

if TYPE_CHECKING:
    from ..importfeed import ImportSummary
    from ..publish.preview import Preview


@app.command()
def serve(
    config: Config = Path("feed.yaml"),
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 8000,
    drafts: Annotated[bool, typer.Option("--drafts", help="Show the drafts too (never published).")] = False,
    future: Annotated[
        bool, typer.Option("--future", help="Show the episodes dated in the future too (never published early).")
    ] = False,
) -> None:
    """Build the show with its URLs pointed at 127.0.0.1 and serve it, so a podcast app here can play it.

    The feed and the pages are built again when a file of the show changes: reload to see an edit.
    """
    from ..build import Options
    from ..publish.preview import Preview
    from ..serve import make_server

    held = frozenset(reason for reason, on in (("draft", drafts), ("scheduled", future)) if on)
    with tempfile.TemporaryDirectory(prefix="apa-feed-serve-") as folder:
        preview: list[Preview] = []
        server = make_server(Path(folder), port=port, quiet=False, refresh=lambda path: _rebuild(preview, path))
        address = f"http://127.0.0.1:{server.server_address[1]}/"
        preview.append(Preview(Options(config, base_url=address, preview=held), Path(folder)))
        report = preview[0].build()
        warn(report.built.warnings)
        items = report.built.publication.feed.items
        print(f"serving {plural(len(items), 'episode')}; subscribe to {report.feed_url}", flush=True)
        print("the feed and pages follow the show's files: reload to see an edit; Ctrl-C stops", flush=True)
        try:
            stop_on_signals()
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped")
        finally:
            server.server_close()


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP (a service manager, a closed terminal) stop ``serve`` as Ctrl-C does, so its
    temporary folder is removed (Python's default for them ends the process on the spot)."""
    if threading.current_thread() is not threading.main_thread():
        return  # signals reach the main thread only (``serve`` run by a test in a thread)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)


def _rebuild(preview: list[Preview], path: str) -> None:
    """Before a request: rebuild if the show changed, and say how it went."""
    if not preview:
        return
    done = preview[0].refresh(path)
    if done is None:
        return
    if done.report is not None:
        warn(done.report.built.warnings)
        items = done.report.built.publication.feed.items
        print(f"rebuilt: {plural(len(items), 'episode')}", flush=True)
        return
    warn(done.problems)
    kept = "still serving the last good build"
    err(summary(list(done.problems), kept) if done.problems else f"error: {done.error}; {kept}")


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
    feed_url: Annotated[
        str | None,
        typer.Option("--feed-url", help="The feed's own URL, when FEED is a saved copy that does not name it."),
    ] = None,
) -> None:
    """Turn another host's feed into feed.yaml, episodes/ and apa-feed.lock, keeping every GUID and date.

    Exits 1 when an episode's audio could not be downloaded (it is kept where the old host serves it)."""
    from ..importfeed import Client, import_feed, parse_size

    def call() -> ImportSummary:
        client = Client(allow_private=allow_private, max_size=parse_size(max_size), deadline=timeout)
        return import_feed(feed, into, force=force, reference=reference, client=client, feed_url=feed_url)

    summary = call()
    warn(summary.warnings)
    for path in summary.created:
        print(f"created {display_path(path)}")
    print(_imported_line(summary))
    for line in _next_steps(summary):
        print(line)
    if summary.kept_remote:
        raise typer.Exit(1)


def _imported_line(summary: ImportSummary) -> str:
    skipped = f", {summary.skipped} skipped (see warnings)" if summary.skipped else ""
    remote = len(summary.kept_remote)
    if remote:
        skipped += f", {remote} with {'its' if remote == 1 else 'their'} audio left on the old host (download failed)"
    return f"imported {plural(summary.episodes, 'episode')}{skipped}; podcast:guid {summary.podcast_guid}"


def _next_steps(summary: ImportSummary) -> list[str]:
    steps = [
        f"next: set base_url in feed.yaml (now {summary.base_url}) to where the new files will be served, "
        f"run apa-feed check, and redirect {summary.feed_url or 'the old feed'} to the new feed"
    ]
    links, remote = summary.dropped_links, summary.kept_remote
    if links:
        shown = f"{links[0]}, …" if len(links) > 1 else links[0]
        steps.append(
            f"next: {plural(len(links), 'episode link')} to the old host ({shown}) left out: each episode's "
            "link is now the page apa-feed makes; add link: to an episode.yaml to keep one"
        )
    if remote:
        first, them = (f'first "{remote[0]}"', "them") if len(remote) > 1 else (f'"{remote[0]}"', "it")
        steps.append(
            f"next: {plural(len(remote), 'episode')} left on the old host (enclosure: in episode.yaml, {first}): "
            f"import again with --force to retry the download, or keep {them} there while that host serves {them}"
        )
    return steps
