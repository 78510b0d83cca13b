"""Runtime dependencies are exactly what the package imports at runtime.

Reads ``[project].dependencies`` from ``pyproject.toml``, maps each distribution to the import names
it installs (:func:`importlib.metadata.packages_distributions`, the installed packages' own
``top_level``/``RECORD`` metadata, so ``vl-convert-python`` -> ``vl_convert``,
``duckdb-extension-spatial`` -> ``duckdb_extension_spatial``) and walks every module under
``gridscout/`` and ``flows/`` with :mod:`ast`. A dependency no module imports must be a pin for
another package, listed with its reason in :data:`NOT_IMPORTED`; a third-party import must be a
declared runtime dependency (not something that merely arrives with another one). Test-only
libraries belong in the ``dev`` dependency group.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
RUNTIME_CODE = ("gridscout", "flows")

#: Runtime dependencies that no gridscout/flows module imports by name, and why each stays.
NOT_IMPORTED = {
    # Pins for Prefect's own server (docs: /work/shared/docs/stack-notes.md): fastapi 0.165 crashes
    # Prefect 3.8.8 on the first flow run; SQLAlchemy 2.1 breaks the scheduler's cron runs.
    "fastapi": "pin for prefect: fastapi>=0.151 crashes Prefect 3.8.8 (Body(min_items))",
    "sqlalchemy": "pin for prefect: SQLAlchemy 2.1 silently stops the server's cron scheduling",
    # The Dask cluster flows/screen.py starts through prefect_dask.DaskTaskRunner.
    "dask": "floor (and the [distributed] extra) for the cluster prefect-dask starts in flows/screen.py",
}


def _runtime_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


def _dev_requirements() -> set[str]:
    groups = tomllib.loads((REPO / "pyproject.toml").read_text()).get("dependency-groups", {})
    return {canonicalize_name(Requirement(r).name) for r in groups.get("dev", []) if isinstance(r, str)}


@cache
def _imports() -> dict[str, list[str]]:
    """Top-level names of absolute imports in the runtime code -> the files importing them."""
    found: dict[str, list[str]] = {}
    for folder in RUNTIME_CODE:
        for path in sorted((REPO / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], []).append(str(path.relative_to(REPO)))
    return found


@cache
def _installed() -> dict[str, list[str]]:
    return packages_distributions()


def _dists_of(import_name: str) -> set[str]:
    return {canonicalize_name(d) for d in _installed().get(import_name, [])}


def test_the_import_walk_sees_the_known_imports():
    imports = _imports()
    # spot checks so a broken walk cannot pass the tests below vacuously
    assert "gridscout/warehouse/db.py" in imports["duckdb_extension_spatial"]
    assert "flows/screen.py" in imports["prefect_dask"]
    assert "gridscout/report/charts.py" in imports["vl_convert"]
    assert _dists_of("vl_convert") == {"vl-convert-python"}


def test_every_runtime_dependency_is_imported_or_a_listed_pin():
    reqs = _runtime_requirements()
    imported_dists = {d for name in _imports() for d in _dists_of(name)}
    unused = sorted(set(reqs) - imported_dists - set(NOT_IMPORTED))
    assert not unused, (f"runtime dependencies imported nowhere under {RUNTIME_CODE}: {unused}; remove them from "
                        "[project].dependencies (test-only ones go to [dependency-groups].dev), or list them in "
                        "NOT_IMPORTED with the reason they are a pin")
    stale = sorted(set(NOT_IMPORTED) - set(reqs))
    assert not stale, f"NOT_IMPORTED names packages that are no runtime dependency any more: {stale}"
    now_imported = sorted(set(NOT_IMPORTED) & imported_dists)
    assert not now_imported, f"these are imported now, drop them from NOT_IMPORTED: {now_imported}"


def test_every_third_party_import_is_a_declared_runtime_dependency():
    reqs = _runtime_requirements()
    dev = _dev_requirements()
    problems = []
    for name, files in sorted(_imports().items()):
        if name in sys.stdlib_module_names or name in RUNTIME_CODE or name == "__future__":
            continue
        dists = _dists_of(name)
        if not dists:
            problems.append(f"{name} (imported in {files[0]}) is not installed by any distribution")
        elif not dists & set(reqs):
            where = "a dev-only dependency" if dists & dev else "not declared (it only arrives with another package)"
            problems.append(f"{name} (imported in {files[0]}) comes from {sorted(dists)}: {where}")
    assert not problems, "declare these in [project].dependencies:\n" + "\n".join(problems)


def test_test_only_libraries_are_dev_dependencies():
    reqs = _runtime_requirements()
    assert "psychrolib" not in reqs and "psychrolib" in _dev_requirements()
    assert "pyproj" not in reqs  # never imported; geopandas brings it
