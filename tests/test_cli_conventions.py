"""The command line's conventions (issue 15): bare flags in --help, colour only on a terminal and never with
NO_COLOR, --quiet, shell completion, ``apa-feed docs``."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from apa_feed.cli import app

runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def colours(text: str) -> set[str]:
    """The colour codes (foreground and background, 16, 256 or true colour) in ``text``'s ANSI styles."""
    codes = {code for match in ANSI.finditer(text) for code in match.group()[2:-1].split(";")}
    return {c for c in codes if c.isdigit() and (30 <= int(c) <= 49 or 90 <= int(c) <= 107)}


COMMANDS = ["init", "new", "check", "build", "publish", "rollback", "serve", "inspect", "import", "docs"]


@pytest.mark.parametrize("args", [[], *([command] for command in COMMANDS)])
def test_help_shows_no_bool_placeholder_on_flags(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    shown = ANSI.sub("", result.output)
    assert "<bool>" not in shown
    assert "--help" in shown
    if args == ["publish"]:
        assert re.search(r"--dry-run +Show the plan", shown)  # the flag, then its help: nothing between
        assert "<path>" in shown  # options that take a value still say what value


def run_on_a_terminal(args: list[str], cwd: Path, **env: str) -> str:
    """Run ``apa-feed`` with stdout and stderr on a pseudo-terminal, as in a producer's shell; its output."""
    main, child = pty.openpty()
    unset = ("NO_COLOR", "TERM", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")
    environ = {k: v for k, v in os.environ.items() if k not in unset} | {"TERM": "xterm"} | env
    process = subprocess.Popen(
        [sys.executable, "-m", "apa_feed", *args], cwd=cwd, stdout=child, stderr=child, env=environ
    )
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def warned_then_broken(project: Path) -> tuple[str, str]:
    """What ``check`` prints on a terminal for a field left unset (a warning), then for a mistake (an error)."""
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(text.replace("explicit: false\n", ""), encoding="utf-8")
    warned = run_on_a_terminal(["check", "--loudness", "off"], project, **ENV)
    (project / "feed.yaml").write_text(text.replace("type: episodic", "type: x"), encoding="utf-8")
    return warned, run_on_a_terminal(["check", "--loudness", "off"], project, **ENV)


ENV: dict[str, str] = {}


def test_errors_and_warnings_are_coloured_on_a_terminal_only(project: Path) -> None:
    warned, failed = warned_then_broken(project)
    assert warned.startswith("\x1b[1;33mwarning\x1b[0m: feed.yaml:")
    assert failed.startswith("\x1b[1;31merror\x1b[0m: feed.yaml:")
    assert ANSI.sub("", failed).startswith("error: feed.yaml:18:7: type: expected one of episodic, serial")
    logged = runner.invoke(
        app, ["check", "--loudness", "off"]
    )  # not a terminal: CliRunner's streams, as in a log or a pipe
    assert logged.exit_code == 1
    assert logged.stderr.startswith("error: feed.yaml:") and not ANSI.search(logged.output)


def test_no_colour_when_no_color_is_set(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ENV, "NO_COLOR", "1")
    warned, failed = warned_then_broken(project)
    assert warned.startswith("warning: feed.yaml:") and failed.startswith("error: feed.yaml:")
    assert not ANSI.search(warned + failed)
    helped = run_on_a_terminal(["publish", "--help"], project, NO_COLOR="1")
    assert "--dry-run" in ANSI.sub("", helped) and not colours(helped)  # rich keeps bold and dim: styles, not colours


def test_help_is_coloured_on_a_terminal(project: Path) -> None:
    assert colours(run_on_a_terminal(["publish", "--help"], project))


FEED_LINE = "feed: https://agencepresseaudio.example/podcast/feed.xml (file: public/feed.xml)\n"


def test_quiet_publish_prints_only_the_feed_url(project: Path) -> None:
    result = runner.invoke(app, ["publish", "--quiet", "--no-verify"])
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == (FEED_LINE, "")
    assert (project / "public" / "feed.xml").is_file()


def test_quiet_publish_still_shows_warnings_and_errors(project: Path) -> None:
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(text.replace("explicit: false\n", ""), encoding="utf-8")
    warned = runner.invoke(app, ["publish", "-q", "--no-verify"])
    assert warned.exit_code == 0, warned.output
    assert warned.stdout == FEED_LINE
    assert warned.stderr.startswith("warning: feed.yaml:") and warned.stderr.count("\n") == 1
    (project / "feed.yaml").write_text(text.replace("explicit: false", "explicit: yes"), encoding="utf-8")
    failed = runner.invoke(app, ["publish", "-q", "--no-verify"])
    assert failed.exit_code == 1 and failed.stdout == ""
    assert failed.stderr.splitlines()[-1] == "1 problem in 1 file; nothing was published."


def test_show_completion_prints_a_bash_script(tmp_path: Path) -> None:
    command = f"{sys.executable} -m apa_feed --show-completion; true"  # bash stays the parent: it is the shell
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "complete " in result.stdout and "_APA_FEED_COMPLETE" in result.stdout


def test_completion_options_are_in_help() -> None:
    shown = ANSI.sub("", runner.invoke(app, ["--help"]).output)
    assert "--install-completion" in shown and "--show-completion" in shown


def test_a_short_build_shows_no_bar_on_a_terminal(project: Path) -> None:
    shown = run_on_a_terminal(["check", "--loudness", "off"], project)
    assert shown == "ok: 1 episode in the feed, 0 held back (draft or scheduled)\r\n"


def test_completion_completes_a_command(tmp_path: Path) -> None:
    env = os.environ | {"_APA_FEED_COMPLETE": "complete_bash", "COMP_WORDS": "apa-feed pub", "COMP_CWORD": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "apa_feed"], env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.stdout.split() == ["publish"]


def test_readme_holds_a_session_from_init_to_a_third_episode_published() -> None:
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    session = readme.split("do not edit by hand -->\n", 1)[1].split("<!-- session: end -->", 1)[0]
    commands = [line.split("  #")[0] for line in session.splitlines() if line.startswith("$ apa-feed")]
    assert [c.split()[2] for c in commands] == ["init", "new", "new", "new", "check", "publish"]
    assert "ok: 3 episodes in the feed" in session
    assert session.rstrip("`\n").splitlines()[-1].startswith("feed: ")
