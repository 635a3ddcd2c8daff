"""Product code never imports the test kit: it needs the test dependencies, which production lacks."""

from __future__ import annotations

import ast
from pathlib import Path

import tongban

SRC = Path(tongban.__file__).parent


def _product_modules():
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if parts[0] == "testing" or "tests" in parts or "migrations" in parts:
            continue
        yield path


def test_no_product_module_imports_the_test_kit():
    offenders = []
    for path in _product_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "tongban.testing" or n.startswith("tongban.testing.") for n in names):
                offenders.append(str(path.relative_to(SRC)))
    assert offenders == []
