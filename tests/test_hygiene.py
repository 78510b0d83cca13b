"""The test suite cannot hide breakage: one raw-data fixture, no skips on the project's own modules,
markers that exist are used, no dead code inside assertions. Walks every test file with :mod:`ast`."""

from __future__ import annotations

import ast
import tomllib
from functools import cache
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
OWN = ("gridscout", "flows")
#: the one place that reads GRIDSCOUT_RAW_DIR: the session fixture ``raw_dir``
RAW_FIXTURE_HOME = TESTS / "conftest.py"


@cache
def _trees() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(), filename=str(p)) for p in sorted(TESTS.rglob("*.py"))
            if "fixtures" not in p.relative_to(TESTS).parts}


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(REPO)}:{node.lineno}"


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def test_the_walk_sees_the_suite():
    assert RAW_FIXTURE_HOME in _trees() and len(_trees()) > 30


def test_only_the_raw_dir_fixture_reads_gridscout_raw_dir():
    bad = []
    for path, tree in _trees().items():
        if path == RAW_FIXTURE_HOME:
            continue
        for node in ast.walk(tree):
            key = None
            if isinstance(node, ast.Call) and _dotted(node.func).endswith(("environ.get", "getenv")) and node.args:
                key = node.args[0]
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) \
                    and _dotted(node.value).endswith("environ"):
                key = node.slice
            if isinstance(key, ast.Constant) and key.value == "GRIDSCOUT_RAW_DIR":
                bad.append(_where(path, node))
    assert not bad, f"use the session fixture raw_dir (tests/conftest.py), which fails when the folder is wrong: {bad}"


def test_no_importorskip_of_the_projects_own_modules():
    bad = []
    for path, tree in _trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _dotted(node.func).endswith("importorskip") and node.args:
                arg = node.args[0]
                if not isinstance(arg, ast.Constant) or str(arg.value).split(".")[0] in OWN:
                    bad.append(_where(path, node))
    assert not bad, f"a missing own module must fail, not skip: {bad}"


def test_every_declared_marker_is_used():
    ini = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    declared = {m.split(":")[0].strip() for m in ini["markers"]}
    used = {node.attr for tree in _trees().values() for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and _dotted(node.value) == "pytest.mark"}
    assert declared <= used, f"markers declared in pyproject.toml but used by no test: {sorted(declared - used)}"


def test_no_dead_code_in_checks():
    """``... if False else ...`` and ``x * 0`` in a test make a check look at less than it says."""
    bad = []
    for path, tree in _trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Constant):
                bad.append(f"{_where(path, node)}: `... if {node.test.value!r} else ...`")
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and any(
                    isinstance(x, ast.Constant) and not isinstance(x.value, str) and x.value == 0
                    for x in (node.left, node.right)):
                bad.append(f"{_where(path, node)}: `* 0`")
    assert not bad, f"dead code in tests: {bad}"
