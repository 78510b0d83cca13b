"""Source registry: every module in this package that defines ``SPEC`` (or ``SPECS``) is a source.

Adding a source is adding one module; nothing else needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from gridscout.errors import GridscoutError
from gridscout.sources.base import SourceSpec

_NOT_SOURCES = {"base", "fetch", "common", "http", "retry", "expectations"}


@cache
def registry() -> dict[str, SourceSpec]:
    """All declared sources by id, in a stable order."""
    found: dict[str, SourceSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _NOT_SOURCES or info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        specs = list(getattr(mod, "SPECS", ())) + ([mod.SPEC] if hasattr(mod, "SPEC") else [])
        for spec in specs:
            if spec.id in found:
                raise RuntimeError(f"source id {spec.id!r} declared twice")
            found[spec.id] = spec
    return found


def get(source_id: str) -> SourceSpec:
    reg = registry()
    if source_id not in reg:
        raise GridscoutError(f"unknown source {source_id!r}; known sources: {', '.join(reg)}")
    return reg[source_id]
