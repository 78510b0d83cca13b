"""Report flow: render report.html and GIS outputs from a run folder; publish a Prefect artifact."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger


@flow(name="gridscout-report", log_prints=True)
def report_flow(run_dir: str, compare_to: str | None = None) -> str:
    from gridscout.report.render import render_report

    path = render_report(Path(run_dir), compare_to=Path(compare_to) if compare_to else None)
    try:
        from gridscout.report.artifact import publish_prefect_artifact

        publish_prefect_artifact(Path(run_dir))
    except ImportError:
        pass
    get_run_logger().info("report: %s", path)
    return str(path)
