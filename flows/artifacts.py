"""A Prefect markdown artifact for the report flow: the top sites and where the report is.

Call :func:`publish_prefect_artifact` only inside a flow or task run (Prefect attaches the
artifact to the current run); :func:`top_sites_markdown` is the pure part and is unit-tested.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from gridscout.report.fields import fmt_number, is_missing

ARTIFACT_KEY = "gridscout-report"


def _md_cell(value: object) -> str:
    """Markdown-table-safe text: pipes, newlines and HTML brackets neutralised."""
    text = "UNKNOWN" if is_missing(value) else str(value)
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


def top_sites_markdown(scores: pl.DataFrame, report_path: str | Path | None = None, n: int = 10,
                       run_id: str | None = None) -> str:
    """Markdown: a table of the ``n`` best-ranked sites (UNKNOWN where null) and the report path."""
    df = scores
    if "rank" in df.columns:
        df = df.filter(pl.col("rank").is_not_null()).sort("rank")
    elif "score" in df.columns:
        df = df.filter(pl.col("score").is_not_null()).sort("score", descending=True)
    df = df.head(n)
    cols = [("rank", "Rank", 0), ("site_name", "Site", None), ("country", "Country", None),
            ("grid_zone", "Zone", None), ("score", "Score", 1), ("pue_annual", "PUE", 3),
            ("carbon_g_per_kwh", "gCO2eq/kWh", 0), ("water_m3_per_year", "Water m³/yr", 0), ("p_top5", "P(top 5)", 2)]
    cols = [c for c in cols if c[0] in scores.columns]
    title = f"# gridscout run {_md_cell(run_id)}" if run_id else "# gridscout report"
    lines = [title, ""]
    if report_path is not None:
        lines += [f"Report: `{_md_cell(str(report_path))}`", ""]
    excluded = int(scores["excluded"].fill_null(False).sum()) if "excluded" in scores.columns else 0
    lines += [f"Top {df.height} of {scores.height} candidates ({excluded} excluded).", ""]
    lines.append("| " + " | ".join(label for _, label, _ in cols) + " |")
    lines.append("|" + "|".join("---:" if d is not None else "---" for _, _, d in cols) + "|")
    for row in df.iter_rows(named=True):
        lines.append("| " + " | ".join(_md_cell(fmt_number(row.get(c), d) if d is not None else row.get(c))
                                       for c, _, d in cols) + " |")
    return "\n".join(lines) + "\n"


def publish_prefect_artifact(run_dir: str | Path, scores: pl.DataFrame | None = None, *,
                             report_path: str | Path | None = None, n: int = 10,
                             key: str = ARTIFACT_KEY) -> str:
    """Create the markdown artifact for the current Prefect flow run; returns the artifact id.

    ``scores`` defaults to ``run_dir/scores.parquet``; ``report_path`` to ``run_dir/report.html``.
    Raises ``RuntimeError`` outside a flow or task run.
    """
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import FlowRunContext, TaskRunContext

    if FlowRunContext.get() is None and TaskRunContext.get() is None:
        raise RuntimeError("publish_prefect_artifact must be called inside a Prefect flow or task run")
    run_dir = Path(run_dir)
    if scores is None:
        scores = pl.read_parquet(run_dir / "scores.parquet")
    report_path = Path(report_path) if report_path is not None else run_dir / "report.html"
    run_id = run_dir.name
    md = top_sites_markdown(scores, report_path, n=n, run_id=run_id)
    artifact_id = create_markdown_artifact(markdown=md, key=key,
                                           description=f"Top {n} candidate sites of run {run_id}")
    return str(artifact_id)


def load_table_rows(source_ids: list[str], results: list[dict], blocked: dict[str, str] | None = None,
                    unrefreshed: dict[str, str] | None = None) -> list[dict]:
    """One row per source for a load table artifact: status, vintage, rows, rejected, refreshed, message.

    ``results`` are the ``load-source`` dicts; ``blocked`` maps sources whose files could not be had
    to the reason; ``unrefreshed`` those whose publisher could not be reached. Unknown is None."""
    blocked, unrefreshed = blocked or {}, unrefreshed or {}
    by_id = {r["source_id"]: r for r in results}
    rows = []
    for sid in source_ids:
        r = by_id.get(sid)
        if r is None:
            rows.append({"source_id": sid, "status": "not ingested", "vintage": None, "rows": None,
                         "rows_rejected": None, "refreshed": sid not in unrefreshed,
                         "message": blocked.get(sid, "")[:300]})
            continue
        rows.append({"source_id": sid, "status": r["status"], "vintage": r.get("vintage"), "rows": r.get("rows"),
                     "rows_rejected": r.get("rows_rejected"), "refreshed": sid not in unrefreshed,
                     "message": (r.get("message") or unrefreshed.get(sid, ""))[:300]})
    return rows


def publish_table(key: str, rows: list[dict], description: str) -> str | None:
    """A Prefect table artifact (``key``: lowercase letters, digits, dashes) for the current run;
    None outside a flow or task run (a plain ``.fn`` call in a test)."""
    from prefect.artifacts import create_table_artifact
    from prefect.context import FlowRunContext, TaskRunContext

    if FlowRunContext.get() is None and TaskRunContext.get() is None:
        return None
    return str(create_table_artifact(table=rows, key=key, description=description))
