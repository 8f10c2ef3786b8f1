"""A theme comes with the show, which may be someone else's clone: its templates run in Jinja's sandbox
(no code, no file access through the objects they are given) and no theme file is read from outside
the show's folder, even through a symbolic link."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE_EPISODE

from apa_feed.build import Options, build_project
from apa_feed.site import ThemeError

MARKER = "apa-feed-theme-ran-code"


def build(root: Path) -> None:
    build_project(Options(root / "feed.yaml", now=NOW))


def theme_index(root: Path, body: str) -> None:
    """A theme index.html whose line 3 is ``body``."""
    (root / "theme").mkdir(exist_ok=True)
    (root / "theme" / "index.html").write_text(
        "{% extends 'base.html' %}\n{% block content %}\n" + body + "\n{% endblock %}\n", encoding="utf-8"
    )


ESCAPES = {
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "globals": "{{ feed.__init__.__globals__ }}",
    "os-through-cycler": "{{ cycler.__init__.__globals__.os.system('touch " + MARKER + "') }}",
    "os-through-namespace": "{{ namespace.__init__.__globals__['os'].system('touch " + MARKER + "') }}",
    "format-dunder": "{{ '{0.__class__.__mro__}'.format(feed) }}",
    "path-read": "{% for e in episodes %}{{ e.item.transcript.source.read_text() }}{% endfor %}",
    "path-write": "{% for e in episodes %}{{ e.item.transcript.source.with_name('" + MARKER + "').touch() }}"
    "{% endfor %}",
    "path-unlink": "{% for e in episodes %}{{ e.item.transcript.source.unlink() }}{% endfor %}",
    "path-parent": "{% for e in episodes %}{{ e.item.transcript.source.parent }}{% endfor %}",
}


@pytest.mark.parametrize("body", ESCAPES.values(), ids=list(ESCAPES))
def test_a_template_cannot_reach_python_or_the_files(project: Path, body: str) -> None:
    transcript = project / "episodes" / SAMPLE_EPISODE / "transcript.vtt"
    assert transcript.is_file()
    theme_index(project, body)
    with pytest.raises(ThemeError) as caught:
        build(project)
    assert str(caught.value).startswith("theme/index.html:3: "), str(caught.value)
    assert "unsafe" in str(caught.value) or "not allowed" in str(caught.value)
    assert transcript.is_file()
    assert not list(project.rglob(MARKER)) and not Path(MARKER).exists()


def test_through_the_cli_an_escape_is_one_located_error_and_runs_nothing(project: Path) -> None:
    theme_index(project, ESCAPES["subclasses"])
    done = subprocess.run([sys.executable, "-m", "apa_feed", "build"], cwd=project, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.startswith("error: theme/index.html:3: "), done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "<class" not in done.stdout + done.stderr


def test_a_sandboxed_theme_still_formats_and_loops(project: Path) -> None:
    theme_index(
        project, "{% for e in episodes %}<p>{{ e.item.title|upper }} {{ '{}!'.format(loop.index) }}</p>{% endfor %}"
    )
    build(project)


# --- files from outside the show -------------------------------------------------------------------


@pytest.fixture
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    path.write_text("TOP-SECRET {{ 6 * 7 }}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["index.html", "base.html", "episode.html"])
def test_a_template_linked_from_outside_the_show_is_refused(project: Path, secret: Path, name: str) -> None:
    (project / "theme").mkdir()
    (project / "theme" / name).symlink_to(secret)
    with pytest.raises(ThemeError) as caught:
        build(project)
    assert str(caught.value) == f"theme/{name}: a symbolic link to a file outside the show's folder; refused"


def test_an_included_file_linked_from_outside_the_show_is_refused(project: Path, secret: Path) -> None:
    (project / "theme" / "parts").mkdir(parents=True)
    (project / "theme" / "parts" / "note.html").symlink_to(secret)
    theme_index(project, "{% include 'parts/note.html' %}")
    with pytest.raises(ThemeError) as caught:
        build(project)
    assert str(caught.value) == "theme/parts/note.html: a symbolic link to a file outside the show's folder; refused"


def test_a_theme_folder_linked_from_outside_the_show_is_refused(project: Path, secret: Path) -> None:
    (secret.parent / "index.html").write_text("{{ 'TOP-SECRET' }}\n", encoding="utf-8")
    (project / "theme").symlink_to(secret.parent)
    with pytest.raises(ThemeError) as caught:
        build(project)
    assert str(caught.value) == "theme: a symbolic link to a folder outside the show's folder; refused"


def test_a_stylesheet_linked_from_outside_the_show_is_refused(project: Path, secret: Path) -> None:
    (project / "theme").mkdir()
    (project / "theme" / "style.css").symlink_to(secret)
    with pytest.raises(ThemeError) as caught:
        build(project)
    assert str(caught.value) == "theme/style.css: a symbolic link to a file outside the show's folder; refused"


def test_a_link_within_the_show_is_fine(project: Path) -> None:
    (project / "shared").mkdir()
    (project / "shared" / "style.css").write_text("body { color: teal; }\n", encoding="utf-8")
    (project / "theme").mkdir()
    (project / "theme" / "style.css").symlink_to(project / "shared" / "style.css")
    built = build_project(Options(project / "feed.yaml", now=NOW))
    css = next(a for a in built.publication.assets if a.key.startswith("assets/style-"))
    assert css.data == b"body { color: teal; }\n"


def test_through_the_cli_a_linked_template_is_one_error_and_nothing_is_published(project: Path, secret: Path) -> None:
    (project / "theme").mkdir()
    (project / "theme" / "index.html").symlink_to(secret)
    done = subprocess.run([sys.executable, "-m", "apa_feed", "publish"], cwd=project, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (
        1,
        "error: theme/index.html: a symbolic link to a file outside the show's folder; refused\n",
    )
    assert not (project / "public" / "index.html").exists()
    written = [p for p in project.rglob("*") if p.is_file() and not p.is_symlink()]
    assert not any(b"TOP-SECRET" in p.read_bytes() for p in written)
