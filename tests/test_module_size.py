"""No Python module of ours outside migrations grows much past 500 lines (issue 16): a longer one
is split by what it does (mentoring/matching_week.py, contacts/capture/mime.py,
tests/contacts/test_pipeline_views_*.py...). The bound leaves room for the few modules between
500 and 560 lines today (the email-capture services, the sparse solver, the flash sessions'
services, the matcher's scoring, the notifications tests' helpers). Test modules are held to it
too, and none imports another: what several share lives in a helpers module or a conftest.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ["networking_app", "contacts", "mentoring", "events", "bench", "tests"]
MAX_LINES = 560


def _modules():
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_module_is_much_longer_than_500_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these modules by what they do: {long}"


def _imported(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_no_test_module_imports_another():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in set(_imported(ast.parse(path.read_text())))
            if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")
        )
        for path in (ROOT / "tests").rglob("test_*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
