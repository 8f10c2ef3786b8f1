"""The package's shape, as the redesign set it: stages in subpackages, no import cycle, small modules,
each third-party library behind one door."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "apa_feed"

LIBRARIES = {
    # library: the modules (or packages, ending in ".") allowed to import it
    "mutagen": ("apa_feed.audio.",),
    "boto3": ("apa_feed.storage.s3",),
    "botocore": ("apa_feed.storage.s3",),
    "feedgen": ("apa_feed.feed.rss",),
    "yaml": ("apa_feed.config.",),
    "jinja2": ("apa_feed.site",),
    "PIL": ("apa_feed.audio.artwork",),
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every apa_feed module ``name`` imports, at the top, lazily or under TYPE_CHECKING."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                target = f"{source}.{alias.name}"
                found.add(target if target in known else source)
    return {m for m in found if m in known and m != name}


def third_party(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def reach(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        v = todo.pop()
        if v not in seen:
            seen.add(v)
            todo.extend(graph[v])
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others."""
    reached = {v: reach(graph, v) for v in graph}
    groups = {tuple(sorted(w for w in reached[v] if v in reached[w])) for v in graph if v in reached[v]}
    return sorted(list(g) for g in groups)


def test_no_import_cycle() -> None:
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    assert cycles(graph) == []


def test_a_dozen_modules_at_most_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top


def test_no_module_over_400_lines() -> None:
    long = {
        name: n for name, path in modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_each_library_is_imported_in_one_place() -> None:
    strays = []
    for name, path in modules().items():
        for library in third_party(path) & LIBRARIES.keys():
            if not any(name == allowed or name.startswith(allowed) for allowed in LIBRARIES[library]):
                strays.append(f"{name} imports {library}")
    assert strays == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
