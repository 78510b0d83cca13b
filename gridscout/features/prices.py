"""European retail electricity prices per country and per site (Eurostat nrg_pc_205, band IC).

Which number
    Eurostat publishes non-household prices at three tax levels (Regulation (EU) 2016/1952 on
    European statistics on natural gas and electricity prices, Annex II; Eurostat metadata
    ``nrg_pc_204_esms``/``nrg_pc_205``): ``X_TAX`` excluding taxes and levies, ``X_VAT`` excluding
    VAT and other recoverable taxes and levies, ``I_TAX`` all taxes and levies included. A data
    center operator is a business that recovers VAT (and other recoverable taxes) but pays every
    non-recoverable tax and levy (electricity taxes, renewable surcharges, network levies), so the
    scored price is **``X_VAT``**: the price the business actually bears. ``X_TAX`` would leave out
    real costs (in Germany 2024-S2: 0.2010 vs 0.2359 EUR/kWh); ``I_TAX`` would count VAT it gets back.

Which band
    Only band IC (500–1 999 MWh/yr) is available offline. A 50 MW IT data center at 80 % utilisation
    and PUE 1.2 uses 50 × 0.8 × 1.2 × 8 760 ≈ 420 000 MWh/yr, i.e. band IG (≥ 150 000 MWh/yr), which
    pays less per kWh than IC; the band-IC figure is therefore an upper-side proxy, named as such in
    ``price_basis`` and :data:`BAND_CAVEAT`.

Which year
    The latest calendar year in which both semesters have a value at the chosen band and tax level
    and for which an ECB annual USD/EUR rate is listed; ``price_eur_per_mwh`` is the unweighted mean
    of its two semester prices (Eurostat publishes semesters only; consumption weights per semester
    are not published in nrg_pc_205). A year with one semester only is not used.

Conversion
    USD = EUR × the ECB annual average USD per EUR of that year (``data/reference/
    ecb_usd_per_eur_annual.csv``, loaded by :func:`gridscout.features.wholesale.load_fx`); 1 EUR/kWh
    = 1 000 EUR/MWh.

US sites keep the EIA state industrial price (assigned by ``features.sites.carbon_and_price``);
:func:`assign_country_prices` fills only sites that have no price yet.
"""

from __future__ import annotations

import polars as pl

SOURCE_ID = "eurostat_prices"
#: Eurostat tax level scored: excluding VAT and other recoverable taxes and levies (see module doc)
SCORED_TAX_LEVEL = "X_VAT"
SCORED_BAND = "IC"
TAX_LEVEL_LABELS = {
    "X_TAX": "excluding taxes and levies",
    "X_VAT": "excluding VAT and other recoverable taxes and levies",
    "I_TAX": "all taxes and levies included",
}
#: what the report must say beside a Eurostat band-IC price
BAND_CAVEAT = ("Eurostat band IC covers 500–1,999 MWh/yr; a large data center (≈ 420,000 MWh/yr at 50 MW IT) "
               "buys in band IG (≥ 150,000 MWh/yr) at a lower unit price, so band IC is an upper-side proxy.")

COLUMNS = {"country": pl.Utf8, "price_year": pl.Int32, "price_eur_per_mwh": pl.Float64,
           "price_usd_per_mwh": pl.Float64, "price_source": pl.Utf8, "price_basis": pl.Utf8,
           "usd_per_eur": pl.Float64}


def country_retail_prices(nonhousehold: pl.DataFrame, fx: pl.DataFrame, *, band: str = SCORED_BAND,
                          tax_level: str = SCORED_TAX_LEVEL) -> pl.DataFrame:
    """Per country: latest complete year with an ECB rate → EUR and USD per MWh (see module doc).

    ``nonhousehold``: rows of :func:`gridscout.warehouse.readers.prices.read_nonhousehold_prices`
    (``country``, ``consumption_band``, ``tax_level``, ``year``, ``semester``, ``price_eur_per_kwh``);
    ``fx``: :func:`gridscout.features.wholesale.load_fx`. Countries without a complete year are absent.
    """
    if tax_level not in TAX_LEVEL_LABELS:
        raise ValueError(f"tax_level must be one of {list(TAX_LEVEL_LABELS)}, got {tax_level!r}")
    if nonhousehold.height == 0 or fx.height == 0:
        return pl.DataFrame(schema=COLUMNS)
    yearly = (nonhousehold
              .filter((pl.col("consumption_band") == band) & (pl.col("tax_level") == tax_level))
              .drop_nulls(["country", "year", "semester", "price_eur_per_kwh"])
              .group_by("country", "year")
              .agg(pl.col("semester").n_unique().alias("_semesters"), pl.col("price_eur_per_kwh").mean())
              .filter(pl.col("_semesters") == 2)
              .join(fx.select("year", "usd_per_eur"), on="year", how="inner"))
    latest = yearly.sort("year").group_by("country").last()
    basis = f"Eurostat nrg_pc_205 band {band} ({TAX_LEVEL_LABELS[tax_level]}; {tax_level}), mean of S1 and S2"
    return latest.select(
        "country", pl.col("year").alias("price_year"),
        (pl.col("price_eur_per_kwh") * 1000.0).alias("price_eur_per_mwh"),
        (pl.col("price_eur_per_kwh") * 1000.0 * pl.col("usd_per_eur")).alias("price_usd_per_mwh"),
        pl.lit(SOURCE_ID).alias("price_source"),
        pl.format("{} × ECB USD/EUR {} ({})", pl.lit(basis), pl.col("usd_per_eur"), pl.col("year")).alias("price_basis"),
        "usd_per_eur",
    ).cast(COLUMNS).sort("country")


def assign_country_prices(sites: pl.DataFrame, country_prices: pl.DataFrame) -> pl.DataFrame:
    """Give sites without a scored price (``price_usd_per_mwh`` null or absent) their country's price.

    Sites that already have one (US states, EIA) keep it, with ``price_basis`` naming the EIA series
    when absent. Adds or fills ``price_usd_per_mwh``, ``price_year``, ``price_source``, ``price_basis``
    (null where no source covers the site: UNKNOWN, never 0)."""
    out = sites
    for col, dtype in (("price_usd_per_mwh", pl.Float64), ("price_year", pl.Int32), ("price_source", pl.Utf8),
                       ("price_basis", pl.Utf8)):
        if col not in out.columns:
            out = out.with_columns(pl.lit(None, dtype).alias(col))
    out = out.with_columns(
        pl.when(pl.col("price_usd_per_mwh").is_not_null() & pl.col("price_basis").is_null())
        .then(pl.lit("EIA state average retail price, industrial sector (revenue / sales)"))
        .otherwise(pl.col("price_basis")).alias("price_basis"))
    if country_prices.height == 0 or "country" not in out.columns:
        return out
    cp = country_prices.select("country", *[pl.col(c).alias(f"_cp_{c}") for c in
                                            ("price_usd_per_mwh", "price_year", "price_source", "price_basis")])
    out = out.join(cp, on="country", how="left", maintain_order="left")
    fill = pl.col("price_usd_per_mwh").is_null() & pl.col("_cp_price_usd_per_mwh").is_not_null()
    return out.with_columns(
        pl.when(fill).then(pl.col(f"_cp_{c}")).otherwise(pl.col(c)).cast(dtype).alias(c)
        for c, dtype in (("price_usd_per_mwh", pl.Float64), ("price_year", pl.Int32), ("price_source", pl.Utf8),
                         ("price_basis", pl.Utf8))
    ).drop([c for c in out.columns if c.startswith("_cp_")])
