"""``apa-feed move``: copy a published show to a new base URL (and store), print the redirects to install."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import plural
from .app import Config, app
from .boundary import warn

if TYPE_CHECKING:
    from ..publish.move import MovePlan


@app.command(name="move")
def move_command(
    new_base_url: Annotated[str, typer.Argument(help="The new public URL of the show's files.")],
    config: Config = Path("feed.yaml"),
    storage: Annotated[
        str | None, typer.Option("--storage", help="The new store: a folder or s3://BUCKET/PREFIX (default: the same).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan and the redirects; change nothing.")
    ] = False,
) -> None:
    """Move a published show: copy every live file to the new store, publish the feed there (same GUIDs, same
    podcast:guid), and print the redirect rules to install at the old place. Nothing at the old place changes."""
    from ..publish.move import perform_move, plan_move

    plan = plan_move(config, new_base_url, storage)
    print_plan(plan, dry_run)
    if dry_run:
        print_redirects(plan)
        return
    moved = perform_move(config, plan, storage)
    warn(moved.report.built.warnings)
    print(
        f"moved: feed: {moved.report.feed_url} ({plural(plan.episodes, 'episode')}, podcast:guid {plan.podcast_guid})"
    )
    print("apa-feed.lock now records the new feed URL (commit it)")
    print_redirects(plan)
    print_next(plan)


def print_plan(plan: MovePlan, dry_run: bool) -> None:
    move, verb = plan.move, "would copy" if dry_run else "copy"
    print(f"move {move.old_feed} -> {move.new_feed}")
    if plan.same_store:
        print(f"same store ({plan.new_store}): nothing to copy, the feed there is rewritten with the new URLs")
    else:
        for found in plan.copies:
            print(f"{verb:10} {found.key}  {found.size:,} bytes")
        print(
            f"{verb} {plural(len(plan.copies), 'file')} ({plan.bytes:,} bytes) from {plan.old_store} to "
            f"{plan.new_store}, {len(plan.present)} there already; then publish the feed there "
            f"({plural(plan.episodes, 'episode')}, same GUIDs, podcast:guid {plan.podcast_guid})"
        )
    if dry_run:
        print("dry run: nothing was copied or written")


def print_redirects(plan: MovePlan) -> None:
    from ..publish.redirects import rules

    print(f"\nredirects to install at the old place ({plan.move.old_base} answers 301 to {plan.move.new_base}):")
    for name, text in rules(plan.move).items():
        print(f"\n# {name}\n{text}")


def print_next(plan: MovePlan) -> None:
    print("\nnext: set these lines in feed.yaml (apa-feed does not edit it), then commit it with apa-feed.lock:")
    from ..publish.move import feed_lines

    for line in feed_lines(plan):
        print(f"  {line}")
    print(f"then, once the redirects are installed: apa-feed check --moved-from {plan.move.old_feed}")
