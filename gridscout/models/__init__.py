"""Physical site models: IT load, cooling designs, psychrometrics, hourly PUE, water, carbon,
renewables, cost, and the site aggregator (:func:`gridscout.models.site.estimate_sites`).

Pure, vectorised functions over Polars/NumPy. Units are in column names and docstrings;
every model cites its paper. Parameters with citations live in ``data/designs`` and
``data/reference``.
"""

from gridscout.models.designs import Design, DesignError, Envelope, get_design, load_designs
from gridscout.models.pue import annual_summary, estimate_pue, hourly_pue
from gridscout.models.site import estimate_sites

__all__ = ["Design", "DesignError", "Envelope", "get_design", "load_designs", "hourly_pue", "annual_summary",
           "estimate_pue", "estimate_sites"]
