"""Physical site models: IT load, cooling designs, psychrometrics, hourly PUE, water, carbon,
renewables, cost, and the site aggregator (:func:`gridscout.models.site.estimate_sites`).

Pure, vectorised functions over Polars/NumPy. Units are in column names and docstrings;
every model cites its paper. Parameters with citations live in ``data/designs`` and
``data/reference``.

The names below are re-exported lazily (PEP 562): importing one model (e.g. ``gridscout.models.carbon``
for screening) does not import them all — the site aggregator alone brings pvlib, pandas and
``scipy.optimize`` (≈1 s of a command's start-up).
"""

from __future__ import annotations

import importlib

#: re-exported name → the submodule defining it
_EXPORTS = {"Design": "designs", "DesignError": "designs", "Envelope": "designs", "get_design": "designs",
            "load_designs": "designs", "hourly_pue": "pue", "annual_summary": "pue", "estimate_pue": "pue",
            "estimate_sites": "site"}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"gridscout.models.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'gridscout.models' has no attribute {name!r}")
