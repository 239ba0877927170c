"""Dependencies point one way: the functions, the benchmarks and the local stack never import the tests (test
helpers live in tests/helpers.py, reached only from tests/)."""

from __future__ import annotations

import ast

import pytest

from infra.localenv import ROOT


@pytest.mark.parametrize("folder", ["functions", "bench", "infra"])
def test_nothing_outside_tests_imports_them(folder: str) -> None:
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names if name.split(".")[0] == "tests"]
    assert offenders == []
