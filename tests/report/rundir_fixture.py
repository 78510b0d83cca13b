"""Build a report run directory from REAL data (markets + warehouse), for the report tests.

Features (location, carbon, price, nearby capacity, weather links, boundaries, fuel mix) come from
the real warehouse. The scores, contributions, gates and robustness columns are PLACEHOLDERS
computed here only because the scoring stage is not wired yet: they are labelled as such in
``run.json`` (``notes``) and never produced by the renderer.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import polars as pl

from gridscout.warehouse.readers.reference import Reference, weather_hourly
from gridscout.geo.nearest import haversine_km

PLACEHOLDER_NOTE = "PLACEHOLDER scores computed by tests/report/rundir_fixture.py (scoring stage not wired yet)"
XSS_NAME = "<script>alert(1)</script>"
XSS_NAME_2 = "</script><script>alert(1)</script>"
XSS_REASON = "<img src=x onerror=alert(2)>"
XSS_PROFILE = "balanced </script><script>alert(3)</script>"
IT_LOAD_MW = 100.0  # PLACEHOLDER facility size for the fixture


def add_xss_sites(sites: pl.DataFrame) -> pl.DataFrame:
    """Two hostile site names at real coordinates (Chicago, Tokyo) appended to the candidates."""
    extra = pl.DataFrame({"site_id": ["xss-chicago", "xss-tokyo"], "site_name": [XSS_NAME, XSS_NAME_2],
                          "latitude": [41.88, 35.68], "longitude": [-87.63, 139.69]})
    return pl.concat([sites, extra], how="diagonal_relaxed")


def _norm(col: str, lower_better: bool) -> pl.Expr:
    c = pl.col(col).cast(pl.Float64)
    lo, hi = c.min(), c.max()
    t = (c - lo) / (hi - lo)
    return (100 * ((1 - t) if lower_better else t)).alias(col)


def _modelled(feats: pl.DataFrame, db: Path) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Real hourly PUE (gridscout.models.pue) for sites with an hourly weather file, if the model runs."""
    keys = feats["weather_station_key"].drop_nulls().unique().to_list()
    if not keys:
        return pl.DataFrame({"station_key": []}, schema={"station_key": pl.Utf8}), None
    weather = weather_hourly(db, keys)
    try:
        from gridscout.models.pue import estimate_pue, hourly_pue

        hourly = hourly_pue(weather, "air_evaporative")
        annual = estimate_pue(weather, "air_evaporative", it_load_mw=IT_LOAD_MW)
    except Exception:  # noqa: BLE001 - model under development: fall back to no modelled values
        return pl.DataFrame({"station_key": []}, schema={"station_key": pl.Utf8}), None
    hourly = hourly.join(weather.select("station_key", "hour_of_year", "month", "dry_bulb_c"),
                         on=["station_key", "hour_of_year"], how="left")
    return annual, hourly


