"""Report flow: render report.html and GIS outputs from a run folder; publish a Prefect artifact."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger

from flows.artifacts import publish_prefect_artifact
from gridscout.report.outputs import write_gis_outputs
from gridscout.report.render import render_report


@flow(name="gridscout-report", log_prints=True)
def report_flow(run_dir: str, compare_to: str | None = None, complete: bool = False, db: str | None = None) -> str:
    """Render ``report.html``, write ``sites.geoparquet`` / ``scores.csv`` (and the screening surface),
    and publish a markdown artifact of the top sites with the report's path. ``complete``: the report
    is the run's last step (``gridscout run``): finish the run after it (``_SUCCESS``, then the record)."""
    folder = Path(run_dir)
    if not (folder / "scores.parquet").is_file():
        raise ValueError(f"{folder} has no scores.parquet")
    outputs = write_gis_outputs(folder)
    path = render_report(folder, compare_to=Path(compare_to) if compare_to else None)
    if complete:
        from flows.concurrency import writer_slot
        from gridscout.jobs.score import complete_run

        with writer_slot():
            complete_run(folder, db)
    publish_prefect_artifact(folder, report_path=path)
    get_run_logger().info("report: %s; GIS outputs: %s", path, ", ".join(p.name for p in outputs.values()))
    return str(path)
