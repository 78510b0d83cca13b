"""Cooling designs and ASHRAE thermal envelopes, loaded from ``data/designs/cooling.toml``.

A :class:`Design` bundles one cooling technology's parameters with the server-inlet
:class:`Envelope` it runs in, its trim :class:`Chiller` and the shared
:class:`Electrical` overheads. Every parameter in the TOML carries its citation.

References
----------
ASHRAE TC9.9 (2021). *Thermal Guidelines for Data Processing Environments*, 5th ed., Table 2.1.
ASHRAE 90.1-2019, Tables 6.8.1-3 (chillers) and 6.8.1-7 (heat-rejection equipment).
Lei, N. & Masanet, E. (2020). Statistical analysis for predicting location-specific data center
PUE and its improvement potential. *Energy* 201, 117556. https://doi.org/10.1016/j.energy.2020.117556
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: Repository data directory (``<repo>/data``).
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_DESIGNS_PATH = DATA_DIR / "designs" / "cooling.toml"

ENVELOPE_NAMES = ("recommended", "A1", "A2", "A3", "A4")
HEAT_PATHS = ("airside", "airside_evaporative", "waterside_tower", "liquid_dry")

_ENVELOPE_KEYS = ("dry_bulb_min_c", "dry_bulb_max_c", "dew_point_min_c", "dew_point_max_c",
                  "rh_min_pct", "rh_max_pct")
_CHILLER_KEYS = ("carnot_fraction", "evaporator_approach_k", "condenser_approach_k", "cop_max")
_ELECTRICAL_KEYS = ("ups_efficiency", "distribution_loss_frac", "lighting_misc_frac")
_COMMON_KEYS = ("heat_path", "chiller", "envelope_default", "max_rack_kw", "supply_margin_k",
                "fan_temperature_rise_k", "it_delta_t_k", "coil_approach_k", "fan_power_frac",
                "pump_power_frac")
_PATH_KEYS = {
    "airside": (),
    "airside_evaporative": ("evaporative_effectiveness", "cycles_of_concentration"),
    "waterside_tower": ("chw_delta_t_k", "tower_approach_k", "hx_approach_k", "condenser_range_k",
                        "tower_fan_kw_per_kw_heat", "tower_liquid_gas_ratio", "cycles_of_concentration"),
    "liquid_dry": ("facility_water_supply_c", "liquid_capture_fraction", "liquid_loop_delta_t_k",
                   "dry_cooler_approach_k", "chw_delta_t_k", "dry_cooler_fan_kw_per_kw_heat"),
}


#: Optional design keys: the shared ``[electrical]`` figures a design may set for itself (eco-mode
#: UPS in a hyperscale hall, double conversion in a legacy room), an explicit chilled-water supply
#: (else supply air − coil approach) and ``economizer = false`` for rooms without one.
_OPTIONAL_NUMBER_KEYS = ("ups_efficiency", "distribution_loss_frac", "lighting_misc_frac", "chilled_water_supply_c")


class DesignError(ValueError):
    """A cooling design or envelope is missing, malformed or cannot serve the load."""


@dataclass(frozen=True)
class Envelope:
    """Server-inlet air envelope (ASHRAE TC9.9 Table 2.1). Temperatures [°C], RH [%]."""

    name: str
    dry_bulb_min_c: float
    dry_bulb_max_c: float
    dew_point_min_c: float
    dew_point_max_c: float
    rh_min_pct: float
    rh_max_pct: float
    source: str


@dataclass(frozen=True)
class Chiller:
    """Carnot-fraction chiller: COP = f * T_evap / (T_cond - T_evap), capped at ``cop_max``."""

    name: str
    carnot_fraction: float
    evaporator_approach_k: float
    condenser_approach_k: float
    cop_max: float
    source: str


@dataclass(frozen=True)
class Electrical:
    """Power-conversion and miscellaneous overheads, as fractions of IT power [-]."""

    ups_efficiency: float
    distribution_loss_frac: float
    lighting_misc_frac: float

    @property
    def loss_frac(self) -> float:
        """UPS + distribution losses per unit IT power [-]."""
        return 1.0 / self.ups_efficiency - 1.0 + self.distribution_loss_frac


@dataclass(frozen=True)
class Design:
    """One cooling design in one envelope; ``p`` holds the numeric parameters from the TOML."""

    name: str
    heat_path: str
    envelope: Envelope
    chiller: Chiller
    electrical: Electrical
    max_rack_kw: float
    p: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def __getattr__(self, key: str) -> Any:  # design.fan_power_frac etc.
        p = object.__getattribute__(self, "p")
        if key in p:
            return p[key]
        raise AttributeError(f"design {object.__getattribute__(self, 'name')!r} has no parameter {key!r}")

    @property
    def supply_air_c(self) -> float:
        """Supply-air set point: envelope maximum minus the design margin [°C]."""
        return self.envelope.dry_bulb_max_c - self.p["supply_margin_k"]

    @property
    def chilled_water_supply_c(self) -> float:
        """Chilled-water supply [°C]: the design's ``chilled_water_supply_c`` where it names one (a
        plant run at a fixed set point, e.g. 7 °C in a legacy room), else supply air − coil approach."""
        if "chilled_water_supply_c" in self.p:
            return float(self.p["chilled_water_supply_c"])
        return self.supply_air_c - self.p["coil_approach_k"]

    @property
    def has_economizer(self) -> bool:
        """False for an air-side design that never cools with outdoor air (``economizer = false``)."""
        return bool(self.p.get("economizer", True))

    def with_envelope(self, envelope: str | Envelope, path: Path | None = None) -> "Design":
        """The same design in another envelope (name from ``ENVELOPE_NAMES`` or an Envelope)."""
        env = envelope if isinstance(envelope, Envelope) else load_envelopes(path)[_envelope_name(envelope)]
        return replace(self, envelope=env)


def _read(path: Path | None) -> dict[str, Any]:
    path = Path(path) if path is not None else DEFAULT_DESIGNS_PATH
    if not path.exists():
        raise DesignError(f"cooling design file not found: {path}")
    with path.open("rb") as fh:
        try:
            return tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise DesignError(f"{path}: invalid TOML: {exc}") from exc


def _need(table: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        if key not in table:
            raise DesignError(f"{where}: missing key {key!r}")
        val = table[key]
        if key not in ("heat_path", "chiller", "envelope_default") and (
                isinstance(val, bool) or not isinstance(val, (int, float))):
            raise DesignError(f"{where}.{key}: expected a number, got {val!r}")


def _envelope_name(name: str) -> str:
    for known in ENVELOPE_NAMES:
        if name.lower() == known.lower():
            return known
    raise DesignError(f"unknown ASHRAE envelope {name!r}; choose one of {ENVELOPE_NAMES}")


def load_envelopes(path: Path | None = None) -> dict[str, Envelope]:
    """All envelopes in the TOML, validated (limits ordered, RH in 0-100)."""
    raw = _read(path).get("envelopes")
    if not raw:
        raise DesignError("cooling.toml: missing table [envelopes]")
    out = {}
    for name, t in raw.items():
        where = f"envelopes.{name}"
        _need(t, _ENVELOPE_KEYS, where)
        if "source" not in t:
            raise DesignError(f"{where}: missing key 'source'")
        env = Envelope(name=name, source=t["source"], **{k: float(t[k]) for k in _ENVELOPE_KEYS})
        if not (env.dry_bulb_min_c < env.dry_bulb_max_c and env.dew_point_min_c < env.dew_point_max_c
                and 0 <= env.rh_min_pct < env.rh_max_pct <= 100):
            raise DesignError(f"{where}: limits out of order or RH outside 0-100 %")
        out[name] = env
    missing = set(ENVELOPE_NAMES) - set(out)
    if missing:
        raise DesignError(f"cooling.toml: envelopes missing {sorted(missing)}")
    return out


def load_designs(path: Path | None = None) -> dict[str, Design]:
    """All designs in the TOML, each in its ``envelope_default``, validated."""
    raw = _read(path)
    envelopes = load_envelopes(path)
    elec_raw = raw.get("electrical")
    if elec_raw is None:
        raise DesignError("cooling.toml: missing table [electrical]")
    _need(elec_raw, _ELECTRICAL_KEYS, "electrical")
    electrical = Electrical(**{k: float(elec_raw[k]) for k in _ELECTRICAL_KEYS})
    if not 0.5 < electrical.ups_efficiency <= 1.0:
        raise DesignError("electrical.ups_efficiency: must be in (0.5, 1]")
    chillers = {}
    for name, t in (raw.get("chillers") or {}).items():
        _need(t, _CHILLER_KEYS, f"chillers.{name}")
        chillers[name] = Chiller(name=name, source=t.get("source", ""), **{k: float(t[k]) for k in _CHILLER_KEYS})
    designs = {}
    for name, t in (raw.get("designs") or {}).items():
        where = f"designs.{name}"
        _need(t, _COMMON_KEYS, where)
        if t["heat_path"] not in HEAT_PATHS:
            raise DesignError(f"{where}.heat_path: {t['heat_path']!r} is not one of {HEAT_PATHS}")
        _need(t, _PATH_KEYS[t["heat_path"]], where)
        if t["chiller"] not in chillers:
            raise DesignError(f"{where}.chiller: {t['chiller']!r} is not a [chillers.*] table")
        for key in ("liquid_capture_fraction", "evaporative_effectiveness"):
            if key in t and not 0.0 <= t[key] <= 1.0:
                raise DesignError(f"{where}.{key}: must be within [0, 1], got {t[key]}")
        if "tower_liquid_gas_ratio" in t and not 0.0 < t["tower_liquid_gas_ratio"] <= 5.0:
            raise DesignError(f"{where}.tower_liquid_gas_ratio: must be within (0, 5], got {t['tower_liquid_gas_ratio']}")
        if "cycles_of_concentration" in t and t["cycles_of_concentration"] <= 1.0:
            raise DesignError(f"{where}.cycles_of_concentration: must be > 1, got {t['cycles_of_concentration']}")
        for key in _OPTIONAL_NUMBER_KEYS:
            if key in t and (isinstance(t[key], bool) or not isinstance(t[key], (int, float))):
                raise DesignError(f"{where}.{key}: expected a number, got {t[key]!r}")
        if "economizer" in t and not isinstance(t["economizer"], bool):
            raise DesignError(f"{where}.economizer: expected true or false, got {t['economizer']!r}")
        own = replace(electrical, **{k: float(t[k]) for k in _ELECTRICAL_KEYS if k in t})
        if not 0.5 < own.ups_efficiency <= 1.0:
            raise DesignError(f"{where}.ups_efficiency: must be in (0.5, 1]")
        env = envelopes[_envelope_name(t["envelope_default"])]
        params = {k: v for k, v in t.items() if k not in ("description",)}
        designs[name] = Design(name=name, heat_path=t["heat_path"], envelope=env, chiller=chillers[t["chiller"]],
                               electrical=own, max_rack_kw=float(t["max_rack_kw"]), p=params,
                               description=t.get("description", ""))
    if not designs:
        raise DesignError("cooling.toml: no [designs.*] tables")
    return designs


def design_ids(path: Path | None = None) -> tuple[str, ...]:
    """The design ids of ``cooling.toml``, in file order (what a profile or a candidate may name)."""
    return tuple(load_designs(path))


def get_design(name: str, envelope: str | None = None, path: Path | None = None, **overrides: float) -> Design:
    """One design by name, optionally in another envelope and with parameter overrides.

    Raises
    ------
    DesignError
        Unknown design/envelope name, or an override naming a parameter the design lacks.
    """
    designs = load_designs(path)
    if name not in designs:
        raise DesignError(f"unknown cooling design {name!r}; choose one of {sorted(designs)}")
    d = designs[name]
    if envelope is not None:
        d = d.with_envelope(envelope, path)
    if overrides:
        bad = [k for k in overrides if k not in d.p]
        if bad:
            raise DesignError(f"designs.{name}: cannot override unknown parameter(s) {bad}")
        d = replace(d, p={**d.p, **overrides})
    return d