def build_run_dir(run_dir: Path, feats: pl.DataFrame, ref: Reference, db: Path, *, run_id: str,
                  weights: dict[str, float], seed: int = 0, profile_name: str = XSS_PROFILE) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    annual, hourly = _modelled(feats, db)
    df = feats.with_columns(pl.lit(IT_LOAD_MW).alias("it_load_mw"))
    if annual.height:
        df = df.join(annual.select("station_key", "pue_annual", "pue_peak", "pue_method", "free_cooling_hours",
                                   "wue_onsite_l_per_kwh", "water_onsite_m3", "facility_energy_mwh")
                     .rename({"station_key": "weather_station_key", "water_onsite_m3": "water_m3_per_year",
                              "facility_energy_mwh": "energy_mwh_per_year"}),
                     on="weather_station_key", how="left")
        df = df.with_columns(
            (pl.col("energy_mwh_per_year") * pl.col("carbon_g_per_kwh") / 1000).alias("emissions_tco2_per_year"),
            (pl.col("energy_mwh_per_year") * pl.col("price_usd_per_mwh")).alias("energy_cost_usd_per_year"),
            pl.when(pl.col("pue_annual").is_not_null()).then(pl.lit("modelled")).alias("pue_annual__evidence"))
    df = df.with_columns(pl.when(pl.col("carbon_g_per_kwh").is_not_null()).then(pl.lit("observed"))
                         .alias("carbon_g_per_kwh__evidence"))
    # --- PLACEHOLDER scoring (labelled): min-max sub-scores, weighted mean over known criteria
    df = df.with_columns(
        _norm("carbon_g_per_kwh", True).alias("score_carbon"),
        _norm("price_usd_per_mwh", True).alias("score_price"),
        (100 * (pl.col("capacity_within_50km_mw").log1p() / pl.col("capacity_within_50km_mw").log1p().max()))
        .alias("score_power"),
        _norm("cooling_design_db_c", True).alias("score_cooling"),
    )  # score_water deliberately absent: the report must cope with a missing criterion
    crit = list(weights)
    subs = df.select([f"score_{c}" for c in crit]).to_numpy()
    w = np.array([weights[c] for c in crit])
    known = ~np.isnan(subs)
    wk = np.where(known, w, 0.0)
    wsum = wk.sum(axis=1, keepdims=True)
    contrib = np.where(known, np.nan_to_num(subs) * wk / np.where(wsum == 0, 1, wsum), np.nan)
    score = np.where(wsum[:, 0] > 0, np.nansum(contrib, axis=1), np.nan)
    unknown = [",".join(c for c, k in zip(crit, row) if not k) for row in known]
    excluded = (df["grid_zone"].is_null() | (df["site_id"] == "xss-tokyo")).to_numpy()
    reason = [XSS_REASON if sid == "xss-tokyo" else "no grid zone found (placeholder rule)" if ex else None
              for sid, ex in zip(df["site_id"].to_list(), excluded)]
    score = np.where(excluded, np.nan, score)
    df = df.with_columns(
        *[pl.Series(f"contrib_{c}", contrib[:, i]).fill_nan(None) for i, c in enumerate(crit)],
        pl.Series("score", score).fill_nan(None), pl.Series("excluded", excluded),
        pl.Series("exclusion_reason", reason, dtype=pl.Utf8), pl.Series("unknown_criteria", unknown),
        pl.when(pl.col("carbon_g_per_kwh").is_null()).then(pl.lit("UNKNOWN"))
        .when(pl.col("carbon_g_per_kwh") < 300).then(pl.lit("PASS"))
        .when(pl.col("carbon_g_per_kwh") < 600).then(pl.lit("CONDITIONAL")).otherwise(pl.lit("FAIL"))
        .alias("gate_carbon"),
        pl.when(pl.col("grid_zone").is_null()).then(pl.lit("FAIL")).otherwise(pl.lit("PASS")).alias("gate_grid"),
    ).with_columns(pl.col("score").rank("ordinal", descending=True).alias("rank"))
    # --- PLACEHOLDER robustness: Dirichlet weight draws
    rng = np.random.default_rng(seed)
    ok = ~excluded & ~np.isnan(score)
    ranks = []
    for _ in range(200):
        wd = rng.dirichlet(w * 20)
        wkd = np.where(known, wd, 0.0)
        sd = np.where(wkd.sum(1) > 0, (np.nan_to_num(subs) * wkd).sum(1) / np.maximum(wkd.sum(1), 1e-12), np.nan)
        sd = np.where(ok, sd, -np.inf)
        r = np.empty(len(sd)); r[np.argsort(-sd, kind="stable")] = np.arange(1, len(sd) + 1)
        ranks.append(r)
    ranks = np.array(ranks)
    p_top5 = np.where(ok, (ranks <= 5).mean(0), np.nan)
    carbon = df["carbon_g_per_kwh"].to_numpy().astype(float)
    price = df["price_usd_per_mwh"].to_numpy().astype(float)
    both = ok & ~np.isnan(carbon) & ~np.isnan(price)
    pareto = np.array([bool(both[i]) and not np.any(both & (carbon <= carbon[i]) & (price <= price[i])
                                                    & ((carbon < carbon[i]) | (price < price[i])))
                       for i in range(len(carbon))])
    df = df.with_columns(
        pl.Series("p_top5", p_top5).fill_nan(None),
        pl.Series("rank_p05", np.where(ok, np.percentile(ranks, 5, axis=0), np.nan)).fill_nan(None),
        pl.Series("rank_p95", np.where(ok, np.percentile(ranks, 95, axis=0), np.nan)).fill_nan(None),
        pl.Series("pareto", pareto).cast(pl.Boolean),
    ).with_columns(pl.when(pl.col("excluded")).then(None).otherwise(pl.col("pareto")).alias("pareto"))
    df = df.drop([c for c in df.columns if c.startswith("zone_cap_mw_")] + ["on_land", "country_input"])
    df.write_parquet(run_dir / "scores.parquet")

    # fuel mix within 50 km, from real GPPD plants
    plants = ref.plants
    rows = []
    for sid, lat, lon in df.select("site_id", "latitude", "longitude").iter_rows():
        d = haversine_km(lat, lon, plants["latitude"].to_numpy(), plants["longitude"].to_numpy())
        near = plants.filter(pl.Series(d <= 50.0))
        for fuel, cap in near.group_by("fuel").agg(pl.col("capacity_mw").sum()).iter_rows():
            rows.append({"site_id": sid, "fuel": fuel, "capacity_mw": cap})
    pl.DataFrame(rows, schema={"site_id": pl.Utf8, "fuel": pl.Utf8, "capacity_mw": pl.Float64}) \
        .write_parquet(run_dir / "fuel_mix.parquet")
    if hourly is not None:
        hourly.select("station_key", "hour_of_year", "month", "pue", "dry_bulb_c", "mode") \
            .write_parquet(run_dir / "hourly.parquet")
        link = df.select("site_id", "weather_station_key").drop_nulls()
        monthly = (hourly.group_by("station_key", "month")
                   .agg((pl.col("pue").sum() * IT_LOAD_MW).alias("energy_mwh"),
                        (pl.col("water_l_per_kwh_it").sum() * IT_LOAD_MW).alias("water_m3"))
                   .join(link.rename({"weather_station_key": "station_key"}), on="station_key")
                   .select("site_id", "month", "water_m3", "energy_mwh").sort("site_id", "month"))
        monthly.write_parquet(run_dir / "monthly.parquet")
    ref.boundaries.select("layer", "code", "name", "geometry_wkb").write_parquet(run_dir / "boundaries.parquet")

    src_rows = ref.vintages.to_dicts()
    run = {
        "run_id": run_id, "started_at": "2026-11-22T10:00:00Z", "finished_at": "2026-11-22T10:00:09Z",
        "code_version": "test-fixture",
        "profile": {"name": profile_name, "version": "1", "sha256": hashlib.sha256(
            json.dumps(weights, sort_keys=True).encode()).hexdigest(), "weights": weights,
            "facility": {"it_load_mw": IT_LOAD_MW, "design": "air_evaporative"}},
        "candidates": {"path": "data/candidates/markets.csv", "sha256": "n/a", "rows": df.height,
                       "notes": [PLACEHOLDER_NOTE, "2 hostile site names added by the report tests"]},
        "sources": [{"source_id": s["source_id"], "vintage": s["vintage"], "loaded_at": str(s["loaded_at"]),
                     "files": s["files"]} for s in src_rows],
        "timings_s": {"features": 0.2, "score": 0.1},
        "unknown_policy": "exclude-criterion (PLACEHOLDER)",
        "notes": [PLACEHOLDER_NOTE],
    }
    (run_dir / "run.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
    return run_dir
