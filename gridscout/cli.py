"""The ``gridscout`` command line: one-off local runs of the flows, and warehouse inspection.

Errors the user can fix (a missing raw file, a bad candidate file, a bad profile, failed data
checks) print their message and exit with status 2 — no stack trace.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import rich.markup
import typer
from rich.console import Console
from rich.table import Table

from gridscout import config, prefect_env
from gridscout.errors import GridscoutError

prefect_env.apply()

app = typer.Typer(help="gridscout: where should an AI data center go? Power, cooling, water and carbon from open data.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
console = Console(stderr=True)
out_console = Console(width=None if sys.stdout.isatty() else 160)

DbOpt = Annotated[str | None, typer.Option("--db", help="DuckDB warehouse file (default: $GRIDSCOUT_DB or data/gridscout.duckdb).")]
FetchWeatherOpt = Annotated[bool, typer.Option("--fetch-weather", help="Fetch a PVGIS hourly weather year (live API) for sites with no hourly weather file within 50 km.")]
FailStaleOpt = Annotated[bool, typer.Option("--fail-on-stale", help="Fail when a source a deployment can refresh has data older than its publication cadence allows (file-only sources too when the profile sets [freshness] block_on_manual).")]
RawOpt = Annotated[str | None, typer.Option("--raw", help="Raw files folder <raw>/<source_id>/<file> (default: $GRIDSCOUT_RAW_DIR or data/raw).")]


@app.callback()
def _global_options(verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Show Prefect's log lines (temporary server start/stop, flow-run states).")] = False
                    ) -> None:
    """Reuse a running local Prefect server (PREFECT_API_URL, or one listening on 127.0.0.1:4200 as
    started by scripts/prefect_server.sh start); otherwise a temporary one, quietly unless --verbose."""
    mode = prefect_env.configure_cli(verbose)
    if verbose:
        console.print(f"Prefect API: {mode} ({os.environ.get('PREFECT_API_URL') or 'temporary server'})",
                      highlight=False)


def friendly(fn):
    """Turn GridscoutError into a clear message and exit status 2."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except GridscoutError as exc:
            console.print(f"[bold red]error:[/] {rich.markup.escape(str(exc))}", markup=True, highlight=False,
                          soft_wrap=True)
            raise typer.Exit(2) from None
        except OSError as exc:  # a path problem no check foresaw: still one line, never a traceback
            where = f"{exc.filename}: " if exc.filename else ""
            console.print(f"[bold red]error:[/] {rich.markup.escape(where + (exc.strerror or str(exc)))}",
                          markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
    return wrapper


def _raw(raw: str | None) -> Path | None:
    """``--raw``: an existing readable folder, or one that can be created (downloads go there)."""
    if not raw:
        return None
    from gridscout.paths import readable_dir, writable_dir

    path = Path(raw).expanduser()
    if path.exists() or path.is_symlink():
        readable_dir(path, "--raw")
    else:
        writable_dir(path, "--raw")
    return path.resolve()


def _db(db: str | None, *, must_exist: bool = False) -> None:
    """``--db`` (or GRIDSCOUT_DB) checked before any flow starts."""
    from gridscout.paths import warehouse_file

    path = config.db_path(db)
    try:
        warehouse_file(path, "--db warehouse", must_exist=must_exist)
    except FileNotFoundError:
        raise GridscoutError(f"no warehouse at {path}: run `gridscout ingest` first (or set {config.ENV_DB}).") from None


@app.command()
@friendly
def sources(db: DbOpt = None, raw: RawOpt = None,
            fail_on_stale: Annotated[bool, typer.Option(
                "--fail-on-stale", help="Exit 1 when any loaded source's data is stale (to refresh or to update by hand).")] = False
            ) -> None:
    """List every source: files present or missing, loaded vintage, rows, data age, load age and status."""
    from gridscout.ops.freshness import freshness, source_status, stale_summary

    _db(db)
    rows = source_status(db=db, raw=_raw(raw))
    table = Table(title=f"sources (raw: {_raw(raw) or config.raw_dir()})")
    for col in ("source", "family", "files", "loaded vintage", "rows", "data to", "data age (d)", "load age (d)",
                "max data age (d)", "status"):
        table.add_column(col)

    def days(v):
        return "-" if v is None else f"{v:.0f}"

    for r in rows:
        table.add_row(r["source_id"], r["family"], r["files"], r["vintage"] or "-", f"{r['rows']:,}" if r["rows"] else "-",
                      str(r["period_end"] or "-"), days(r["data_age_days"]), days(r["load_age_days"]),
                      days(r["max_age_days"]), r["status"])
    out_console.print(table)
    for r in rows:
        if r["action"]:
            out_console.print(f"{r['source_id']}: {rich.markup.escape(r['action'])}", soft_wrap=True)
    summary = stale_summary(freshness(db, raw=_raw(raw)))
    if fail_on_stale and summary:
        console.print(f"[bold red]{summary}[/]", soft_wrap=True)
        raise typer.Exit(1)


@app.command()
@friendly
def ingest(source_ids: Annotated[list[str] | None, typer.Argument(help="Source ids (default: all).")] = None,
           db: DbOpt = None, raw: RawOpt = None,
           force: Annotated[bool, typer.Option(help="Reload even when files are unchanged.")] = False,
           refresh: Annotated[bool, typer.Option(
               "--refresh", help="First re-check present files that have a download URL with the publisher "
                                 "(conditional requests: only changed files are downloaded) and re-fetch live-API sources.")] = False,
           accept_shrink: Annotated[bool, typer.Option(
               "--accept-shrink", help="Accept a load with over 20 % fewer rows than the previous one.")] = False,
           retire: Annotated[tuple[str, str] | None, typer.Option(
               "--retire", metavar="SOURCE VINTAGE",
               help="Remove one loaded vintage (a bad one) so the previous vintage is current again.")] = None) -> None:
    """Ingest raw sources into the warehouse (idempotent; unchanged files are skipped)."""
    from gridscout.jobs.ingest import default_sources, preflight, retire_vintage

    _db(db, must_exist=retire is not None)
    if retire is not None:
        removed = retire_vintage(retire[0], retire[1], db=db)
        out_console.print(f"retired {retire[0]} vintage {retire[1]}: "
                          + ", ".join(f"{n:,} rows of {t}" for t, n in removed.items()))
        return
    ids = source_ids or default_sources()
    if refresh and config.offline():
        console.print(f"{config.ENV_OFFLINE} is set: files are not re-checked with their publishers")
    elif refresh:
        from gridscout.jobs.ingest import refresh_sources

        for r in refresh_sources(ids, _raw(raw)):
            (console.print if r.status == "failed" else out_console.print)(
                f"refresh {r.source_id}/{r.file}: {r.status} {rich.markup.escape(r.message)}", soft_wrap=True)
    preflight(ids, _raw(raw))
    from flows.ingest import ingest_flow

    results = ingest_flow(sources=ids, db=db, raw=str(_raw(raw)) if raw else None, force=force,
                          accept_shrink=accept_shrink)
    _print_ingest(results)
    out_console.print(f"analysts' snapshot (published marts): {config.publish_dir(db)}")
    failed = [r for r in results if r["status"] == "failed"]
    for r in failed:
        console.print(f"[bold red]failed:[/] {r['source_id']}: {rich.markup.escape(r['message'])}", soft_wrap=True)
    if failed:
        console.print("the previous good load of each failed source stays loaded and usable")
        raise typer.Exit(1)


@app.command()
@friendly
def publish(db: DbOpt = None,
            out: Annotated[str | None, typer.Option(help="Publish folder (default: $GRIDSCOUT_PUBLISH_DIR or "
                                                         "published/ beside the warehouse).")] = None) -> None:
    """Publish every mart as Parquet plus a read-only DuckDB snapshot for analysts (done after every ingest and score)."""
    from gridscout.warehouse.publish import SNAPSHOT, publish_snapshot

    _db(db, must_exist=True)
    manifest = publish_snapshot(db, out, trigger="gridscout publish")
    folder = Path(out).resolve() if out else config.publish_dir(db)
    for name, m in manifest["marts"].items():
        out_console.print(f"{name}: {m['rows']:,} rows → {folder / m['file']}")
    out_console.print(f"snapshot: {folder / SNAPSHOT} (published {manifest['published_at']})")


@app.command()
@friendly
def dictionary(out: Annotated[str, typer.Option(help="Markdown page to write.")] = "docs/data_dictionary.md",
               check: Annotated[bool, typer.Option("--check", help="Exit 1 when the page differs from the generated one; write nothing.")] = False) -> None:
    """Generate the data dictionary of the published marts from their column comments."""
    from gridscout.warehouse.dictionary import generate

    text = generate()
    path = Path(out)
    if check:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            console.print(f"{path} is out of date: run `uv run gridscout dictionary --out {out}`")
            raise typer.Exit(1)
        out_console.print(f"{path} is up to date")
        return
    from gridscout.paths import writable_dir
    from gridscout.safe_write import write_text

    write_text(writable_dir(path.parent if str(path.parent) else Path("."), "--out folder"), path.name, text)
    out_console.print(f"data dictionary: {path}")


def _print_ingest(results: list[dict]) -> None:
    table = Table(title="ingest")
    for col in ("source", "status", "vintage", "rows", "rejected (bad)", "superseded (older records)"):
        table.add_column(col)
    for r in results:
        sup = sum(int(x.get("rows") or 0) for x in r.get("rejections") or [] if x.get("superseded"))
        table.add_row(r["source_id"], r["status"], str(r["vintage"]), f"{r['rows']:,}", f"{r['rows_rejected']:,}",
                      f"{sup:,}")
    out_console.print(table)
    derived = {t: n for r in results for t, n in (r.get("derived") or {}).items()}
    if derived:
        out_console.print("recomputed from what was loaded: " + ", ".join(f"{t} {n:,} rows" for t, n in derived.items()))


@app.command()
@friendly
def check(db: DbOpt = None) -> None:
    """Run the SQL data checks in sql/checks/ (exit 1 when any fails)."""
    from gridscout.warehouse.checks import run_checks
    from gridscout.warehouse.db import connect

    con = connect(db, read_only=True)
    try:
        results = run_checks(con)
    finally:
        con.close()
    bad = 0
    for r in results:
        status = "[green]ok[/]" if not r.bad_rows else f"[red]{r.bad_rows} bad row(s)[/] e.g. {r.examples[:3]}"
        out_console.print(f"{r.name}: {status}")
        bad += bool(r.bad_rows)
    if bad:
        raise typer.Exit(1)


CarbonYearOpt = Annotated[int | None, typer.Option(
    "--carbon-year", help="Analysis year of grid carbon intensity (default: the profile's carbon_year, else the latest "
                          "complete year); a zone without that year takes its nearest earlier year, flagged.")]


@app.command()
@friendly
def score(candidates: Annotated[str | None, typer.Option(help="Candidate sites (CSV, Parquet or GeoJSON).")] = None,
          profile: Annotated[str, typer.Option(help="Scoring profile name (data/profiles/<name>.toml) or path.")] = config.DEFAULT_PROFILE,
          out: Annotated[str | None, typer.Option(help="Output folder (default reports/<run id>/).")] = None,
          db: DbOpt = None,
          mc_draws: Annotated[int, typer.Option(help="Monte Carlo weight draws for robustness.")] = 1000,
          fail_on_stale: FailStaleOpt = False, fetch_weather: FetchWeatherOpt = False,
          carbon_year: CarbonYearOpt = None) -> None:
    """Score candidate sites from the warehouse; writes scores.parquet and run.json."""
    _preflight_inputs(candidates, profile, db=db, checks=True, carbon_year=carbon_year, out=out)
    if fail_on_stale:
        from gridscout.ops.freshness import fail_on_stale as check_fresh
        from gridscout.scoring.profiles import load_profile

        rows = check_fresh(db, block_on_manual=load_profile(profile).block_on_manual)
        for f in rows:
            if f.stale:
                console.print(f"[yellow]{f.source_id}[/]: {rich.markup.escape(f.action)}", soft_wrap=True)
    from flows.score import score_flow

    run_dir = score_flow(candidates=candidates, profile=profile, out=out, db=db, mc_draws=mc_draws,
                         fetch_weather=fetch_weather, carbon_year=carbon_year)
    print_top(Path(run_dir) / "scores.parquet", "sites")
    out_console.print(f"scores: {Path(run_dir) / 'scores.parquet'}")


@app.command()
@friendly
def report(run_dir: Annotated[str, typer.Argument(help="A run folder holding scores.parquet and run.json.")],
           compare_to: Annotated[str | None, typer.Option(help="Another run folder to compare with.")] = None,
           open_: Annotated[bool, typer.Option("--open", help="Open the report in a browser.")] = False) -> None:
    """Re-render report.html (and the GIS outputs) from a run folder's Parquet outputs."""
    from gridscout.paths import readable_dir, readable_file, writable_dir

    for folder, what in ((run_dir, "run folder"), *(((compare_to, "--compare-to run folder"),) if compare_to else ())):
        readable_dir(folder, what)
        readable_file(Path(folder) / "scores.parquet", f"{what}'s scores.parquet")
        readable_file(Path(folder) / "run.json", f"{what}'s run.json")
    writable_dir(run_dir, "run folder")
    if not (Path(run_dir) / "scores.parquet").is_file():
        raise GridscoutError(f"{run_dir} has no scores.parquet: give a folder written by `gridscout run` or `score`")
    from flows.report import report_flow

    path = report_flow(run_dir=str(Path(run_dir).resolve()), compare_to=compare_to)
    out_console.print(f"report: {path}")
    if open_:
        import webbrowser

        webbrowser.open(Path(path).resolve().as_uri())


def _preflight_inputs(candidates: str | None, profile: str, *, db: str | None = None, checks: bool = False,
                      carbon_year: int | None = None, out: str | None = None) -> None:
    """Validate the candidate file, the profile, ``--out`` and ``--db`` (and, for scoring an existing
    warehouse, its data checks) before any flow or server starts, so a user error is one clean message."""
    from gridscout.candidates import load_candidates
    from gridscout.runs import check_out_dir
    from gridscout.scoring.profiles import check_carbon_year, load_profile

    check_out_dir(out)
    load_candidates(candidates or config.DEFAULT_CANDIDATES)
    load_profile(profile)
    check_carbon_year(carbon_year, "gridscout run/score", "--carbon-year")
    _db(db, must_exist=checks)
    if checks:
        from gridscout.warehouse.checks import require_clean
        from gridscout.warehouse.db import connect

        con = connect(db, read_only=True)
        try:
            require_clean(con)
        finally:
            con.close()


@app.command()
@friendly
def run(candidates: Annotated[str | None, typer.Option(help="Candidate sites (CSV, Parquet or GeoJSON).")] = None,
        profile: Annotated[str, typer.Option(help="Scoring profile name or path.")] = config.DEFAULT_PROFILE,
        out: Annotated[str | None, typer.Option(help="Output folder (default reports/<run id>/).")] = None,
        db: DbOpt = None, raw: RawOpt = None,
        sources_: Annotated[list[str] | None, typer.Option("--source", help="Limit ingest to these sources.")] = None,
        mc_draws: Annotated[int, typer.Option(help="Monte Carlo weight draws for robustness.")] = 1000,
        fail_on_stale: FailStaleOpt = False, fetch_weather: FetchWeatherOpt = False,
        carbon_year: CarbonYearOpt = None) -> None:
    """The whole job: ingest → score → report. Writes scores.parquet, report.html and run.json."""
    from gridscout.jobs.ingest import default_sources, preflight

    _preflight_inputs(candidates, profile, carbon_year=carbon_year, out=out, db=db)
    ids = sources_ or default_sources()
    preflight(ids, _raw(raw))
    from flows.run import run_flow

    run_dir = run_flow(candidates=candidates, profile=profile, out=out, db=db,
                            raw=str(_raw(raw)) if raw else None, sources=ids, mc_draws=mc_draws,
                            fail_on_stale=fail_on_stale, fetch_weather=fetch_weather, carbon_year=carbon_year)
    print_top(Path(run_dir) / "scores.parquet", "sites")
    out_console.print(f"run folder: {run_dir}\n  scores: {Path(run_dir) / 'scores.parquet'}\n"
                      f"  report: {Path(run_dir) / 'report.html'}\n  manifest: {Path(run_dir) / 'run.json'}")


def print_top(path: Path, kind: str, n: int = 10) -> None:
    """A short table of the best rows of a run's ``scores.parquet`` (sites) or ``zones.parquet`` (zones)."""
    import polars as pl

    from gridscout.report.fields import fmt_number

    if not path.is_file():
        return
    df = pl.read_parquet(path)
    if kind == "zones":
        cols = [("zone_id", "rank", 0), ("zone_name", "zone", 0), ("grid_zone", "grid zone", 0), ("n_cells", "cells", 0),
                ("area_km2", "km²", 0), ("mean_score", "mean", 1), ("min_score", "worst", 1), ("best_score", "best", 1),
                ("nearest_place_km", "town km", 0)]
        rows = df.sort("zone_id").head(n) if "zone_id" in df.columns else df.head(n)
    else:
        cols = [("rank", "rank", 0), ("site_name", "site", 0), ("score", "score", 1), ("pue_annual", "PUE", 2),
                ("carbon_g_per_kwh", "gCO2/kWh", 0), ("price_usd_per_mwh", "$/MWh", 1),
                ("capacity_weighted_mw" if "capacity_weighted_mw" in df.columns else "capacity_within_50km_mw",
                 "MW nearby" if "capacity_weighted_mw" in df.columns else "MW ≤50 km", 0)]  # the one scored
        rows = df.filter(~pl.col("excluded")).sort("rank").head(n) if "excluded" in df.columns else df.head(n)
        excluded = int(df["excluded"].sum()) if "excluded" in df.columns else 0
    cols = [c for c in cols if c[0] in df.columns]
    title = f"top {rows.height} {kind}" + (f" ({excluded} excluded: see the report)" if kind == "sites" and excluded else "")
    table = Table(title=title)
    for _, head, _ in cols:
        table.add_column(head, justify="left" if head in ("zone", "site") else "right")
    marked = 0
    for r in rows.iter_rows(named=True):
        cells = [fmt_number(r[c], d) for c, _, d in cols]
        if kind == "sites" and r.get("score_rests_on_unknown") and r.get("score") is not None:
            cells[[c for c, _, _ in cols].index("score")] += " *"  # as in the report
            marked += 1
        table.add_row(*(rich.markup.escape(x) for x in cells))
    if marked:
        table.caption = "* the score rests on an UNKNOWN factor (named on the site card in report.html)"
    out_console.print(table)


@app.command()
@friendly
def screen(region: Annotated[str, typer.Option(help="ISO3 country (DEU), US state (US-VA), CONUS (48 states + DC) or bbox:minlon,minlat,maxlon,maxlat; join several with +.")],
           resolution: Annotated[int, typer.Option(help="H3 resolution (5–9).")] = 7,
           profile: Annotated[str, typer.Option(help="Scoring profile name or path.")] = config.DEFAULT_PROFILE,
           out: Annotated[str | None, typer.Option(help="Output folder (default reports/<run id>/).")] = None,
           db: DbOpt = None,
           use_dask: Annotated[bool, typer.Option("--dask/--no-dask", help="Run partitions as Prefect tasks on a Dask cluster.")] = False,
           partitions_resolution: Annotated[int | None, typer.Option(help="H3 resolution of the partition parents "
                                                                         f"(--dask: default {config.DASK_PARTITIONS_RESOLUTION}; --stream: 6 levels up).")] = None,
           stream: Annotated[bool | None, typer.Option("--stream/--no-stream", help="One process, one H3 parent at a time: "
                                                       "flat memory at any size; writes surface/parent=<h3>/part.parquet. "
                                                       f"Default: streamed when the region may hold more than "
                                                       f"{config.STREAM_ABOVE_CELLS:,} cells.")] = None,
           geoparquet: Annotated[bool, typer.Option("--geoparquet", help="A streamed or --dask run: also write surface.geoparquet "
                                                    "(hexagons) from its parts, one at a time (in memory: always written).")] = False,
           dask_address: Annotated[str | None, typer.Option(help="An existing Dask scheduler, e.g. tcp://scheduler:8786.")] = None) -> None:
    """Score every H3 cell of a region; writes a suitability surface and candidate zones."""
    from gridscout.runs import check_out_dir
    from gridscout.scoring.profiles import load_profile

    check_out_dir(out)
    load_profile(profile)
    _db(db, must_exist=True)
    if use_dask or dask_address:
        from flows.screen import screen_flow

        s = screen_flow(region=region, resolution=resolution, profile=profile, out=out, db=db,
                        partitions_resolution=config.DASK_PARTITIONS_RESOLUTION if partitions_resolution is None
                        else partitions_resolution,
                        use_dask=True, dask_address=dask_address, geoparquet=geoparquet)
        print_top(Path(s["out"]) / "zones.parquet", "zones")
        out_console.print(f"screening folder: {s['out']} ({s['cells']:,} cells, {s['partitions_nonempty']} partitions)")
        return
    from gridscout.jobs.screen import run_screen

    run_dir = run_screen(region, resolution, profile, out, db=db, stream=stream,
                         partitions_resolution=partitions_resolution, geoparquet=geoparquet)
    print_top(Path(run_dir) / "zones.parquet", "zones")
    how = json.loads((Path(run_dir) / "run.json").read_text()).get("stream_reason", "")
    out_console.print(f"screening folder: {run_dir}" + (f" ({how})" if how else ""))


@app.command()
@friendly
def serve(limit: Annotated[int | None, typer.Option(help="Most flow runs at once.")] = None) -> None:
    """Register every scheduled deployment (ingest per family, weekly score+report) and serve them; Ctrl-C stops."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        raise GridscoutError("serve needs a Prefect server: run `scripts/prefect_server.sh start` and "
                             "`export PREFECT_API_URL=http://127.0.0.1:4200/api`")
    from flows.deployments import serve_all

    serve_all(limit=limit)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
