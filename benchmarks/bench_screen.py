"""Benchmark (a) region screening end to end and (b) a plain geopandas baseline of the same features.

Run on demand (never timed in tests):

    uv run python benchmarks/bench_screen.py --db /path/warehouse.duckdb            # CONUS res 7 ≈ 1.47 M cells
    uv run python benchmarks/bench_screen.py --db ... --region US-VA --res 8 --baseline

(a) ``screen_region`` (polyfill + features + score + surface.parquet + zones; GeoParquet optional with
``--geoparquet``). (b) with ``--baseline``: the same point features computed the straightforward way
on the same cells in the same process — ``sjoin(predicate="within")`` for country/state/grid zone,
``merge`` for carbon and price, ``sjoin_nearest`` (EPSG:5070) for the nearest station, and a 50 km
``buffer`` + ``sjoin`` + ``groupby`` for capacity — and the speed ratio. Prints wall time, peak RSS
(``resource.getrusage``), cell counts. ``--db`` defaults to a fresh warehouse built from the raw
files (≈6 s, not timed).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def build_warehouse() -> Path:
    from gridscout.jobs.ingest import ingest_source

    raw = Path(os.environ.get("GRIDSCOUT_RAW_DIR", REPO.parent / "shared" / "data"))
    db = Path(tempfile.mkdtemp(prefix="bench_wh_")) / "gridscout.duckdb"
    for s in ["boundaries", "carbon_yearly", "eia_prices", "electricitymaps_zones", "gppd", "weather_stations",
              "weather_hourly"]:
        ingest_source(s, db=db, raw=raw)
    return db


def conus(ref) -> str:
    codes = ref.boundaries.filter(pl.col("layer") == "us_state")["code"].to_list()
    return "+".join(f"US-{c}" for c in sorted(codes) if c not in ("AK", "HI", "PR"))


def baseline_features(lat: np.ndarray, lon: np.ndarray, ref):
    """Straightforward geopandas/pandas version of locate + carbon/price + capacity + nearest station."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from gridscout.features.carbon import zone_carbon_for_year

    pts = gpd.GeoDataFrame({"cell": np.arange(len(lat))}, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    b = ref.boundaries.to_pandas()

    def polys(df, key):
        return gpd.GeoDataFrame({key: df[key].values if key in df else df["code"].values},
                                geometry=shapely.from_wkb(df["geometry_wkb"].values), crs="EPSG:4326")

    out = pd.DataFrame({"cell": pts["cell"]})
    for layer, name in (("country", "country"), ("us_state", "us_state")):
        g = polys(b[b["layer"] == layer].rename(columns={"code": name}), name)
        j = gpd.sjoin(pts, g, predicate="within", how="left").drop_duplicates("cell")
        out[name] = j[name].values
    z = ref.zones.to_pandas()
    zg = gpd.GeoDataFrame({"grid_zone": z["zone_key"].values}, geometry=shapely.from_wkb(z["geometry_wkb"].values),
                          crs="EPSG:4326")
    j = gpd.sjoin(pts, zg, predicate="within", how="left").drop_duplicates("cell")
    out["grid_zone"] = j["grid_zone"].values
    out = out.merge(zone_carbon_for_year(ref.zone_carbon_yearly).to_pandas().rename(columns={"zone_key": "grid_zone"}),
                    on="grid_zone", how="left")
    out = out.merge(ref.us_state_prices.to_pandas(), on="us_state", how="left")
    p5070 = pts.to_crs("EPSG:5070")
    st = ref.stations.to_pandas()
    sg = gpd.GeoDataFrame(st[["wmo", "cooling_design_db_c"]], geometry=gpd.points_from_xy(st["longitude"], st["latitude"]),
                          crs="EPSG:4326").to_crs("EPSG:5070")
    nn = gpd.sjoin_nearest(p5070, sg, how="left", max_distance=100_000, distance_col="station_distance_m")
    nn = nn.drop_duplicates("cell")
    out["station_wmo"] = nn["wmo"].values
    out["cooling_design_db_c"] = nn["cooling_design_db_c"].values
    pl_ = ref.plants.to_pandas()
    plants = gpd.GeoDataFrame(pl_[["capacity_mw"]], geometry=gpd.points_from_xy(pl_["longitude"], pl_["latitude"]),
                              crs="EPSG:4326").to_crs("EPSG:5070")
    plants["geometry"] = plants.buffer(50_000)
    cap = gpd.sjoin(p5070, plants, predicate="within", how="inner").groupby("cell")["capacity_mw"].sum()
    out["capacity_within_50km_mw"] = out["cell"].map(cap).fillna(0.0).values
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path)
    ap.add_argument("--region", default="CONUS")
    ap.add_argument("--res", type=int, default=7)
    ap.add_argument("--profile", default="balanced")
    ap.add_argument("--geoparquet", action="store_true")
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="bench_screen_")))
    a = ap.parse_args()

    import gridscout.models.climate_model  # noqa: F401  (import cost is not screening)
    from gridscout.warehouse.readers.reference import read_reference
    from gridscout.scoring import load_profile
    from gridscout.jobs.screen import screen_region

    db = a.db or build_warehouse()
    ref = read_reference(db)
    region = conus(ref) if a.region == "CONUS" else a.region
    print(f"cores={os.cpu_count()} load_avg={os.getloadavg()[0]:.2f} peak_rss_before={peak_rss_mb():.0f} MB")
    t0 = time.perf_counter()
    r = screen_region(region, a.res, load_profile(a.profile), ref, a.out, geoparquet=a.geoparquet)
    wall = time.perf_counter() - t0
    print(f"(a) screen_region {a.region} res {a.res}: cells={r.n_cells:,} zones={r.zones.height} wall={wall:.2f} s "
          f"peak_rss={peak_rss_mb():.0f} MB")
    print("    stages:", {k: round(v, 2) for k, v in r.timings_s.items()})
    print("    files:", {k: f"{p.stat().st_size / 1e6:.1f} MB" for k, p in r.paths.items()})
    if a.baseline:
        from gridscout.features.assemble import cell_features

        s = r.surface
        cells = s["h3_int"].to_numpy()
        lat, lon = s["latitude"].to_numpy(), s["longitude"].to_numpy()
        t1 = time.perf_counter()
        ours = cell_features(cells, lat, lon, ref)
        t_ours = time.perf_counter() - t1
        t1 = time.perf_counter()
        base = baseline_features(lat, lon, ref)
        t_base = time.perf_counter() - t1
        agree = float(np.mean(base["grid_zone"].fillna("").values == ours.sort("h3_int")["grid_zone"].fill_null("").to_numpy()))
        cap_ok = float(np.mean(np.isclose(base["capacity_within_50km_mw"].values,
                                          ours.sort("h3_int")["capacity_within_50km_mw"].to_numpy(), rtol=1e-6, atol=1e-6)))
        print(f"(b) features only, same {len(lat):,} cells: gridscout={t_ours:.2f} s  geopandas baseline={t_base:.2f} s  "
              f"ratio={t_base / t_ours:.1f}x  peak_rss={peak_rss_mb():.0f} MB")
        print(f"    agreement: grid_zone {agree:.4f}, capacity (projected 50 km buffer vs great circle) {cap_ok:.4f}")


if __name__ == "__main__":
    main()
