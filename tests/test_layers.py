"""The house rules of imports that import-linter does not check (it runs in `make lint`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.one_database  # the same on every database

ROOT = Path(__file__).resolve().parent.parent / "rem"


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and getattr(test, "id", getattr(test, "attr", "")) \
        == "TYPE_CHECKING"


def _imports_in_functions(tree: ast.AST):
    """Yield the rem imports written inside a function body (not under TYPE_CHECKING)."""
    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                continue
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if inside and isinstance(child, ast.ImportFrom) and (child.module or "") \
                    .startswith("rem") or inside and isinstance(child, ast.Import) and any(
                        a.name.startswith("rem") for a in child.names):
                yield child
            yield from walk(child, inside)
    yield from walk(tree, False)


def test_an_import_inside_a_function_says_why():
    """Imports inside functions are how cycles get hidden: one is allowed only under a
    comment (on the lines just above the first such import of that block) saying why."""
    unexplained = []
    for path in sorted(ROOT.rglob("*.py")):
        lines = path.read_text().split("\n")
        for node in _imports_in_functions(ast.parse("\n".join(lines))):
            above = node.lineno - 2
            while above >= 0 and lines[above].lstrip().startswith(("from rem", "import rem")):
                above -= 1  # a block of imports shares one comment
            if above < 0 or not lines[above].lstrip().startswith("#"):
                unexplained.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert unexplained == [], "imports inside functions without a comment: " + ", ".join(
        unexplained)


def test_the_checker_finds_an_unexplained_import():
    """The rule above can fail: an import in a function body is found."""
    tree = ast.parse("def f():\n    from rem.extensions import db\n    return db\n")
    assert [node.lineno for node in _imports_in_functions(tree)] == [2]
    guarded = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                        "    from rem.extensions import db\n")
    assert list(_imports_in_functions(guarded)) == []
