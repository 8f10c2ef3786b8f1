"""Record the README's terminal session: a new show, from ``apa-feed init`` to its third episode published.

Every command is really run, in a temporary folder, on a pseudo-terminal (as a producer's shell runs it:
no colour, ``NO_COLOR`` is set; no animation, ``TTY_INTERACTIVE=0``), and its output kept as printed. The
episodes' audio is made by ``tests/audiogen.py`` (a tone encoded with lameenc: ``pip install -e '.[test]'``).

    python docs/session.py           # print the session
    python docs/session.py --write   # and put it in README.md, between its two markers
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
START = "<!-- session: made by `python docs/session.py --write`; do not edit by hand -->\n"
END = "<!-- session: end -->\n"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
EPISODES = [("First light", 62.0), ("Second wind", 75.5), ("Third time lucky", 88.0)]


def run(line: str, cwd: Path, env: dict[str, str]) -> str:
    """``line`` run by bash on a pseudo-terminal in ``cwd``: what the terminal shows afterwards."""
    main, child = pty.openpty()
    process = subprocess.Popen(["bash", "-c", line], cwd=cwd, stdout=child, stderr=child, env=env)
    os.close(child)
    out = b""
    while select.select([main], [], [], 120)[0]:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the command closed the terminal
            break
        if not chunk:
            break
        out += chunk
    process.wait(120)
    os.close(main)
    text = out.decode("utf-8").replace("\r\n", "\n")
    # a progress display that showed nothing (TTY_INTERACTIVE=0) leaves only cursor codes and a newline
    return re.sub(r"\x1b\[\?25l\x1b\[\?25h\n", "", text).replace("\x1b[?25l", "").replace("\x1b[?25h", "")


def session(root: Path) -> str:
    """Make the audio, run the session in ``root`` and return it as a terminal shows it."""
    sys.path.insert(0, str(REPO / "tests"))
    import audiogen  # type: ignore[import-not-found]

    audio = root / "audio"
    audio.mkdir()
    for title, seconds in EPISODES:  # a mono tone at -19 LUFS, as Apple asks for mono speech
        options = ["-af", "volume=3.2dB", *audiogen.MP3_LAME]
        audiogen.write_with_ffmpeg(audio / f"{slug(title)}.mp3", seconds, options)
    from PIL import Image  # the show's artwork: a 1400 px gradient (not init's plain placeholder)

    Image.linear_gradient("L").resize((1400, 1400)).convert("RGB").save(audio / "cover.jpg", quality=85)
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("APA_FEED_DEBUG", "FORCE_COLOR")}
    env |= {"NO_COLOR": "1", "TTY_INTERACTIVE": "0", "COLUMNS": "100", "TERM": "xterm"}
    env |= {"XDG_CACHE_HOME": str(root / "cache"), "PATH": bin_dir + os.pathsep + env.get("PATH", "")}
    shown: list[str] = []

    def step(line: str, cwd: Path) -> str:
        output = run(line, cwd, env)
        shown.append(f"$ {line}\n{output}")
        return output

    step('apa-feed init my-show --title "Night Shift"', root)
    show = root / "my-show"
    shown.append("$ cd my-show\n")
    step(
        "sed -i -e 's|https://example.com/podcast/|https://cdn.nightshift.example/|' "
        "-e 's|https://example.com/|https://nightshift.example/|' "
        "-e 's|podcast@example.com|studio@nightshift.example|' "
        "-e 's|What the show is about, in a sentence or two.|Stories told after midnight.|' feed.yaml",
        show,
    )
    step("cp ../audio/cover.jpg cover.jpg", show)
    for title, _ in EPISODES:
        created = step(f'apa-feed new "{title}" --audio ../audio/{slug(title)}.mp3', show)
        folder = re.search(r"created (episodes/[^/\s]+)/episode.yaml", created)
        assert folder, created
        notes = f"s|Show notes in Markdown.|{title}: the night, in a few lines.|"
        step(f"sed -i -e '/^draft: true/d' -e '{notes}' {folder[1]}/episode.yaml", show)
    step("apa-feed check", show)
    step("apa-feed publish --no-verify  # nothing serves base_url yet", show)
    return "".join(shown)


def slug(title: str) -> str:
    return title.lower().replace(" ", "-")


def write_readme(text: str) -> None:
    readme = REPO / "README.md"
    current = readme.read_text(encoding="utf-8")
    before, _, rest = current.partition(START)
    _, _, after = rest.partition(END)
    if not rest:
        raise SystemExit(f"README.md has no line {START.strip()!r}")
    readme.write_text(f"{before}{START}```console\n{text}```\n{END}{after}", encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="apa-feed-session-") as folder:
        text = session(Path(folder))
    assert not ANSI.search(text), "colour or cursor codes left in the session"
    print(text, end="")
    if "--write" in sys.argv[1:]:
        write_readme(text)


if __name__ == "__main__":
    main()
