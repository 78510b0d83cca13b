"""IT load from a GPU fleet, and the rack-density check that decides which cooling can serve it.

IT power [MW] = GPU board power [W] × GPU count × server overhead factor × utilisation / 1e6.
The server overhead factor covers CPUs, memory, NICs, storage and server fans: an NVIDIA DGX
H100 is 8 × 700 W of GPUs in a 10.2 kW system, so factor = 10.2 / 5.6 ≈ 1.82
(``data/designs/gpus.csv``).

Rack density limits by cooling technology (docs/models.md; ASHRAE TC9.9, *Emergence and
Expansion of Liquid Cooling in Mainstream Data Centers*, 2021): air up to 15–20 kW/rack,
rear-door heat exchangers 25–35, direct liquid 50–100+, immersion beyond.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from gridscout.models.designs import DATA_DIR, Design, DesignError

GPUS_PATH = DATA_DIR / "designs" / "gpus.csv"

#: Densest rack each cooling family serves [kW/rack] (upper end of the published ranges).
RACK_DENSITY_LIMITS_KW = {"air": 20.0, "rear_door_hx": 35.0, "direct_liquid": 150.0, "immersion": 250.0}


def load_gpus(path=None) -> pl.DataFrame:
    """GPU table (model, board_power_w, gpus_per_system, system_power_kw, source)."""
    df = pl.read_csv(path or GPUS_PATH)
    missing = {"model", "board_power_w", "source"} - set(df.columns)
    if missing:
        raise ValueError(f"{path or GPUS_PATH}: missing columns {sorted(missing)}")
    return df


def server_overhead_factor(model: str = "H100_SXM", path=None) -> float:
    """System power / GPU power for a reference system (default DGX H100: 10.2 kW / 5.6 kW) [-]."""
    g = load_gpus(path).filter(pl.col("model") == model)
    if g.height == 0 or g["system_power_kw"][0] is None:
        raise ValueError(f"no reference system power for GPU {model!r} in {path or GPUS_PATH}")
    return float(g["system_power_kw"][0] * 1000.0 / (g["board_power_w"][0] * g["gpus_per_system"][0]))


@dataclass(frozen=True)
class Fleet:
    """A GPU fleet. ``server_overhead_factor`` None -> the DGX H100 reference (≈1.82)."""

    gpu_model: str
    gpu_count: int
    server_overhead_factor: float | None = None
    rack_kw: float | None = None
    utilisation: float = 1.0


def it_load_mw(fleet: Fleet, path=None) -> float:
    """IT load of a GPU fleet [MW] = board W × count × overhead × utilisation / 1e6.

    Raises
    ------
    ValueError
        Unknown GPU model, non-positive count, utilisation outside (0, 1].
    """
    gpus = load_gpus(path)
    row = gpus.filter(pl.col("model") == fleet.gpu_model)
    if row.height == 0:
        raise ValueError(f"unknown GPU model {fleet.gpu_model!r}; known: {gpus['model'].to_list()}")
    if fleet.gpu_count <= 0:
        raise ValueError(f"gpu_count must be positive, got {fleet.gpu_count}")
    if not 0.0 < fleet.utilisation <= 1.0:
        raise ValueError(f"utilisation must be in (0, 1], got {fleet.utilisation}")
    factor = fleet.server_overhead_factor or server_overhead_factor("H100_SXM", path)
    return float(row["board_power_w"][0]) * fleet.gpu_count * factor * fleet.utilisation / 1e6


def check_rack_density(design: Design, rack_kw: float) -> None:
    """Raise :class:`DesignError` if ``design`` cannot cool racks of ``rack_kw`` [kW/rack]."""
    if rack_kw is None:
        return
    if rack_kw <= 0:
        raise DesignError(f"rack_kw must be positive, got {rack_kw}")
    if rack_kw > design.max_rack_kw:
        able = [n for n, v in RACK_DENSITY_LIMITS_KW.items() if v >= rack_kw]
        raise DesignError(
            f"cooling design {design.name!r} serves at most {design.max_rack_kw:g} kW/rack but the fleet needs "
            f"{rack_kw:g} kW/rack; choose a design of family {able or ['none known']} "
            f"(air <=20, rear-door HX <=35, direct liquid 50-100+, immersion beyond)")
