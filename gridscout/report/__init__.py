"""The report stage: render a run directory to one offline HTML file and to GIS files.

Public entry points: :func:`render_report` (``report.html``), :func:`write_gis_outputs`
(``sites.geoparquet``, ``scores.csv``, ``surface.geoparquet``) and, inside a Prefect flow run,
:func:`flows.artifacts.publish_prefect_artifact`.
"""

from gridscout.report.outputs import write_gis_outputs
from gridscout.report.render import render_report
from gridscout.report.rundir import ReportError, RunData, load_run

__all__ = ["ReportError", "RunData", "load_run", "render_report", "write_gis_outputs"]
