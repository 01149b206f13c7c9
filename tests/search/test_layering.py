"""The layers import downwards only: the search engines know nothing of the application (services,
web), and the domain rules know no framework, database or engine. Read from the source with ast,
so an import inside a function counts too."""

from __future__ import annotations

import ast
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

import tracker

PACKAGE = Path(tracker.__file__).parent


def imported_modules(path: Path, root: Path) -> Iterator[str]:
    """Every module a file imports, relative imports resolved against its package (``root`` holds
    the top package)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def offending(folder: str, forbidden: tuple[str, ...], package: Path = PACKAGE) -> list[str]:
    return [
        f"{path.relative_to(package.parent)}: {module}"
        for path in sorted((package / folder).rglob("*.py"))
        for module in imported_modules(path, package.parent)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    ]


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("search", ("tracker.services", "tracker.web", "tracker.cli", "tracker.bench")),
        (
            "domain",
            (
                "flask",
                "sqlmodel",
                "sqlalchemy",
                "whoosh",
                "tracker.models",
                "tracker.services",
                "tracker.search",
            ),
        ),
    ],
)
def test_a_layer_imports_nothing_above_it(folder: str, forbidden: tuple[str, ...]) -> None:
    assert offending(folder, forbidden) == []


def test_the_check_sees_imports_of_every_form(tmp_path: Path) -> None:
    """The walk finds plain, from- and relative imports, also inside functions (else it would pass
    whatever the engines import)."""
    engine = tmp_path / "tracker" / "search" / "engine"
    engine.mkdir(parents=True)
    (engine / "x.py").write_text(
        "import tracker.services.search\n"
        "from tracker.services import visibility\n"
        "from ...services.proposals import point_anchor\n"
        "from . import sibling\n"
        "def late():\n    from tracker.web import search\n",
        encoding="utf-8",
    )
    found = offending("search", ("tracker.services", "tracker.web"), tmp_path / "tracker")
    assert [line.split(": ")[1] for line in found] == [
        "tracker.services.search",
        "tracker.services",
        "tracker.services.visibility",
        "tracker.services.proposals",
        "tracker.services.proposals.point_anchor",
        "tracker.web",
        "tracker.web.search",
    ]


def test_an_index_written_before_the_split_finds_its_analyzer() -> None:
    """Whoosh pickles the analyzer into the index under its module path: an index written before
    the backend became a package names tracker.search.whoosh_index, and must open without a rebuild."""
    from tracker.search.whoosh.schema import ChineseTokenizer

    assert pickle.loads(b"ctracker.search.whoosh_index\nChineseTokenizer\n.") is ChineseTokenizer


@pytest.mark.parametrize("engine", ["whoosh", "postgres"])
def test_both_backends_read_one_query_language_and_mark_alike(engine: str) -> None:
    """The field scopes, the rewrites and what to mark live once, above the engines (issue 14):
    neither backend keeps a copy of its own."""
    imported = {
        m
        for path in (PACKAGE / "search" / engine).rglob("*.py")
        for m in imported_modules(path, PACKAGE.parent)
    }
    assert {"tracker.search.language", "tracker.search.marking"} <= imported
    own: set[str] = set()
    for path in (PACKAGE / "search" / engine).rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                own.add(node.name)
            elif isinstance(node, ast.Assign):
                own |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    shared = {"FIELD_ALIASES", "DEFAULT_FIELDS", "FIELD_BOOSTS", "TEXT_FIELDS", "Marks", "stem_latin"}
    assert own & shared == set()
    assert (
        own & {"normalize_query", "words_of", "_words_of", "_expand", "match_spans", "spans", "fragments"}
        == set()
    )
