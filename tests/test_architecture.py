"""The layering rules of docs/architecture.md, checked by walking every import with ``ast``.

- ``models/``, ``scoring/``, ``features/`` and ``geo/`` import no warehouse, DuckDB, Prefect, flows,
  jobs or report (pure frames in, frames out);
- ``report/`` imports no Prefect, jobs or flows;
- only ``flows/`` imports Prefect (plus ``prefect_env`` which configures it and the CLI which starts flows);
- there are no import cycles inside ``gridscout/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PKG = REPO / "gridscout"

PURE = ("gridscout.models", "gridscout.scoring", "gridscout.features", "gridscout.geo", "gridscout.reference")
FORBIDDEN_FOR_PURE = ("gridscout.warehouse", "gridscout.jobs", "gridscout.report", "gridscout.ops", "flows",
                      "duckdb", "prefect", "prefect_dask", "gridscout.cli")
PREFECT_ALLOWED = ("gridscout.prefect_env", "gridscout.cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Absolute module names imported anywhere in the file (function-level imports included)."""
    mod = module_name(path)
    pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.rsplit(".", node.level - 1)[0] if node.level > 1 else pkg
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.add(name)
            # ``from gridscout.x import y`` may import the submodule gridscout.x.y
            for a in node.names:
                found.add(f"{name}.{a.name}")
    return found


def _modules() -> dict[str, set[str]]:
    files = sorted(PKG.rglob("*.py")) + sorted((REPO / "flows").glob("*.py"))
    known = {module_name(p) for p in files}
    graph = {}
    for p in files:
        graph[module_name(p)] = {i for i in imports_of(p) if i in known or not i.startswith(("gridscout", "flows"))}
    return graph


GRAPH = _modules()


def _hits(imported: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(i for i in imported if any(i == p or i.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("mod", sorted(m for m in GRAPH if m.startswith(PURE)))
def test_pure_layers_import_no_io_layer(mod):
    assert _hits(GRAPH[mod], FORBIDDEN_FOR_PURE) == [], f"{mod} reaches into an I/O layer"


@pytest.mark.parametrize("mod", sorted(m for m in GRAPH if m.startswith("gridscout.report")))
def test_report_imports_no_prefect_jobs_or_flows(mod):
    assert _hits(GRAPH[mod], ("prefect", "prefect_dask", "flows", "gridscout.jobs")) == []


def test_only_flows_import_prefect():
    offenders = sorted(m for m, imps in GRAPH.items() if m.startswith("gridscout") and m not in PREFECT_ALLOWED
                       and _hits(imps, ("prefect", "prefect_dask")))
    assert offenders == []


def test_no_import_cycles_inside_gridscout():
    inside = {m: {i for i in imps if i in GRAPH and i.startswith("gridscout")}
              for m, imps in GRAPH.items() if m.startswith("gridscout")}
    # a package's __init__ importing its own submodules is not a cycle of concepts
    for m in inside:
        inside[m] = {i for i in inside[m] if not (i.startswith(m + ".") and m != "gridscout")} - {"gridscout"}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(inside.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                cyc = visit(n)
                if cyc:
                    return cyc
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(inside):
        if m not in state:
            cyc = visit(m)
            assert cyc is None, "import cycle: " + " → ".join(cyc)


def test_the_rules_see_real_imports():
    """The walker is not vacuous: it finds known edges."""
    assert "gridscout.features.location" in GRAPH["gridscout.features.assemble"]
    assert "duckdb" in GRAPH["gridscout.warehouse.db"]
    assert "prefect" in GRAPH["flows.screen"]
